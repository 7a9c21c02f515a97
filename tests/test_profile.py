"""Age bands and countries as young people type them."""

import pytest

from actions.profile import age_band, region_in


@pytest.mark.parametrize("text, band", [
    ("im 12", "under_13"), ("under 13", "under_13"), ("13", "13_15"), ("i'm fifteen", "13_15"),
    ("16-17", "16_17"), ("im 17 years old", "16_17"), ("19", "18_plus"), ("idk", None),
])
def test_age_band(text, band):
    assert age_band(text) == band


@pytest.mark.parametrize("text, code", [
    ("i'm in canada", "CA"), ("uk", "UK"), ("i live in england", "UK"), ("australia", "AU"),
    ("usa", "US"), ("united states", "US"), ("im from germany", None),
])
def test_region_in(text, code):
    assert region_in(text) == code
