"""Writes bot/data/countries.yml: every country's name, the words people use for it, and the
emergency numbers to give there.

Why generated: a hand-typed table of 249 emergency numbers would be checked by nobody. The
numbers come from libphonenumber's short-number metadata (Google's maintained table of each
country's emergency numbers, shipped in the `phonenumbers` package) and the names from ISO
3166-1 (the `pycountry` package), both pinned in requirements/app.lock, so the table changes
only when a maintainer moves a pin and reruns this; tests/test_countries.py fails when the
committed file and a fresh build differ. The four countries Waypoint has a full set of
services for use the numbers in shared/reference/safety-facts.md instead.

Run: .venv/bin/python scripts/build_countries.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import phonenumbers
import pycountry
import yaml
from phonenumbers.phonemetadata import PhoneMetadata

OUT = Path(__file__).resolve().parent.parent / "bot" / "data" / "countries.yml"

# ISO 3166-1 keeps "UK" exceptionally reserved for the United Kingdom; Waypoint's buttons and
# saved choices have always used it, so it is the key here too (GB stays an alias).
KEYS = {"GB": "UK"}
# Where safety-facts.md §5 and §5b give the number (and say when 112 works too).
FROM_SAFETY_FACTS = {
    "US": ["911"],
    "CA": ["911"],
    "UK": ["999", "112"],
    "AU": ["000", "112"],
}
# The 27 member states of the European Union (european-union.europa.eu, "Country profiles"):
# 116 111 is the child helpline number in most of them (safety-facts.md §5b).
EU = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
      "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}
# What people type that ISO's names miss. Two-letter codes are not names ("in", "it", "me" and
# "no" are English words), so only these three are taken as typed.
EXTRA_NAMES = {
    "US": ["usa", "u.s.", "u.s.a.", "us", "america", "united states of america", "the states"],
    "UK": ["uk", "u.k.", "gb", "britain", "great britain", "england", "scotland", "wales",
           "northern ireland"],
    "AU": ["au", "oz"],
    "KR": ["south korea", "korea"], "KP": ["north korea"], "RU": ["russia"], "IR": ["iran"],
    "VN": ["vietnam"], "TW": ["taiwan"], "SY": ["syria"], "LA": ["laos"], "MD": ["moldova"],
    "AE": ["uae", "emirates"],
    "CG": ["republic of the congo"],
    "TZ": ["tanzania"], "BO": ["bolivia"], "VE": ["venezuela"], "PS": ["palestine"],
    "CI": ["ivory coast", "cote d'ivoire"], "MK": ["macedonia"],
    "VA": ["vatican"], "FM": ["micronesia"], "BN": ["brunei"], "CV": ["cape verde"],
    "SZ": ["swaziland"], "MM": ["burma"], "BS": ["the bahamas"],
    "GM": ["the gambia"], "IE": ["ireland", "republic of ireland"], "NZ": ["nz", "aotearoa"],
    "CD": ["drc", "democratic republic of the congo", "congo"],
    # Names in the country's own language, as young people often type them.
    "BR": ["brasil"], "DE": ["deutschland"], "ES": ["espana"], "IT": ["italia"], "PL": ["polska"],
    "NL": ["holland", "the netherlands", "nederland"], "SE": ["sverige"], "NO": ["norge"],
    "FI": ["suomi"], "DK": ["danmark"], "AT": ["osterreich"], "CH": ["schweiz", "suisse", "svizzera"],
    "GR": ["hellas", "ellada"], "HR": ["hrvatska"], "HU": ["magyarorszag"], "CZ": ["czech republic", "cesko"],
    "TR": ["turkey", "turkiye"], "PH": ["the philippines", "pilipinas"], "IN": ["bharat"],
}
# "im canadian": what people say about themselves, for the four regions and a few more.
# Not "spanish" or "french": a language, not a country, for many (Mexico, Quebec).
DEMONYMS = {
    "US": ["american"], "CA": ["canadian"], "UK": ["british", "english", "scottish", "welsh"],
    "AU": ["australian", "aussie"], "NZ": ["kiwi"], "IE": ["irish"], "DE": ["german"],
    "IT": ["italian"], "MX": ["mexican"], "BR": ["brazilian"],
    "IN": ["indian"], "PH": ["filipino", "filipina"], "NG": ["nigerian"], "ZA": ["south african"],
}


def _names(country) -> list[str]:
    found = [country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)]
    names = [n.lower() for n in found if n]
    # "Korea, Republic of" is how ISO sorts it, not how anyone says it.
    return [n for n in names if "," not in n]


def _emergency_numbers(region: str) -> list[str]:
    """Every number of up to four digits libphonenumber lists as an emergency number there."""
    metadata = PhoneMetadata.short_metadata_for_region(region)
    if metadata is None or metadata.emergency is None or not metadata.emergency.national_number_pattern:
        return []
    pattern = re.compile(metadata.emergency.national_number_pattern)
    return [n for length in (2, 3, 4) for i in range(10**length)
            if pattern.fullmatch(n := str(i).zfill(length))]


def _to_give(numbers: list[str]) -> list[str]:
    """At most three, said in this order: 112 where it is an emergency number there (the same
    number across Europe and on most mobiles), then 911 (the national number across the
    Americas and in the Philippines), then the rest as listed."""
    preferred = [n for n in ("112", "911") if n in numbers]
    return [*preferred, *[n for n in numbers if n not in preferred]][:3]


def build() -> dict:
    countries = {}
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        key = KEYS.get(country.alpha_2, country.alpha_2)
        numbers = FROM_SAFETY_FACTS.get(key) or _to_give(_emergency_numbers(country.alpha_2))
        countries[key] = {
            "name": getattr(country, "common_name", None) or country.name,
            "names": sorted(set(_names(country)) | set(EXTRA_NAMES.get(key, [])) | set(DEMONYMS.get(key, []))),
            "emergency": numbers,
            "eu": country.alpha_2 in EU,
        }
    return {
        "source": {
            "emergency": f"libphonenumber short-number metadata (phonenumbers {phonenumbers.__version__}); "
                         "US, CA, UK, AU from safety-facts.md §5 and §5b",
            "names": f"ISO 3166-1 (pycountry {pycountry.__version__}) plus common names",
            "eu": "european-union.europa.eu country profiles (27 member states)",
        },
        "countries": countries,
    }


HEADER = """\
# Generated by scripts/build_countries.py: do not edit by hand (its docstring says why and how).
# Every country: the name a reply uses, the words people type for it, the emergency numbers to
# give there (the first is said first; empty means "your local emergency number"), and whether
# it is an EU member (116 111 is the child helpline number in most of them).
"""


def main() -> int:
    OUT.write_text(HEADER + yaml.safe_dump(build(), sort_keys=False, allow_unicode=True, width=100),
                   encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
