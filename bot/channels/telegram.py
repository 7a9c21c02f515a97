"""The Telegram channel (python-telegram-bot 22), polling, private chats only.

Each handler does one thing: pass a young person's words or button taps to Rasa under a
pseudonymous id, and send Rasa's replies back as plain text with inline buttons. Media is
never downloaded; groups and channels get one line and the bot leaves; each chat is answered
in order while chats run side by side. Still to come (Telegram issue): webhooks, deleting
media, /exit and the other commands, per-chat pacing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
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

from bot.conversation import RasaBridge, Reply
from bot.identity import subject_id

log = logging.getLogger(__name__)

MEDIA_REFUSAL = (
    "I can't accept photos, videos or files, and I never look at them, so please don't send "
    "any. You're not in trouble. If someone has a private pic of you, tell me what's going on "
    "in words and I'll show you how to get it taken down."
)
NOT_PRIVATE_REPLY = (
    "I only work in private chats, so nobody else sees what you tell me. "
    "Tap my name and start a private chat with me. I'm leaving this group now."
)
PRIVATE = filters.ChatType.PRIVATE
# Bot commands and the Rasa intent each one means.
COMMAND_PAYLOADS = {"start": "/start", "help": "/ask_help_menu", "human": "/human", "delete": "/delete"}
MAX_MESSAGE = 4096  # Telegram's limit for one message's text


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


def _keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.title, callback_data=b.payload)] for b in reply.buttons]
    )


class TelegramChannel:
    def __init__(self, token: str, base_url: str, bridge: RasaBridge, subject_key: str) -> None:
        self.bridge = bridge
        self.subject_key = subject_key
        self.application = (
            Application.builder()
            .token(token)
            .base_url(base_url)
            .rate_limiter(AIORateLimiter())
            .concurrent_updates(PerChatOrder())
            .build()
        )
        self.application.add_handler(CommandHandler(list(COMMAND_PAYLOADS), self.on_command, filters=PRIVATE))
        # Any other text, unknown commands included, goes to Rasa: nothing typed is ignored.
        self.application.add_handler(MessageHandler(PRIVATE & filters.TEXT, self.on_text))
        self.application.add_handler(CallbackQueryHandler(self.on_button))
        self.application.add_handler(MessageHandler(PRIVATE & filters.ATTACHMENT, self.on_media))
        self.application.add_handler(MessageHandler(~PRIVATE, self.on_not_private))

    def _subject(self, update: Update) -> str:
        return subject_id(self.subject_key, update.effective_user.id)

    async def _answer(self, update: Update, **message: str) -> None:
        result = await self.bridge.send(self._subject(update), **message)
        for reply in result.replies:
            *pieces, last = split_for_telegram(reply.text)
            for piece in pieces:
                await update.effective_chat.send_message(piece)
            await update.effective_chat.send_message(last, reply_markup=_keyboard(reply))

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        command = update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
        await self._answer(update, payload=COMMAND_PAYLOADS[command])

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._answer(update, text=update.effective_message.text)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer()
        if query.message is None or update.effective_chat.type != "private":
            return
        await self._answer(update, payload=query.data)

    async def on_media(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Never call get_file: the bot does not download, store or forward media.
        await update.effective_chat.send_message(MEDIA_REFUSAL)

    async def on_not_private(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Groups, supergroups and channels: one line, then leave. Nothing is read or stored."""
        chat = update.effective_chat
        if chat.type != "channel":
            await chat.send_message(NOT_PRIVATE_REPLY)
        await chat.leave()

    async def run(self) -> None:
        """Poll until cancelled (Ctrl-C), then shut python-telegram-bot down cleanly."""
        async with self.application:
            await self.application.start()
            await self.application.updater.start_polling()
            log.info("telegram polling started")
            try:
                await asyncio.Event().wait()
            finally:
                await self.application.updater.stop()
                await self.application.stop()
