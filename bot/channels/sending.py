"""Talking to Telegram within its rules: every message sent, and every batch of updates read.

Telegram refuses a text over 4,096 characters (400), answers a flood with 429 and a
`retry_after`, and refuses a person who blocked the bot or never pressed Start (403). PTB's
own AIORateLimiter retries nothing by default and, when it does, pauses every chat while one
waits; a 429 then left a young person with nothing, a suicidal message included. Here a 429
delays only the request it answered (it is sent again after `retry_after`), other chats carry
on, and the counsellors' group is paced to Telegram's 20 messages a minute so a surge of
cards cannot hold up anyone's reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

MAX_MESSAGE = 4096  # Telegram's limit for one message's text
RETRIES = 5  # 429s in a row before a send gives up (and the error handler answers)


def split_for_telegram(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Pieces of at most `limit` characters, cut at a line break or space where possible."""
    pieces = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    return [*pieces, text] if text else pieces


async def send_text(bot: Bot, chat_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None,
                    **options: Any) -> list[Message]:
    """One text in one chat, cut into Telegram-sized pieces in order; buttons on the last."""
    *pieces, last = split_for_telegram(text)
    sent = [await bot.send_message(chat_id, piece, **options) for piece in pieces]
    sent.append(await bot.send_message(chat_id, last, reply_markup=reply_markup, **options))
    return sent


class PatientRateLimiter(BaseRateLimiter[int]):
    """Sends again after a 429's `retry_after`, holding up only that request; paces the whole
    bot to 30 requests a second and each group to 20 messages a minute (Telegram's limits)."""

    def __init__(self, retries: int = RETRIES) -> None:
        self.retries = retries
        self._overall = AsyncLimiter(30, 1)
        self._groups: dict[int | str, AsyncLimiter] = {}

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _group_of(self, data: dict[str, Any]) -> int | str | None:
        chat = data.get("chat_id")
        try:
            chat = int(chat)
        except (TypeError, ValueError):
            return chat  # a "@channel" name, or no chat at all
        return chat if chat < 0 else None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        group = self._group_of(data)
        waited = 0
        while True:
            if group is not None:
                await self._groups.setdefault(group, AsyncLimiter(20, 60)).acquire()
            await self._overall.acquire()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                waited += 1
                if waited > self.retries:
                    raise
                seconds = _seconds(exc.retry_after)
                log.warning("telegram asked to wait", extra={"method": endpoint, "seconds": seconds})
                await asyncio.sleep(seconds + 0.1)


def _seconds(retry_after: Any) -> float:
    return retry_after.total_seconds() if hasattr(retry_after, "total_seconds") else float(retry_after)


class SkipUnreadableUpdates(HTTPXRequest):
    """Long polling that survives an update the library cannot read.

    PTB parses a whole getUpdates answer at once: one update it cannot read failed the batch,
    the same batch was fetched again forever (nobody answered, crisis writers included), and
    PTB logged the raw batch with its locations, names and ids. Here such an update is
    replaced by its bare id before PTB sees it, so it is acknowledged and skipped; the log
    says only that one was skipped, and `skipped` counts them.
    """

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1)
        self.skipped = 0

    async def post(self, url: str, request_data: Any = None, **timeouts: Any) -> Any:
        result = await super().post(url, request_data, **timeouts)
        if url.endswith("/getUpdates") and isinstance(result, list):
            return [self._readable(update) for update in result]
        return result

    def _readable(self, update: dict[str, Any]) -> dict[str, Any]:
        try:
            Update.de_json(update, None)
        except Exception:  # noqa: BLE001 - whatever the library chokes on
            self.skipped += 1
            log.warning("skipped an update the library cannot read", extra={"update_id": update.get("update_id")})
            return {"update_id": update["update_id"]}
        return update
