"""Counsellor handoff over real HTTP: the real channel on a fake Bot API, the real Rasa server
and action server, a real database. One young person, two counsellors (Alex and Blake), the
counsellors' group, and a stranger who is not on the list."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot import privacy_replies
from bot.handoff import cards, replies
from bot.handoff.desk import HandoffDesk
from bot.handoff.hours import Schedule
from bot.identity import subject_id
from bot.store.database import open_database
from bot.store.models import KeptMessage, RelayedCopy, Ticket
from bot.store.privacy import PrivacyStore
from tests.support.databases import BACKENDS, fresh_database
from tests.support.fake_telegram import FakeTelegram
from tests.support.telegram_channel import KEY, channel_on

pytestmark = pytest.mark.rasa

ALEX, BLAKE, STRANGER = 9001, 9002, 9666
GROUP = -100777
QUIET = 1.5  # seconds to watch for a message that must not come (Rasa answers in ~0.1 s)


def schedule(open_now: bool = True, claim_timeout: timedelta = timedelta(minutes=3)) -> Schedule:
    every_day = {day: (time(0, 0), time(23, 59, 59, 999999)) for day in range(7)} if open_now else {}
    return Schedule(ZoneInfo("America/New_York"), every_day, frozenset(), claim_timeout, timedelta(hours=12))


def closed_until_monday() -> Schedule:
    """Open only Mondays 09:00 in New York, and closed today, whatever day it is."""
    today = date.today()
    return Schedule(ZoneInfo("America/New_York"), {0: (time(9), time(17))},
                    frozenset(today + timedelta(days=d) for d in range(-1, 2)), timedelta(minutes=3),
                    timedelta(hours=12))


@contextlib.contextmanager
def _desk(backend: str, tmp_path):
    with fresh_database(backend, tmp_path) as url:
        sessions = open_database(url)
        desk = HandoffDesk(PrivacyStore(sessions, Fernet.generate_key().decode()))
        desk.add_counsellor(ALEX, "Alex")
        desk.add_counsellor(BLAKE, "Blake")
        yield desk
        sessions.kw["bind"].dispose()


@pytest.fixture
def desk(tmp_path):
    with _desk("sqlite", tmp_path) as desk:
        yield desk


@pytest.fixture(params=BACKENDS)
def any_desk(request, tmp_path):
    """For tests of what the database keeps: on SQLite and on PostgreSQL."""
    with _desk(request.param, tmp_path) as desk:
        yield desk


def youth_for(desk: HandoffDesk, number: int) -> int:
    """A young person's id per backend, so the two runs never share a Rasa conversation."""
    return number + (0 if desk.store.sessions.kw["bind"].dialect.name == "sqlite" else 500)


def desk_channel(fake: FakeTelegram, rasa_stack, desk: HandoffDesk, **config):
    """The channel with counsellors: always open and a counsellors' group, unless a test says
    otherwise. Alex and Blake opened a private chat with the bot when they joined the team."""
    fake.pressed_start(ALEX, BLAKE)
    return channel_on(fake, rasa_stack.settings.rasa_url, rasa_stack.auth_token, desk=desk,
                      **{"schedule": schedule(), "counsellor_chat_id": GROUP, **config})


async def ask_for_a_person(fake: FakeTelegram, youth: int, first_words: str, share: bool,
                           region: str | None = None) -> list[dict]:
    """The young person says something, then /human, then answers the sharing question (asked
    after the lines to call now); returns the messages that answer their choice."""
    before = len(fake.to(youth))
    fake.send_text(youth, first_words)
    await fake.wait_to(youth, before + 1)
    before = len(await fake.settle(youth))
    fake.send_text(youth, "/human")
    lines, question = (await fake.wait_to(youth, before + 2))[-2:]
    assert [lines["text"], question["text"]] == [reply.text for reply in replies.ask_to_share(region)]
    fake.tap(youth, replies.SHARE_YES if share else replies.SHARE_NO)
    await fake.wait_to(youth, before + 3)
    return (await fake.settle(youth))[before + 2:]


