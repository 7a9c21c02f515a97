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

from actions.follow_ups import (CRISIS_PLAN, LINES_FIRST, PRACTICAL, answer_follow_up, answer_for, family_of,
                                follow_up_kind, previous_responses, unsure_guess_stays_in_flow)
from actions.told import ask_which_country, country_now, places_it_could_be, told
from bot import places, resources
from bot.ages import other_is_adult
from bot.confidentiality import friends_promise
from bot.resources import help_lines

MAX_BUBBLES = 3

# Step -> the responses it sends. A step is a flow's first turn (named after its intent) or
# a next step offered by a button or asked for with "what now". Each message is short (the
# reply checks: data/response_rules.yml message_size), so a long answer is two responses.
STEPS: dict[str, tuple[str, ...]] = {
    "crisis": ("utter_crisis", "utter_offer_human"),
    "crisis_now": ("utter_crisis_now", "utter_crisis_now_lines"),
    "crisis_stay": ("utter_crisis_stay",),
    # An act already done or under way: the emergency number first, with the crisis line.
    "crisis_act": ("utter_crisis_act", "utter_crisis_act_offer"),
    # A friend at risk (the lexicon's crisis.friend_at_risk): what to do for them, the
    # emergency number first, then their lines; not wording meant for the writer's own crisis.
    "crisis_friend": ("utter_crisis_friend", "utter_crisis_friend_lines"),
    # Only the model, unsure, says crisis or danger: ask, with the numbers, instead of asserting.
    "crisis_check": ("utter_crisis_check",),
    # A time or the means said mid-crisis (actions/imminent.py; sent from actions/follow_ups.py).
    "crisis_plan": CRISIS_PLAN,
    "danger": ("utter_danger", "utter_danger_talk"),
    # Danger where they are, not a meeting (HERE_SIGNALS): no "don't go to meet them".
    "danger_here": ("utter_danger_here", "utter_danger_here_talk"),
    # Someone outside the home or on the way to it: stay inside, locked, and call.
    "danger_home": ("utter_danger_home", "utter_danger_here_talk"),
    # In a car with someone who will not take them home: call, text where they are, get out near people.
    "danger_car": ("utter_danger_car", "utter_danger_car_plan", "utter_danger_here_talk"),
    "danger_here_plan": ("utter_danger_here_plan",),
    "danger_plan": ("utter_danger_plan", "utter_danger_plan_report"),
    "danger_check": ("utter_danger_check",),
    "sextortion": ("utter_sextortion", "utter_sextortion_report"),
    "sextortion_paid": ("utter_sextortion_paid", "utter_report_next"),
    "sextortion_fake": ("utter_sextortion_fake", "utter_report_next"),
    "save": ("utter_save_evidence", "utter_tell_adult", "utter_take_it_down", "utter_removal_more"),
    "pressure": ("utter_pressure", "utter_pressure_next"),
    # The other person is an adult, or the young person is under 13: named plainly, no
    # relationship wording ("anyone who really likes you...").
    "adult_pressure": ("utter_adult_pressure", "utter_pressure_next"),
    "adult_contact": ("utter_adult_contact", "utter_unsafe_contact_next"),
    "say_no": ("utter_say_no", "utter_tell_adult"),
    "unsafe_contact": ("utter_unsafe_contact", "utter_unsafe_contact_next"),
    "image_shared": ("utter_image_shared", "utter_removal_more", "utter_image_shared_next"),
    "legal_worry": ("utter_legal_worry", "utter_legal_worry_report"),
    "friend": ("utter_friend", "utter_friend_next"),
    # Their friend made them promise to keep it secret: a safe friend matters more.
    "friend_promise": ("utter_friend", "utter_friend_promise", "utter_friend_next"),
    "human": ("utter_human_unavailable",),
    # A flow's end: a way on (a person, words for an adult, reporting together), then shorter.
    "wrap_up": ("utter_wrap_up",),
    "wrap_up_again": ("utter_wrap_up_again",),
    "adult_script": ("utter_tell_adult",),
    "report_together": ("utter_report_next",),
}

# A response sent only when the region has what it lists (help_lines is empty there otherwise):
# the removal tools after the region's own, where it has more than one.
ONLY_WITH: dict[str, str] = {"utter_removal_more": "more_removal_lines"}

