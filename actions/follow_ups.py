"""What a young person says next, answered in the flow they are in.

Mid-conversation, "he said i have till 10pm", "i dont have any money" or "i already blocked
him" are not a new topic: the model reads them as small talk or not understood, and the
start menu came back to someone who had already told the bot everything (the blind
conversations: 52 of 287 turns). Here such a turn gets a few words that answer what was
said, then one step on in the same flow. What kind of follow-up it is comes from the
pipeline (nlu_components/follow_up.py, `follow_up` in the parse result); a turn with no
kind still stays in the flow.

Crisis and danger never lose their lines: a follow-up in those flows starts with the crisis
lines or the emergency number. A second ask never gets the same words: where the planned
reply is the one just sent, a shorter one goes instead.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.imminent import plan_in_passing
from actions.told import country_now, told
from bot import places
from bot.confidentiality import friends_promise
from bot.resources import help_lines

FOLLOW_UP_KEY = "follow_up"

# Which flow each step belongs to; a follow-up is answered in its flow's words.
FAMILY: dict[str, str] = {
    **dict.fromkeys(("crisis", "crisis_now", "crisis_stay", "crisis_act", "crisis_check", "crisis_friend",
                     "crisis_plan"), "crisis"),
    **dict.fromkeys(("danger", "danger_here", "danger_home", "danger_car", "danger_here_plan", "danger_plan",
                     "danger_check"), "danger"),
    **dict.fromkeys(("sextortion", "sextortion_paid", "sextortion_fake", "save"), "sextortion"),
    **dict.fromkeys(("pressure", "adult_pressure", "say_no"), "pressure"),
    **dict.fromkeys(("unsafe_contact", "adult_contact"), "contact"),
    "image_shared": "image",
    "legal_worry": "legal",
    **dict.fromkeys(("friend", "friend_promise"), "friend"),
    **dict.fromkeys(("wrap_up", "wrap_up_again", "adult_script", "report_together", "human"), "end"),
}

# The answer to each kind of follow-up; (kind, flow) where the flow changes the answer.
ANSWERS: dict[tuple[str, str | None], str | None] = {
    ("deadline", None): "utter_follow_up_deadline",
    ("deadline", "sextortion"): "utter_follow_up_deadline_sextortion",
    ("deadline", "danger"): "utter_follow_up_deadline_danger",
    ("deadline", "contact"): "utter_follow_up_deadline_danger",
    ("parent_fear", None): "utter_follow_up_parent_fear",
    ("self_blame", None): "utter_follow_up_self_blame",
    ("already_done", None): "utter_follow_up_already_done",
    ("fake", None): "utter_follow_up_fake",
    ("knows_where", None): "utter_follow_up_knows_where",
    ("no_money", None): "utter_follow_up_no_money",
    ("no_money", "sextortion"): "utter_follow_up_no_money_sextortion",
    ("still_here", None): "utter_follow_up_still_here",
    # Crisis and danger answer "hello??" with their lines alone ("I'm still here with you").
    ("still_here", "crisis"): None,
    ("still_here", "danger"): None,
    ("angry_at_bot", None): "utter_follow_up_angry",
    ("upset", None): "utter_follow_up_upset",
    ("told_someone", None): "utter_follow_up_told_someone",
    ("told_someone", "crisis"): "utter_follow_up_told_someone_crisis",
    ("good_news", None): "utter_follow_up_good_news",
    # Words for an adult: the flow's own script for telling one.
    ("words_for_adult", None): "utter_tell_adult",
    ("words_for_them", None): "utter_follow_up_words_for_them",
    ("words_for_them", "sextortion"): "utter_follow_up_words_for_them_sextortion",
    ("words_for_them", "pressure"): "utter_say_no",
    ("should_i_pay", None): "utter_follow_up_should_i_pay",
    # Read from the words, in the friend flow only (friends_promise): telling is being a good friend.
    ("friend_promise", "friend"): "utter_friend_promise",
}

# Said in crisis and danger follow-ups while the country is unknown (the lines are the US's).
NOT_IN_US = "utter_not_in_us"
# A plan said in passing mid-crisis (actions/imminent.py): the emergency number and an adult now.
CRISIS_PLAN = ("utter_crisis_plan", "utter_crisis_now_lines")

# Crisis steps after which every follow-up leads with the emergency number: two ways, in turn.
# After something taken the step itself said "call now and tell them what happened", so the
# first follow-up says it in the plan's words.
URGENT_FLOWS = {"crisis_act": (CRISIS_PLAN, ("utter_crisis_act",)),
                "crisis_plan": (CRISIS_PLAN, ("utter_crisis_plan_again",))}
# Crisis and danger keep their lines, sent first, whatever was said: two ways to say them,
# taken in turn, so an ongoing emergency never gets the same words twice.
LINES_FIRST = {"crisis": ("utter_crisis_stay", "utter_crisis_now_lines"),
               "danger": ("utter_danger_stay", "utter_danger_again")}
# Elsewhere a way on ends the turn: the kind's own (are you safe, after "they know where I
# live"; a person, after anger), or the next step.
WAY_ON_BY_KIND = {"knows_where": "utter_follow_up_safe_check", "angry_at_bot": "utter_follow_up_person"}
WAY_ON = "utter_follow_up_way_on"
# Nothing more specific fits; and instead of a reply that was just sent, a shorter one.
UNCLEAR = "utter_follow_up_unclear"
AGAIN = "utter_follow_up_again"


def family_of(step: str | None) -> str | None:
    return FAMILY.get(step or "")


def follow_up_kind(tracker: Tracker) -> str | None:
    if family_of(tracker.get_slot("flow")) == "friend" and friends_promise(tracker.latest_message.get("text") or ""):
        return "friend_promise"
    return (tracker.latest_message.get(FOLLOW_UP_KEY) or {}).get("kind")


# Follow-ups about the situation, not about how they feel: mid-flow, one of these that only an
# unsure model reads as crisis or danger ("even if i wanted to pay i couldnt") is answered in
# its flow, not with a check-in nobody asked for. Upset, self-blame, fear of a parent and anger
# keep the check-in: they can be the start of a crisis.
PRACTICAL = frozenset({"deadline", "already_done", "fake", "knows_where", "no_money", "still_here", "told_someone",
                       "good_news", "words_for_adult", "words_for_them", "should_i_pay"})


def unsure_guess_stays_in_flow(tracker: Tracker, step: str) -> bool:
    """Mid-flow, a crisis or danger guess of the model's own that it is unsure of stays in the
    flow: a practical follow-up is answered there (no alarm without reason; the lexicon saw
    nothing), and in the other safety flow ("im scared" mid-danger, read as crisis) that flow's
    lines come first instead of a question about something else."""
    flow = family_of(tracker.get_slot("flow"))
    if flow in LINES_FIRST:
        return flow != family_of(step)
    return flow is not None and follow_up_kind(tracker) in PRACTICAL


def previous_responses(tracker: Tracker) -> list[str]:
    """The responses of the bot's turn before this one, in order (Rasa records each one's name)."""
    sent: list[str] = []
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                break
        elif event.get("event") == "bot" and users == 1:
            name = (event.get("metadata") or {}).get("utter_action")
            if name:
                sent.append(name)
    return sent[::-1]


def answer_for(kind: str | None, family: str | None) -> str | None:
    """The response that answers this kind of follow-up in this flow, if there is one."""
    return ANSWERS[(kind, family)] if (kind, family) in ANSWERS else ANSWERS.get((kind, None))


def replies(kind: str | None, family: str) -> list[list[str]]:
    """The reply for a follow-up of this kind in this flow, then shorter ones for a second ask."""
    answer = answer_for(kind, family)
    if family in LINES_FIRST:
        lines, other_lines = LINES_FIRST[family]
        return [[lines, answer] if answer else [lines], [other_lines, AGAIN]]
    way_on = WAY_ON_BY_KIND.get(kind or "", WAY_ON)
    return [[answer, way_on] if answer else [UNCLEAR], [AGAIN]]


def urgent_replies(kind: str | None, flow: str | None) -> list[list[str]] | None:
    """After something taken or done (crisis_act), or a time or the means said (crisis_plan),
    every follow-up leads with the emergency number and an adult now, in turn with the other
    words, never "I'm still here" alone; None in any other flow."""
    if flow not in URGENT_FLOWS:
        return None
    answer = answer_for(kind, "crisis")
    first, second = URGENT_FLOWS[flow]
    return [[*first, answer] if answer else list(first), list(second)]
    way_on = WAY_ON_BY_KIND.get(kind or "", WAY_ON)
    return [[answer, way_on] if answer else [UNCLEAR], [AGAIN]]


def answer_follow_up(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]] | None:
    """Answers a turn that follows on from the flow they are in (its events); None outside any
    flow. Never the words just sent: the first of the replies that differs from the last turn."""
    family = family_of(tracker.get_slot("flow"))
    if family is None:
        return None
    last = previous_responses(tracker)
    values = help_lines(country_now(tracker))
    events = told(tracker)
    kind = follow_up_kind(tracker)
    if family == "crisis" and plan_in_passing(tracker) and last != list(CRISIS_PLAN):
        # A time or the means, mid-crisis: the emergency number and an adult now, not "I'm still here".
        reply, events = list(CRISIS_PLAN), [SlotSet("flow", "crisis_plan"), *events]
    else:
        options = urgent_replies(kind, tracker.get_slot("flow")) or replies(kind, family)
        reply = next(r for r in options if r != last)
    if family in LINES_FIRST and places.region_of(country_now(tracker)) is None and NOT_IN_US not in last:
        # US lines while they have not said where they are: how to get theirs, every other turn.
        reply = [*reply, NOT_IN_US]
    for response in reply:
        dispatcher.utter_message(response=response, **values)
    return events
