"""Questions about the chat itself, answered first and honestly in any flow, measured on words
the project's authors did not write: one writer who saw no project data wrote
bot/data/privacy_questions.yml (what nlu_components/privacy_question.py learns from) and
tests/nlu/confidentiality_test.jsonl and confidentiality_negatives.jsonl (never trained on).
Real Rasa, real action server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.rasa

NLU = Path(__file__).parent.parent / "nlu"
ANSWER = "I won't tell your parents"


def _lines(name: str) -> list[dict]:
    return [json.loads(line) for line in (NLU / name).read_text(encoding="utf-8").splitlines() if line.strip()]


async def _answered(bridge, sender: str, text: str) -> bool:
    result = await bridge.send(sender, text=text)
    return any(ANSWER in reply.text for reply in result.replies)


async def test_questions_about_privacy_by_another_writer_are_answered_as_often_as_measured(bridge):
    """Measured 2026-12-06 on the held-out half: 14 of 30 answered (the target is most of
    them; docs/nlu-evaluation.md). This holds that line; the misses are the next work."""
    held_out = _lines("confidentiality_test.jsonl")
    answered = [line["text"] for i, line in enumerate(held_out)
                if await _answered(bridge, f"privacy-test-{i}", line["text"])]
    assert len(answered) >= 14, answered


async def test_telling_or_reporting_without_asking_about_this_chat_is_not_answered_as_if_it_were(bridge):
    clear = [line for line in _lines("confidentiality_negatives.jsonl") if not line["borderline"]]
    answered = [line["text"] for i, line in enumerate(clear)
                if await _answered(bridge, f"privacy-negative-{i}", line["text"])]
    assert len(answered) <= 0.1 * len(clear), answered


async def test_asked_mid_flow_it_is_answered_first_and_the_flow_goes_on(bridge):
    sender = "privacy-mid-flow"
    await bridge.send(sender, text="this account says theyll send my nudes to my followers unless i pay")
    asked = await bridge.send(sender, text="wait r u gonna tell my mom about this")
    assert ANSWER in asked.replies[0].text and "life is in danger" in asked.replies[0].text
    going_on = await bridge.send(sender, text="ok what now")
    assert "Here's what I can help with" not in going_on.replies[0].text


async def test_asked_with_no_topic_it_is_answered_with_a_way_to_go_on(bridge):
    asked = await bridge.send("privacy-alone", payload="/nlu_fallback")
    assert ANSWER not in asked.replies[0].text  # a plain miss is still "not understood"
    asked = await bridge.send("privacy-alone-2", text="do u keep a copy of what i type here")
    assert ANSWER in asked.replies[0].text


async def test_a_crisis_with_the_question_gets_the_crisis_line_first_then_the_answer(bridge):
    result = await bridge.send("privacy-crisis", text="i want to kill myself. r u gonna tell my parents")
    assert "988" in result.replies[0].text
    assert any(ANSWER in reply.text for reply in result.replies[1:])
