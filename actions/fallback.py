"""When the model is unsure: ask again kindly, with one calm line naming the crisis line, and
after two misses in a row offer a person.

Counting misses needs the conversation's history, so this is an action rather than two
rules (Rasa rules may hold only one user message).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.resources import help_lines

FALLBACK_INTENT = "nlu_fallback"


def misses_in_a_row(tracker: Tracker) -> int:
    """How many of the latest user messages, counting back from now, were not understood."""
    misses = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if (event.get("parse_data") or {}).get("intent", {}).get("name") != FALLBACK_INTENT:
            break
        misses += 1
    return misses


class ActionNotUnderstood(Action):
    def name(self) -> str:
        return "action_not_understood"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        response = "utter_default_offer_human" if misses_in_a_row(tracker) >= 2 else "utter_default"
        dispatcher.utter_message(response=response, **help_lines(tracker.get_slot("country")))
        return []