async def in_relay(fake: FakeTelegram, youth: int, counsellor: int, first_words: str) -> int:
    """The young person asks for a person (sharing), `counsellor` sends /claim 1; returns how
    many messages the young person has had once the joining line has arrived."""
    await ask_for_a_person(fake, youth, first_words, True)
    fake.send_text(counsellor, "/claim 1")
    await fake.wait_to(counsellor, 2)
    return len(await fake.settle(youth))


@contextlib.asynccontextmanager
async def alex_holds_blake_supervises(rasa_stack, desk: HandoffDesk, youth: int):
    """Blake is a supervisor; the young person asks for a person and Alex takes the chat. Yields
    the fake Bot API and how many messages the young person has had."""
    desk.add_counsellor(BLAKE, "Blake", supervisor=True)
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            yield fake, await in_relay(fake, youth, ALEX, "a guy from a game keeps messaging me")


async def tracker(rasa_stack, youth: int) -> dict:
    async with httpx.AsyncClient(base_url=rasa_stack.settings.rasa_url) as rasa:
        response = await rasa.get(f"/conversations/{subject_id(KEY, youth)}/tracker",
                                  params={"token": rasa_stack.auth_token})
    return response.json()


async def test_with_consent_the_card_the_claim_a_silent_bot_relay_both_ways_and_a_clean_return(rasa_stack, desk):
    youth = 2101
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            [in_line] = await ask_for_a_person(fake, youth, "he says he will post my pics unless i pay him", True)
            assert in_line["text"] == replies.in_line(1, None).text

            [card] = await fake.wait_to(GROUP)
            assert card["text"].startswith("#1 SEXTORTION")
            assert "Why: " in card["text"] and "Can read what they wrote: yes" in card["text"]
            assert "post my pics" not in card["text"]  # the group never sees what they wrote
            assert card["reply_markup"]["inline_keyboard"] == [[{"text": "Take #1", "callback_data": "claim:1"}]]

            seen = len(fake.to(youth))
            fake.tap(ALEX, "claim:1", chat_id=GROUP)
            [taken] = await fake.wait_to(ALEX)
            assert taken["text"].startswith("You took #1")
            assert "> he says he will post my pics unless i pay him" in taken["text"]
            joined = (await fake.wait_to(youth, seen + 1))[-1]
            assert joined["text"] == replies.joined("Alex").text
            [edited] = await fake.wait_for("editMessageText")
            assert edited["chat_id"] == GROUP and "taken by Alex" in edited["text"]
            assert (await tracker(rasa_stack, youth))["paused"] is True

            # A crisis-looking message during the relay reaches the counsellor; the bot says nothing.
            seen_by_youth = len(fake.to(youth))
            fake.send_text(youth, "i just want to die")
            relayed = (await fake.wait_to(ALEX, 2))[-1]
            assert relayed["text"].startswith("#1: i just want to die\n[safety signal: crisis.")
            assert relayed["protect_content"] is True and taken["protect_content"] is True  # no forwarding, no saving
            await asyncio.sleep(QUIET)
            assert len(fake.to(youth)) == seen_by_youth

            fake.send_text(ALEX, "I'm here with you. You are not in trouble.")
            reply = (await fake.wait_to(youth, seen_by_youth + 1))[-1]
            assert reply["text"] == "Alex: I'm here with you. You are not in trouble."
            # Neither sees the other's Telegram identity.
            assert all(str(ALEX) not in m["text"] for m in fake.to(youth))
            assert all(str(youth) not in m["text"] for m in fake.to(ALEX))

            fake.send_text(ALEX, "/note talked about telling her aunt")
            saved = (await fake.wait_to(ALEX, 3))[-1]
            assert "never sees notes" in saved["text"]
            assert desk.notes(desk.ticket(1)) == ["talked about telling her aunt"]

            fake.send_text(ALEX, "/end")
            closing = (await fake.wait_to(youth, seen_by_youth + 2))[-1]
            assert closing["text"] == replies.CLOSED.text
            assert "Closed #1" in (await fake.wait_to(ALEX, 4))[-1]["text"]
            assert (await tracker(rasa_stack, youth))["paused"] is False
            assert desk.ticket(1).status == "closed" and desk.ticket(1).youth_chat is None

            fake.tap(youth, replies.HELPED_YES)
            assert (await fake.wait_to(youth, seen_by_youth + 3))[-1]["text"] == replies.THANKS.text
            fake.send_text(youth, "hi")  # the bot is back
            back = (await fake.wait_to(youth, seen_by_youth + 4))[-1]
            assert "Waypoint" in back["text"]
            assert len(fake.to(ALEX)) == 4  # nothing after /end reached the counsellor
    assert desk.store.counts("handoff_feedback")  # counted, without an id
    assert any(label == "claimed" for _, label in desk.store.counts("handoff"))


