"""The Telegram channel over real HTTP: python-telegram-bot -> fake Bot API on loopback,
and the bot -> the real Rasa server and action server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from bot.channels.telegram import EXIT_LINE, SHARED_PLACE_REPLY, media_refusal
from bot.identity import subject_id
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_channel import KEY, channel_on
from tests.support.net import free_port

pytestmark = pytest.mark.rasa


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


@pytest.mark.parametrize("kind, content", [
    ("photo", {"photo": [{"file_id": "AgADphoto", "file_unique_id": "p1", "width": 90, "height": 90}]}),
    ("video", {"video": {"file_id": "BAADvid", "file_unique_id": "v1", "width": 9, "height": 9, "duration": 3}}),
    ("document", {"document": {"file_id": "BQADdoc", "file_unique_id": "d1", "file_name": "x.jpg"}}),
    ("video note", {"video_note": {"file_id": "DQADnote", "file_unique_id": "n1", "length": 9, "duration": 3}}),
])
async def test_media_is_deleted_at_once_never_downloaded_and_explained(rasa_stack, kind, content):
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url, rasa_stack.auth_token):
            message = fake.message(1002, **content)
            fake.push({"message": message})
            refusal, removal = await fake.wait_for("sendMessage", count=2)
            [deleted] = fake.sent("deleteMessage")
    assert deleted == {"chat_id": 1002, "message_id": message["message_id"]}
    assert (refusal["text"], removal["text"]) == media_refusal(None)  # region unknown: the US removal tool
    assert "not in trouble" in refusal["text"] and "takeitdown.ncmec.org" in removal["text"]
    assert fake.sent("getFile") == []


async def test_a_caption_is_read_as_their_words_and_a_crisis_in_it_is_answered_first(rasa_stack):
    # A photo whose caption said they would end it tonight used to get only the media note.
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url, rasa_stack.auth_token):
            photo = [{"file_id": "AgADphoto", "file_unique_id": "p3", "width": 90, "height": 90}]
            fake.push({"message": fake.message(1022, photo=photo, caption="im going to end it all tonight")})
            await fake.wait_for("deleteMessage")
            sent = await fake.settle(1022)
    texts = [m["text"] for m in sent]
    assert "988" in texts[0]
    assert list(media_refusal(None)) == texts[-2:]
    assert fake.sent("getFile") == []


async def test_the_media_refusal_names_the_removal_tool_for_their_country(rasa_stack):
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url, rasa_stack.auth_token):
            fake.tap(1012, '/choose_country{"country":"UK"}')
            await fake.wait_for("sendMessage")
            photo = [{"file_id": "AgADphoto", "file_unique_id": "p2", "width": 90, "height": 90}]
            fake.push({"message": fake.message(1012, photo=photo)})
            await fake.wait_for("deleteMessage")
            removal = (await fake.wait_for("sendMessage", count=4))[-1]
    assert "childline.org.uk/remove" in removal["text"]


async def test_a_shared_contact_or_location_is_deleted_and_not_kept(rasa_stack):
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url):
            message = fake.message(1013, location={"latitude": 51.5, "longitude": -0.1})
            fake.push({"message": message})
            [reply] = await fake.wait_for("sendMessage")
    assert fake.sent("deleteMessage") == [{"chat_id": 1013, "message_id": message["message_id"]}]
    assert reply["text"] == SHARED_PLACE_REPLY


async def test_a_sticker_is_not_opened_and_words_are_asked_for(rasa_stack):
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url):
            sticker = {"file_id": "CAAD", "file_unique_id": "s1", "width": 9, "height": 9,
                       "is_animated": False, "is_video": False, "type": "regular"}
            fake.push({"message": fake.message(1014, sticker=sticker)})
            [reply] = await fake.wait_for("sendMessage")
    assert "words" in reply["text"]
    assert fake.sent("getFile") == [] and fake.sent("deleteMessage") == []


@pytest.mark.parametrize("exit_word", ["/exit", "Exit"])
async def test_start_has_an_exit_button_and_exit_clears_both_sides_of_the_chat(rasa_stack, exit_word):
    chat = {"/exit": 1015, "Exit": 1025}[exit_word]
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url):
            start = fake.send_text(chat, "/start")
            first, _ = await fake.wait_for("sendMessage", count=2)
            assert first["reply_markup"]["inline_keyboard"][-1] == [
                {"text": "Exit (clear this chat)", "callback_data": "/exit"}]
            typed = fake.send_text(chat, "someone is threatening me")
            await fake.wait_for("sendMessage", count=5)
            bot_ids = [m["message_id"] for m in fake.results("sendMessage")]

            fake.send_text(chat, exit_word)
            [*_, neutral] = await fake.wait_for("sendMessage", count=len(bot_ids) + 1)
            await fake.wait_for("deleteMessage", count=len(bot_ids) + 3)
    deleted = {d["message_id"] for d in fake.sent("deleteMessage")}
    assert {start["message_id"], typed["message_id"], *bot_ids} <= deleted  # theirs and ours
    assert neutral["text"] == EXIT_LINE


async def test_multi_message_replies_are_paced_with_a_typing_indicator(rasa_stack):
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url, pacing=0.5):
            fake.send_text(1016, "some guy says hell post my nudes if i dont pay him")
            await fake.wait_for("sendMessage", count=3)
    times = [t for (name, _), t in zip(fake.calls, fake.times) if name == "sendMessage"]
    assert all(later - earlier >= 0.5 for earlier, later in zip(times, times[1:]))
    assert len(fake.sent("sendChatAction")) == 2


async def test_the_counsellors_group_is_the_one_group_the_bot_stays_in(rasa_stack):
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url, counsellor_chat_id=-777):
            message = fake.message(1017, text="new shift starting")
            message["chat"] = {"id": -777, "type": "supergroup", "title": "counsellors"}
            fake.push({"message": message})
            other = fake.message(1017, text="hi")
            other["chat"] = {"id": -778, "type": "group", "title": "not ours"}
            fake.push({"message": other})
            [left] = await fake.wait_for("leaveChat")
    assert left["chat_id"] == -778
    assert [m["chat_id"] for m in fake.sent("sendMessage")] == [-778]


async def test_webhook_mode_listens_on_loopback_refuses_a_wrong_secret_and_answers_a_retry_once(rasa_stack):
    port = free_port()
    config = {"webhook_url": "https://bot.example.org/telegram", "webhook_port": port, "webhook_secret": "s3cret"}
    with FakeTelegram() as fake:
        fake.pressed_start(1018)  # updates come straight to the webhook here, not through the fake
        async with channel_on(fake, rasa_stack.settings.rasa_url, **config):
            [registered] = await fake.wait_for("setWebhook")
            update = {"update_id": 1, "message": fake.message(1018, text="hi")}
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                for _ in range(50):  # the webhook server starts just after setWebhook
                    with contextlib.suppress(httpx.ConnectError):
                        wrong = await client.post("/telegram", json=update,
                                                  headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
                        break
                    await asyncio.sleep(0.1)
                # Telegram delivers an update again when the first delivery seemed to fail.
                right, again = [await client.post("/telegram", json={**update, "update_id": 2},
                                                  headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"})
                                for _ in range(2)]
            [reply] = await fake.wait_for("sendMessage")
            await fake.settle(1018)
    assert registered["url"] == "https://bot.example.org/telegram"
    assert registered["secret_token"] == "s3cret"
    assert wrong.status_code == 403 and right.status_code == again.status_code == 200
    assert "Waypoint" in reply["text"] and len(fake.sent("sendMessage")) == 1


async def test_rasa_down_still_gets_the_crisis_and_reporting_lines():
    with FakeTelegram() as fake:
        async with channel_on(fake, f"http://127.0.0.1:{free_port()}"):
            fake.send_text(1003, "he says he'll post my pics")
            [reply] = await fake.wait_for("sendMessage")
    assert "988" in reply["text"] and "1-800-843-5678" in reply["text"]


async def test_a_flood_delays_a_crisis_reply_but_never_loses_it_and_other_chats_carry_on(rasa_stack):
    # One 429 used to turn the reply into the generic fallback, two into silence.
    flooded, other = 1031, 1032
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url, rasa_stack.auth_token):
            fake.flood(flooded, 2, 2)
            fake.send_text(flooded, "i want to kill myself")
            await asyncio.sleep(0.5)
            fake.send_text(other, "hi")
            [reply] = (await fake.wait_to(flooded, timeout=20))[:1]
            [greeting] = (await fake.wait_to(other))[:1]
    assert "988" in reply["text"]
    assert [r[2] for r in fake.refused] == ["Too Many Requests: retry after 2"] * 2
    calls = [params for _, params in fake.calls]
    assert calls.index(greeting) < calls.index(reply)  # the other chat never waited on the flood


async def test_an_edit_is_not_answered_again_unless_its_new_words_show_a_crisis(rasa_stack):
    youth = 1041
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url, rasa_stack.auth_token):
            sent = fake.send_text(youth, "someone keeps asking me for pics")
            before = len(await fake.settle(youth))
            fake.push({"edited_message": {**sent, "text": "someone keeps asking me for pictures", "edit_date": 1}})
            await asyncio.sleep(1.5)
            assert len(fake.to(youth)) == before  # the same question, not a new turn
            fake.push({"edited_message": {**sent, "text": "i want to kill myself", "edit_date": 2}})
            crisis = (await fake.wait_to(youth, before + 1))[before]
    assert "988" in crisis["text"]


async def test_an_update_the_library_cannot_read_is_skipped_and_the_next_one_answered(rasa_stack, caplog):
    # One unreadable update used to be fetched again forever, with nobody answered, and the
    # whole batch (locations included) went into the log.
    youth = 1042
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url, rasa_stack.auth_token) as channel:
            unreadable = fake.message(youth, location={"latitude": 51.5012, "longitude": -0.1419})
            fake.push({"message": {**unreadable, "date": "yesterday"}})  # a date the library cannot read
            fake.send_text(youth, "i want to die")
            [reply] = (await fake.wait_to(youth))[:1]
    assert "988" in reply["text"]
    assert channel.updates_request.skipped == 1
    assert "51.5012" not in caplog.text


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
    expected = ["Waypoint", "help with", "one of these", "Take care"]  # the menu is two messages
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url):
            for text in turns:
                for chat in (2001, 2002, 2003):
                    fake.send_text(chat, text)
            await fake.wait_for("sendMessage", count=12)
    for chat in (2001, 2002, 2003):
        replies = [m["text"] for m in fake.sent("sendMessage") if m["chat_id"] == chat]
        assert len(replies) == 4
        for reply, marker in zip(replies, expected):
            assert marker in reply, replies


async def test_no_message_text_in_any_log_and_replies_are_never_parsed_as_markup(rasa_stack, caplog):
    canary = "canary" + os.urandom(6).hex()
    caplog.set_level(logging.INFO)
    with FakeTelegram() as fake:
        async with channel_on(fake, rasa_stack.settings.rasa_url):
            fake.send_text(1019, f"<b>{canary}</b> *he* says [hell](post) my pics _unless_ i pay")
            await fake.wait_for("sendMessage", count=2)
    assert canary not in caplog.text
    for log_file in rasa_stack.settings.log_dir.glob("*.log"):
        assert canary not in log_file.read_text(errors="replace"), log_file.name
    # Plain text only: whatever anyone types, no parse mode can turn it into formatting.
    assert all("parse_mode" not in sent for sent in fake.sent("sendMessage"))


@contextlib.contextmanager
def rasa_that_replies(text: str):
    """A stand-in for Rasa's REST channel: no reply in the domain is anywhere near 4,096
    characters, so the split is tested with one that is."""
    body = json.dumps([{"recipient_id": "x", "text": text}]).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_a_reply_over_4096_characters_arrives_in_order_in_pieces():
    long_reply = " ".join(f"word{i}" for i in range(2000))  # about 13,000 characters
    with rasa_that_replies(long_reply) as rasa_url, FakeTelegram() as fake:
        async with channel_on(fake, rasa_url):
            fake.send_text(1020, "hi")
            await fake.wait_for("sendMessage", count=4)
    pieces = [m["text"] for m in fake.sent("sendMessage")]
    assert all(len(p) <= 4096 for p in pieces)
    assert " ".join(pieces) == long_reply
