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
from actions.flows import STEPS, CrisisHelp, DangerHelp, HelpMenu, SextortionHelp
from actions.follow_ups import ANSWERS, FAMILY, LINES_FIRST, WAY_ON_BY_KIND, replies
from tests.support.tracker import after_turn, fresh_tracker

KINDS = sorted({kind for kind, _ in ANSWERS})
RESPONSES = Path(__file__).parent.parent / "responses"


def _turn(action, flow: str | None, intent: str = "out_of_scope", kind: str | None = None,
          last_turn: list[str] | None = None, confidence: float = 0.95, **extra) -> list[str]:
    message = {"text": "a message", "intent": {"name": intent, "confidence": confidence}, "entities": [], **extra}
    if kind:
        message["follow_up"] = {"kind": kind, "confidence": 0.9}
    tracker = fresh_tracker({"country": "US", "age_band": None, "flow": flow}, message,
                            events=after_turn(last_turn or []))
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {}))
    return [m.get("response") for m in dispatcher.messages]


def test_a_deadline_mid_sextortion_is_answered_there_not_with_the_start_menu():
    sent = _turn(HelpMenu(), "sextortion", kind="deadline")
    assert sent == ["utter_follow_up_deadline_sextortion", "utter_follow_up_way_on"]


def test_small_talk_outside_a_flow_and_asking_for_the_menu_still_get_the_menu():
    assert _turn(HelpMenu(), None)[0] == "utter_help_menu"
    assert _turn(HelpMenu(), "sextortion", intent="ask_help_menu", kind="deadline")[0] == "utter_help_menu"


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
    for step in [s for s, family in FAMILY.items() if family == "crisis" and not s.endswith("_check")]:
        assert _turn(HelpMenu(), step, kind=kind)[0] == "utter_crisis_stay", step
        assert _turn(ActionNotUnderstood(), step, intent="nlu_fallback", kind=kind)[0] == "utter_crisis_stay", step


@pytest.mark.parametrize("kind", [None, *KINDS])
def test_in_danger_every_follow_up_starts_with_the_emergency_number(kind):
    for step in [s for s, family in FAMILY.items() if family == "danger" and not s.endswith("_check")]:
        assert _turn(HelpMenu(), step, kind=kind)[0] == "utter_danger_stay", step
    assert all(text.startswith("If you") and "{emergency_number}" in text.split(".")[0]
               for text in _domain_texts("utter_danger_stay"))


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
        assert second[0] == third[0] == LINES_FIRST[family]


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
