"""When the model is unsure: ask again kindly, with one calm line naming the crisis line, and
after two misses in a row offer a person.

Counting misses needs the conversation's history, so this is an action rather than two
rules (Rasa rules may hold only one user message).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.follow_ups import answer_follow_up
from actions.flows import asked_about_privacy
from actions.told import country_now, told
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
    """Not understood (in a flow, answered as a follow-up in it); or a question whether this chat is private, asked with no topic the
    model saw ("is this anonymous?"), which the pipeline sends down this rule: answered
    honestly, with a way to go on. It has no rule of its own because Rasa adds every rule's
    names to the words the intent model learns, so a new rule would retrain it
    (docs/nlu-evaluation.md, 2026-12-06)."""

    def name(self) -> str:
        return "action_not_understood"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if asked_about_privacy(tracker):
            dispatcher.utter_message(response="utter_privacy_answer")
            dispatcher.utter_message(response="utter_after_privacy_answer")
            return []
        # In a flow: what they said is answered there, with a person one tap away.
        events = answer_follow_up(dispatcher, tracker)
        if events is not None:
            return events
        response = "utter_default_offer_human" if misses_in_a_row(tracker) >= 2 else "utter_default"
        dispatcher.utter_message(response=response, **help_lines(country_now(tracker)))
        return told(tracker)
