"""A country from what young people type, never a guess: a wrong country is a wrong emergency
number. Each phrasing below is read as one country, as a question between the countries it
could mean, or as no country (then the bot asks for the country's name)."""

import pytest
import yaml

from bot import places, resources

ASK = "ask"

PHRASINGS = [
    # The tricky ones the right-help issue found: each picked one country silently.
    ("perth", (ASK, {"AU", "UK"})), ("perth scotland", "UK"), ("perth australia", "AU"),
    ("perth, WA", "AU"), ("victoria", (ASK, {"AU", "CA"})), ("victoria bc", "CA"),
    ("victoria, australia", "AU"), ("london", (ASK, {"UK", "CA"})), ("london ontario", "CA"),
    ("london, uk", "UK"), ("birmingham", (ASK, {"UK", "US"})), ("birmingham alabama", "US"),
    ("birmingham england", "UK"), ("georgia", (ASK, {"US", "GE"})), ("tbilisi georgia", "GE"),
    ("atlanta, georgia", "US"), ("im in CA", (ASK, {"US", "CA"})), ("ca", (ASK, {"US", "CA"})),
    ("newcastle", (ASK, {"UK", "AU"})), ("newcastle upon tyne", "UK"), ("newcastle nsw", "AU"),
    ("hamilton", (ASK, {"CA", "UK", "NZ"})), ("hamilton ontario", "CA"), ("hamilton new zealand", "NZ"),
    ("richmond", (ASK, {"US", "CA", "UK"})), ("richmond virginia", "US"), ("richmond bc", "CA"),
    ("cambridge", (ASK, {"US", "CA", "UK"})), ("cambridge uk", "UK"), ("windsor", (ASK, {"CA", "UK"})),
    ("windsor ontario", "CA"), ("manchester", (ASK, {"US", "UK"})), ("manchester england", "UK"),
    ("wa", (ASK, {"US", "AU"})), ("seattle wa", "US"), ("congo", (ASK, {"CG", "CD"})),
    ("melbourne florida", (ASK, {"US", "AU"})),
    # Two countries with nothing in common: asked, not guessed.
    ("from the uk but i live in canada now", (ASK, {"UK", "CA"})),
    # A city with a country or region that settles it.
    ("i moved from london to toronto", "CA"), ("sydney australia", "AU"), ("glasgow scotland", "UK"),
    # The four regions with their own services, as people type them.
    ("US", "US"), ("usa", "US"), ("USA!!", "US"), ("u.s.", "US"), ("the states", "US"),
    ("i live in the states", "US"), ("united states", "US"), ("united states of america", "US"),
    ("america", "US"), ("i live in america", "US"), ("texas", "US"), ("im in texas", "US"),
    ("new york", "US"), ("nyc", "US"), ("new jersey", "US"), ("washington", "US"),
    ("washington dc", "US"), ("north carolina", "US"), ("cali", "US"), ("california", "US"),
    ("chicago", "US"), ("puerto rico", "PR"),
    ("canada", "CA"), ("i'm in canada", "CA"), ("ontario", "CA"), ("quebec", "CA"),
    ("british columbia", "CA"), ("toronto", "CA"), ("montreal", "CA"), ("nova scotia", "CA"),
    ("uk", "UK"), ("U.K.", "UK"), ("im from the u.k.", "UK"), ("england", "UK"),
    ("i live in england", "UK"), ("scotland", "UK"), ("wales", "UK"), ("northern ireland", "UK"),
    ("great britain", "UK"), ("united kingdom", "UK"), ("glasgow", "UK"), ("belfast", "UK"),
    ("australia", "AU"), ("oz", "AU"), ("new south wales", "AU"), ("nsw", "AU"), ("queensland", "AU"),
    ("sydney", "AU"), ("melbourne", "AU"), ("brisbane", "AU"), ("tasmania", "AU"),
    # Anywhere else: countries by their English names, short forms and their own names.
    ("ireland", "IE"), ("republic of ireland", "IE"), ("dublin", "IE"), ("germany", "DE"),
    ("deutschland", "DE"), ("im from germany", "DE"), ("france", "FR"), ("spain", "ES"),
    ("españa", "ES"), ("mexico", "MX"), ("méxico", "MX"), ("brazil", "BR"), ("brasil", "BR"),
    ("india", "IN"), ("im in india rn", "IN"), ("nigeria", "NG"), ("niger", "NE"),
    ("south africa", "ZA"), ("sudan", "SD"), ("south sudan", "SS"), ("korea", "KR"),
    ("south korea", "KR"), ("north korea", "KP"), ("japan", "JP"), ("philippines", "PH"),
    ("the philippines", "PH"), ("new zealand", "NZ"), ("nz", "NZ"), ("auckland", "NZ"),
    ("holland", "NL"), ("the netherlands", "NL"), ("turkey", "TR"), ("türkiye", "TR"),
    ("ivory coast", "CI"), ("côte d'ivoire", "CI"), ("jersey", "JE"), ("guinea", "GN"),
    ("papua new guinea", "PG"), ("equatorial guinea", "GQ"), ("dominica", "DM"),
    ("dominican republic", "DO"), ("russia", "RU"), ("vietnam", "VN"), ("uae", "AE"),
    # What people say about themselves.
    ("im australian", "AU"), ("im canadian", "CA"), ("british", "UK"), ("im american", "US"),
    ("im american but i live in germany", (ASK, {"US", "DE"})),
    # Not a country: the bot asks for the country's name.
    ("south america", None), ("latin america", None), ("europe", None), ("somewhere else", None),
    ("mars", None), ("idk", None), ("", None), ("i dont want to say", None),
]


