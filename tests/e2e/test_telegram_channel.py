"""The Telegram channel over real HTTP: python-telegram-bot -> fake Bot API on loopback,
and the bot -> the real Rasa server and action server."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
import pytest

from bot.channels.telegram import MEDIA_REFUSAL, TelegramChannel
from bot.conversation import RasaBridge
from bot.identity import subject_id
from tests.support.fake_telegram import FakeTelegram
from tests.support.net import free_port

pytestmark = pytest.mark.rasa

KEY = "test-subject-key"


@contextlib.asynccontextmanager
async def channel_on(fake: FakeTelegram, rasa_url: str):
    bridge = RasaBridge(rasa_url, timeout=5)
    channel = TelegramChannel("123456:TEST", fake.base_url, bridge, KEY)
    task = asyncio.ensure_future(channel.run())
    try:
        yield channel
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await bridge.aclose()


async def test_text_gets_rasas_reply_with_buttons_and_a_tap_is_answered(rasa_stack):
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url):
            fake.send_text(1001, "hi")
            [greeting] = await fake.wait_for("sendMessage")
            assert greeting["chat_id"] == 1001
            assert "Waypoint" in greeting["text"]
            assert greeting["reply_markup"] == {
                "inline_keyboard": [[{"text": "What can you help with?", "callback_data": "/ask_help_menu"}]]
            }

            fake.tap(1001, "/ask_help_menu")
            await fake.wait_for("answerCallbackQuery")
            menu = (await fake.wait_for("sendMessage", count=2))[1]
            assert "help with" in menu["text"]


async def test_a_photo_is_refused_kindly_and_never_downloaded(rasa_stack):
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url):
            photo = [{"file_id": "AgADphoto", "file_unique_id": "p1", "width": 90, "height": 90}]
            fake.push({"message": fake.message(1002, photo=photo)})
            [refusal] = await fake.wait_for("sendMessage")
            assert refusal["text"] == MEDIA_REFUSAL
            assert "not in trouble" in refusal["text"]
    assert fake.sent("getFile") == []


async def test_rasa_down_still_gets_the_crisis_and_reporting_lines():
    with FakeTelegram() as fake:
        async with channel_on(fake, f"http://127.0.0.1:{free_port()}"):
            fake.send_text(1003, "he says he'll post my pics")
            [reply] = await fake.wait_for("sendMessage")
    assert "988" in reply["text"] and "1-800-843-5678" in reply["text"]


async def test_rasa_only_ever_sees_the_pseudonymous_id(rasa_stack):
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url):
            fake.send_text(1004, "hello")
            await fake.wait_for("sendMessage")
    params = {"token": rasa_stack.auth_token}
    async with httpx.AsyncClient(base_url=rasa_stack.settings.rasa_url, params=params) as rasa:
        pseudonymous = (await rasa.get(f"/conversations/{subject_id(KEY, 1004)}/tracker")).json()
        raw = (await rasa.get("/conversations/1004/tracker")).json()
    assert any(e["event"] == "user" for e in pseudonymous["events"])
    assert not any(e["event"] == "user" for e in raw["events"])


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_group_chats_get_one_line_and_the_bot_leaves(rasa_stack, chat_type):
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url):
            message = fake.message(1005, text="hi bot")
            message["chat"] = {"id": -500, "type": chat_type, "title": "class chat"}
            fake.push({"message": message})
            [left] = await fake.wait_for("leaveChat")
            [said] = fake.sent("sendMessage")
    assert left["chat_id"] == -500 and said["chat_id"] == -500
    assert "private" in said["text"]


async def test_each_chat_is_answered_in_order_while_chats_run_side_by_side(rasa_stack):
    turns = ["hi", "what can you help with", "bye"]
    expected = ["Waypoint", "help with", "Take care"]
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url):
            for text in turns:
                for chat in (2001, 2002, 2003):
                    fake.send_text(chat, text)
            await fake.wait_for("sendMessage", count=9)
    for chat in (2001, 2002, 2003):
        replies = [m["text"] for m in fake.sent("sendMessage") if m["chat_id"] == chat]
        assert len(replies) == 3
        for reply, marker in zip(replies, expected):
            assert marker in reply, replies
