"""The console channel: a chat in the terminal, or JSON lines for tests, demos and maintainers.

It takes the same path as Telegram (channel -> Rasa -> actions -> channel) through
`RasaBridge`, so what works here works there. Bad input never ends the session: a line that
cannot be read gets a kind explanation and the next line is read as usual.
"""

from __future__ import annotations

import json
import secrets
import sys
from typing import Any, TextIO

from bot.channels.lines import read_lines
from bot.conversation import RasaBridge, Reply

QUIT_WORDS = {"/quit", "/exit"}


def parse_jsonl_turn(line: str) -> tuple[str, dict[str, str]] | str:
    """Return (sender, {"text": ...} or {"payload": ...}), or a message saying what is wrong."""
    try:
        data = json.loads(line)
    except ValueError:
        return "That line isn't valid JSON, so nothing was sent. Send one JSON object per line."
    if not isinstance(data, dict):
        return 'Each line should be a JSON object like {"sender": "a", "text": "hi"}.'
    sender = data.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        return 'The line needs a "sender": a non-empty string that names the conversation.'
    kinds = [k for k in ("text", "payload") if k in data]
    if len(kinds) != 1:
        return 'The line needs exactly one of "text" (typed words) or "payload" (a button).'
    value = data[kinds[0]]
    if not isinstance(value, str) or not value.strip():
        return f'"{kinds[0]}" should be a non-empty string.'
    return sender, {kinds[0]: value}


async def run_jsonl(bridge: RasaBridge, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    async for line in read_lines(stdin):
        if not line.strip():
            continue
        turn = parse_jsonl_turn(line)
        if isinstance(turn, str):
            out: dict[str, Any] = {"sender": _sender_if_any(line), "error": turn}
        else:
            sender, message = turn
            result = await bridge.send(sender, **message)
            out = {"sender": sender, "replies": [r.as_dict() for r in result.replies]}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()


def _sender_if_any(line: str) -> str | None:
    try:
        sender = json.loads(line).get("sender")
    except (ValueError, AttributeError):
        return None
    return sender if isinstance(sender, str) else None


def render(replies: list[Reply]) -> str:
    """Bot bubbles as terminal text; buttons become numbered choices."""
    lines = []
    number = 0
    for reply in replies:
        for i, text_line in enumerate(reply.text.splitlines() or [""]):
            lines.append(("bot> " if i == 0 else "     ") + text_line)
        for button in reply.buttons:
            number += 1
            lines.append(f"     [{number}] {button.title}")
    return "\n".join(lines)


async def run_terminal(bridge: RasaBridge, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    sender = "console-" + secrets.token_hex(4)
    stdout.write(
        "Waypoint console. Type a message and press Enter; type a number to tap a button.\n"
        "Leave with /quit or Ctrl-D. Nothing you type here is stored.\n"
    )

    async def turn(**message: str) -> list[str]:
        """Sends one message, shows the replies, returns the payloads their buttons carry."""
        result = await bridge.send(sender, **message)
        stdout.write(render(result.replies) + "\n")
        return [b.payload for r in result.replies for b in r.buttons]

    # The same first message a young person gets on Telegram, where every chat opens with /start.
    choices = await turn(payload="/start")
    stdout.write("you> ")
    stdout.flush()
    async for line in read_lines(stdin):
        typed = line.strip()
        if typed.lower() in QUIT_WORDS:
            break
        if typed.isdigit() and 1 <= int(typed) <= len(choices):
            choices = await turn(payload=choices[int(typed) - 1])
        elif typed:
            choices = await turn(text=typed)
        stdout.write("you> ")
        stdout.flush()
    stdout.write("\nBye. Take care.\n")
    stdout.flush()
