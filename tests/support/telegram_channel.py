"""The real Telegram channel, running against a fake Bot API, for as long as a test needs it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from bot.channels.telegram import TelegramChannel, TelegramConfig
from bot.conversation import RasaBridge
from bot.handoff.desk import HandoffDesk
from bot.handoff.hours import Schedule
from tests.support.fake_telegram import FakeTelegram

KEY = "test-subject-key"


@contextlib.asynccontextmanager
async def channel_on(fake: FakeTelegram, rasa_url: str, auth_token: str | None = None, *,
                     desk: HandoffDesk | None = None, schedule: Schedule | None = None,
                     watch_seconds: float | None = None, **config) -> AsyncIterator[TelegramChannel]:
    bridge = RasaBridge(rasa_url, timeout=5, auth_token=auth_token, store=desk.store if desk else None)
    config = {"pacing": 0.0, **config}
    channel = TelegramChannel(TelegramConfig("123456:TEST", fake.base_url, KEY, **config), bridge,
                              desk=desk, schedule=schedule)
    if watch_seconds is not None:
        channel.handoff.watch_seconds = watch_seconds
    task = asyncio.ensure_future(channel.run())
    try:
        yield channel
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await bridge.aclose()