async def test_without_consent_the_counsellor_sees_the_topic_and_why_and_nothing_is_kept(rasa_stack, desk):
    youth = 2102
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            await ask_for_a_person(fake, youth, "my boyfriend keeps asking me for nudes and gets mad", False)
            fake.send_text(ALEX, "/start")  # a counsellor pressing Start gets their commands, not the youth menu
            [commands] = await fake.wait_to(ALEX)
            assert commands["text"] == cards.HELP
            fake.send_text(ALEX, "/queue")
            queue = (await fake.wait_to(ALEX, 2))[-1]
            assert queue["text"].startswith("#1 PRESSURE")
            fake.send_text(ALEX, "/claim 1")
            cards_for_alex = await fake.wait_to(ALEX, 4)
            card = next(m["text"] for m in cards_for_alex if m["text"].startswith("You took #1"))
            assert "Can read what they wrote: no, topic only" in card
            assert "boyfriend" not in card and "What they wrote" not in card
            fake.send_text(youth, "are you a real person")
            await fake.wait_to(ALEX, 5)
    with desk.store.sessions() as session:
        assert session.scalars(select(KeptMessage)).all() == []
    assert desk.store.consents(subject_id(KEY, youth)) == {"counsellor_read": False}


@pytest.mark.parametrize("backend", BACKENDS)
async def test_when_two_counsellors_tap_take_at_once_one_gets_the_chat(rasa_stack, tmp_path, backend):
    youth = 2103 if backend == "sqlite" else 2104
    with fresh_database(backend, tmp_path) as url:
        sessions = open_database(url)
        desk = HandoffDesk(PrivacyStore(sessions, Fernet.generate_key().decode()))
        desk.add_counsellor(ALEX, "Alex")
        desk.add_counsellor(BLAKE, "Blake")
        with FakeTelegram() as fake:
            async with desk_channel(fake, rasa_stack, desk):
                await ask_for_a_person(fake, youth, "someone i met online wants to meet me", True)
                await fake.wait_to(GROUP)
                seen = len(fake.to(youth))
                fake.tap(ALEX, "claim:1", chat_id=GROUP)
                fake.tap(BLAKE, "claim:1", chat_id=GROUP)
                answers = await fake.wait_for("answerCallbackQuery", count=2 + 1)  # +1: the share button
                await fake.wait_to(youth, seen + 1)
                await asyncio.sleep(QUIET)
                outcomes = [a.get("text", "") for a in answers[-2:]]
                assert sorted(o.split(".")[0] for o in outcomes) == ["Someone else took that chat first",
                                                                    "You took #1"]
                assert len(fake.to(youth)) == seen + 1  # one "joined", never two
                winner = ALEX if fake.to(ALEX) else BLAKE
                assert desk.counsellor_of(desk.ticket(1)).telegram_user_id == winner
                assert not fake.to(BLAKE if winner == ALEX else ALEX)
        sessions.kw["bind"].dispose()


