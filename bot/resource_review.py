"""`waypoint resources --region UK`: every line the bot can give one region or country, with
where each claim comes from and when it was last checked, for a reviewer before a release.

Entries not verified in the last REVIEW_DAYS days (or never) are flagged; the never-silent
reply is printed as it would go out, since it is built from these entries alone.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot import places, resources
from bot.never_silent import fallback_text

REVIEW_DAYS = 180


def stale(resource: resources.Resource, today: date) -> bool:
    return resource.verified is None or resource.verified < today - timedelta(days=REVIEW_DAYS)


def review(value: str, today: date | None = None) -> tuple[str, int]:
    """The report for a region or country code, and how many entries need re-checking."""
    today = today or date.today()
    country = places.country(value)
    region = places.region_of(value)
    if region is None:
        raise ValueError(f"{value!r} is not a region ({', '.join(places.REGIONS)}) or a country code")
    where = f"{country.name} ({country.key})" if country else region
    numbers = ", ".join(country.emergency) if country and country.emergency else "none listed"
    lines = [f"Help the bot gives in {where}: region {region}; emergency numbers {numbers} "
             f"(from bot/data/countries.yml)."]
    flagged = 0
    for role in resources.ROLES:
        for entry in resources.resources_for(value, role):
            old = stale(entry, today)
            flagged += old
            checked = f"verified {entry.verified}" if entry.verified else "never verified"
            lines += [f"[{role}] {entry.line()}",
                      f"    source: {entry.source}; {checked}"
                      + (f"  << RE-CHECK: older than {REVIEW_DAYS} days or never checked" if old else "")]
    lines += ["", "The never-silent reply (Rasa or the action server down):", fallback_text(value),
              "", f"{flagged} entr{'y' if flagged == 1 else 'ies'} to re-check."]
    return "\n".join(lines), flagged
