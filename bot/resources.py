"""Help services by region, read from data/resources.yml (and region names from data/regions.yml).

The bot, the action server and the never-silent fallback all quote numbers from here, so a
number checked once is the number every reply gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

RESOURCES_FILE = Path(__file__).parent / "data" / "resources.yml"
REGIONS_FILE = Path(__file__).parent / "data" / "regions.yml"
REGIONS = ("US", "CA", "UK", "AU", "OTHER")
ROLES = ("emergency", "crisis", "report", "removal")
DEFAULT_REGION = "US"


@dataclass(frozen=True)
class Resource:
    region: str
    role: str
    service: str
    for_: str
    source: str
    verified: date
    phone: str | None = None
    text: str | None = None
    address: str | None = None
    languages: tuple[str, ...] = ("en",)

    def contact_line(self) -> str:
        """One short line a young person can act on: who, then how to reach them."""
        ways = []
        if self.phone:
            ways.append(f"call {self.phone}")
        if self.text:
            ways.append(self.text if self.text.lower().startswith("text") else f"text {self.text}")
        if self.address:
            ways.append(self.address)
        how = " or ".join(ways)
        return f"{self.service}: {how}" if how else self.service


@lru_cache(maxsize=1)
def region_aliases() -> dict[str, str]:
    """Every typed name (country, state, province, big city) -> its region code."""
    with REGIONS_FILE.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)["regions"]
    return {str(alias).lower(): code for code, aliases in raw.items() for alias in [code, *aliases]}


def normalise_region(value: str | None) -> str | None:
    """A region code from a slot, button payload or typed country, or None when unknown."""
    if not value:
        return None
    return region_aliases().get(value.strip().lower())


@lru_cache(maxsize=1)
def all_resources() -> tuple[Resource, ...]:
    with RESOURCES_FILE.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)["resources"]
    items = []
    for entry in raw:
        entry = dict(entry)
        entry["for_"] = entry.pop("for")
        entry["languages"] = tuple(entry.get("languages") or ("en",))
        items.append(Resource(**entry))
    return tuple(items)


def resources_for(region: str | None, role: str) -> list[Resource]:
    """Services of one role for a region; an unknown region gets the US ones."""
    code = normalise_region(region) or DEFAULT_REGION
    return [r for r in all_resources() if r.region == code and r.role == role]


def first(region: str | None, role: str) -> Resource:
    found = resources_for(region, role)
    if not found:
        raise LookupError(f"resources.yml has no {role} service for {region!r}")
    return found[0]


def crisis_line_in(region: str | None, language: str) -> tuple[Resource, bool]:
    """The region's crisis line that answers in `language`, and True; else its first crisis
    line and False (a reply must not say a line speaks a language it does not)."""
    found = resources_for(region, "crisis")
    speaking = [r for r in found if language in r.languages]
    return (speaking[0], True) if speaking else (first(region, "crisis"), False)


def help_lines(region: str | None) -> dict[str, str]:
    """The values for the placeholders in responses/: {crisis_lines}, {report_lines}, ..."""

    def lines(role: str, with_purpose: bool = False) -> str:
        found = resources_for(region, role)
        return "\n".join(f"{r.contact_line()}. {r.for_}" if with_purpose else r.contact_line() for r in found)

    return {
        "crisis_lines": lines("crisis"),
        # One calm line for replies that are not about a crisis (not understood, the menu).
        "crisis_line": first(region, "crisis").contact_line(),
        "report_lines": lines("report"),
        # Removal tools differ by region (Take It Down, Report Remove, NeedHelpNow), so each
        # says in its own words how it works.
        "removal_lines": lines("removal", with_purpose=True),
        "emergency_number": first(region, "emergency").phone or "your local emergency number",
    }
