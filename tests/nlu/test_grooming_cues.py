"""The grooming cues: what they must catch, and the everyday lines they must leave alone.

Cases live in grooming_cue_cases.yml beside this file; every new pattern brings a
must_catch line, every false-alarm fix a must_not_catch line. Whether a cue may lift the
model's choice is the pipeline's business (tests/nlu/test_classifier_gates.py).
"""

from pathlib import Path

import pytest
import yaml

from bot.safety_net import default_net, grooming_cues

CASES = yaml.safe_load((Path(__file__).parent / "grooming_cue_cases.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES["must_catch"], ids=lambda c: c["text"][:40])
def test_catches(case):
    match = grooming_cues().check(case["text"])
    assert match is not None, f"missed: {case['text']!r}"
    assert (match.category, match.signal) == ("unsafe_contact", case["signal"])


@pytest.mark.parametrize("text", CASES["must_not_catch"], ids=lambda t: t[:40])
def test_leaves_everyday_lines_alone(text):
    assert grooming_cues().check(text) is None


def test_every_cue_has_a_must_catch_case():
    caught = {case["signal"] for case in CASES["must_catch"]}
    assert [s.id for s in grooming_cues().signals if s.id not in caught] == []


def test_cues_never_raise_a_crisis_or_an_emergency():
    assert {(s.category, s.emergency, s.language) for s in grooming_cues().signals} == {("unsafe_contact", False, "en")}
    assert all(s.id.startswith("grooming.") for s in grooming_cues().signals)
    assert not {s.id for s in grooming_cues().signals} & {s.id for s in default_net().signals}
