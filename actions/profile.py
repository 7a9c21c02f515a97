"""Remembering the country and age band a young person chose to tell us.

Both are optional and asked for only after help has been given; they pick the region's help
lines, the country's emergency number, and simpler wording for under-13s. Only the band and
the country code are kept, never the exact age or the words typed.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.flows import send_help_menu
from actions.told import SHORT_NAMES, ask_which_country
from bot import places
from bot.ages import AGE_BANDS, age_band
from bot.resources import help_lines

def _country_question_due(tracker: Tracker) -> bool:
    return places.region_of(tracker.get_slot("country")) is None and not tracker.get_slot("country_offered")


def _ask_country(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """The country question on its own, so with a Skip button (a flow's turn asks it without:
    carrying on skips it there)."""
    dispatcher.utter_message(response="utter_ask_country")
    dispatcher.utter_message(response="utter_ask_country_skip")
    return [SlotSet("country_offered", True)]


def _in_a_sentence(found: places.Country) -> str:
    return f"the {SHORT_NAMES[found.key]}" if found.key in SHORT_NAMES else found.name


class ActionSetCountry(Action):
    """A button (`/choose_country{"country": "CA"}`) or a typed place.

    A place that could be in more than one country is asked about, with a button per country,
    so no one is given another country's emergency number. In the middle of a flow the young
    person gets that flow's lines again, now local; otherwise (during /start) the menu.
    """

    def name(self) -> str:
        return "action_set_country"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        chosen = next(tracker.get_latest_entity_values("country"), None)
        if chosen is not None:
            reading = places.PlaceReading(country=places.country(chosen))
        else:
            reading = places.read_place(tracker.latest_message.get("text") or "")
        if reading.could_be:
            ask_which_country(dispatcher, reading.could_be)
            return [SlotSet("country_offered", True)]
        found = reading.country
        code = found.key if found else places.OTHER
        if found is None:
            dispatcher.utter_message(text="Thanks. I'll show you help that works anywhere. "
                                          "If you type your country's name, I can add its emergency number.")
        else:
            dispatcher.utter_message(text=f"Thanks. I'll show you help for {_in_a_sentence(found)}.")
        if tracker.get_slot("flow"):
            values = help_lines(code)
            dispatcher.utter_message(response="utter_local_help", **values)
            dispatcher.utter_message(response="utter_local_help_talk", **values)
        else:
            send_help_menu(dispatcher, code)
        return [SlotSet("country", code), SlotSet("country_offered", True)]


class ActionSetAgeBand(Action):
    """A button (`/choose_age_band{"age_band": "13_15"}`) or a typed age; then the country."""

    def name(self) -> str:
        return "action_set_age_band"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        chosen = next(tracker.get_latest_entity_values("age_band"), None)
        band = chosen if chosen in AGE_BANDS else age_band(tracker.latest_message.get("text") or "")
        if band is None:
            dispatcher.utter_message(response="utter_skip_ok")
            return _ask_country(dispatcher) if _country_question_due(tracker) else []
        # Rasa applies the slot after this turn's messages, so these use the variant for the
        # band known before; from the next turn on, replies follow the new band.
        dispatcher.utter_message(response="utter_age_thanks")
        events = [SlotSet("age_band", band)]
        if _country_question_due(tracker):
            events += _ask_country(dispatcher)
        elif not tracker.get_slot("flow"):
            send_help_menu(dispatcher, tracker.get_slot("country"))
        return events


class ActionSkip(Action):
    """"Skip" on the age or country question: go on to the next question, or to the menu."""

    def name(self) -> str:
        return "action_skip"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if _country_question_due(tracker):
            return _ask_country(dispatcher)
        dispatcher.utter_message(response="utter_skip_ok")
        if not tracker.get_slot("flow"):
            send_help_menu(dispatcher, tracker.get_slot("country"))
        return []
