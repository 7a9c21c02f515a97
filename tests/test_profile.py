"""Age bands and countries as young people type or tap them (run with rasa-sdk's own Tracker)."""

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.profile import ActionSetCountry
from actions.told import country_now
from bot.ages import age_band, other_is_adult, stated_age_band
from tests.support.tracker import fresh_tracker
from bot import places, resources
from bot.resources import help_lines


@pytest.mark.parametrize("text, band", [
    ("im 12", "under_13"), ("under 13", "under_13"), ("13", "13_15"), ("i'm fifteen", "13_15"),
    ("16-17", "16_17"), ("im 17 years old", "16_17"), ("19", "18_plus"), ("idk", None),
])
def test_age_band(text, band):
    assert age_band(text) == band


@pytest.mark.parametrize("text, band", [
    ("im 10 and he keeps asking for pics", "under_13"), ("14f", "13_15"), ("year 8", "under_13"),
    ("im in 7th grade", "under_13"), ("im only twelve", "under_13"), ("hes 25 and im 12", "under_13"),
    ("im 15 yrs old", "13_15"), ("year 11", "13_15"), ("im 17", "16_17"),
    ("im 12 min away", None), ("i have 2 cats", None), ("i sent 3 pics", None), ("he said i have 10 min", None),
    # Someone else's age is not theirs: a 14-year-old must not get an adult's services.
    ("a 19 year old guy keeps asking me for pics", None), ("he says hes 16", None), ("this 18yo man", None),
    ("im 14 and hes 19", "13_15"),
])
def test_an_age_said_in_passing_gives_a_band_and_other_numbers_do_not(text, band):
    assert stated_age_band(text) == band


@pytest.mark.parametrize("text, adult", [
    ("hes 25 and im 12", True), ("a 19 year old guy keeps asking me for pics", True), ("he's in his 20s", True),
    ("some man on roblox wants a pic", True), ("this older guy from discord", True), ("i think hes an adult", True),
    ("my bf is 14 and wants nudes", False), ("he is 17", False), ("should i tell an adult", False),
    ("should i tell a grown up", False), ("he said i have 10 min", False), ("my friend is 13", False),
])
def test_the_other_person_is_an_adult_by_their_age_or_the_words_for_them(text, adult):
    assert other_is_adult(text) is adult


def _set_country(text: str, button: str | None = None, flow: str | None = None):
    entities = [{"entity": "country", "value": button}] if button else []
    tracker = fresh_tracker({"country": None, "age_band": None, "flow": flow},
                            {"text": text, "intent": {"name": "choose_country"}, "entities": entities})
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSetCountry().run(dispatcher, tracker, {}))
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}, dispatcher.messages


def test_a_place_in_two_countries_is_asked_about_with_a_button_each_and_nothing_is_kept():
    slots, [question] = _set_country("perth")
    assert "country" not in slots and slots["country_offered"] is True
    assert [b["title"] for b in question["buttons"]] == ["UK", "Australia", "Somewhere else"]
    assert question["buttons"][1]["payload"] == '/choose_country{"country":"AU"}'


def test_the_button_then_sets_that_country_and_gives_its_lines_in_a_flow():
    slots, [thanks, local, talk] = _set_country('/choose_country{"country":"AU"}', button="AU", flow="sextortion")
    assert slots["country"] == "AU" and "Australia" in thanks["text"]
    assert local["response"] == "utter_local_help" and local["emergency_number"] == "000"
    assert talk["response"] == "utter_local_help_talk" and "Kids Helpline" in talk["crisis_lines"]


def test_a_country_without_its_own_services_keeps_its_emergency_number():
    slots, [thanks, local, talk] = _set_country("im from germany", flow="sextortion")
    assert slots["country"] == "DE" and "Germany" in thanks["text"]
    assert local["emergency_number"] == "112 or 110" and "116 111" in talk["crisis_lines"]


def test_somewhere_not_named_gets_help_that_works_anywhere_and_an_invitation():
    slots, [thanks, local, _] = _set_country("somewhere in south america", flow="sextortion")
    assert slots["country"] == "OTHER" and "country's name" in thanks["text"]
    assert local["emergency_number"] == resources.LOCAL_EMERGENCY


def test_an_age_said_in_a_disclosure_sets_the_band_once_and_a_chosen_band_stays():
    from actions.flows import PressureHelp

    def first_turn(text: str, band: str | None):
        tracker = fresh_tracker({"country": "US", "age_band": band},
                                {"text": text, "intent": {"name": "pressure"}, "entities": []})
        events = asyncio.run(PressureHelp().run(CollectingDispatcher(), tracker, {}))
        return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}

    assert first_turn("a man on roblox says hell give me robux for a pic, im 10", None)["age_band"] == "under_13"
    assert "age_band" not in first_turn("a man on roblox says hell give me robux for a pic, im 10", "13_15")
    assert "age_band" not in first_turn("a guy keeps asking me for pics", None)


