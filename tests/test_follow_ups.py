"""What comes next in a conversation (actions/follow_ups.py): a follow-up mid-flow is answered
in that flow, never with the start menu; crisis and danger keep their lines first; no reply
is the one just sent. Run with rasa-sdk's own Tracker and CollectingDispatcher; the model's
part (which kind a message is) is measured in tests/e2e/test_follow_ups.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionNotUnderstood
from actions.flows import (STEPS, CrisisHelp, DangerHelp, FriendHelp, HelpMenu, NextStep, PressureHelp, SextortionHelp,
                           UnsafeContactHelp)
from actions.follow_ups import ANSWERS, FAMILY, LINES_FIRST, URGENT_FLOWS, WAY_ON_BY_KIND, replies
from tests.support.tracker import after_turn, fresh_tracker

KINDS = sorted({kind for kind, _ in ANSWERS})
RESPONSES = Path(__file__).parent.parent / "responses"


def _turn(action, flow: str | None, intent: str = "out_of_scope", kind: str | None = None,
          last_turn: list[str] | None = None, confidence: float = 0.95, text: str = "a message",
          country: str | None = "US", entities: list[dict] | None = None, **extra) -> list[str]:
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or [], **extra}
    if kind:
        message["follow_up"] = {"kind": kind, "confidence": 0.9}
    tracker = fresh_tracker({"country": country, "age_band": None, "flow": flow}, message,
                            events=after_turn(last_turn or []))
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {}))
    return [m.get("response") for m in dispatcher.messages]


def test_a_deadline_mid_sextortion_is_answered_there_not_with_the_start_menu():
    sent = _turn(HelpMenu(), "sextortion", kind="deadline")
    assert sent == ["utter_follow_up_deadline_sextortion", "utter_follow_up_way_on"]


def test_small_talk_outside_a_flow_and_asking_for_the_menu_still_get_the_menu():
    assert _turn(HelpMenu(), None)[0] == "utter_help_menu"
    assert _turn(HelpMenu(), "sextortion", intent="ask_help_menu", kind="deadline", confidence=1.0)[0] == "utter_help_menu"
    # "ok what do i tell her", read as asking for the menu at 0.49: answered in the flow.
    assert _turn(HelpMenu(), "sextortion", intent="ask_help_menu", confidence=0.49) == ["utter_follow_up_unclear"]


def test_an_unclear_message_mid_flow_stays_in_the_flow_with_the_crisis_line():
    assert _turn(HelpMenu(), "pressure") == ["utter_follow_up_unclear"]
    assert _turn(ActionNotUnderstood(), "unsafe_contact", intent="nlu_fallback") == ["utter_follow_up_unclear"]
    unclear = _domain_texts("utter_follow_up_unclear")
    assert unclear and all("{crisis_line}" in text for text in unclear)


def test_a_privacy_question_mid_flow_is_still_answered_first():
    sent = _turn(ActionNotUnderstood(), "sextortion", intent="nlu_fallback", privacy_question={"model_ranking": []})
    assert sent[0] == "utter_privacy_answer"


@pytest.mark.parametrize("kind", [None, *KINDS])
def test_in_a_crisis_every_follow_up_starts_with_the_crisis_lines(kind):
    # After something taken or a plan, the emergency number leads instead (the test after next).
    for step in [s for s, family in FAMILY.items()
                 if family == "crisis" and not s.endswith("_check") and s not in URGENT_FLOWS]:
        assert _turn(HelpMenu(), step, kind=kind)[0] == "utter_crisis_stay", step
        assert _turn(ActionNotUnderstood(), step, intent="nlu_fallback", kind=kind)[0] == "utter_crisis_stay", step
        again = _turn(HelpMenu(), step, kind=kind, last_turn=_turn(HelpMenu(), step, kind=kind))
        assert again[0] == "utter_crisis_now_lines", step
    assert all(text.startswith("You can reach someone here:\n{crisis_lines}") for text in _domain_texts("utter_crisis_now_lines"))


@pytest.mark.parametrize("kind", [None, *KINDS])
def test_in_danger_every_follow_up_starts_with_the_emergency_number(kind):
    for step in [s for s, family in FAMILY.items() if family == "danger" and not s.endswith("_check")]:
        assert _turn(HelpMenu(), step, kind=kind)[0] == "utter_danger_stay", step
    assert all(text.startswith("If you") and "{emergency_number}" in text.split(".")[0]
               for name in LINES_FIRST["danger"] for text in _domain_texts(name))


def test_they_know_where_i_live_gets_asked_whether_they_are_safe_now():
    assert _turn(HelpMenu(), "unsafe_contact", kind="knows_where")[-1] == "utter_follow_up_safe_check"
    buttons = [b["payload"] for v in _domain("utter_follow_up_safe_check") for b in v["buttons"]]
    assert "/danger" in buttons and "/human" in buttons


@pytest.mark.parametrize("family", sorted(set(FAMILY.values())))
@pytest.mark.parametrize("kind", [None, *KINDS])
def test_no_reply_repeats_the_one_just_sent(family, kind):
    step = next(s for s, f in FAMILY.items() if f == family and not s.endswith("_check"))
    first = _turn(HelpMenu(), step, kind=kind)
    second = _turn(HelpMenu(), step, kind=kind, last_turn=first)
    third = _turn(HelpMenu(), step, kind=kind, last_turn=second)
    assert first != second and second != third
    if family in LINES_FIRST:
        assert {first[0], second[0], third[0]} == set(LINES_FIRST[family])


def test_the_same_topic_again_goes_one_step_on_instead_of_repeating_its_first_reply():
    first = _turn(SextortionHelp(), None, intent="sextortion")
    assert first[0] == "utter_sextortion"
    again = _turn(SextortionHelp(), "sextortion", intent="sextortion", last_turn=first)
    assert again[0] == STEPS["save"][0]
    at_the_end = _turn(SextortionHelp(), "save", intent="sextortion")
    assert at_the_end == list(STEPS["wrap_up"])
    with_a_kind = _turn(SextortionHelp(), "sextortion", intent="sextortion", kind="no_money")
    assert with_a_kind[0] == "utter_follow_up_no_money_sextortion"


def test_crisis_said_again_keeps_its_lines_and_an_act_still_gets_the_emergency_number_first():
    signal = {"id": "crisis.suicide_wish", "emergency": False, "language": "en"}
    first = _turn(CrisisHelp(), None, intent="crisis", safety_signal=signal)
    assert first[0] == "utter_crisis"
    again = _turn(CrisisHelp(), "crisis", intent="crisis", safety_signal=signal, last_turn=first)
    assert again[0] == "utter_crisis_stay" and again != first
    act = {"id": "crisis.act", "emergency": True, "language": "en"}
    assert _turn(CrisisHelp(), "crisis", intent="crisis", safety_signal=act)[0] == STEPS["crisis_act"][0]
    assert _turn(DangerHelp(), "danger", intent="danger")[0] == "utter_danger_stay"


def test_after_a_check_in_the_same_unsure_guess_gets_the_full_reply_not_the_question_again():
    asked = _turn(CrisisHelp(), None, intent="crisis", confidence=0.6)
    assert asked == list(STEPS["crisis_check"])
    assert _turn(CrisisHelp(), "crisis_check", intent="crisis", confidence=0.6, last_turn=asked)[0] == "utter_crisis"


def test_every_follow_up_response_is_in_the_domain():
    names = {r for kind in [None, *KINDS] for family in set(FAMILY.values())
             for reply in replies(kind, family) for r in reply}
    names |= set(WAY_ON_BY_KIND.values())
    assert not [n for n in names if not _domain(n)]


def _domain(name: str) -> list[dict]:
    for path in RESPONSES.glob("*.yml"):
        found = (yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}).get(name)
        if found:
            return found
    return []


def _domain_texts(name: str) -> list[str]:
    return [variant["text"] for variant in _domain(name)]


@pytest.mark.parametrize("action, intent, adult_step", [(PressureHelp(), "pressure", "adult_pressure"),
                                                          (UnsafeContactHelp(), "unsafe_contact", "adult_contact")])
def test_an_adult_or_a_child_under_13_gets_the_adult_named_plainly(action, intent, adult_step):
    def first_reply(text: str, band: str | None = None, flow: str | None = None) -> str:
        message = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": []}
        dispatcher = CollectingDispatcher()
        asyncio.run(action.run(dispatcher, fresh_tracker({"country": "US", "age_band": band, "flow": flow}, message), {}))
        return dispatcher.messages[0]["response"]

    adult = STEPS[adult_step][0]
    assert first_reply("my bf is 14 and keeps asking for pics") == STEPS[intent][0]
    assert first_reply("hes 25 and keeps asking for pics") == adult
    assert first_reply("a grown man on roblox wants pics and says its our secret") == adult
    assert first_reply("he keeps asking for pics, im 10") == adult
    assert first_reply("he keeps asking for pics", band="under_13") == adult
    # Said only in a later message, within the same flow: named then, not the flow's next step.
    assert first_reply("oh and hes like 30", flow=intent) == adult


def test_a_friends_secret_is_answered_with_why_telling_is_being_a_good_friend():
    def turn(text: str, flow: str | None) -> list[str]:
        message = {"text": text, "intent": {"name": "friend", "confidence": 0.95}, "entities": []}
        dispatcher = CollectingDispatcher()
        asyncio.run(FriendHelp().run(dispatcher, fresh_tracker({"country": "US", "age_band": None, "flow": flow}, message), {}))
        return [m["response"] for m in dispatcher.messages]

    assert "utter_friend_promise" in turn("my friend is being blackmailed and she made me promise not to tell", None)
    assert "utter_friend_promise" not in turn("my friend is being blackmailed on insta", None)
    later = turn("but i swore i wouldnt tell anyone", "friend")
    assert later[0] == "utter_friend_promise" and "utter_friend" not in later
    assert _turn(HelpMenu(), "friend", text="she told me not to tell her mum")[0] == "utter_friend_promise"


def test_small_talk_right_after_the_menu_gets_a_shorter_reply_not_the_menu_again():
    first = _turn(HelpMenu(), None)
    assert first[0] == "utter_help_menu"
    again = _turn(HelpMenu(), None, last_turn=first)
    assert again == ["utter_help_menu_again"]
    assert _turn(HelpMenu(), None, last_turn=again)[0] == "utter_help_menu"
    assert _turn(HelpMenu(), None, intent="ask_help_menu", last_turn=first)[0] == "utter_help_menu"
    assert all("{crisis_line}" in text for text in _domain_texts("utter_help_menu_again"))


def test_a_follow_up_an_unsure_model_reads_as_crisis_is_answered_then_checked_in_on():
    # "im so stupid for sending it" mid-sextortion, crisis at 0.6 with no lexicon signal.
    sent = _turn(CrisisHelp(), "sextortion", intent="crisis", confidence=0.6, kind="self_blame")
    assert sent[0] == "utter_follow_up_self_blame" and sent[1:] == list(STEPS["crisis_check"])
    # A lexicon signal or a sure model: the lines first, as always.
    signal = {"id": "crisis.suicide_wish", "emergency": False, "language": "en"}
    assert _turn(CrisisHelp(), "sextortion", intent="crisis", kind="self_blame", safety_signal=signal)[0] == "utter_crisis"
    assert _turn(CrisisHelp(), "sextortion", intent="crisis", confidence=0.99, kind="self_blame")[0] == "utter_crisis"


def test_a_friend_at_risk_gets_what_to_do_for_them_with_the_emergency_number_first():
    signal = {"id": "crisis.friend_at_risk", "emergency": False, "language": "en"}
    sent = _turn(CrisisHelp(), None, intent="crisis", safety_signal=signal)
    assert sent[:2] == list(STEPS["crisis_friend"])
    assert all(t.startswith("Your friend could be in danger.") and "{emergency_number}" in t.split(".")[1]
               for t in _domain_texts("utter_crisis_friend"))
    assert all("{crisis_lines}" in t for t in _domain_texts("utter_crisis_friend_lines"))
    # Said again: the crisis lines first, as for any crisis follow-up, not the same reply.
    again = _turn(CrisisHelp(), "crisis_friend", intent="crisis", safety_signal=signal, last_turn=sent)
    assert again[0] == "utter_crisis_stay"


def test_a_practical_follow_up_an_unsure_model_reads_as_crisis_is_answered_in_its_flow_without_an_alarm():
    # "even if i wanted to pay i couldnt", mid-sextortion, read as crisis at 0.53 by one model.
    assert _turn(CrisisHelp(), "sextortion", intent="crisis", confidence=0.53, kind="no_money") == [
        "utter_follow_up_no_money_sextortion", "utter_follow_up_way_on"]
    # Not outside a flow, not when the lexicon saw crisis words, and not for how they feel.
    assert _turn(CrisisHelp(), None, intent="crisis", confidence=0.53, kind="no_money")[1:] == list(STEPS["crisis_check"])
    signal = {"id": "crisis.suicide_wish", "category": "crisis"}
    assert _turn(CrisisHelp(), "sextortion", intent="crisis", kind="no_money", safety_signal=signal)[0] == "utter_crisis"
    assert _turn(CrisisHelp(), "sextortion", intent="crisis", confidence=0.53, kind="upset")[1:] == list(STEPS["crisis_check"])



def test_a_time_or_the_means_said_mid_crisis_gets_the_emergency_number_and_an_adult_now():
    # A blind conversation: "tonight. ive got stuff in my room" got only "you can reach someone here".
    for text in ("tomorrow. before anyone wakes up", "i got everything in my bag already"):
        assert _turn(ActionNotUnderstood(), "crisis_stay", intent="nlu_fallback", text=text) == list(STEPS["crisis_plan"])
    plan = {"id": "crisis.suicide_plan", "category": "crisis"}
    assert _turn(CrisisHelp(), "crisis_now", intent="crisis", safety_signal=plan) == list(STEPS["crisis_plan"])
    # Said again right after, the emergency number first in other words (never the same twice in a row).
    again = _turn(CrisisHelp(), "crisis_plan", intent="crisis", safety_signal=plan, last_turn=list(STEPS["crisis_plan"]))
    assert again[0] == "utter_crisis_plan_again"
    # The same words outside a crisis conversation are nobody's alarm.
    assert _turn(ActionNotUnderstood(), "sextortion", intent="nlu_fallback", text="tomorrow. before anyone wakes up")[0] != "utter_crisis_plan"


def test_danger_where_they_are_never_says_dont_go_to_meet_them():
    hurt = {"id": "danger.being_hurt_now", "category": "danger"}
    meeting = {"id": "danger.meeting_online_contact", "category": "danger"}
    assert _turn(DangerHelp(), None, intent="danger", safety_signal=hurt) == list(STEPS["danger_here"])
    assert _turn(DangerHelp(), None, intent="danger", safety_signal=meeting) == list(STEPS["danger"])
    # "What to do now" there: a plan for where they are, not for a meeting.
    asked = _turn(NextStep(), "danger_here", intent="next_step", entities=[{"entity": "step", "value": "danger_plan"}])
    assert asked == list(STEPS["danger_here_plan"])
    assert all("meet" not in text for text in _domain_texts("utter_danger_here") + _domain_texts("utter_danger_again"))


@pytest.mark.parametrize("signal, step", [("danger.stranger_outside_now", "danger_home"),
                                          ("danger.says_they_are_here", "danger_home"),
                                          ("danger.in_a_car_now", "danger_car")])
@pytest.mark.parametrize("flow", [None, "sextortion", "danger"])
def test_someone_outside_their_home_or_being_in_his_car_gets_the_first_steps_for_that_place(signal, step, flow):
    # A fifth writer's 14-year-old alone at home was told "go to other people"; her 15-year-old
    # in a man's car got the grooming list. Mid-conversation too: the place's steps, not lines again.
    sent = _turn(DangerHelp(), flow, intent="danger", safety_signal={"id": signal, "category": "danger"})
    assert sent[:len(STEPS[step])] == list(STEPS[step])
    home = _domain_texts("utter_danger_home")
    assert home and all("Stay inside" in text and "{emergency_number}" in text for text in home)
    assert all("other people" not in text and "meet" not in text for text in home)
    assert all("get out and go to the staff" in text for text in _domain_texts("utter_danger_car_plan"))


def test_scared_mid_danger_that_an_unsure_model_reads_as_crisis_keeps_the_danger_lines():
    # "im scared. theres no one else about", followed by a van: a suicide check-in before.
    sent = _turn(CrisisHelp(), "danger_here", intent="crisis", confidence=0.6, kind="upset")
    assert sent[0] in LINES_FIRST["danger"] and "utter_crisis_check" not in sent


def test_with_no_country_crisis_and_danger_follow_ups_say_how_to_get_local_numbers_every_other_turn():
    first = _turn(CrisisHelp(), "crisis_now", intent="crisis", country=None, safety_signal={"id": "crisis.suicide_wish"})
    assert first[-1] == "utter_not_in_us"
    second = _turn(CrisisHelp(), "crisis_now", intent="crisis", country=None, safety_signal={"id": "crisis.suicide_wish"},
                   last_turn=first)
    assert "utter_not_in_us" not in second
    assert "utter_not_in_us" not in _turn(CrisisHelp(), "crisis_now", intent="crisis", country="UK",
                                          safety_signal={"id": "crisis.suicide_wish"})


@pytest.mark.parametrize("flow", ["crisis_act", "crisis_plan"])
def test_after_something_taken_or_a_plan_every_follow_up_leads_with_the_emergency_number(flow):
    # A fifth writer's "like 20 mins ago. im at home in my room" after "i took something" got the
    # danger script about meeting someone; "my mom is downstairs" after the means, the same.
    first = _turn(DangerHelp(), flow, intent="danger", text="my mom is downstairs", last_turn=list(STEPS[flow]))
    assert first[0] != STEPS[flow][0]  # not the words the step itself just led with
    second = _turn(HelpMenu(), flow, last_turn=first)
    third = _turn(HelpMenu(), flow, last_turn=second)
    for sent in (first, second, third):
        assert all("{emergency_number}" in text for text in _domain_texts(sent[0]))
        assert any("{crisis_line" in text for name in sent for text in _domain_texts(name))
        assert "utter_danger" not in sent
    assert first != second and second != third


def test_a_practical_follow_up_the_model_reads_as_another_topic_stays_in_the_flow():
    # "deadline is 6pm his time which is like 3am for me", mid-sextortion, read as an unsafe contact.
    assert _turn(UnsafeContactHelp(), "sextortion", intent="unsafe_contact", kind="deadline") == [
        "utter_follow_up_deadline_sextortion", "utter_follow_up_way_on"]
    # A new topic with no follow-up in it is a new topic.
    assert _turn(UnsafeContactHelp(), "sextortion", intent="unsafe_contact")[0] == "utter_unsafe_contact"
