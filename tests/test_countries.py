"""The country table the emergency numbers come from: built from pinned public data, not typed."""

import importlib.util

import phonenumbers
import yaml
from phonenumbers import shortnumberinfo

from bot import places
from bot.config import PROJECT_ROOT


def _build_script():
    spec = importlib.util.spec_from_file_location("build_countries", PROJECT_ROOT / "scripts" / "build_countries.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_table_is_what_the_build_script_makes_from_the_pinned_packages():
    """A hand edit, or a moved pin without a rebuild, fails here."""
    committed = yaml.safe_load(places.COUNTRIES_FILE.read_text(encoding="utf-8"))
    assert committed == _build_script().build()


def test_every_number_given_is_an_emergency_number_there_by_libphonenumber():
    for country in places.countries().values():
        iso = "GB" if country.key == "UK" else country.key
        for number in country.emergency:
            assert shortnumberinfo.is_emergency_number(number, iso), (country.key, number)


def test_every_country_in_iso_3166_is_in_the_table_once():
    assert len(places.countries()) == 249
    assert "GB" not in places.countries() and "UK" in places.countries()


def test_112_is_said_first_wherever_it_is_an_emergency_number_outside_the_four_regions():
    for country in places.countries().values():
        iso = "GB" if country.key == "UK" else country.key
        if country.region == places.OTHER and shortnumberinfo.is_emergency_number("112", iso):
            assert country.emergency[0] == "112", country.key


def test_the_table_says_which_library_versions_it_came_from():
    source = yaml.safe_load(places.COUNTRIES_FILE.read_text(encoding="utf-8"))["source"]
    assert phonenumbers.__version__ in source["emergency"]