async def test_a_crisis_while_waiting_moves_the_ticket_up_and_the_card_says_so(rasa_stack, desk):
    first, second = 2111, 2112
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            await ask_for_a_person(fake, first, "my bf keeps asking for nudes", False)
            await ask_for_a_person(fake, second, "hes threatening to post my pics", False)
            assert [t.id for t in desk.queue()] == [2, 1]  # sextortion before pressure
            seen = len(fake.to(first))
            fake.send_text(first, "honestly i want to kill myself")
            reply = (await fake.wait_to(first, seen + 1))[seen]
            assert "988" in reply["text"]  # the bot still answers them, crisis line first
            [edited] = await fake.wait_for("editMessageText")
    assert [t.id for t in desk.queue()] == [1, 2]
    assert desk.ticket(1).category == "crisis" and "safety signal crisis." in desk.ticket(1).reason
    assert edited["text"].startswith("#1 CRISIS") and edited["reply_markup"]["inline_keyboard"][0][0]["text"] == "Take #1"


async def test_a_stranger_cannot_take_a_chat_or_use_counsellor_commands(rasa_stack, desk):
    youth = 2105
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            await ask_for_a_person(fake, youth, "someone is threatening me", True)
            fake.tap(STRANGER, "claim:1", chat_id=GROUP)
            refusal = (await fake.wait_for("answerCallbackQuery", count=2))[-1]
            assert refusal["text"] == cards.NOT_A_COUNSELLOR and refusal["show_alert"] is True
            fake.send_text(STRANGER, "/queue")
            [answer] = await fake.wait_to(STRANGER)
            assert answer["text"] == replies.COUNSELLORS_ONLY.text
            fake.send_text(STRANGER, "/claim 1")
            await fake.wait_to(STRANGER, 2)
    assert desk.ticket(1).status == "waiting"
    assert fake.sent("editMessageText") == []


async def test_out_of_hours_they_get_the_lines_the_opening_time_and_a_choice(rasa_stack, desk):
    youth = 2106
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk, schedule=closed_until_monday()):
            fake.send_text(youth, "I'm in the UK")
            await fake.wait_to(youth)
            await fake.settle(youth)
            lines, choice = await ask_for_a_person(fake, youth, "he wants more pics or he'll share the ones he has",
                                                   True, "UK")
            assert lines["text"].startswith("No one is in right now. We are back Monday")
            assert "UK time" in lines["text"] and "Childline" in lines["text"] and "CEOP" in choice["text"]
            assert [b[0]["callback_data"] for b in choice["reply_markup"]["inline_keyboard"]] == [
                replies.KEEP_WAITING, replies.LEAVE]
            seen = len(fake.to(youth))
            fake.tap(youth, replies.KEEP_WAITING)
            assert (await fake.wait_to(youth, seen + 1))[-1]["text"] == replies.still_in_line(1).text
            fake.tap(youth, replies.LEAVE)
            assert (await fake.wait_to(youth, seen + 2))[-1]["text"] == replies.LEFT.text
    assert desk.ticket(1).status == "closed"


async def test_nobody_takes_the_chat_in_time_they_are_told_once(rasa_stack, desk):
    youth = 2107
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk, schedule=schedule(claim_timeout=timedelta(seconds=1)),
                                watch_seconds=0.2, counsellor_chat_id=None):
            await ask_for_a_person(fake, youth, "i sent a pic and now hes blackmailing me", True)
            seen = len(fake.to(youth))
            lines, choice = (await fake.wait_to(youth, seen + 2, timeout=10))[-2:]
            assert lines["text"].startswith("All of us are busy right now.")
            assert "988" in lines["text"] and choice["reply_markup"]
            await asyncio.sleep(QUIET)
            assert len(fake.to(youth)) == seen + 2


