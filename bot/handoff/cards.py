"""What counsellors read: the handoff card, the queue, and the desk's short answers.

A card says what a counsellor needs in the first seconds: how urgent, why the bot escalated
(the safety signal or intent that fired), age band, country, how long they have waited, and
only with the young person's yes, what they wrote. The group sees no transcript; only the
counsellor who takes the chat does.
"""

from __future__ import annotations

from datetime import datetime

from bot.handoff.desk import Event, Seat
from bot.messages import Button
from bot.store.models import Ticket

HELP = (
    "Counsellor commands:\n"
    "/queue - who is waiting, most urgent first\n"
    "/claim N - take chat #N (or tap Take on its card)\n"
    "/end - close your chat; the young person goes back to the bot\n"
    "/transfer - put your chat back in the queue for someone else\n"
    "/note TEXT - a private note on the ticket (the young person never sees it)\n"
    "/canned - ready replies to send\n"
    "/away, /available - stop or start being paged when a crisis chat waits\n"
    "/ban - end your chat; that young person gets the bot's help and lines, but no counsellor, for 30 days\n"
    "Supervisors: /who (who holds what), /reassign N, /audit N, /unban N\n"
    "Anything else you type goes to the young person, under your display name.\n"
    "Editing a message you sent changes their copy too."
)
NOT_A_COUNSELLOR = "Only counsellors on Waypoint's list can take chats."
NO_OPEN_CHAT = "You have no open chat. /queue shows who is waiting."


def waited_since(then: datetime, now: datetime) -> str:
    minutes = int((now - then).total_seconds() // 60)
    return "just now" if minutes < 1 else f"{minutes} min" if minutes < 120 else f"{minutes // 60} h"


def waited(ticket: Ticket, now: datetime) -> str:
    return waited_since(ticket.created_at, now)


def take_button(ticket: Ticket) -> Button:
    return Button(f"Take #{ticket.id}", f"claim:{ticket.id}")


def card(ticket: Ticket, now: datetime, history: list[str] | None = None) -> str:
    shared = ("yes, shown to whoever takes it" if ticket.share_history else "no, topic only")
    lines = [
        f"#{ticket.id} {ticket.category.upper()} - waiting {waited(ticket, now)}",
        f"Why: {ticket.reason}",
        f"Age: {ticket.age_band or 'not given'} - Country: {ticket.country or 'not given'}",
        f"Can read what they wrote: {shared}",
    ]
    if history:
        lines += ["", "What they wrote to the bot:", *(f"> {text}" for text in history)]
    return "\n".join(lines)


def claimed(ticket: Ticket, now: datetime, history: list[str], notes: list[str]) -> str:
    """The claimer's card: with what was shared, and notes from anyone who had the chat before."""
    earlier = "\n\nNotes from earlier counsellors:\n" + "\n".join(f"- {n}" for n in notes) if notes else ""
    return (f"You took #{ticket.id}. The young person has been told you joined.\n\n"
            f"{card(ticket, now, history)}{earlier}\n\n{HELP}")


def taken_by(ticket: Ticket, name: str) -> str:
    return f"#{ticket.id} {ticket.category.upper()} - taken by {name}"


def queue(tickets: list[Ticket], now: datetime) -> str:
    if not tickets:
        return "Nobody is waiting."
    return "\n".join(f"#{t.id} {t.category.upper()} - waiting {waited(t, now)} - {t.reason}" for t in tickets)


REFUSALS = {
    "taken": "Someone else took that chat first.",
    "busy": "You already have a chat open. /end or /transfer it first.",
    "not_found": "That chat is not waiting any more.",
    "not_counsellor": NOT_A_COUNSELLOR,
}


def from_youth(ticket: Ticket, text: str) -> str:
    return f"#{ticket.id}: {text}"


def signal_note(signal: str) -> str:
    return f"\n[safety signal: {signal}]"


YOUTH_LEFT = "#{id}: the young person ended the chat. It is closed."
YOUTH_ERASED = "#{id}: the young person used /delete. The chat is closed and its data erased."
YOUTH_EXITED = ("#{id}: the young person cleared their screen (quick exit), so their messages here were deleted "
                "too. The chat is still open.")
YOUTH_BLOCKED = ("#{id}: Telegram says the young person blocked the bot or left, so nothing more can reach "
                 "them. The chat is closed.")
YOUTH_MEDIA = "#{id}: the young person sent a photo, video or file. It was deleted unopened."

SUPERVISORS_ONLY = "Only supervisors can do that. Ask a supervisor, or /help for your commands."
NOW_AVAILABLE = "You're available: you'll get a private message when a crisis or danger chat is waiting."
NOW_AWAY = "You're away: no more pages. You can still use /queue and take chats. /available to come back."
BANNED = ("#{id} is closed. That young person can't ask for a counsellor for 30 days; the bot still answers "
          "them, crisis and danger lines included. A supervisor can /unban {id}.")
REASSIGNED = "A supervisor moved #{id} back to the queue. You're free for another chat."


def page(ticket: Ticket, now: datetime) -> str:
    return (f"Urgent: #{ticket.id} {ticket.category.upper()} is waiting ({waited(ticket, now)}).\n"
            f"Why: {ticket.reason}\nTap Take, or /claim {ticket.id}. /away stops these messages.")


def board(seats: list[Seat], waiting: int, now: datetime) -> str:
    """A supervisor's view: everyone, available or away, what they hold and for how long."""
    lines = [f"Waiting: {waiting}"]
    for seat in seats:
        state = "available" if seat.counsellor.available else "away"
        held = (f" - holding #{seat.holding.id} {seat.holding.category.upper()} for "
                f"{waited_since(seat.holding.claimed_at, now)}" if seat.holding else "")
        lines.append(f"{seat.counsellor.display_name} ({state}){held}")
    return "\n".join(lines)


def trail(ticket_id: int, events: list[Event]) -> str:
    """The audit trail of one chat: what happened, by whom, when (UTC); never what was written."""
    if not events:
        return f"Nothing recorded for #{ticket_id}."
    return f"#{ticket_id}, times in UTC:\n" + "\n".join(
        f"{e.at:%Y-%m-%d %H:%M} {e.action}" + (f" by {e.by}" if e.by else "") for e in events)
