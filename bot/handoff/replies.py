"""What a young person reads during a handoff: asking to share, their place in line, a
counsellor joining, the out-of-hours pack, the end. One wording for every age, held to the
under-13 reading level by the reply checks, with the region's lines filled in. Canned
replies (bot/data/canned_replies.yml) are here too: counsellors send them to young people.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Formatter

import yaml

from bot.messages import Button, Reply
from bot.resources import first, help_lines

CANNED_FILE = Path(__file__).resolve().parent.parent / "data" / "canned_replies.yml"

SHARE_YES = "/handoff_share_yes"
SHARE_NO = "/handoff_share_no"
NOT_NOW = "/handoff_not_now"
KEEP_WAITING = "/handoff_wait"
LEAVE = "/handoff_leave"
HELPED_YES = "/handoff_helped_yes"
HELPED_NO = "/handoff_helped_no"
PAYLOADS = (SHARE_YES, SHARE_NO, NOT_NOW, KEEP_WAITING, LEAVE, HELPED_YES, HELPED_NO)

LEAVE_BUTTON = Button("Stop waiting", LEAVE)
END_BUTTON = Button("End chat with counsellor", LEAVE)


def _crisis(region: str | None) -> str:
    return help_lines(region)["crisis_lines"]


def ask_to_share(region: str | None) -> tuple[Reply, Reply]:
    """Two messages: the lines to call right now first, then the question about sharing."""
    return (
        Reply(text=("I can ask a counsellor to chat with you here. You can also talk to someone right now:\n"
                    f"{_crisis(region)}")),
        Reply(
            text=(
                "Counsellors are trained to help young people.\n"
                "Can the counsellor read what you wrote to me? If you say no, they only see the topic, "
                "like \"someone is threatening me\"."
            ),
            buttons=(Button("Yes, they can read it", SHARE_YES), Button("No, just the topic", SHARE_NO),
                     Button("Not now", NOT_NOW)),
        ),
    )


def in_line(place: int, region: str | None) -> Reply:
    emergency = help_lines(region)["emergency_number"]
    return Reply(
        text=(
            f"Okay. I asked a counsellor to join. You are number {place} in line. I'll tell you when "
            "someone joins, and you can keep talking to me while you wait.\n"
            f"In danger right now? Call {emergency}."
        ),
        buttons=(LEAVE_BUTTON,),
    )


def no_counsellor(region: str | None) -> Reply:
    """For someone a counsellor banned (/ban): no chat with a person here, said without blame,
    and the lines to call now. The bot keeps answering them as before."""
    return Reply(text=("I can't bring a counsellor into this chat right now. I'm still here for you, and you "
                       f"can talk to someone now:\n{_crisis(region)}\n"
                       f"In danger right now? Call {help_lines(region)['emergency_number']}."))


def still_in_line(place: int) -> Reply:
    return Reply(text=f"You're still in line, number {place}. I'll tell you when a counsellor joins.",
                 buttons=(LEAVE_BUTTON,))


def joined(name: str) -> Reply:
    return Reply(
        text=(
            f"{name}, a counsellor, joined the chat. What you type now goes to {name}, not to me. "
            "You are not in trouble. You can end this chat any time."
        ),
        buttons=(END_BUTTON,),
    )


def from_counsellor(name: str, text: str) -> str:
    return f"{name}: {text}"


def with_counsellor(name: str) -> Reply:
    return Reply(text=f"You're chatting with {name} now. Just type your message.", buttons=(END_BUTTON,))


def back_in_line(place: int) -> Reply:
    return Reply(
        text=(f"Your counsellor had to step away, so you're back in line, number {place}. Someone else "
              "will join soon. You can talk to me while you wait."),
        buttons=(LEAVE_BUTTON,),
    )


def waiting_pack(region: str | None, opens: str | None) -> tuple[Reply, Reply]:
    """No counsellor now: out of hours (`opens` says when they are back) or all busy. Two
    messages: the lines to call now first, then where to report and the choice to wait."""
    report = first(region, "report").contact_line()
    first_line = (f"No one is in right now. We are back {opens}."
                  if opens else "All of us are busy right now.")
    return (
        Reply(text=f"{first_line}\nYou can talk to someone now:\n{_crisis(region)}"),
        Reply(
            text=(f"If someone threatens you or asks for nudes, report them: {report}.\n"
                  "Do you want to wait, or talk with me again?"),
            buttons=(Button("Keep waiting", KEEP_WAITING), Button("Back to the bot", LEAVE)),
        ),
    )


def expired(region: str | None) -> Reply:
    return Reply(text=(f"I'm sorry, no counsellor could join this time. You can ask again with /human. "
                       f"You can talk to someone now:\n{_crisis(region)}"))


CLOSED = Reply(
    text="The counsellor ended the chat, and you're back with me now. Did this help?",
    buttons=(Button("Yes, it helped", HELPED_YES), Button("Not really", HELPED_NO)),
)
LEFT = Reply(text="Okay, you're back with me. You can ask for a person again any time with /human.")
NOT_NOW_REPLY = Reply(text="Okay. I'm still here. You can ask for a person any time with /human.")
THANKS = Reply(text="Thanks for telling me. I'm still here if you need me, and /human asks for a person again.")
COUNSELLORS_ONLY = Reply(
    text="That command is only for Waypoint counsellors. If you want to talk to a person, send /human."
)


@dataclass(frozen=True)
class Canned:
    """A ready reply: one message, or a few sent one after another (canned_replies.yml `text`
    is then a list). A message after the first whose placeholders all come out empty for a
    region (it has no more removal tools, say) is left out there."""

    key: str
    title: str
    texts: tuple[str, ...]

    def messages_for(self, region: str | None) -> tuple[str, ...]:
        """The messages as the young person in `region` receives them, in order."""
        values = help_lines(region)
        return tuple(
            text.format(**values) for i, text in enumerate(self.texts)
            if i == 0 or not (fields := _placeholders(text)) or any(values[f] for f in fields)
        )


def _placeholders(text: str) -> list[str]:
    return [name for _, name, _, _ in Formatter().parse(text) if name]


@lru_cache(maxsize=1)
def canned() -> tuple[Canned, ...]:
    data = yaml.safe_load(CANNED_FILE.read_text(encoding="utf-8"))
    return tuple(
        Canned(key=entry["key"], title=entry["title"],
               texts=(entry["text"],) if isinstance(entry["text"], str) else tuple(entry["text"]))
        for entry in data["canned"]
    )
