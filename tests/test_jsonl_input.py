"""Bad JSONL input gets a clear, kind explanation instead of a crash."""

import pytest

from bot.channels.console import parse_jsonl_turn, render
from bot.conversation import Button, Reply


@pytest.mark.parametrize(
    "line, explains",
    [
        ("{not json", "isn't valid JSON"),
        ('["a list"]', "JSON object"),
        ('{"text": "hi"}', '"sender"'),
        ('{"sender": "", "text": "hi"}', '"sender"'),
        ('{"sender": "a"}', 'exactly one of "text"'),
        ('{"sender": "a", "text": "hi", "payload": "/greet"}', 'exactly one of "text"'),
        ('{"sender": "a", "text": 5}', "non-empty string"),
    ],
)
def test_unreadable_lines_are_explained(line, explains):
    message = parse_jsonl_turn(line)
    assert isinstance(message, str) and explains in message


def test_text_and_payload_lines_are_read():
    assert parse_jsonl_turn('{"sender": "a", "text": "hi"}') == ("a", {"text": "hi"})
    assert parse_jsonl_turn('{"sender": "a", "payload": "/greet"}') == ("a", {"payload": "/greet"})


def test_buttons_are_numbered_across_bubbles_in_the_terminal():
    shown = render([
        Reply("first\nsecond line", (Button("Yes", "/affirm"),)),
        Reply("pick one", (Button("A", "/a"), Button("B", "/b"))),
    ])
    assert shown.splitlines() == [
        "bot> first", "     second line", "     [1] Yes", "bot> pick one", "     [2] A", "     [3] B",
    ]