# What "what now?" leads to after each step; a step not listed ends its flow, and "what now"
# there gets the wrap-up (then a shorter one), never the start menu again.
NEXT: dict[str, str] = {
    "crisis": "crisis_now",
    "crisis_act": "crisis_now",
    "crisis_friend": "friend",
    # A crisis never ends on a menu or a wrap-up: it goes on between staying and small steps.
    "crisis_now": "crisis_stay",
    "crisis_stay": "crisis_now",
    "crisis_check": "crisis",
    "danger_check": "danger",
    "danger": "danger_plan",
    "danger_here": "danger_here_plan",
    "danger_home": "danger_here_plan",
    "danger_car": "danger_here_plan",
    "crisis_plan": "crisis_stay",
    "sextortion": "save",
    "sextortion_paid": "save",
    "sextortion_fake": "save",
    "image_shared": "save",
    "unsafe_contact": "save",
    "friend": "save",
    "friend_promise": "save",
    "pressure": "say_no",
    "adult_pressure": "save",
    "adult_contact": "save",
    "wrap_up": "wrap_up_again",
    "wrap_up_again": "wrap_up_again",
}


# The lexicon's danger signals about where they are now (hurt at home, someone outside or at the
# door, a fire, someone not breathing, being followed), not about meeting someone: their reply
# says to call and get somewhere safe, never "don't go to meet them".
HERE_SIGNALS = frozenset({
    "danger.asks_for_emergency_help", "danger.in_a_car_now", "danger.being_hurt_now", "danger.confined_now", "danger.stranger_outside_now",
    "danger.says_they_are_here", "danger.online_contact_here_now", "danger.being_followed", "danger.emergency_now",
    "danger.someone_coming_now", "danger.photo_of_their_home", "danger.hurt_before_coming_now",
})
# Of those, someone outside their home or coming to it, and being in someone's car: their own
# first steps (stay inside with the door locked; get out where there are people).
HOME_SIGNALS = frozenset({"danger.stranger_outside_now", "danger.says_they_are_here", "danger.someone_coming_now",
                          "danger.photo_of_their_home"})
CAR_SIGNAL = "danger.in_a_car_now"
HERE_FLOWS = frozenset({"danger_here", "danger_home", "danger_car", "danger_here_plan"})
# The lexicon's signal for someone else at risk: the young person is the helper.
FRIEND_AT_RISK = "crisis.friend_at_risk"
# Below this confidence, a crisis or danger guess of the model's own (no lexicon signal) is
# asked about rather than asserted. Chosen on the external dev halves and the project's sets
# (scripts/check_in_threshold.py; docs/nlu-evaluation.md records the sweep).
CHECK_IN_BELOW = 0.9
# Not English: that turn's reply first says so, in the young person's language. Per language:
# the note for a line that answers in it, and the note for a line that answers in English.
LANGUAGE_NOTES = {
    "es": ("utter_english_best_es", "utter_english_best_es_line_in_english"),
    "fr": ("utter_english_best_fr", "utter_english_best_fr_line_in_english"),
}


def here_step(signal: str) -> str:
    """The first step for danger where they are: at home, in a car, or anywhere else."""
    return "danger_home" if signal in HOME_SIGNALS else "danger_car" if signal == CAR_SIGNAL else "danger_here"


