"""What the crisis and danger actions do with the sentence encoder's second opinion
(nlu_components/second_opinion.py): where it doubted the model's own sure guess, the first
reply asks, with the numbers, instead of asserting; a lexicon signal always wins. Run with
rasa-sdk's own Tracker and CollectingDispatcher."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.flows import CrisisHelp, DangerHelp
from tests.support.tracker import fresh_tracker


def _first_turn(action, opinion: str | None, signal: dict | None = None) -> tuple[str, list[dict]]:
    message = {"text": "a message", "intent": {"name": action.step, "confidence": 0.99}, "entities": []}
    if opinion:
        message["second_opinion"] = {"model_intent": action.step, "category": "other", "p_safety": 0.05,
                                     "decision": opinion}
    if signal:
        message["safety_signal"] = signal
    tracker = fresh_tracker({"country": "US", "age_band": None}, message)
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    flow = next(e["value"] for e in events if e.get("name") == "flow")
    return flow, dispatcher.messages


@pytest.mark.parametrize("action", [CrisisHelp(), DangerHelp()], ids=["crisis", "danger"])
def test_a_doubted_guess_is_asked_about_and_a_kept_one_is_answered(action):
    asked, messages = _first_turn(action, "asked")
    assert asked == f"{action.step}_check"
    assert messages and all(m.get("response") for m in messages)
    kept, _ = _first_turn(action, "kept")
    assert kept == action.step
    plain, _ = _first_turn(action, None)
    assert plain == action.step


def test_a_lexicon_signal_is_answered_whatever_the_second_opinion_says():
    flow, _ = _first_turn(CrisisHelp(), "asked", {"id": "crisis.suicide_wish", "emergency": False, "language": "en"})
    assert flow == "crisis"


def _asked_about_privacy(action, confidence: float, signal: dict | None = None) -> list[str]:
    message = {"text": "r u gonna tell my mom", "intent": {"name": action.step, "confidence": confidence},
               "entities": [], "privacy_question": {"model_ranking": []}}
    if signal:
        message["safety_signal"] = signal
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, fresh_tracker({"country": "US", "age_band": None}, message), {}))
    return [m.get("response") for m in dispatcher.messages]


@pytest.mark.parametrize("action", [CrisisHelp(), DangerHelp()], ids=["crisis", "danger"])
def test_a_privacy_question_an_unsure_model_reads_as_crisis_is_answered_before_the_check_in(action):
    # "wait r u gonna tell my mom about this" mid-sextortion got "are you thinking about
    # hurting yourself?" before any answer to what was asked (2026-12-06, model 14d91393).
    unsure = _asked_about_privacy(action, 0.5)
    assert unsure[0] == "utter_privacy_answer" and unsure[1] == f"utter_{action.step}_check"
    # A sure guess or a lexicon signal: its lines first, the answer after (safety rule 2).
    for sent in (_asked_about_privacy(action, 0.99), _asked_about_privacy(action, 0.5, {"category": action.step})):
        assert sent[0] == f"utter_{action.step}" and sent[-1] == "utter_privacy_answer"
