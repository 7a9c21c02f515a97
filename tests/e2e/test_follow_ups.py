"""Mid-conversation follow-ups through the real Rasa and action servers: answered in the flow,
never the start menu, never the reply just sent; crisis keeps its lines. The follow-up lines
are another writer's (tests/nlu/follow_ups_dev.jsonl), never trained on."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.rasa

MENU_BUTTON = "Someone's threatening me"


def _texts(result) -> list[str]:
    return [reply.text for reply in result.replies]


def _is_menu(result) -> bool:
    return any(MENU_BUTTON in reply.buttons for reply in result.replies)


async def test_sextortion_follow_ups_are_answered_in_the_flow_and_never_repeat(bridge):
    sender = "follow-ups-sextortion"
    first = await bridge.send(sender, text="a guy on insta says he will post my pics unless i pay him 300 dollars")
    assert "pay" in first.replies[0].text.lower()
    turns = {
        "deadline is 6pm his time which is like 3am for me": "deadline",
        "even if i wanted to pay i couldnt": "don't need money",
        "already muted and archived the chat": "already done",
        "are u still there": "I'm here",
    }
    previous = _texts(first)
    for text, expected in turns.items():
        result = await bridge.send(sender, text=text)
        assert not _is_menu(result), text
        assert any(expected.lower() in t.lower() for t in _texts(result)), (text, _texts(result))
        assert _texts(result) != previous, text
        previous = _texts(result)


async def test_small_talk_mid_flow_stays_in_the_flow_with_the_crisis_line(bridge):
    sender = "follow-ups-small-talk"
    await bridge.send(sender, text="this older guy from roblox keeps asking me to add him on discord and wants my address")
    result = await bridge.send(sender, text="lol my cat just walked on my keyboard")
    assert not _is_menu(result)
    assert any("988" in t for t in _texts(result))


async def test_a_follow_up_in_a_crisis_starts_with_the_crisis_lines(bridge):
    sender = "follow-ups-crisis"
    first = await bridge.send(sender, text="i just want to die, i cant do this anymore")
    assert "988" in first.replies[0].text
    for text in ("i cant focus on anything", "are u still there", "are u still there"):
        result = await bridge.send(sender, text=text)
        assert "988" in result.replies[0].text, (text, _texts(result))
        assert _texts(result) != _texts(first)
        first = result


async def test_a_typed_yes_or_no_right_after_crisis_or_danger_gets_the_lines_again(bridge):
    """A typed "no" to "are you safe right now?" got "Okay. I'm listening" and no number (the
    third blind conversations' review)."""
    await bridge.send("yes-no-danger", payload="/danger")
    answered = await bridge.send("yes-no-danger", text="no")
    assert "call 911" in answered.replies[0].text
    await bridge.send("yes-no-crisis", payload="/crisis")
    answered = await bridge.send("yes-no-crisis", text="yes")
    assert "988" in answered.replies[0].text
    # Out of the blue, a yes still just invites them to talk.
    answered = await bridge.send("yes-no-alone", text="yes")
    assert "listening" in answered.replies[0].text
