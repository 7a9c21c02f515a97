"""The Telegram channel (python-telegram-bot 22): private chats only, polling or webhook.

Each handler does one thing: pass a young person's words or button taps to Rasa under a
pseudonymous id and send Rasa's replies back as plain text (never parsed as markup, so
nothing anyone types can break the formatting) with inline buttons, paced like a person
typing; delete media at once without downloading it; clear the chat on /exit; leave groups.
Each chat is answered in order while chats run side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
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
from bot.conversation import Button, RasaBridge
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
# Deleted from the chat at once: they may be private pics of a minor, or say where they are.
DELETED_MEDIA = (
    filters.PHOTO | filters.VIDEO | filters.Document.ALL | filters.VIDEO_NOTE | filters.CONTACT | filters.LOCATION
)
MAX_MESSAGE = 4096  # Telegram's limit for one message's text


def media_refusal(region: str | None) -> str:
    """Why a photo, video or file was deleted, and where a private pic can be taken down."""
    removal = resources.first(region, "removal")
    return (
        "I deleted that right away. I never open or keep photos, videos or files, so please "
        "don't send them here. You're not in trouble. If someone has a private pic of you, it "
        f"can be taken down: {removal.contact_line()}. Or tell me in words what's going on."
    )


def split_for_telegram(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Pieces of at most `limit` characters, cut at a line break or space where possible."""
    pieces = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    return [*pieces, text] if text else pieces


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

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._in_flight[chat.id] = self._in_flight.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._in_flight[chat.id] -= 1
            if not self._in_flight[chat.id]:
                del self._in_flight[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.title, callback_data=b.payload)] for b in buttons])


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
    def __init__(self, config: TelegramConfig, bridge: RasaBridge) -> None:
        self.config = config
        self.bridge = bridge
        self.history = ChatHistory()
        self.application = (
            Application.builder()
            .token(config.token)
            .base_url(config.base_url)
            .rate_limiter(AIORateLimiter())
            .concurrent_updates(PerChatOrder())
            .build()
        )
        add = self.application.add_handler
        # /exit, or the word "exit" alone, however it is typed: quick exit must not need a slash.
        add(CommandHandler("exit", self.on_exit, filters=PRIVATE))
        add(MessageHandler(PRIVATE & filters.Regex(r"(?i)^\s*exit\s*$"), self.on_exit))
        add(CommandHandler(list(COMMAND_PAYLOADS), self.on_command, filters=PRIVATE))
        # Any other text, unknown commands included, goes to Rasa: nothing typed is ignored.
        add(MessageHandler(PRIVATE & filters.TEXT, self.on_text))
        add(CallbackQueryHandler(self.on_button))
        add(MessageHandler(PRIVATE & DELETED_MEDIA, self.on_deleted_media))
        add(MessageHandler(PRIVATE & filters.ATTACHMENT, self.on_unreadable))
        add(MessageHandler(~PRIVATE, self.on_not_private))

    def _subject(self, update: Update) -> str:
        return subject_id(self.config.subject_key, update.effective_user.id)

    async def _send(self, update: Update, text: str, buttons: tuple[Button, ...] = ()) -> Message:
        chat = update.effective_chat
        sent = await chat.send_message(text, reply_markup=_keyboard(buttons))
        self.history.add(chat.id, sent.message_id)
        return sent

    async def _answer(self, update: Update, *, exit_button: bool = False, **message: str) -> None:
        """One turn through Rasa; each reply a message, paced about like someone typing."""
        if update.effective_message is not None:
            self.history.add(update.effective_chat.id, update.effective_message.message_id)
        result = await self.bridge.send(self._subject(update), **message)
        for i, reply in enumerate(result.replies):
            if i and self.config.pacing:
                await update.effective_chat.send_action(ChatAction.TYPING)
                await asyncio.sleep(self.config.pacing)
            buttons = (*reply.buttons, EXIT_BUTTON) if exit_button and i == 0 else reply.buttons
            *pieces, last = split_for_telegram(reply.text)
            for piece in pieces:
                await self._send(update, piece)
            await self._send(update, last, buttons)

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        command = update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
        await self._answer(update, payload=COMMAND_PAYLOADS[command], exit_button=command == "start")

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._answer(update, text=update.effective_message.text)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer()
        if query.message is None or update.effective_chat.type != "private":
            return
        if query.data == EXIT_BUTTON.payload:
            await self._clear(update)
        else:
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
        await self._send(update, EXIT_LINE)

    async def on_deleted_media(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Never downloaded (no getFile), deleted at once, and the young person told why."""
        message = update.effective_message
        with contextlib.suppress(TelegramError):
            await message.delete()
        if message.contact or message.location:
            await self._send(update, SHARED_PLACE_REPLY)
        else:
            await self._send(update, media_refusal(await self.bridge.region_of(self._subject(update))))

    async def on_unreadable(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Voice, audio, stickers, GIFs: not opened, not downloaded; ask for words instead."""
        self.history.add(update.effective_chat.id, update.effective_message.message_id)
        await self._send(update, CANT_READ_REPLY)

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
                await updater.stop()
                await self.application.stop()
