"""What a young person tells in passing, used from the turn they say it: their age band ("im
10", "14f", "year 8") and where they are ("im in lagos", "i live in cebu", "200 quid", "i
cant call 000").

Said in passing, neither was read before: a young person in crisis in Lagos got 988 and 911
after saying where they were (the second blind conversations' review). A place in more than
one country ("perth") is asked about in that turn, with a button per country. Only the band
and the country code are kept, never the exact age or the words.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

import json
import re

from rasa_sdk.executor import CollectingDispatcher

from bot.ages import stated_age_band
from bot.places import Country, country, is_place_answer, place_in_passing, read_place

# Short names, said with "the" in a sentence ("help for the UK").
SHORT_NAMES = {"US": "US", "UK": "UK"}


def _text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def _place_sentences(text: str) -> list[str]:
    """In a message of several sentences, those that are only a place ("perth. fine. can u...")."""
    sentences = [s for s in re.split(r"[.!?\n]+", text) if s.strip()]
    return [s for s in sentences if is_place_answer(s)] if len(sentences) > 1 else []


# Money said in a currency only one of the countries we serve uses: "he wants 200 quid", "£100".
# A fourth writer's young people in Manchester said it three times and got US lines all evening.
_CURRENCIES = ((re.compile(r"£\s?\d|\bquid\b"), "UK"),  # not "pounds": weight, in the US
               (re.compile(r"₦\s?\d|\bnaira\b"), "NG"),
               (re.compile(r"₹\s?\d|\brupees?\b"), "IN"),
               (re.compile(r"\bgcash\b"), "PH"))


# An emergency number only one of the countries we serve uses, said by someone whose country
# we do not know yet: "i dont want to call 999", "i cant call 000 he'll hear me". A fifth
# writer's young people named 999 and 000 and were told to call 911.
_EMERGENCY_NUMBERS = re.compile(r"\b(call|calling|ring|ringing|dial|dialing|dialling|phone|phoning|text|texting)\s+"
                                r"(the\s+)?(999|000)\b")
_EMERGENCY_COUNTRY = {"999": "UK", "000": "AU"}


def _emergency_number_country(text: str) -> Country | None:
    said = _EMERGENCY_NUMBERS.search(text.lower())
    return country(_EMERGENCY_COUNTRY[said.group(3)]) if said else None


def _currency_country(text: str) -> Country | None:
    lowered = text.lower()
    return next((country(key) for pattern, key in _CURRENCIES if pattern.search(lowered)), None)


def _place_said(text: str) -> Country | None:
    """A place said in passing ("im in lagos"), a sentence that is only a place ("i dont know.
    im in my room. port harcourt"), or money in a currency one country uses ("200 quid"),
    when it can be only one country."""
    said = place_in_passing(text)
    said = said or next((read_place(s).country for s in _place_sentences(text) if read_place(s).country), None)
    return said or _currency_country(text)


def places_it_could_be(tracker: Tracker) -> tuple[Country, ...]:
    """A sentence that is only a place in more than one country ("perth. fine..."): ask which."""
    return next((read_place(s).could_be for s in _place_sentences(_text(tracker)) if read_place(s).could_be), ())


def ask_which_country(dispatcher: CollectingDispatcher, could_be: tuple[Country, ...]) -> None:
    """A button per country the place could be in, so no one gets another country's number."""
    dispatcher.utter_message(text="Just to check, which country do you mean?",
                             buttons=[*map(_choose_button, could_be),
                                      {"title": "Somewhere else", "payload": '/choose_country{"country":"OTHER"}'}])


def _choose_button(found: Country) -> dict[str, str]:
    payload = json.dumps({"country": found.key}, separators=(",", ":"))
    return {"title": SHORT_NAMES.get(found.key, found.name), "payload": f"/choose_country{payload}"}


def _country_said(tracker: Tracker) -> Country | None:
    """A country said in this message; an emergency number counts only while none is kept."""
    said = _place_said(_text(tracker))
    if said is None and not tracker.get_slot("country"):
        said = _emergency_number_country(_text(tracker))
    return said


def country_now(tracker: Tracker) -> str | None:
    """The country whose lines this turn gives: one said in this message, else the one kept."""
    said = _country_said(tracker)
    return said.key if said else tracker.get_slot("country")


def told(tracker: Tracker) -> list[dict[str, Any]]:
    """Slots to keep from this message: the age band said in passing (unless one was chosen)
    and the country said in passing (a newer one replaces an older)."""
    events = []
    band = None if tracker.get_slot("age_band") else stated_age_band(_text(tracker))
    if band:
        events.append(SlotSet("age_band", band))
    said = _country_said(tracker)
    if said and said.key != tracker.get_slot("country"):
        events.append(SlotSet("country", said.key))
    return events