def test_a_place_said_in_passing_gives_that_countrys_lines_from_that_turn():
    """A young person in crisis in Lagos was given 988 and 911 after saying where they were."""
    from actions.flows import CrisisHelp

    signal = {"id": "crisis.suicide_wish", "emergency": False, "language": "en"}
    message = {"text": "im in lagos and i just want to die", "intent": {"name": "crisis", "confidence": 0.99},
               "entities": [], "safety_signal": signal}
    dispatcher = CollectingDispatcher()
    events = asyncio.run(CrisisHelp().run(dispatcher, fresh_tracker({"country": None, "age_band": None}, message), {}))
    assert {"event": "slot", "name": "country", "value": "NG"} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events]
    first = dispatcher.messages[0]
    assert "988" not in first["crisis_lines"] and first["emergency_number"] == help_lines("NG")["emergency_number"]
    assert all(m.get("response") != "utter_ask_country" for m in dispatcher.messages)


@pytest.mark.parametrize("text, key", [
    ("im in lagos and he wants money", "NG"), ("i live in cebu", "PH"), ("im from port harcourt btw", "NG"),
    ("here in delhi its late", "IN"), ("i stay in abuja", "NG"), ("im in brisbane", "AU"),
    ("im in perth", None), ("im in trouble", None), ("im in year 9", None), ("im in nice", None),
    ("im at school", None), ("im in love with him", None),
])
def test_a_place_in_passing_is_read_only_when_it_can_be_one_country(text, key):
    found = places.place_in_passing(text)
    assert (found.key if found else None) == key


@pytest.mark.parametrize("text, place", [("lagos", True), ("14m. wellington", True), ("cebu", True),
                                         ("nice", False), ("cool", False), ("14", False)])
def test_a_big_city_alone_or_with_an_age_answers_which_country(text, place):
    assert places.is_place_answer(text) is place


def test_a_sentence_that_is_only_a_place_counts_too():
    from actions.told import country_now

    def country(text: str) -> str | None:
        return country_now(fresh_tracker({"country": None}, {"text": text}))

    assert country("i dont know. im in my room. port harcourt") == "NG"
    assert country("i dont know. im in my room") is None
    assert country("nice. thanks") is None


@pytest.mark.parametrize("text, key", [("can i talk to a real person. like a human. im in joburg", "ZA"),
                                       ("im in naija", "NG"), ("durban. 16. i can go to my neighbour", "ZA")])
def test_the_names_young_people_use_for_big_cities_give_their_country(text, key):
    from actions.told import country_now

    assert country_now(fresh_tracker({"country": None}, {"text": text})) == key


def test_a_place_in_more_than_one_country_said_with_more_gets_asked_about_in_that_turn():
    """"perth. fine. can u give me the number for the kids helpline one" got US lines and no
    question (the third blind conversations' review)."""
    from actions.flows import CrisisHelp

    message = {"text": "perth. fine. can u give me the number for the kids helpline one", "entities": [],
               "intent": {"name": "crisis", "confidence": 0.99},
               "safety_signal": {"id": "crisis.suicide_wish", "emergency": False, "language": "en"}}
    dispatcher = CollectingDispatcher()
    asyncio.run(CrisisHelp().run(dispatcher, fresh_tracker({"country": None, "age_band": None}, message), {}))
    question = dispatcher.messages[-1]
    assert question["text"] == "Just to check, which country do you mean?"
    assert [b["title"] for b in question["buttons"]] == ["UK", "Australia", "Somewhere else"]
    assert dispatcher.messages[0]["response"] == "utter_crisis"  # the lines still come first


@pytest.mark.parametrize("text, key", [
    ("he wants 200 quid by tonight", "UK"), ("i only have £40", "UK"), ("he said send 50k naira", "NG"),
    ("i already paid 3000 rupees", "IN"), ("she sends me gcash every week", "PH"),
    ("he wants 200 dollars", None), ("i have 40 bucks", None), ("i lost 10 pounds and feel awful", None),
])
def test_money_in_a_currency_only_one_country_uses_gives_that_countrys_lines(text, key):
    # A fourth writer's young people said "200 quid" and "£100" and got US lines all evening.
    tracker = fresh_tracker({"country": None}, {"text": text, "intent": {"name": "sextortion"}, "entities": []})
    assert country_now(tracker) == key


@pytest.mark.parametrize("text, kept, key", [
    ("i dont want to call 999 what if its not him", None, "UK"), ("i cant call 000 he'll hear me", None, "AU"),
    ("should i ring 999", None, "UK"), ("he wants $1,000 by tonight", None, None),
    ("i dont want to call 999", "CA", "CA"),  # a country already said stays
])
def test_naming_an_emergency_number_only_one_country_uses_gives_that_countrys_lines(text, kept, key):
    # A fifth writer's young people said "999" and "000" and were told to call 911.
    tracker = fresh_tracker({"country": kept}, {"text": text, "intent": {"name": "danger"}, "entities": []})
    assert country_now(tracker) == key