async def test_a_restart_in_the_middle_of_a_relay_carries_on(rasa_stack, desk):
    youth = 2108
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            seen = await in_relay(fake, youth, BLAKE, "a guy from discord keeps asking for pics")
        # A new process: the same database, a new channel, nothing in memory.
        async with desk_channel(fake, rasa_stack, desk):
            fake.send_text(youth, "are you still there")
            relayed = (await fake.wait_to(BLAKE, 3))[-1]
            assert relayed["text"] == "#1: are you still there"
            fake.send_text(BLAKE, "Yes, still here.")
            assert (await fake.wait_to(youth, seen + 1))[-1]["text"] == "Blake: Yes, still here."


async def test_transfer_puts_the_chat_back_and_another_counsellor_takes_it(rasa_stack, desk):
    youth = 2109
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            seen = await in_relay(fake, youth, ALEX, "my friend is being pressured to send pics")
            fake.send_text(ALEX, "/note her friend is 14, in the UK")
            await fake.wait_to(ALEX, 3)
            fake.send_text(ALEX, "/transfer")
            assert (await fake.wait_to(youth, seen + 1))[-1]["text"] == replies.back_in_line(1).text
            assert len(await fake.wait_to(GROUP, 2)) == 2  # a fresh card to take
            fake.tap(BLAKE, "claim:1", chat_id=GROUP)
            assert (await fake.wait_to(youth, seen + 2))[-1]["text"] == replies.joined("Blake").text
            [blakes_card] = await fake.wait_to(BLAKE)
            assert "Notes from earlier counsellors:\n- her friend is 14, in the UK" in blakes_card["text"]
            fake.send_text(ALEX, "hello?")
            assert (await fake.wait_to(ALEX, 5))[-1]["text"] == cards.NO_OPEN_CHAT

            # A canned reply, filled in for the young person's country (not given: US lines).
            fake.send_text(BLAKE, "/canned")
            menu = (await fake.wait_to(BLAKE, 2))[-1]
            assert {"text": "How to report", "callback_data": "canned:report"} in [
                row[0] for row in menu["reply_markup"]["inline_keyboard"]]
            fake.tap(BLAKE, "canned:report")
            sent = (await fake.wait_to(youth, seen + 3))[-1]["text"]
            assert sent.startswith("Blake: You can report them") and "CyberTipline" in sent
            assert (await fake.wait_to(BLAKE, 3))[-1]["text"].startswith("Sent to #1:")


async def test_media_during_a_relay_is_still_refused_and_delete_ends_the_chat(rasa_stack, desk):
    youth = 2110
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            await in_relay(fake, youth, ALEX, "someone posted my pic")
            photo = fake.message(youth, photo=[{"file_id": "AgAD", "file_unique_id": "p", "width": 9, "height": 9}])
            fake.push({"message": photo})
            notice = (await fake.wait_to(ALEX, 3))[-1]
            assert notice["text"] == cards.YOUTH_MEDIA.format(id=1)
            assert fake.sent("getFile") == []
            assert {"chat_id": youth, "message_id": photo["message_id"]} in fake.sent("deleteMessage")
            fake.send_text(youth, "/delete")
            assert (await fake.wait_to(ALEX, 4))[-1]["text"] == cards.YOUTH_ERASED.format(id=1)
            assert (await fake.settle(youth))[-1]["text"] == privacy_replies.ERASED.text
    assert desk.ticket(1) is None
    with desk.store.sessions() as session:
        assert session.scalars(select(Ticket)).all() == []
        assert session.scalars(select(KeptMessage)).all() == []



async def test_a_flood_on_the_group_never_holds_up_the_young_persons_reply_and_the_card_still_arrives(rasa_stack, desk):
    # A 429 on the group card used to lose the card while the young person was told they
    # were number 1 in line; in a surge the card went out before their reply.
    youth = 2113
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            fake.flood(GROUP, 2, 2)
            [in_line] = await ask_for_a_person(fake, youth, "hes threatening to post my pics", True)
            assert in_line["text"] == replies.in_line(1, None).text
            [card] = await fake.wait_to(GROUP, timeout=15)
    assert card["text"].startswith("#1 SEXTORTION")
    assert [r[2] for r in fake.refused].count("Too Many Requests: retry after 2") == 2
    calls = [params for _, params in fake.calls]
    assert calls.index(in_line) < calls.index(card)


