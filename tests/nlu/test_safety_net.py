"""The crisis/danger lexicon: what it must catch, and the everyday lines it must leave alone.

Cases live in safety_lexicon_cases.yml beside this file; every new pattern brings a
must_catch line, every false-alarm fix a must_not_catch line.
"""

from pathlib import Path

import pytest
import yaml

from bot.safety_net import default_net, normalise

CASES = yaml.safe_load((Path(__file__).parent / "safety_lexicon_cases.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES["must_catch"], ids=lambda c: c["text"][:40])
def test_catches(case):
    match = default_net().check(case["text"])
    assert match is not None, f"missed: {case['text']!r}"
    assert (match.category, match.signal) == (case["category"], case["signal"])
    # An act done or under way leads the reply with the emergency number; a Spanish or
    # French phrasing gets the reply in that language. Absent keys mean: no, English.
    assert match.emergency is case.get("emergency", False), f"emergency flag: {case['text']!r}"
    assert match.language == case.get("language", "en"), f"language: {case['text']!r}"


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def _zero_width(text: str) -> str:
    return "\u200b".join(text)


def _look_alikes(text: str) -> str:
    return text.translate(str.maketrans("aeiocpxy", "аеіосрху"))  # Cyrillic letters


def _accents(text: str) -> str:
    return text.translate(str.maketrans("aeiou", "áéíóú"))


@pytest.mark.parametrize("dress", [_fullwidth, _zero_width, _look_alikes, _accents])
def test_letters_dressed_up_are_still_read(dress):
    # Fullwidth letters, zero-width spaces, Cyrillic look-alikes and accents hid crisis
    # words from the net in a black-box run; every must-catch case, dressed, still fires.
    missed = []
    for case in CASES["must_catch"]:
        match = default_net().check(dress(case["text"]))
        if match is None or match.signal != case["signal"]:
            missed.append(case["text"])
    assert missed == []


@pytest.mark.parametrize("text", CASES["must_not_catch"], ids=lambda t: t[:40])
def test_leaves_everyday_lines_alone(text):
    assert default_net().check(text) is None


def test_crisis_wins_over_danger_in_one_message():
    match = default_net().check("hes outside my house rn and honestly i just want to die")
    assert match is not None and match.category == "crisis"


def test_act_under_way_wins_over_a_plain_crisis_signal_in_one_message():
    match = default_net().check("i want to die and i already took the pills")
    assert match is not None
    assert (match.category, match.signal, match.emergency) == ("crisis", "crisis.act_under_way", True)


def test_act_under_way_wins_even_when_a_plain_crisis_signal_comes_first_in_the_file():
    # "kill myself" (suicide_wish) and "hang myself" (method_or_means) fire too, but the
    # attempt an hour ago is what the reply must lead with.
    match = default_net().check("i tried to hang myself an hour ago, i want to kill myself")
    assert match is not None and match.emergency and match.signal == "crisis.act_under_way"


def test_emergency_and_language_flags_are_well_formed():
    for signal in default_net().signals:
        assert signal.language in ("en", "es", "fr"), signal.id
        if signal.emergency:
            assert signal.category == "crisis", signal.id


def test_every_signal_has_a_must_catch_case():
    caught = {case["signal"] for case in CASES["must_catch"]}
    assert [s.id for s in default_net().signals if s.id not in caught] == []


def test_signal_ids_are_unique_and_stable_looking():
    ids = [s.id for s in default_net().signals]
    assert len(ids) == len(set(ids))
    assert all(i.split(".")[0] in ("crisis", "danger") for i in ids)


def test_normalising_handles_apostrophes_stretching_and_spacing():
    assert normalise("I’m   SOOOO  done, can't") == "im soo done, cant"
