"""Help services by region, read from data/resources.yml, and the lines the bot says about them.

The bot, the action server and the never-silent fallback all quote numbers from here, so a
number checked once is the number every reply gives. Each claim about a service (free, open
24/7, anonymous, who it is for, what it cannot remove) is a field on that service's entry and
is said only in that service's own line: a sentence shared by every region cannot make one.
The young person's country (bot/places.py) picks the region, and its own emergency number.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from bot import places

RESOURCES_FILE = Path(__file__).parent / "data" / "resources.yml"
REGIONS = places.REGIONS
ROLES = ("emergency", "crisis", "support", "report", "removal")
DEFAULT_REGION = "US"
# What the bot says for a claim field that is true of an entry (resources.yml names the fields).
NO_NAME_NEEDED = "You don't have to give your name."
# Where no number is known for the young person's country: the OTHER emergency entry's words
# (safety-facts.md §5b: 112 works in every EU country and from most mobiles in many others).
LOCAL_EMERGENCY = "the emergency number where you are (from a mobile, 112 works in many countries)"


@dataclass(frozen=True)
class Resource:
    region: str
    role: str
    service: str
    source: str
    for_: str = ""
    verified: date | None = None
    phone: str | None = None
    text: str | None = None
    chat: str | None = None
    address: str | None = None
    languages: tuple[str, ...] = ("en",)
    free: bool = False
    hours: str | None = None
    anonymous: bool | None = None
    after: str | None = None
    limits: str | None = None
    where: str | None = None

    def contact_line(self) -> str:
        """One short line a young person can act on: who, then how to reach them."""
        ways = []
        if self.phone:
            ways.append(f"call {self.phone}")
        if self.text:
            ways.append(f"text {self.text[4:].strip()}" if self.text.lower().startswith("text") else f"text {self.text}")
        if self.chat:
            ways.append(f"chat at {self.chat}")
        if self.address:
            ways.append(self.address)
        how = " or ".join(ways)
        return f"{self.service}: {how}" if how else self.service

    def line(self) -> str:
        """The contact line with what this entry says about the service, and nothing else."""
        tags = " and ".join(t for t in ("free" if self.free else "", f"open {self.hours}" if self.hours else "") if t)
        claims = [self.for_, f"{tags[0].upper()}{tags[1:]}." if tags else "",
                  NO_NAME_NEEDED if self.anonymous else "", self.limits or "", self.after or ""]
        return " ".join([f"{self.contact_line()}.", *filter(None, claims)])

    def contacts(self) -> list[str]:
        """Every number, text code and address in this entry."""
        return [value for value in (self.phone, self.text, self.chat, self.address) if value]


@lru_cache(maxsize=1)
def all_resources() -> tuple[Resource, ...]:
    with RESOURCES_FILE.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)["resources"]
    known = {f.name for f in fields(Resource)}
    items = []
    for entry in raw:
        entry = dict(entry)
        entry["for_"] = entry.pop("for", "")
        entry["languages"] = tuple(entry.get("languages") or ("en",))
        unknown = set(entry) - known
        if unknown:
            raise ValueError(f"resources.yml: {entry['service']} has fields no reply reads: {sorted(unknown)}")
        items.append(Resource(**entry))
    return tuple(items)


def resources_for(country: str | None, role: str) -> list[Resource]:
    """Services of one role for the young person's country (or a region code); an unknown
    country gets the US ones. An entry for EU countries only is left out elsewhere."""
    region = places.region_of(country) or DEFAULT_REGION
    in_eu = bool((found := places.country(country)) and found.eu)
    return [r for r in all_resources()
            if r.region == region and r.role == role and (r.where != "eu" or in_eu)]


def first(country: str | None, role: str) -> Resource:
    found = resources_for(country, role)
    if not found:
        raise LookupError(f"resources.yml has no {role} service for {country!r}")
    return found[0]


def emergency_number(country: str | None) -> str:
    """The number to call: the region's own (US, CA, UK, AU, from safety-facts.md), else the
    country's first two (both are emergency numbers there: "112 or 911" in the Philippines,
    "110 or 119" in Japan), else words that still help."""
    region_phone = first(country, "emergency").phone
    found = places.country(country)
    if region_phone or not (found and found.emergency):
        return region_phone or LOCAL_EMERGENCY
    return " or ".join(found.emergency[:2])


def crisis_line_in(country: str | None, language: str) -> tuple[Resource, bool]:
    """The crisis line that answers in `language`, and True; else the first crisis line and
    False (a reply must not say a line speaks a language it does not)."""
    found = resources_for(country, "crisis")
    speaking = [r for r in found if language in r.languages]
    return (speaking[0], True) if speaking else (first(country, "crisis"), False)


def help_lines(country: str | None) -> dict[str, str]:
    """The values for the placeholders in responses/: {crisis_lines}, {report_lines}, ..."""

    def lines(role: str) -> str:
        return "\n".join(r.line() for r in resources_for(country, role))

    return {
        "crisis_lines": lines("crisis"),
        # One calm line for replies that are not about a crisis (not understood, the menu, the
        # other flows' reporting messages, where "Talk to a person" gives the full list).
        "crisis_line": first(country, "crisis").contact_line(),
        # Ends a reply that lists a region's help in full; empty where there is no more.
        "more_help": f"\nMore help:\n{support}" if (support := lines("support")) else "",
        "report_lines": lines("report"),
        "removal_lines": lines("removal"),
        # Removal tools one message at a time (a region's two lines are longer than a message
        # may be): its own tool first, the others in a next message, sent only when there are any.
        "first_removal_line": first(country, "removal").line(),
        "more_removal_lines": "\n".join(r.line() for r in resources_for(country, "removal")[1:]),
        "emergency_number": emergency_number(country),
    }
