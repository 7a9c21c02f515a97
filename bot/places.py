"""Where a young person is: a country from a button or from their own words, never a guess.

A wrong country means a wrong emergency number, so a place that could be in two countries
("perth", "london", "georgia", "CA") is asked about with a button per country; with its
state, province or country beside it ("perth scotland", "london ontario") the country both
words share wins. Countries, their names and emergency numbers are in data/countries.yml
(generated from ISO 3166-1 and libphonenumber); states, provinces and cities in
data/places.yml. A country maps to one region, the set of services in data/resources.yml.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"
COUNTRIES_FILE = DATA / "countries.yml"
PLACES_FILE = DATA / "places.yml"
CITIES_FILE = DATA / "cities.yml"  # generated: scripts/build_cities.py
REGIONS_FILE = DATA / "regions.yml"
# Regions with their own services; every other country is OTHER ("somewhere else" too).
REGIONS = ("US", "CA", "UK", "AU", "OTHER")
OTHER = "OTHER"
NOT_A_COUNTRY = "NONE"  # places.yml: continents and regions that are not one country
_LONGEST_PLACE = 5  # words


@dataclass(frozen=True)
class Country:
    key: str  # ISO 3166-1 alpha-2, with UK for the United Kingdom
    name: str
    emergency: tuple[str, ...]  # the first is said first; empty: none known (resources.LOCAL_EMERGENCY)
    eu: bool

    @property
    def region(self) -> str:
        return self.key if self.key in REGIONS else OTHER


@dataclass(frozen=True)
class PlaceReading:
    """What a typed answer says: one country, or the countries it could mean, or nothing."""

    country: Country | None = None
    could_be: tuple[Country, ...] = ()


@lru_cache(maxsize=1)
def countries() -> dict[str, Country]:
    raw = yaml.safe_load(COUNTRIES_FILE.read_text(encoding="utf-8"))["countries"]
    return {key: Country(key, entry["name"], tuple(entry["emergency"]), bool(entry["eu"]))
            for key, entry in raw.items()}


def country(value: str | None) -> Country | None:
    """The country a slot or button value names ("US", "UK", "GB", "DE"); None for unknown or
    "OTHER" (somewhere not named), and for anything that is not text (a forged button)."""
    if not isinstance(value, str) or not value:
        return None
    key = value.strip().upper()
    return countries().get("UK" if key == "GB" else key)


def region_of(value: str | None) -> str | None:
    """The region whose services a slot value gets; None when the country is unknown."""
    if not isinstance(value, str) or not value:
        return None
    if value.strip().upper() == OTHER:
        return OTHER
    found = country(value)
    return found.region if found else None


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", plain.replace(".", ""))


@lru_cache(maxsize=1)
def _index() -> dict[str, frozenset[str]]:
    """Every phrase people type for a place -> the country keys it could mean."""
    index: dict[str, set[str]] = {}
    for key, entry in yaml.safe_load(COUNTRIES_FILE.read_text(encoding="utf-8"))["countries"].items():
        for name in entry["names"]:
            index.setdefault(" ".join(_words(name)), set()).add(key)
    listed = {**yaml.safe_load(PLACES_FILE.read_text(encoding="utf-8"))["places"]}
    for key, names in yaml.safe_load(CITIES_FILE.read_text(encoding="utf-8"))["cities"].items():
        listed[key] = [*listed.get(key, []), *names]
    for key, names in listed.items():
        for name in names:
            keys = index.setdefault(" ".join(_words(str(name))), set())
            if key != NOT_A_COUNTRY:
                keys.add(key)
    index.pop("", None)
    return {phrase: frozenset(keys) for phrase, keys in index.items()}


def _read(text: str) -> tuple[list[frozenset[str]], list[str]]:
    """The places named in `text`, longest phrase first, each as the countries it could mean
    (a continent is consumed, so "america" in "south america" is not read, and means none),
    and the words that were not part of a place."""
    words, index, found, rest, i = _words(text), _index(), [], [], 0
    while i < len(words):
        for size in range(min(_LONGEST_PLACE, len(words) - i), 0, -1):
            keys = index.get(" ".join(words[i : i + size]))
            if keys is not None:
                if keys:
                    found.append(keys)
                i += size
                break
        else:
            rest.append(words[i])
            i += 1
    return found, rest


# Words around a place in an answer to "which country?" ("im from the uk rn").
_AROUND_A_PLACE = frozenset(
    "i im i'm am in from live living based the rn now right currently country my is its it's "
    "a near city state province of originally actually yeah yes ok okay um and but moved to".split()
)


# An age given with the place ("14m. wellington", "15 f from manila").
_AN_AGE = re.compile(r"\d{1,2}[mf]?|[mf]")


def is_place_answer(text: str) -> bool:
    """True when `text` names a place and says nothing else ("perth", "im in the uk rn"): the
    model learns few place names, so such a message is read as choosing a country."""
    found, rest = _read(text)
    places_named = len(_words(text)) > len(rest)
    return places_named and all(word in _AROUND_A_PLACE or _AN_AGE.fullmatch(word) for word in rest)


# Where a place is said in passing: "im in lagos", "i live in cebu", "from port harcourt".
_PLACE_CUE = re.compile(
    r"\b(?:i'?m|i\s+am|we'?re|we\s+are|i\s+live|we\s+live|living|based|here|staying|i\s+stay|im\s+from|i'?m\s+from|"
    r"i\s+am\s+from|i'?m\s+at|home\s+in|back\s+in)\s+(?:in|from|at|near)?\s*(?:the\s+)?"
)


def place_in_passing(text: str) -> Country | None:
    """The country of a place said in passing in a longer message ("im in lagos and he wants
    money"), when it can only be one country; None when none is said or it could be several
    ("perth": the country question asks)."""
    lowered = text.lower()
    for cue in _PLACE_CUE.finditer(lowered):
        after = re.split(r"[.,!?;:\n]", lowered[cue.end():], maxsplit=1)[0]
        window = " ".join(after.split()[:_LONGEST_PLACE])
        mentions, _ = _read(window)
        if mentions and len(mentions[0]) == 1 and window.split()[0] in _first_words(mentions[0]):
            return country(next(iter(mentions[0])))
    return None


def _first_words(keys: frozenset[str]) -> set[str]:
    """The first words of every name of these countries' places (a place must start the window)."""
    return {phrase.split()[0] for phrase, found in _index().items() if found & keys}


def read_place(text: str) -> PlaceReading:
    """The country `text` names, if only one fits every place in it; else the ones it could be."""
    mentions, _ = _read(text)
    if not mentions:
        return PlaceReading()
    shared = frozenset.intersection(*mentions)
    if len(shared) == 1:
        return PlaceReading(country=country(next(iter(shared))))
    # Two places with no country in common ("from the uk, now in canada"): ask about all of them.
    could_be = shared or frozenset.union(*mentions)
    return PlaceReading(could_be=tuple(sorted((country(k) for k in could_be), key=_button_order)))


def _button_order(found: Country) -> tuple[int, str]:
    return (REGIONS.index(found.region) if found.region != OTHER else len(REGIONS), found.name)
