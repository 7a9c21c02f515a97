"""Crisis support: the crisis line for the young person's region comes in the first bubble.

Placeholder wording for the foundation; the safety-responses issue writes the full flow.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import resources


class ActionCrisisSupport(Action):
    def name(self) -> str:
        return "action_crisis_support"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        region = tracker.get_slot("country")
        crisis_lines = "\n".join(r.contact_line() for r in resources.resources_for(region, "crisis"))
        emergency = resources.first(region, "emergency")
        call_now = emergency.phone or "your local emergency number"
        dispatcher.utter_message(
            text=(
                "I'm really glad you told me. You matter, and you don't have to deal with this alone.\n"
                f"You can talk to someone right now:\n{crisis_lines}\n"
                f"If you might act on these thoughts now, call {call_now}."
            )
        )
        if resources.normalise_region(region) is None:
            dispatcher.utter_message(text="If you tell me which country you're in, I can give you local numbers.")
        return []
