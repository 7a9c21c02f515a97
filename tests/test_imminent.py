"""A plan said in passing (bot/data/crisis_context.yml): read only inside a crisis conversation,
so everyday words ("tonight ill tell my mum") never raise it; cases in other words than the
conversation line that showed the gap."""

from pathlib import Path

import pytest
import yaml

from actions.imminent import crisis_context

CASES = yaml.safe_load((Path(__file__).parent / "nlu" / "crisis_context_cases.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES["must_catch"], ids=lambda c: c["text"][:40])
def test_a_time_or_the_means_is_read(case):
    match = crisis_context().check(case["text"])
    assert match is not None and match.signal == case["signal"], case["text"]


@pytest.mark.parametrize("text", CASES["must_not_catch"], ids=lambda t: t[:40])
def test_plans_to_get_help_and_everyday_words_are_not(text):
    assert crisis_context().check(text) is None


def test_every_signal_has_a_case():
    assert {s.id for s in crisis_context().signals} == {c["signal"] for c in CASES["must_catch"]}
