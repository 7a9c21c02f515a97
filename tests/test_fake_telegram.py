"""The fake Bot API refuses what the real one refuses, so the bot's handling of it is tested."""

import httpx

from tests.support.fake_telegram import MAX_TEXT, FakeTelegram


def test_a_text_over_4096_characters_is_refused_and_never_sent():
    with FakeTelegram() as fake:
        fake.pressed_start(7)
        url = f"{fake.base_url}/sendMessage"
        ok = httpx.post(url, data={"chat_id": "7", "text": "a" * MAX_TEXT})
        too_long = httpx.post(url, data={"chat_id": "7", "text": "a" * (MAX_TEXT + 1)})
    assert ok.status_code == 200 and ok.json()["ok"] is True
    assert too_long.status_code == 400
    assert too_long.json() == {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
    assert len(fake.to(7)) == 1 and len(fake.refused) == 1


def test_a_person_who_never_pressed_start_cannot_be_written_to_but_a_group_can():
    with FakeTelegram() as fake:
        url = f"{fake.base_url}/sendMessage"
        stranger = httpx.post(url, data={"chat_id": "8", "text": "hello"})
        group = httpx.post(url, data={"chat_id": "-1008", "text": "hello"})
        fake.send_text(8, "/start")  # now they have
        after = httpx.post(url, data={"chat_id": "8", "text": "hello"})
    assert stranger.status_code == 403
    assert stranger.json()["description"] == "Forbidden: bot can't initiate conversation with a user"
    assert group.status_code == 200 and after.status_code == 200


def test_a_person_who_blocked_the_bot_gets_403_on_every_send():
    with FakeTelegram() as fake:
        fake.pressed_start(9)
        fake.block(9)
        answers = [httpx.post(f"{fake.base_url}/sendMessage", data={"chat_id": "9", "text": "hi"}) for _ in range(2)]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json()["description"] == "Forbidden: bot was blocked by the user"
    assert fake.to(9) == []


def test_a_flood_is_answered_with_429_and_retry_after_then_sends_go_through():
    with FakeTelegram() as fake:
        fake.pressed_start(10)
        fake.flood(10, 3, 1)
        answers = [httpx.post(f"{fake.base_url}/sendMessage", data={"chat_id": "10", "text": "hi"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].json()["parameters"] == {"retry_after": 3}
    assert len(fake.to(10)) == 1
