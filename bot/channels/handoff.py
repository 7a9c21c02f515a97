"""Counsellor handoff in Telegram: ask, queue, claim, relay, end, out of hours.

While a counsellor owns a chat, the young person's words go only to that counsellor and the
counsellor's replies come back from the bot under their display name: neither sees the
other's Telegram account, and Rasa is paused, so the bot says nothing of its own. Every
step's state is a ticket row (bot/handoff/desk.py), so a restart in the middle of a relay
carries on. Messages the bot starts itself (a counsellor joining, the out-of-hours pack)
wait for the young person's turn to finish, so they never land in the middle of a reply.
The database is reached in a thread, and when it fails a young person still gets an answer
with the lines to call.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.channels.keyboard import keyboard
from bot.channels.sending import send_text
from bot.conversation import RasaBridge, TurnResult
from bot.handoff import cards, replies
from bot.handoff.desk import ACTIVE, URGENT, HandoffDesk
from bot.handoff.hours import Schedule, local_time_for
from bot.loops import every
from bot.messages import Button, Reply
from bot.never_silent import fallback_text
from bot.safety_net import Match, default_net
from bot.store.models import Counsellor, Ticket
from bot.store.privacy import PrivacyStore

log = logging.getLogger(__name__)

# Each is a `_<name>_command` method of TelegramHandoff; the supervisors' need the supervisor role.
SUPERVISOR_COMMANDS = ("who", "reassign", "audit", "unban")
COUNSELLOR_COMMANDS = ("queue", "claim", "end", "note", "transfer", "canned", "available", "away", "ban",
                       *SUPERVISOR_COMMANDS)
WAIT_BUCKETS = ((1, "under 1 min"), (3, "1-3 min"), (10, "3-10 min"), (30, "10-30 min"))
MIRRORS = 2000  # counsellor messages whose copy in the young person's chat can still follow an edit

# (chat id, text, buttons): sends one message to a young person's chat, remembers it for /exit,
# and returns the ids of the Telegram messages it took.
SendToYouth = Callable[[int, str, tuple[Button, ...]], Awaitable[list[int]]]
# A young person's chat id -> a context manager that waits for their turn (PerChatOrder.hold).
HoldChat = Callable[[int], contextlib.AbstractAsyncContextManager]


def ticket_number(words: str) -> int | None:
    """The chat number a command names ("12" or "#12"), or None."""
    first = words.split()[0].lstrip("#") if words.split() else ""
    return int(first) if first.isdigit() else None


def wait_bucket(waited: timedelta) -> str:
    minutes = waited.total_seconds() / 60
    return next((label for limit, label in WAIT_BUCKETS if minutes < limit), "30 min or more")


class TelegramHandoff:
    def __init__(self, *, desk: HandoffDesk, store: PrivacyStore, bridge: RasaBridge, schedule: Schedule,
                 counsellor_chat_id: int | None, send_to_youth: SendToYouth, hold: HoldChat,
                 watch_seconds: float = 10.0) -> None:
        self.desk = desk
        self.store = store
        self.bridge = bridge
        self.schedule = schedule
        self.group = counsellor_chat_id
        self._send_to_youth = send_to_youth
        self._hold = hold
        self.watch_seconds = watch_seconds
        self.bot = None  # set by the channel once its Application exists
        self._cards: set[asyncio.Task] = set()
        # (counsellor, their message id) -> (young person's chat, the copy's id): ids only, in
        # memory; after a restart an edit arrives as a new message marked "(edited)".
        self._mirrors: collections.OrderedDict[tuple[int, int], tuple[int, int]] = collections.OrderedDict()

    def _card_later(self, work: Coroutine[Any, Any, None]) -> None:
        """Cards and card edits for the group go out after the young person's reply, never
        before it: the group is paced to 20 messages a minute, and in a surge a crisis reply
        waited minutes behind cards."""
        task = asyncio.ensure_future(work)
        self._cards.add(task)
        task.add_done_callback(self._card_done)

    def _card_done(self, task: asyncio.Task) -> None:
        self._cards.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("group card failed", extra={"error": task.exception().__class__.__name__})

    async def _db(self, call, *args):
        return await asyncio.to_thread(call, *args)

    async def _count(self, metric: str, label: str) -> None:
        with contextlib.suppress(SQLAlchemyError):  # metrics never cost anyone a reply
            await self._db(self.store.count, metric, label)

    async def _tell_youth(self, chat: int, *messages: Reply) -> list[int]:
        """Messages the bot starts itself, in order: they wait for the young person's turn to
        finish, and nothing lands between them. Returns the Telegram message ids they took."""
        sent: list[int] = []
        async with self._hold(chat):
            for reply in messages:
                sent += await self._send_to_youth(chat, reply.text, reply.buttons)
        return sent

    # --- a young person's side -------------------------------------------------------------
    async def take_text(self, user_id: int, subject: str, text: str, *, message_id: int,
                        edited: bool = False) -> tuple[bool, str | None]:
        """Typed text (or an edit of it, `message_id` being the message), before Rasa sees it:
        (handled here, what to tell the writer).

        A counsellor's words go to the young person whose chat they own, and an edit changes
        the copy they already have. A young person's go to their counsellor when one owns the
        chat (then not to Rasa; an edit goes across as a new message marked "(edited)", so the
        counsellor sees what changed); while they wait, the bot keeps answering, and with their
        yes to (a) the words are kept for the card.
        """
        try:
            route = await self._db(self.desk.route, user_id, subject)
        except SQLAlchemyError:
            log.warning("handoff lookup failed; the bot answers instead")
            return False, None
        if route.counsellor is not None:  # never to Rasa, whatever happens next
            if edited:
                return True, await self.counsellor_edit(user_id, message_id, text)
            return True, await self.counsellor_text(user_id, text, source=message_id)
        if route.ticket is None:
            return False, None
        if edited:
            text = f"(edited) {text}"
        with contextlib.suppress(SQLAlchemyError):  # not kept: the message still goes through
            await self._db(self.desk.keep_for_counsellor, route.ticket, text)
        signal = default_net().check(text)  # the deterministic net, as in Rasa: no model needed
        if route.ticket.status != "claimed" or route.owner is None:
            if signal is not None:
                self._card_later(self._escalate(route.ticket, signal))
            return False, None
        relayed = cards.from_youth(route.ticket, text)
        if signal is not None:
            relayed += cards.signal_note(signal.signal)
        # protect_content: the young person's words cannot be forwarded or saved from the counsellor's chat.
        sent = await send_text(self.bot, route.owner.telegram_user_id, relayed, protect_content=True)
        await self._remember(route.ticket, route.owner.telegram_user_id, sent)
        return True, None

    async def _remember(self, ticket: Ticket, chat_id: int, sent: list[Message]) -> None:
        with contextlib.suppress(SQLAlchemyError):  # then only Telegram's own 48 h limit is left
            await self._db(self.desk.remember_copies, ticket, chat_id, [m.message_id for m in sent])

    async def _delete_copies(self, ticket: Ticket) -> None:
        """The young person's words leave the counsellor's chat: when the chat ends, moves on,
        or they use /exit or /delete (Telegram lets a bot delete its messages for 48 hours)."""
        with contextlib.suppress(SQLAlchemyError):
            for chat_id, message_id in await self._db(self.desk.take_copies, ticket.id):
                with contextlib.suppress(TelegramError):  # older than 48 h, or already gone
                    await self.bot.delete_message(chat_id, message_id)

    async def _escalate(self, ticket: Ticket, signal: Match) -> None:
        """Waiting, they wrote something that shows crisis or danger: up the queue, and the
        group's card says so (the bot answers them with the crisis line meanwhile)."""
        try:
            moved = await self._db(self.desk.escalate, ticket, signal.category,
                                   f"safety signal {signal.signal} while waiting (was: {ticket.reason})")
        except SQLAlchemyError:
            return
        if moved is None:
            return
        log.info("ticket moved up", extra={"ticket": moved.id, "category": moved.category})
        if self.group is not None and moved.group_message_id is not None:
            with contextlib.suppress(TelegramError):
                await self.bot.edit_message_text(cards.card(moved, self.store.now()), chat_id=self.group,
                                                 message_id=moved.group_message_id,
                                                 reply_markup=keyboard((cards.take_button(moved),)))
        await self._page(moved)

    async def youth_in_relay(self, subject: str) -> Reply | None:
        """What to say when a young person in a relay taps an old button or sends a command
        meant for the bot; None when no counsellor owns their chat."""
        with contextlib.suppress(SQLAlchemyError):
            ticket = await self._db(self.desk.active_for_subject, subject)
            if ticket is not None and ticket.status == "claimed":
                return await self._where_they_are(ticket)
        return None

    async def youth_exited(self, subject: str) -> None:
        """Quick exit: their words leave the counsellor's screen too, and the counsellor is told."""
        with contextlib.suppress(SQLAlchemyError):
            ticket = await self._db(self.desk.active_for_subject, subject)
            if ticket is not None:
                await self._delete_copies(ticket)
        await self.youth_event(subject, cards.YOUTH_EXITED)

    async def youth_event(self, subject: str, notice: str) -> None:
        """Tells the counsellor who owns this young person's chat what happened (quick exit, media)."""
        with contextlib.suppress(SQLAlchemyError, TelegramError):
            ticket = await self._db(self.desk.active_for_subject, subject)
            if ticket is not None and ticket.status == "claimed":
                counsellor = await self._db(self.desk.counsellor_of, ticket)
                if counsellor is not None:
                    await send_text(self.bot, counsellor.telegram_user_id, notice.format(id=ticket.id))

    async def before_erase(self, subject: str) -> None:
        """/delete: the counsellor learns the chat ended before every row about it goes."""
        with contextlib.suppress(SQLAlchemyError, TelegramError):
            ticket = await self._db(self.desk.active_for_subject, subject)
            if ticket is not None:
                closed = await self._db(self.desk.close, ticket)
                await self._delete_copies(ticket)
                await self._tell_counsellor(closed, cards.YOUTH_ERASED)
                await self._update_card(ticket, f"#{ticket.id} closed (the young person used /delete)")

    async def after_turn(self, subject: str, result: TurnResult) -> TurnResult:
        """Rasa's "you asked for a person" becomes the question about sharing, when counsellors exist."""
        if not result.handoff:
            return result
        try:
            if not await self._db(self.desk.has_counsellors):
                return result  # Rasa's reply: nobody here yet, and the lines to call now
            if await self._db(self.desk.is_banned, subject):
                return TurnResult(replies=[replies.no_counsellor((await self.bridge.profile_of(subject)).country)])
            ticket = await self._db(self.desk.active_for_subject, subject)
        except SQLAlchemyError:
            return result
        if ticket is not None:
            return TurnResult(replies=[await self._where_they_are(ticket)])
        return TurnResult(replies=[*replies.ask_to_share((await self.bridge.profile_of(subject)).country)])

    async def youth_payload(self, subject: str, chat_id: int, payload: str) -> list[Reply] | None:
        """A handoff button: the messages that answer it, in order; None when `payload` is not one."""
        if payload not in replies.PAYLOADS:
            return None
        try:
            if payload in (replies.SHARE_YES, replies.SHARE_NO):
                return await self._request(subject, chat_id, share=payload == replies.SHARE_YES)
            if payload in (replies.HELPED_YES, replies.HELPED_NO):
                await self._count("handoff_feedback", "helped" if payload == replies.HELPED_YES else "not really")
                return [replies.THANKS]
            ticket = await self._db(self.desk.active_for_subject, subject)
            if payload == replies.KEEP_WAITING and ticket is not None:
                return [await self._where_they_are(ticket)]
            if payload == replies.LEAVE and ticket is not None:
                await self._leave(ticket)
                return [replies.LEFT]
            return [replies.NOT_NOW_REPLY]
        except SQLAlchemyError:
            log.warning("handoff step failed; sent the lines to call")
            profile = await self.bridge.profile_of(subject)
            return [Reply(text=fallback_text(profile.country, age_band=profile.age_band))]

    async def _where_they_are(self, ticket: Ticket) -> Reply:
        if ticket.status == "claimed":
            counsellor = await self._db(self.desk.counsellor_of, ticket)
            return replies.with_counsellor(counsellor.display_name if counsellor else "your counsellor")
        return replies.still_in_line(await self._db(self.desk.place_in_line, ticket))

    async def _request(self, subject: str, chat_id: int, *, share: bool) -> list[Reply]:
        current = await self._db(self.desk.active_for_subject, subject)
        if current is not None:
            return [await self._where_they_are(current)]
        context = await self.bridge.handoff_context(subject)
        if await self._db(self.desk.is_banned, subject):
            return [replies.no_counsellor(context.country)]
        ticket, _ = await asyncio.to_thread(
            lambda: self.desk.open(subject_id=subject, youth_chat=chat_id, category=context.category,
                                   reason=context.reason, age_band=context.age_band, country=context.country,
                                   share_history=share, history=context.texts))
        await self._count("handoff", "requested")
        self._card_later(self._post_card(ticket))
        now = self.store.now()
        if not self.schedule.is_open(now):
            await self._db(self.desk.mark_noticed, ticket)
            return [*replies.waiting_pack(context.country, self._opening(context.country))]
        return [replies.in_line(await self._db(self.desk.place_in_line, ticket), context.country)]

    def _opening(self, region: str | None) -> str | None:
        opens = self.schedule.next_opening(self.store.now())
        return local_time_for(region, opens, self.schedule) if opens else "soon"

    async def _leave(self, ticket: Ticket) -> None:
        closed = await self._db(self.desk.close, ticket)
        if closed is None:
            return
        await self._count("handoff", "ended by young person")
        await self._delete_copies(ticket)
        if ticket.status == "claimed":
            await self.bridge.resume(ticket.subject_id)
            await self._tell_counsellor(closed, cards.YOUTH_LEFT)
        await self._update_card(ticket, f"#{ticket.id} closed (the young person stopped waiting)")

    async def _tell_counsellor(self, closed, notice: str) -> None:
        if closed is not None and closed.counsellor is not None:
            with contextlib.suppress(TelegramError):
                await send_text(self.bot, closed.counsellor.telegram_user_id, notice.format(id=closed.ticket.id))

    # --- the counsellors' group --------------------------------------------------------------
    async def _post_card(self, ticket: Ticket) -> None:
        """The card in the group, and a crisis or danger chat pages whoever is available."""
        if self.group is not None:
            button = cards.take_button(ticket)
            try:
                *_, sent = await send_text(self.bot, self.group, cards.card(ticket, self.store.now()),
                                           keyboard((button,)))
                await self._db(self.desk.set_group_message, ticket.id, sent.message_id)
            except (TelegramError, SQLAlchemyError) as exc:
                log.warning("could not post the handoff card", extra={"error": exc.__class__.__name__})
        await self._page(ticket)

    async def _page(self, ticket: Ticket) -> None:
        """A crisis or danger chat is waiting: each available counsellor who holds no chat gets
        a private message with a Take button (a group message is easy to miss). /away stops it."""
        if ticket.category not in URGENT:
            return
        try:
            people = await self._db(self.desk.on_call)
        except SQLAlchemyError:
            return
        paged = 0
        for person in people:
            try:
                await send_text(self.bot, person.telegram_user_id, cards.page(ticket, self.store.now()),
                                keyboard((cards.take_button(ticket),)))
                paged += 1
            except TelegramError as exc:  # never pressed Start, or blocked the bot: the others still hear
                log.warning("could not page a counsellor", extra={"error": exc.__class__.__name__})
        if paged:
            with contextlib.suppress(SQLAlchemyError):
                await self._db(self.desk.record, ticket.id, "paged")

    async def _update_card(self, ticket: Ticket, text: str) -> None:
        if self.group is None or ticket.group_message_id is None:
            return
        with contextlib.suppress(TelegramError):
            await self.bot.edit_message_text(text, chat_id=self.group, message_id=ticket.group_message_id)

    # --- a counsellor's side -----------------------------------------------------------------
    async def is_counsellor(self, user_id: int) -> bool:
        try:
            return await self._db(self.desk.counsellor, user_id) is not None
        except SQLAlchemyError:
            return False

    async def counsellor_text(self, user_id: int, text: str, *more: str, source: int | None = None) -> str | None:
        """A counsellor's words (and `more` messages after them, in order), relayed to the young
        person whose chat they own; returns what to tell the counsellor when there is nobody
        to send them to. `source` is the counsellor's own message, so an edit can follow it."""
        ticket = await self._db(self.desk.active_for_counsellor, user_id)
        if ticket is None:
            return cards.NO_OPEN_CHAT
        counsellor = await self._db(self.desk.counsellor, user_id)
        chat = await self._db(self.desk.youth_chat, ticket)
        relayed = (Reply(replies.from_counsellor(counsellor.display_name, t)) for t in (text, *more))
        try:
            sent = await self._tell_youth(chat, *relayed)
        except Forbidden:
            return await self._youth_gone(ticket)
        if source is not None and len(sent) == 1:  # a copy in pieces is not edited: the edit comes new
            self._mirrors[(user_id, source)] = (chat, sent[0])
            while len(self._mirrors) > MIRRORS:
                self._mirrors.popitem(last=False)
        return None

    async def counsellor_edit(self, user_id: int, source: int, text: str) -> str | None:
        """A counsellor corrected a message: the young person's copy changes the same way
        (editMessageText). Where it cannot (the copy is gone, too old, or from before a
        restart) the new words are sent as a new message marked "(edited)"."""
        copy = self._mirrors.get((user_id, source))
        ticket = await self._db(self.desk.active_for_counsellor, user_id)
        if copy is not None and ticket is not None and copy[0] == await self._db(self.desk.youth_chat, ticket):
            counsellor = await self._db(self.desk.counsellor, user_id)
            try:
                await self.bot.edit_message_text(replies.from_counsellor(counsellor.display_name, text),
                                                 chat_id=copy[0], message_id=copy[1])
                return None
            except Forbidden:
                return await self._youth_gone(ticket)
            except BadRequest as exc:
                if "not modified" in exc.message.lower():
                    return None
        return await self.counsellor_text(user_id, f"(edited) {text}")

    async def _youth_gone(self, ticket: Ticket) -> str:
        """They blocked the bot (or deleted their account): the chat is closed, and the
        counsellor is told instead of writing into nothing."""
        await self._db(self.desk.close, ticket)
        await self._delete_copies(ticket)
        await self.bridge.resume(ticket.subject_id)
        await self._update_card(ticket, f"#{ticket.id} closed (the young person blocked the bot)")
        await self._count("handoff", "youth blocked the bot")
        return cards.YOUTH_BLOCKED.format(id=ticket.id)

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A counsellor command, for people on the list only (supervisors' commands for
        supervisors): each is one method below, answered in the counsellor's private chat."""
        chat = update.effective_chat
        try:
            counsellor = await self._db(self.desk.counsellor, update.effective_user.id)
        except SQLAlchemyError:
            counsellor = None
        if counsellor is None:
            await chat.send_message(replies.COUNSELLORS_ONLY.text)
            return
        command = update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
        if command in SUPERVISOR_COMMANDS and not counsellor.supervisor:
            await chat.send_message(cards.SUPERVISORS_ONLY)
            return
        rest = update.effective_message.text.partition(" ")[2].strip()
        answer = await getattr(self, f"_{command}_command")(counsellor, rest)
        if answer:
            text, *buttons = answer if isinstance(answer, tuple) else (answer,)
            await send_text(self.bot, chat.id, text, keyboard(tuple(buttons)))

    async def _queue_command(self, counsellor: Counsellor, rest: str) -> tuple:
        waiting = await self._db(self.desk.queue)
        return (cards.queue(waiting, self.store.now()), *(cards.take_button(t) for t in waiting[:10]))

    async def _claim_command(self, counsellor: Counsellor, rest: str) -> str:
        number = ticket_number(rest)
        if number is None:
            return "Write the chat's number after /claim, like: /claim 12"
        return await self.claim(number, counsellor.telegram_user_id)

    async def _canned_command(self, counsellor: Counsellor, rest: str) -> tuple:
        return ("Tap a ready reply to send it to the young person:",
                *(Button(c.title, f"canned:{c.key}") for c in replies.canned()))

    async def _end_command(self, counsellor: Counsellor, rest: str) -> str:
        ticket = await self._db(self.desk.active_for_counsellor, counsellor.telegram_user_id)
        return cards.NO_OPEN_CHAT if ticket is None else await self._end(ticket, counsellor)

    async def _transfer_command(self, counsellor: Counsellor, rest: str) -> str:
        ticket = await self._db(self.desk.active_for_counsellor, counsellor.telegram_user_id)
        if ticket is None:
            return cards.NO_OPEN_CHAT
        await self._back_to_queue(ticket, "transferred", counsellor)
        return f"#{ticket.id} is back in the queue."

    async def _note_command(self, counsellor: Counsellor, rest: str) -> str:
        ticket = await self._db(self.desk.active_for_counsellor, counsellor.telegram_user_id)
        if ticket is None:
            return cards.NO_OPEN_CHAT
        if not rest:
            return "Write the note after /note, like: /note school is the main worry"
        await self._db(self.desk.note, ticket, counsellor.telegram_user_id, rest)
        return f"Note saved on #{ticket.id}. The young person never sees notes."

    async def _available_command(self, counsellor: Counsellor, rest: str) -> str:
        await self._db(self.desk.set_available, counsellor.telegram_user_id, True)
        return cards.NOW_AVAILABLE

    async def _away_command(self, counsellor: Counsellor, rest: str) -> str:
        await self._db(self.desk.set_available, counsellor.telegram_user_id, False)
        return cards.NOW_AWAY

    async def _ban_command(self, counsellor: Counsellor, rest: str) -> str:
        """/ban: the chat you hold; a supervisor may name any open chat (/ban N)."""
        number = ticket_number(rest)
        if number is not None and not counsellor.supervisor:
            return cards.SUPERVISORS_ONLY
        ticket = (await self._db(self.desk.ticket, number) if number is not None
                  else await self._db(self.desk.active_for_counsellor, counsellor.telegram_user_id))
        if ticket is None:
            return cards.NO_OPEN_CHAT
        await self._db(self.desk.ban, ticket, counsellor.telegram_user_id)
        if ticket.status in ACTIVE:
            await self._end(ticket, counsellor)
        await self._count("handoff", "banned")
        return cards.BANNED.format(id=ticket.id)

    async def _unban_command(self, counsellor: Counsellor, rest: str) -> str:
        number = ticket_number(rest)
        ticket = None if number is None else await self._db(self.desk.ticket, number)
        if ticket is None:
            return "Write the number of a chat of theirs after /unban, like: /unban 12"
        if not await self._db(self.desk.unban, ticket):
            return f"The young person of #{ticket.id} was not banned."
        return f"The young person of #{ticket.id} can ask for a counsellor again."

    async def _who_command(self, counsellor: Counsellor, rest: str) -> str:
        return cards.board(await self._db(self.desk.board), len(await self._db(self.desk.queue)), self.store.now())

    async def _reassign_command(self, counsellor: Counsellor, rest: str) -> str:
        """A supervisor moves a held chat back to the queue (its counsellor is told) for someone else."""
        number = ticket_number(rest)
        ticket = None if number is None else await self._db(self.desk.ticket, number)
        if ticket is None or ticket.status != "claimed":
            return "Write the number of a chat someone holds after /reassign, like: /reassign 12 (see /who)"
        holder = await self._db(self.desk.counsellor_of, ticket)
        await self._back_to_queue(ticket, "reassigned", counsellor)
        if holder is not None and holder.telegram_user_id != counsellor.telegram_user_id:
            with contextlib.suppress(TelegramError):
                await send_text(self.bot, holder.telegram_user_id, cards.REASSIGNED.format(id=ticket.id))
        return f"#{ticket.id} is back in the queue, first in its place."

    async def _audit_command(self, counsellor: Counsellor, rest: str) -> str:
        number = ticket_number(rest)
        if number is None:
            return "Write the chat's number after /audit, like: /audit 12"
        return cards.trail(number, await self._db(self.desk.trail, number))

    async def on_button(self, update: Update, user_id: int, data: str) -> None:
        """"Take" on a card (claim:N) or a canned reply (canned:key)."""
        query = update.callback_query
        if not await self.is_counsellor(user_id):
            await query.answer(cards.NOT_A_COUNSELLOR, show_alert=True)
            return
        kind, _, value = data.partition(":")
        if kind == "claim" and value.isdigit():
            outcome = await self.claim(int(value), user_id)
            await query.answer(outcome[:200], show_alert=not outcome.startswith("You took"))
        elif kind == "canned":
            await query.answer()
            await send_text(self.bot, update.effective_chat.id, await self._send_canned(user_id, value))
        else:
            await query.answer()

    async def claim(self, ticket_id: int, user_id: int) -> str:
        result = await self._db(self.desk.claim, ticket_id, user_id)
        if result.ticket is None:
            return cards.REFUSALS[result.refusal]
        ticket = result.ticket
        counsellor = await self._db(self.desk.counsellor, user_id)
        history = await self._db(self.desk.history, ticket)
        notes = await self._db(self.desk.notes, ticket)  # a transferred chat keeps what was learnt
        try:
            card = await send_text(self.bot, user_id, cards.claimed(ticket, self.store.now(), history, notes),
                                   protect_content=True)
        except Forbidden:
            # Telegram lets a bot write only to people who started a chat with it.
            await self._db(self.desk.transfer, ticket, "not reached", user_id)
            return "Start a private chat with me first (open it and press Start), then take the chat again."
        await self._remember(ticket, user_id, card)
        if history:
            await self._db(self.desk.record, ticket.id, "read", user_id)
        await self.bridge.pause(ticket.subject_id)
        chat = await self._db(self.desk.youth_chat, ticket)
        try:
            await self._tell_youth(chat, replies.joined(counsellor.display_name))
        except Forbidden:
            return await self._youth_gone(ticket)
        await self._update_card(ticket, cards.taken_by(ticket, counsellor.display_name))
        await self._count("handoff", "claimed")
        await self._count("handoff_wait", wait_bucket(ticket.claimed_at - ticket.created_at))
        return f"You took #{ticket.id}. Your private chat with me has the card."

    async def _end(self, ticket: Ticket, counsellor: Counsellor) -> str:
        closed = await self._db(self.desk.close, ticket, "closed", counsellor.telegram_user_id)
        if closed is None:
            return "That chat had already ended."
        await self._delete_copies(ticket)
        await self.bridge.resume(ticket.subject_id)
        if closed.youth_chat is not None:
            with contextlib.suppress(Forbidden):  # they blocked the bot: closed all the same
                await self._tell_youth(closed.youth_chat, replies.CLOSED)
        await self._count("handoff", "closed")
        return f"Closed #{ticket.id}. The young person is back with the bot."

    async def _back_to_queue(self, ticket: Ticket, action: str, by: Counsellor) -> None:
        """/transfer or a supervisor's /reassign: the chat waits again, keeping its place."""
        back = await self._db(self.desk.transfer, ticket, action, by.telegram_user_id)
        await self._delete_copies(ticket)  # the next counsellor gets the card afresh
        await self.bridge.resume(ticket.subject_id)
        chat = await self._db(self.desk.youth_chat, back)
        place = await self._db(self.desk.place_in_line, back)
        await self._tell_youth(chat, replies.back_in_line(place))
        await self._update_card(ticket, f"#{ticket.id} went back to the queue")
        await self._post_card(back)
        await self._count("handoff", action)

    async def _send_canned(self, user_id: int, key: str) -> str:
        chosen = next((c for c in replies.canned() if c.key == key), None)
        ticket = await self._db(self.desk.active_for_counsellor, user_id)
        if chosen is None or ticket is None:
            return cards.NO_OPEN_CHAT if ticket is None else "That ready reply no longer exists."
        messages = chosen.messages_for(ticket.country)  # one or a few, each its own message
        gone = await self.counsellor_text(user_id, *messages)
        if gone is not None:
            return gone
        return f"Sent to #{ticket.id}: " + "\n\n".join(messages)

    # --- waiting too long, or out of hours ---------------------------------------------------
    async def watch_waiting(self) -> None:
        """Forever: nobody took a chat in time -> the waiting pack, once; far too long -> expired."""
        await every(self.watch_seconds, self.check_waiting, "waiting room")

    async def check_waiting(self) -> None:
        for ticket in await self._db(self.desk.returned):
            # Their counsellor was taken off the list mid-chat: Rasa wakes, they are told, a new card.
            await self._delete_copies(ticket)
            await self.bridge.resume(ticket.subject_id)
            await self._tell_youth(await self._db(self.desk.youth_chat, ticket),
                                   replies.back_in_line(await self._db(self.desk.place_in_line, ticket)))
            await self._db(self.desk.mark_return_told, ticket)
            self._card_later(self._post_card(ticket))
        for ticket in await self._db(self.desk.due_for_notice, self.schedule.claim_timeout):
            opens = None if self.schedule.is_open(self.store.now()) else self._opening(ticket.country)
            pack = replies.waiting_pack(ticket.country, opens)
            chat = await self._db(self.desk.youth_chat, ticket)
            await self._tell_youth(chat, *pack)
            await self._db(self.desk.mark_noticed, ticket)
        for ticket in await self._db(self.desk.stale, self.schedule.max_wait):
            closed = await self._db(self.desk.close, ticket, "expired")
            if closed is None or closed.youth_chat is None:
                continue
            message = replies.expired(ticket.country)
            await self._tell_youth(closed.youth_chat, message)
            await self._update_card(ticket, f"#{ticket.id} expired: nobody took it")
            await self._count("handoff", "expired")
