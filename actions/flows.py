"""Each safety flow's turn: its responses, in order, with the region's help lines filled in.

Every turn about a safety category is one custom action, never an action followed by
`utter_` steps. If the action server fails, Rasa then answers with nothing at all, and the
bridge sends the never-silent reply (crisis and reporting lines) instead of half an answer
without numbers. The wording, with simpler under-13 variants chosen by Rasa from the
age_band slot, lives in responses/; numbers come only from bot/data/resources.yml.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import resources
from bot.resources import help_lines

MAX_BUBBLES = 3

# Step -> the responses it sends. A step is a flow's first turn (named after its intent) or
# a next step offered by a button or asked for with "what now".
STEPS: dict[str, tuple[str, ...]] = {
    "crisis": ("utter_crisis", "utter_offer_human"),
    "crisis_now": ("utter_crisis_now",),
    "danger": ("utter_danger", "utter_offer_human"),
    "sextortion": ("utter_sextortion", "utter_sextortion_report"),
    "sextortion_paid": ("utter_sextortion_paid", "utter_report_next"),
    "sextortion_fake": ("utter_sextortion_fake", "utter_report_next"),
    "save": ("utter_save_evidence", "utter_tell_adult", "utter_take_it_down"),
    "pressure": ("utter_pressure", "utter_pressure_next"),
    "say_no": ("utter_say_no", "utter_tell_adult"),
    "unsafe_contact": ("utter_unsafe_contact", "utter_unsafe_contact_next"),
    "image_shared": ("utter_image_shared", "utter_image_shared_next"),
    "legal_worry": ("utter_legal_worry", "utter_offer_human"),
    "friend": ("utter_friend", "utter_friend_next"),
    "human": ("utter_human_unavailable",),
}

# What "what now?" leads to after each step; steps not listed end their flow.
NEXT: dict[str, str] = {
    "crisis": "crisis_now",
    "danger": "crisis_now",
    "sextortion": "save",
    "sextortion_paid": "save",
    "sextortion_fake": "save",
    "image_shared": "save",
    "unsafe_contact": "save",
    "friend": "save",
    "pressure": "say_no",
}


def send_step(step: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Sends a step's responses, then asks for the country once if it is unknown and fits."""
    region = tracker.get_slot("country")
    values = help_lines(region)
    for response in STEPS[step]:
        dispatcher.utter_message(response=response, **values)
    events = [SlotSet("flow", step)]
    if (
        resources.normalise_region(region) is None
        and not tracker.get_slot("country_offered")
        and len(STEPS[step]) < MAX_BUBBLES
    ):
        dispatcher.utter_message(response="utter_ask_country")
        events.append(SlotSet("country_offered", True))
    return events


class FlowStep(Action, ABC):
    """One flow's first turn, named action_<step>_help.

    Abstract, so rasa-sdk registers only the subclasses, each naming its step.
    """

    @property
    @abstractmethod
    def step(self) -> str: ...

    def name(self) -> str:
        return f"action_{self.step}_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return send_step(self.step, dispatcher, tracker)


class CrisisHelp(FlowStep):
    step = "crisis"


class DangerHelp(FlowStep):
    step = "danger"


class SextortionHelp(FlowStep):
    step = "sextortion"


class SextortionPaidHelp(FlowStep):
    step = "sextortion_paid"


class SextortionFakeHelp(FlowStep):
    step = "sextortion_fake"


class PressureHelp(FlowStep):
    step = "pressure"


class UnsafeContactHelp(FlowStep):
    step = "unsafe_contact"


class ImageSharedHelp(FlowStep):
    step = "image_shared"


class LegalWorryHelp(FlowStep):
    step = "legal_worry"


class FriendHelp(FlowStep):
    step = "friend"


class HumanHelp(FlowStep):
    """Asks for a person. The reply here (lines to call now) is what a channel without
    counsellors shows; the marker lets a channel with counsellors start a handoff instead."""

    step = "human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        events = send_step(self.step, dispatcher, tracker)
        dispatcher.utter_message(json_message={"handoff": "requested"})
        return events


class NextStep(Action):
    """A button's next step (`/next_step{"step": "save"}`), or typed "what now?".

    Typed, it follows the flow the young person is in; outside a flow, or at a flow's end,
    it shows what the bot can help with, so "what now" is never a dead end.
    """

    def name(self) -> str:
        return "action_next_step"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        step = next(tracker.get_latest_entity_values("step"), None)
        if step not in STEPS:
            step = NEXT.get(tracker.get_slot("flow") or "")
        if step is None:
            dispatcher.utter_message(response="utter_help_menu")
            return []
        return send_step(step, dispatcher, tracker)
