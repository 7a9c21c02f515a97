"""The fake Bot API refuses what the real one refuses, so the bot's handling of it is tested."""

import httpx

from tests.support.fake_telegram import MAX_TEXT, FakeTelegram


def test_a_text_over_4096_characters_is_refused_and_never_sent():
    with FakeTelegram() as fake:
        url = f"{fake.base_url}/sendMessage"
        ok = httpx.post(url, data={"chat_id": "7", "text": "a" * MAX_TEXT})
        too_long = httpx.post(url, data={"chat_id": "7", "text": "a" * (MAX_TEXT + 1)})
    assert ok.status_code == 200 and ok.json()["ok"] is True
    assert too_long.status_code == 400
    assert too_long.json() == {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
    assert len(fake.to(7)) == 1 and len(fake.refused) == 1
