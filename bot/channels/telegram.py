"""The Telegram channel (python-telegram-bot 22): private chats only, polling or webhook.

Each handler does one thing: pass a young person's words or button taps to Rasa under a
pseudonymous id and send Rasa's replies back as plain text (never parsed as markup, so
nothing anyone types can break the formatting) with inline buttons, paced like a person
typing; delete media at once without downloading it; clear the chat on /exit; leave groups.
Each chat is answered in order while chats run side by side.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import resources
from bot.channels.chat_history import ChatHistory
from bot.channels.keyboard import keyboard
from bot.channels.sending import PatientRateLimiter, SkipUnreadableUpdates, send_text
from bot.channels.handoff import COUNSELLOR_COMMANDS, TelegramHandoff
from bot.conversation import RasaBridge
from bot.handoff import cards
from bot.handoff.desk import HandoffDesk
from bot.handoff.hours import Schedule, load_schedule
from bot.messages import Button, Reply
from bot.never_silent import fallback_for
from bot.safety_net import default_net
from bot.identity import subject_id

log = logging.getLogger(__name__)

NOT_PRIVATE_REPLY = (
    "I only work in private chats, so nobody else sees what you tell me. "
    "Tap my name and start a private chat with me. I'm leaving this group now."
)
SHARED_PLACE_REPLY = (
    "I deleted that right away. I don't need your number or where you are, and I didn't keep them."
)
CANT_READ_REPLY = "I can only read typed words, so I didn't open that. Can you tell me in words what's going on?"
EXIT_LINE = "Chat cleared."
EXIT_BUTTON = Button(title="Exit (clear this chat)", payload="/exit")

PRIVATE = filters.ChatType.PRIVATE
# Bot commands and the Rasa intent each one means (/exit is handled here, not by Rasa).
COMMAND_PAYLOADS = {
    "start": "/start", "help": "/ask_help_menu", "privacy": "/privacy", "mydata": "/mydata", "human": "/human",
    "delete": "/delete",
}
RECENT_UPDATES = 1000  # update ids remembered, so one delivered twice is answered once
# Deleted from the chat at once: they may be private pics of a minor, or say where they are.
DELETED_MEDIA = (
    filters.PHOTO | filters.VIDEO | filters.Document.ALL | filters.VIDEO_NOTE | filters.CONTACT | filters.LOCATION
)


def media_refusal(country: str | None) -> tuple[str, str]:
    """Why a photo, video or file was deleted, then where to ask for a private pic to come
    down: two messages, as the removal tool's line is most of one. One wording for every age,
    held to the under-13 reading level (the reply checks)."""
    removal = resources.first(country, "removal").line()
    return ("I deleted that right away. I never open or keep photos, videos or files. Please "
            "don't send them here. You're not in trouble. You can tell me in words what is going on.",
            f"If someone has a private pic of you, ask to have it removed:\n{removal}")


class PerChatOrder(BaseUpdateProcessor):
    """One chat's updates strictly in order; different chats at the same time.

    A young person's second message must never be answered before their first, and one slow
    turn must not make everyone else wait. Locks exist only while a chat has work in flight,
    so nothing about a chat outlives its messages.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._in_flight: dict[int, int] = {}
        self._recent: collections.deque[int] = collections.deque(maxlen=RECENT_UPDATES)

    def _seen_before(self, update_id: int) -> bool:
        if update_id in self._recent:
            return True
        self._recent.append(update_id)
        return False

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if isinstance(update, Update) and self._seen_before(update.update_id):
            coroutine.close()  # Telegram sent it again (a webhook retry): answered once already
            return
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        async with self.hold(chat.id):
            await coroutine

    @contextlib.asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        """This chat's turn: messages the bot starts itself (a counsellor joining, the
        out-of-hours pack) wait here too, so nothing lands in the middle of a reply."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._in_flight[chat_id] = self._in_flight.get(chat_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._in_flight[chat_id] -= 1
            if not self._in_flight[chat_id]:
                del self._in_flight[chat_id], self._locks[chat_id]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    base_url: str
    subject_key: str = field(repr=False)
    pacing: float = 1.0
    counsellor_chat_id: int | None = None
    webhook_url: str | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)


class TelegramChannel:
    def __init__(self, config: TelegramConfig, bridge: RasaBridge, desk: HandoffDesk | None = None,
                 schedule: Schedule | None = None) -> None:
        self.config = config
        self.bridge = bridge
        self.history = ChatHistory()
        self.updates_request = SkipUnreadableUpdates()
        order = PerChatOrder()
        self.application = (
            Application.builder()
            .token(config.token)
            .base_url(config.base_url)
            .rate_limiter(PatientRateLimiter())
            .get_updates_request(self.updates_request)
            .concurrent_updates(order)
            .build()
        )
        # Handoff to counsellors needs the database; without it, /human gets the lines to call.
        self.handoff = None if desk is None else TelegramHandoff(
            desk=desk, store=desk.store, bridge=bridge, schedule=schedule or load_schedule(),
            counsellor_chat_id=config.counsellor_chat_id, send_to_youth=self._send, hold=order.hold)
        add = self.application.add_handler
        add(MessageHandler(PRIVATE & filters.UpdateType.EDITED, self.on_edit))
        # /exit, or the word "exit" alone, however it is typed: quick exit must not need a slash.
        add(CommandHandler("exit", self.on_exit, filters=PRIVATE))
        add(MessageHandler(PRIVATE & filters.Regex(r"(?i)^\s*exit\s*$"), self.on_exit))
        if self.handoff is not None:
            add(CommandHandler(list(COUNSELLOR_COMMANDS), self.handoff.on_command, filters=PRIVATE))
        add(CommandHandler(list(COMMAND_PAYLOADS), self.on_command, filters=PRIVATE))
        # Any other text, unknown commands included, goes to Rasa: nothing typed is ignored.
        add(MessageHandler(PRIVATE & filters.TEXT, self.on_text))
        add(CallbackQueryHandler(self.on_button))
        add(MessageHandler(PRIVATE & DELETED_MEDIA, self.on_deleted_media))
        add(MessageHandler(PRIVATE & filters.ATTACHMENT, self.on_unreadable))
        add(MessageHandler(~PRIVATE, self.on_not_private))
        self.application.add_error_handler(self.on_error)

    def _subject(self, update: Update) -> str:
        return subject_id(self.config.subject_key, update.effective_user.id)

    async def _send(self, chat_id: int, text: str, buttons: tuple[Button, ...] = ()) -> list[int]:
        """One reply in one chat, cut into Telegram-sized pieces, each remembered for /exit;
        returns their message ids."""
        sent = [message.message_id for message in
                await send_text(self.application.bot, chat_id, text, keyboard(buttons))]
        for message_id in sent:
            self.history.add(chat_id, message_id)
        return sent

    async def _reply(self, update: Update, replies: list[Reply], exit_button: bool = False) -> None:
        """Each reply a message, paced about like someone typing."""
        chat = update.effective_chat
        for i, reply in enumerate(replies):
            if i and self.config.pacing:
                await chat.send_action(ChatAction.TYPING)
                await asyncio.sleep(self.config.pacing)
            await self._send(chat.id, reply.text, (*reply.buttons, EXIT_BUTTON) if exit_button and i == 0 else reply.buttons)

    async def _answer(self, update: Update, *, exit_button: bool = False, **message: str) -> None:
        """One turn through Rasa (a request for a person becomes a handoff when counsellors exist)."""
        if update.effective_message is not None:
            self.history.add(update.effective_chat.id, update.effective_message.message_id)
        subject = self._subject(update)
        result = await self.bridge.send(subject, **message)
        if self.handoff is not None:
            result = await self.handoff.after_turn(subject, result)
        await self._reply(update, result.replies, exit_button)

    async def _in_relay(self, update: Update) -> bool:
        """A counsellor owns this chat: bot commands and old buttons get a pointer to them."""
        if self.handoff is None:
            return False
        pointer = await self.handoff.youth_in_relay(self._subject(update))
        if pointer is not None:
            await self._reply(update, [pointer])
        return pointer is not None

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        command = update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
        if (command in ("start", "help") and self.handoff is not None
                and await self.handoff.is_counsellor(update.effective_user.id)):
            await update.effective_chat.send_message(cards.HELP)  # counsellors get their own help
            return
        if command in ("start", "help", "human") and await self._in_relay(update):
            return
        if command == "delete" and self.handoff is not None:
            await self.handoff.before_erase(self._subject(update))
        await self._answer(update, payload=COMMAND_PAYLOADS[command], exit_button=command == "start")

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._take_words(update, update.effective_message.text)

    async def on_edit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message.text or message.caption:
            await self._take_words(update, message.text or message.caption, edited=True)

    async def _take_words(self, update: Update, text: str, *, edited: bool = False) -> None:
        """Typed words, a caption's or an edit's: to the counsellor who holds the chat, or a
        turn. An edit is not a new turn (answering it again repeated the whole reply): in a
        relay a young person's goes across marked as edited and a counsellor's changes the
        young person's copy; otherwise it is answered only when the safety net sees crisis or
        danger in the new words."""
        if self.handoff is not None:
            handled, answer = await self.handoff.take_text(update.effective_user.id, self._subject(update), text,
                                                           message_id=update.effective_message.message_id,
                                                           edited=edited)
            if answer:
                await update.effective_chat.send_message(answer)
            if handled:
                self.history.add(update.effective_chat.id, update.effective_message.message_id)
                return
        if edited and default_net().check(text) is None:
            return
        await self._answer(update, text=text)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if self.handoff is not None and query.data and query.data.partition(":")[0] in ("claim", "canned"):
            await self.handoff.on_button(update, update.effective_user.id, query.data)
            return
        await query.answer()
        if query.message is None or update.effective_chat.type != "private":
            return
        if query.data == EXIT_BUTTON.payload:
            await self._clear(update)
            return
        if self.handoff is not None:
            subject = self._subject(update)
            steps = await self.handoff.youth_payload(subject, update.effective_chat.id, query.data)
            if steps is not None:
                await self._reply(update, steps)
                return
            if await self._in_relay(update):
                return
        await self._answer(update, payload=query.data)

    async def on_exit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.history.add(update.effective_chat.id, update.effective_message.message_id)
        await self._clear(update)

    async def _clear(self, update: Update) -> None:
        """Quick exit: delete every message the bot still can, both sides, then one neutral line."""
        chat = update.effective_chat
        for message_id in self.history.take(chat.id):
            # Already deleted by the young person, or too old: nothing more can be done.
            with contextlib.suppress(TelegramError):
                await chat.delete_message(message_id)
        await self._send(chat.id, EXIT_LINE)
        if self.handoff is not None:
            await self.handoff.youth_exited(self._subject(update))

    async def on_deleted_media(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Never downloaded (no getFile), deleted at once, and the young person told why. A
        caption is their words: answered first (it may say they are in danger), then the note."""
        message = update.effective_message
        with contextlib.suppress(TelegramError):
            await message.delete()
        if message.caption:
            await self._take_words(update, message.caption)
        chat = update.effective_chat.id
        if message.contact or message.location:
            await self._send(chat, SHARED_PLACE_REPLY)
        else:
            country = (await self.bridge.profile_of(self._subject(update))).country
            await self._reply(update, [Reply(text) for text in media_refusal(country)])
        if self.handoff is not None:
            await self.handoff.youth_event(self._subject(update), cards.YOUTH_MEDIA)

    async def on_unreadable(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Voice, audio, stickers, GIFs: not opened, not downloaded; a caption is answered as
        words, and without one the young person is asked for words."""
        message = update.effective_message
        if message.caption:
            await self._take_words(update, message.caption)
            return
        self.history.add(update.effective_chat.id, message.message_id)
        await self._send(update.effective_chat.id, CANT_READ_REPLY)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A handler broke: never silent. The young person still gets the lines to call (crisis
        first when their words show it); the log gets the error's type, never their words."""
        log.error("update handler failed", extra={"error": context.error.__class__.__name__})
        if not isinstance(update, Update) or update.effective_chat is None or update.effective_chat.type != "private":
            return
        message = update.effective_message
        profile = await self.bridge.profile_of(self._subject(update))
        with contextlib.suppress(TelegramError):
            await self._send(update.effective_chat.id,
                             fallback_for(message.text if message else None, profile.country, profile.age_band))

    async def on_not_private(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Groups, supergroups and channels: one line, then leave, except the counsellors' group."""
        chat = update.effective_chat
        if chat.id == self.config.counsellor_chat_id:
            return
        if chat.type != "channel":
            await chat.send_message(NOT_PRIVATE_REPLY)
        await chat.leave()

    async def run(self) -> None:
        """Poll, or serve the webhook on loopback, until cancelled; then shut down cleanly."""
        async with self.application:
            await self.application.start()
            watching = None
            if self.handoff is not None:
                self.handoff.bot = self.application.bot
                watching = asyncio.ensure_future(self.handoff.watch_waiting())
            updater = self.application.updater
            if self.config.webhook_url:
                await updater.start_webhook(
                    listen=self.config.webhook_host,
                    port=self.config.webhook_port,
                    url_path="telegram",
                    webhook_url=self.config.webhook_url,
                    secret_token=self.config.webhook_secret,
                )
                log.info("telegram webhook listening", extra={"port": self.config.webhook_port})
            else:
                await updater.start_polling()
                log.info("telegram polling started")
            try:
                await asyncio.Event().wait()
            finally:
                if watching is not None:
                    watching.cancel()
                await updater.stop()
                await self.application.stop()