async def test_a_long_shared_history_is_sent_in_pieces_and_the_chat_can_still_be_taken(rasa_stack, desk):
    # Over about 3,400 shared characters the card passed Telegram's 4,096 and the claim was
    # read as "you haven't pressed Start": nobody could ever take the chat.
    youth = 2114
    words = "he keeps saying he will send my pics to everyone at school. " * 66  # about 4,000 characters
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            await ask_for_a_person(fake, youth, words.strip(), True)
            fake.send_text(ALEX, "/claim 1")
            await fake.wait_to(ALEX, 3)
            pieces = await fake.settle(ALEX)
    assert desk.ticket(1).status == "claimed"
    assert all(len(m["text"]) <= 4096 for m in pieces)
    assert "You took #1" in pieces[-1]["text"]
    assert "".join(m["text"] for m in pieces).count("send my pics to everyone") == 66


async def test_a_counsellor_who_never_pressed_start_is_told_how_and_the_chat_stays_in_the_queue(rasa_stack, desk):
    youth = 2115
    newcomer = 9003
    desk.add_counsellor(newcomer, "Casey")
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            await ask_for_a_person(fake, youth, "someone online wants me to meet him", True)
            await fake.wait_to(GROUP)
            fake.tap(newcomer, "claim:1", chat_id=GROUP)
            answer = (await fake.wait_for("answerCallbackQuery", count=2))[-1]
    assert "press Start" in answer["text"] and answer["show_alert"] is True
    assert desk.ticket(1).status == "waiting"


async def test_a_young_person_who_blocks_the_bot_mid_relay_closes_the_chat_and_the_counsellor_is_told(rasa_stack, desk):
    youth = 2116
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            await in_relay(fake, youth, ALEX, "a guy from a game keeps messaging me")
            fake.block(youth)
            fake.send_text(ALEX, "Are you still there?")
            told = (await fake.wait_to(ALEX, 3))[-1]
            fake.send_text(ALEX, "/end")
            after_end = (await fake.wait_to(ALEX, 4))[-1]
    assert told["text"] == cards.YOUTH_BLOCKED.format(id=1)
    assert desk.ticket(1).status == "closed"
    assert after_end["text"] == cards.NO_OPEN_CHAT  # not the young person's crisis fallback
    assert (await tracker(rasa_stack, youth))["paused"] is False


async def test_a_full_length_message_from_the_young_person_reaches_the_counsellor_whole(rasa_stack, desk):
    youth = 2117
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            await in_relay(fake, youth, ALEX, "someone is blackmailing me")
            long = ("i dont know what to do " * 200)[:4096]
            fake.send_text(youth, long)
            relayed = await fake.wait_to(ALEX, 4)
    assert " ".join(m["text"] for m in relayed[2:]).count("i dont know what to do") == long.count("i dont know what to do")


@pytest.mark.parametrize("ending", ["/end", "/exit", "/delete"])
async def test_their_words_leave_the_counsellors_chat_when_it_ends_or_they_exit_or_delete(rasa_stack, any_desk, ending):
    # Relayed words used to stay in the counsellor's Telegram chat for good.
    desk = any_desk
    youth = youth_for(desk, {"/end": 2118, "/exit": 2119, "/delete": 2120}[ending])
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            await in_relay(fake, youth, ALEX, "a man from a game wants my address")
            fake.send_text(youth, "he said he knows my school")
            await fake.wait_to(ALEX, 3)
            holding_words = [result["message_id"] for result, params in
                             zip(fake.results("sendMessage"), fake.sent("sendMessage"))
                             if params["chat_id"] == ALEX and ("he said he knows my school" in params["text"]
                                                               or "a man from a game" in params["text"])]
            assert len(holding_words) == 2  # the card with what they shared, and the relayed message
            fake.send_text(ALEX if ending == "/end" else youth, ending)
            await fake.wait_for("deleteMessage", count=2)
            await asyncio.sleep(QUIET)
            deleted = [d["message_id"] for d in fake.sent("deleteMessage") if d["chat_id"] == ALEX]
    assert sorted(deleted) == sorted(holding_words)
    with desk.store.sessions() as session:
        assert session.scalars(select(RelayedCopy)).all() == []


