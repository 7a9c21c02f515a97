"""First replies that must name a help line for the young person's region.

Crisis gets the crisis line first; danger gets the emergency number first (safety rule 2).
The other safety categories get an interim reply (not your fault, how to report, the crisis
line) until the safety-responses issue gives each its own flow. Lines come from
bot/data/resources.yml through one helper, never typed into a reply.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import resources

ASK_COUNTRY = "If you tell me which country you're in, I can give you local numbers."


def _lines(region: str | None, role: str) -> str:
    return "\n".join(r.contact_line() for r in resources.resources_for(region, role))


def _emergency_number(region: str | None) -> str:
    return resources.first(region, "emergency").phone or "your local emergency number"


class _RegionalReply(Action):
    """Sends `compose(region)` and, when the region is unknown, asks for the country."""

    action_name = ""

    def name(self) -> str:
        return self.action_name

    def compose(self, region: str | None) -> str:
        raise NotImplementedError

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        region = tracker.get_slot("country")
        dispatcher.utter_message(text=self.compose(region))
        if resources.normalise_region(region) is None:
            dispatcher.utter_message(text=ASK_COUNTRY)
        return []


class ActionCrisisSupport(_RegionalReply):
    action_name = "action_crisis_support"

    def compose(self, region: str | None) -> str:
        return (
            "I'm really glad you told me. You matter, and you don't have to deal with this alone.\n"
            f"You can talk to someone right now:\n{_lines(region, 'crisis')}\n"
            f"If you might act on these thoughts now, call {_emergency_number(region)}."
        )


class ActionDangerSupport(_RegionalReply):
    action_name = "action_danger_support"

    def compose(self, region: str | None) -> str:
        return (
            f"If you are in danger right now, call {_emergency_number(region)}.\n"
            "Go to a trusted adult now, or somewhere with other people around. Don't go to meet this person.\n"
            f"You can also talk to someone:\n{_lines(region, 'crisis')}"
        )


class ActionSafetySupport(_RegionalReply):
    action_name = "action_safety_support"

    def compose(self, region: str | None) -> str:
        return (
            "Thank you for telling me. This is not your fault, and you are not in trouble for asking for help.\n"
            f"You can report it here:\n{_lines(region, 'report')}\n"
            f"If it all feels like too much, you can talk to someone now:\n{_lines(region, 'crisis')}"
        )