def test_the_table_covers_a_hundred_phrasings():
    assert len(PHRASINGS) >= 100


@pytest.mark.parametrize("text, expected", PHRASINGS, ids=[p[0] or "empty" for p in PHRASINGS])
def test_a_place_gives_one_country_only_when_every_word_agrees(text, expected):
    reading = places.read_place(text)
    if isinstance(expected, tuple):
        assert reading.country is None, "an ambiguous place must never pick a country silently"
        assert {c.key for c in reading.could_be} == expected[1]
    else:
        assert (reading.country.key if reading.country else None) == expected
        assert reading.could_be == ()


def test_every_place_names_countries_that_exist():
    data = yaml.safe_load(places.PLACES_FILE.read_text(encoding="utf-8"))["places"]
    assert set(data) - {places.NOT_A_COUNTRY} <= set(places.countries())


@pytest.mark.parametrize("key, number", [("US", "911"), ("CA", "911"), ("UK", "999"), ("AU", "000")])
def test_the_four_regions_numbers_are_the_ones_in_the_resources_file(key, number):
    assert places.countries()[key].emergency[0] == number == resources.emergency_number(key)


@pytest.mark.parametrize("key, number", [("DE", "112 or 110"), ("IE", "112 or 999"), ("IN", "112 or 100"),
                                         ("PH", "112 or 911"), ("MX", "911 or 060"), ("NZ", "111"),
                                         ("NG", "199"), ("JP", "110 or 119")])
def test_anywhere_else_gets_its_own_emergency_numbers(key, number):
    assert resources.help_lines(key)["emergency_number"] == number


def test_a_country_with_no_number_listed_gets_words_not_a_wrong_number():
    assert places.country("AQ").emergency == ()
    assert resources.help_lines("AQ")["emergency_number"] == resources.LOCAL_EMERGENCY
    assert resources.help_lines("OTHER")["emergency_number"] == resources.LOCAL_EMERGENCY
    assert "112" in resources.LOCAL_EMERGENCY


def test_the_uk_is_found_by_its_iso_code_too():
    assert places.country("GB").key == "UK" and places.region_of("gb") == "UK"
    assert places.region_of("DE") == "OTHER" and places.region_of("OTHER") == "OTHER"
    assert places.region_of(None) is None and places.region_of("Narnia") is None


@pytest.mark.parametrize("text, answer", [
    ("nigeria", True), ("brasil", True), ("im from kenya", True), ("i live in perth", True),
    ("i live in the uk rn", True), ("south america", True), ("from the uk but i live in canada now", True),
    ("im in danger", False), ("im in the car", False), ("help us", False), ("hi", False),
    ("im in nigeria and hes threatening me", False), ("he lives in texas", False),
    ("hes from london and wants to meet", False), ("", False),
])
def test_a_message_that_only_names_a_place_is_an_answer_to_which_country(text, answer):
    """The pipeline reads such a message as choosing a country (nlu_components/place_answer.py);
    anything more than a place is left to the model and the safety net."""
    assert places.is_place_answer(text) is answer