async def test_a_counsellor_taken_off_the_list_mid_chat_puts_the_young_person_back_in_line_and_tells_them(rasa_stack, any_desk):
    # Before, the young person was left in a paused Rasa that answered only with fallbacks.
    desk = any_desk
    youth = youth_for(desk, 2121)
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk, watch_seconds=0.2):
            seen = await in_relay(fake, youth, ALEX, "someone i met on discord wants to video call")
            desk.remove_counsellor(ALEX)  # `waypoint counsellors remove`, from another process
            told = (await fake.wait_to(youth, seen + 1, timeout=10))[seen]
            assert len(await fake.wait_to(GROUP, 2)) == 2  # a fresh card to take
            assert (await tracker(rasa_stack, youth))["paused"] is False
            fake.send_text(youth, "ok thanks")
            answered = (await fake.wait_to(youth, seen + 2))[seen + 1]
            await asyncio.sleep(QUIET)
    assert told["text"] == replies.back_in_line(1).text
    assert answered["text"] and len([m for m in fake.to(youth)[seen:] if m["text"] == told["text"]]) == 1  # told once
    assert desk.ticket(1).status == "waiting"


async def test_a_queue_longer_than_one_message_is_shown_whole_in_pieces(rasa_stack, desk):
    # /queue with 61 waiting used to fail: the list passed Telegram's 4,096 characters.
    for i in range(61):
        desk.open(subject_id=f"queue-{i}", youth_chat=3000 + i, category="sextortion",
                  reason="intent sextortion (0.97) " + "and a long reason " * 5, age_band=None, country=None,
                  share_history=False, history=[])
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            fake.send_text(ALEX, "/queue")
            await fake.wait_to(ALEX, 2)
            shown = await fake.settle(ALEX)
    assert all(len(m["text"]) <= 4096 for m in shown)
    assert sum(m["text"].count("SEXTORTION") for m in shown) == 61
    assert len(shown[-1]["reply_markup"]["inline_keyboard"]) == 10  # Take buttons for the first ten


async def test_edits_in_a_relay_a_counsellors_correction_changes_the_copy_a_young_persons_goes_across_marked(rasa_stack, desk):
    # Before, a counsellor's correction arrived as a second message and the mistake stayed.
    youth = 2122
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            seen = await in_relay(fake, youth, ALEX, "someone from roblox keeps asking where i live")
            said = fake.send_text(ALEX, "You did the rihgt thing telling me.")
            [copy] = (await fake.wait_to(youth, seen + 1))[seen:]
            fake.push({"edited_message": {**said, "text": "You did the right thing telling me.", "edit_date": 1}})
            edit = (await fake.wait_for("editMessageText", count=2))[-1]  # the first is the group card's
            mine = fake.send_text(youth, "he said he lives near")
            await fake.wait_to(ALEX, 3)
            fake.push({"edited_message": {**mine, "text": "he said he lives near me", "edit_date": 2}})
            relayed = await fake.wait_to(ALEX, 4)
            await asyncio.sleep(QUIET)
    copy_id = fake.results("sendMessage")[fake.sent("sendMessage").index(copy)]["message_id"]
    assert (edit["chat_id"], edit["message_id"]) == (youth, copy_id)
    assert edit["text"] == "Alex: You did the right thing telling me."
    assert len(fake.to(youth)) == seen + 1  # changed in place, nothing new in their chat
    assert relayed[-1]["text"] == "#1: (edited) he said he lives near me"
    assert len(fake.to(ALEX)) == 4