def send_step(step: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """Sends a step's responses, then asks for the country once if it is unknown and fits."""
    region = country_now(tracker)
    values = help_lines(region)
    sent = [r for r in STEPS[step] if r not in ONLY_WITH or values[ONLY_WITH[r]]]
    for response in sent:
        dispatcher.utter_message(response=response, **values)
    events = [SlotSet("flow", step), *told(tracker),
              # For responses from rules, which have no action to fill them (utter_listening).
              SlotSet("crisis_lines", values["crisis_lines"]), SlotSet("emergency_number", values["emergency_number"])]
    could_be = places_it_could_be(tracker) if places.region_of(region) is None else ()
    if could_be:
        # "perth. fine. can u give me the number": which Perth, now, with a button each.
        ask_which_country(dispatcher, could_be)
        events.append(SlotSet("country_offered", True))
    elif (
        places.region_of(region) is None
        and not tracker.get_slot("country_offered")
        and len(sent) < MAX_BUBBLES
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
        if asked_about_privacy(tracker):
            dispatcher.utter_message(response="utter_privacy_answer")
        step = self.step_for(tracker)
        if self.continues(step, tracker):
            return go_on(dispatcher, tracker)
        return send_step(step, dispatcher, tracker)

    def step_for(self, tracker: Tracker) -> str:
        """The step this message gets (the flow's first, unless a subclass knows better)."""
        return self.step

    def continues(self, step: str, tracker: Tracker) -> bool:
        return continues_flow(step, tracker)


def continues_flow(step: str, tracker: Tracker) -> bool:
    """The message is about the flow they are already in ("he says he'll post it at 10" after
    the first sextortion reply): answered as what comes next, not with that first reply again.
    A check-in question's flow is not yet begun: a yes to it gets the full first step."""
    flow = tracker.get_slot("flow")
    if not flow or flow.endswith("_check"):
        return False
    if family_of(flow) == family_of(step):
        return True
    # A practical follow-up the model reads as another topic ("deadline is 6pm his time" mid-
    # sextortion, read as an unsafe contact) is still this flow. Never for crisis or danger:
    # those are always answered as themselves.
    return family_of(step) not in LINES_FIRST and follow_up_kind(tracker) in PRACTICAL


def danger_guess_mid_crisis(step: str, signal: dict, tracker: Tracker) -> bool:
    """Mid-crisis, a message only the model reads as danger ("my mom is downstairs", "like 20 mins
    ago. im at home in my room" after taking something) stays in the crisis: its emergency
    number and lines, not a script about meeting someone (a fifth writer's review)."""
    return step == "danger" and not signal and family_of(tracker.get_slot("flow")) == "crisis" \
        and not (tracker.get_slot("flow") or "").endswith("_check")


def go_on(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """One step on in the flow they are in: what they said answered (crisis and danger with
    their lines first), or the flow's next step, or its way on at the end."""
    flow = tracker.get_slot("flow")
    if follow_up_kind(tracker) or family_of(flow) in LINES_FIRST:
        return answer_follow_up(dispatcher, tracker) or []
    return send_step(NEXT.get(flow, "wrap_up"), dispatcher, tracker)


def asked_about_privacy(tracker: Tracker) -> bool:
    """The message also asked whether this chat is private (nlu_components/privacy_question.py)."""
    return bool(tracker.latest_message.get("privacy_question"))


def send_language_note(dispatcher: CollectingDispatcher, tracker: Tracker, language: str) -> None:
    """In their language: the bot reads English best; a line to reach now, saying it speaks
    their language only when its resource entry says so."""
    region = country_now(tracker)
    line, speaks = resources.crisis_line_in(region, language)
    in_their_language, in_english = LANGUAGE_NOTES[language]
    dispatcher.utter_message(response=in_their_language if speaks else in_english, language_line=line.contact_line(),
                             emergency_number=help_lines(region)["emergency_number"])


class SafetyHelp(FlowStep, ABC):
    """Crisis and danger: what the lexicon saw decides the step (an act under way leads with
    the emergency number; Spanish or French gets a note in that language first); a guess of
    the model's own below CHECK_IN_BELOW, or one the second opinion doubted, becomes a check-in
    question with the numbers."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        signal = tracker.latest_message.get("safety_signal") or {}
        confidence = (tracker.latest_message.get("intent") or {}).get("confidence") or 0.0
        # The sentence encoder's second opinion disagreed (nlu_components/second_opinion.py).
        doubted = (tracker.latest_message.get("second_opinion") or {}).get("decision") == "asked"
        step = self.step
        if signal.get("emergency") and f"{step}_act" in STEPS:
            step = f"{step}_act"
        elif signal.get("id") == FRIEND_AT_RISK and tracker.get_slot("flow") != "crisis_friend":
            step = "crisis_friend"
        elif signal.get("id") in HERE_SIGNALS and tracker.get_slot("flow") not in HERE_FLOWS:
            # Where they are, even mid-conversation ("hes outside my house" after a talk about
            # pics): the first steps for that place, not the lines said again.
            step = here_step(signal["id"])
        elif (continues_flow(step, tracker) or danger_guess_mid_crisis(step, signal, tracker)) \
                and signal.get("language") not in LANGUAGE_NOTES:
            # Said again, or followed up, within a crisis or danger flow: the lines first again,
            # in other words than the last turn's (actions/follow_ups.py).
            events = go_on(dispatcher, tracker)
            if asked_about_privacy(tracker):
                dispatcher.utter_message(response="utter_privacy_answer")
            return events
        elif tracker.get_slot("flow") == f"{step}_check":
            pass  # asked once already: said again, it gets the full step, not the same question
        elif not signal and (confidence < CHECK_IN_BELOW or doubted) and unsure_guess_stays_in_flow(tracker, step):
            return go_on(dispatcher, tracker)
        elif not signal and (confidence < CHECK_IN_BELOW or doubted):
            step = f"{step}_check"
        if signal.get("language") in LANGUAGE_NOTES:
            send_language_note(dispatcher, tracker, signal["language"])
        # "r u gonna tell my mom" that only an unsure model reads as crisis or danger: the
        # question they asked is answered first, then the check-in with the numbers. Anything
        # the lexicon or a sure model saw gets its lines first, always (safety rule 2).
        checking_in = step.endswith("_check")
        if asked_about_privacy(tracker) and checking_in:
            dispatcher.utter_message(response="utter_privacy_answer")
        # Mid-conversation, "i'm so stupid for sending it" that only an unsure model reads as
        # crisis: what they said is answered first ("this is not your fault"), then the
        # check-in with the numbers, rather than a check-in that ignores it.
        answer = answer_for(follow_up_kind(tracker), family_of(tracker.get_slot("flow")))
        if checking_in and answer and not asked_about_privacy(tracker):
            dispatcher.utter_message(response=answer, **help_lines(country_now(tracker)))
        events = send_step(step, dispatcher, tracker)
        if asked_about_privacy(tracker) and not checking_in:
            dispatcher.utter_message(response="utter_privacy_answer")
        return events


class CrisisHelp(SafetyHelp):
    step = "crisis"


class DangerHelp(SafetyHelp):
    step = "danger"


class SextortionHelp(FlowStep):
    step = "sextortion"


class SextortionPaidHelp(FlowStep):
    step = "sextortion_paid"


class SextortionFakeHelp(FlowStep):
    step = "sextortion_fake"


class AdultAwareHelp(FlowStep, ABC):
    """Pressure and unsafe contacts: when the other person is an adult ("hes 25", "a grown
    man") or the young person is under 13, the reply says plainly that the adult is in the
    wrong (adult_<...> steps), instead of wording meant for someone their own age."""

    adult_step: str

    def step_for(self, tracker: Tracker) -> str:
        text = tracker.latest_message.get("text") or ""
        under_13 = tracker.get_slot("age_band") == "under_13" or any(
            e.get("value") == "under_13" for e in told(tracker))
        return self.adult_step if under_13 or other_is_adult(text) else self.step

    def continues(self, step: str, tracker: Tracker) -> bool:
        # An adult said only now, within the flow: named plainly then, not the flow's next step.
        return continues_flow(step, tracker) and (step == self.step or tracker.get_slot("flow") == step)


class PressureHelp(AdultAwareHelp):
    step = "pressure"
    adult_step = "adult_pressure"


class UnsafeContactHelp(AdultAwareHelp):
    step = "unsafe_contact"
    adult_step = "adult_contact"


class ImageSharedHelp(FlowStep):
    step = "image_shared"


class LegalWorryHelp(FlowStep):
    step = "legal_worry"


class FriendHelp(FlowStep):
    step = "friend"

    def step_for(self, tracker: Tracker) -> str:
        return "friend_promise" if friends_promise(tracker.latest_message.get("text") or "") else self.step


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

    Typed, it follows the flow the young person is in; at a flow's end it offers a way on (a
    person, words for an adult, reporting together), asked again more briefly; only outside
    any flow does it show what the bot can help with, so "what now" is never a dead end.
    """

    def name(self) -> str:
        return "action_next_step"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        step = next(tracker.get_latest_entity_values("step"), None)
        flow = tracker.get_slot("flow")
        if step == "danger_plan" and flow in HERE_FLOWS:
            step = "danger_here_plan"  # an older button's plan is for meetings; theirs is where they are
        if step not in STEPS:
            step = NEXT.get(flow or "", "wrap_up" if flow else None)
        if step is None:
            send_help_menu(dispatcher, tracker.get_slot("country"))
            return []
        return send_step(step, dispatcher, tracker)


# How sure the model must be that a typed message asks for the menu before a flow is left for
# it. Not tuned on data: the button sends 1.0, plain asks score above 0.9 (tests/e2e), and a
# mid-flow question read as the menu below this keeps the flow, with the menu one tap away.
SURE_OF_MENU = 0.8


def send_help_menu(dispatcher: CollectingDispatcher, region: str | None) -> None:
    """The menu of what the bot helps with, with one calm line with the crisis line, in two
    messages so neither has more than five buttons."""
    dispatcher.utter_message(response="utter_help_menu", **help_lines(region))
    dispatcher.utter_message(response="utter_help_menu_more")


class HelpMenu(Action):
    """The menu when asked for, or for small talk outside any flow. Small talk in a flow is
    usually what comes next in it ("i dont have any money"), answered there: the start menu
    mid-conversation sends them back to a bot they have already told everything."""

    def name(self) -> str:
        return "action_help_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = tracker.latest_message.get("intent") or {}
        # Asked for with a button or plainly; an unsure guess mid-flow ("ok what do i tell her"
        # read as asking for the menu at 0.49) is answered in the flow, the menu a tap away.
        asked = intent.get("name") == "ask_help_menu" and (intent.get("confidence") or 0.0) >= SURE_OF_MENU
        events = None if asked else answer_follow_up(dispatcher, tracker)
        if events is not None:
            return events
        if not asked and "utter_help_menu" in previous_responses(tracker):
            # Small talk again, right after the menu: not the same menu word for word.
            dispatcher.utter_message(response="utter_help_menu_again", **help_lines(country_now(tracker)))
        else:
            send_help_menu(dispatcher, country_now(tracker))
        return told(tracker)