async def test_a_crisis_chat_pages_the_counsellors_who_are_available_and_not_those_away(rasa_stack, desk):
    # Before, a crisis chat waited on a group card among many, and nobody was told directly.
    youth = 2123
    with FakeTelegram() as fake:
        async with desk_channel(fake, rasa_stack, desk):
            fake.send_text(BLAKE, "/away")
            [away] = await fake.wait_to(BLAKE)
            await ask_for_a_person(fake, youth, "i want to end my life tonight", False)
            [page] = await fake.wait_to(ALEX)
            await asyncio.sleep(QUIET)
    assert away["text"] == cards.NOW_AWAY
    assert page["text"].startswith("Urgent: #1 CRISIS")
    assert page["reply_markup"]["inline_keyboard"] == [[{"text": "Take #1", "callback_data": "claim:1"}]]
    assert "end my life" not in page["text"]  # the reason, never their words
    assert len(fake.to(BLAKE)) == 1
    assert [event.action for event in desk.trail(1)] == ["opened", "paged"]


async def test_a_banned_young_person_still_gets_the_crisis_line_but_no_counsellor_until_a_supervisor_lifts_it(
        rasa_stack, desk):
    youth = 2124
    async with alex_holds_blake_supervises(rasa_stack, desk, youth) as (fake, seen):
        fake.send_text(ALEX, "/ban")
        banned = (await fake.wait_to(ALEX, 3))[-1]
        closed = (await fake.wait_to(youth, seen + 1))[seen]
        seen = len(await fake.settle(youth))
        fake.send_text(youth, "/human")
        refused = (await fake.wait_to(youth, seen + 1))[seen]
        seen = len(await fake.settle(youth))
        fake.send_text(youth, "i want to kill myself")
        crisis = (await fake.wait_to(youth, seen + 1))[seen]
        fake.send_text(ALEX, "/unban 1")
        not_allowed = (await fake.wait_to(ALEX, 4))[-1]
        fake.send_text(BLAKE, "/unban 1")
        [lifted] = await fake.wait_to(BLAKE)
        seen = len(await fake.settle(youth))
        fake.send_text(youth, "/human")
        asked = (await fake.wait_to(youth, seen + 2))[seen:]
    assert banned["text"] == cards.BANNED.format(id=1)
    assert closed["text"] == replies.CLOSED.text
    assert refused["text"] == replies.no_counsellor(None).text and "988" in refused["text"]
    assert "988" in crisis["text"]
    assert not_allowed["text"] == cards.SUPERVISORS_ONLY
    assert "can ask for a counsellor again" in lifted["text"]
    assert [m["text"] for m in asked] == [r.text for r in replies.ask_to_share(None)]


async def test_a_supervisor_sees_who_holds_what_reassigns_a_chat_and_reads_its_trail(rasa_stack, desk):
    youth = 2125
    async with alex_holds_blake_supervises(rasa_stack, desk, youth) as (fake, seen):
        fake.send_text(ALEX, "/who")
        refused = (await fake.wait_to(ALEX, 3))[-1]
        fake.send_text(BLAKE, "/who")
        [board] = await fake.wait_to(BLAKE)
        fake.send_text(BLAKE, "/reassign 1")
        done = (await fake.wait_to(BLAKE, 2))[-1]
        told = (await fake.wait_to(ALEX, 4))[-1]
        back = (await fake.wait_to(youth, seen + 1))[seen]
        fake.send_text(BLAKE, "/audit 1")
        trail = (await fake.wait_to(BLAKE, 3))[-1]
    assert refused["text"] == cards.SUPERVISORS_ONLY
    assert "Alex (available) - holding #1" in board["text"] and "Blake (available)" in board["text"]
    assert done["text"].startswith("#1 is back in the queue")
    assert told["text"] == cards.REASSIGNED.format(id=1)
    assert back["text"] == replies.back_in_line(1).text
    assert [line.split(" ", 2)[2] for line in trail["text"].splitlines()[1:]] == [
        "opened", "claimed by Alex", "read by Alex", "reassigned by Blake"]
    assert "game" not in trail["text"]
