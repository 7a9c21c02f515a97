"""The app log's second guard: whatever a log call is handed, no words, names or tokens reach the file."""

from __future__ import annotations

import json
import logging

import pytest

from bot import logs

CANARY = "canary-7f3a he said he will post my pics"
TOKEN = "123456789:AAHk2bq9Jx0example-token_value_1234"


@pytest.fixture
def app_log(tmp_path):
    before = logging.getLogger().handlers[:], logging.getLogger().level
    path = tmp_path / "waypoint.log"
    logs.setup(path)
    yield path
    logging.getLogger().handlers[:], _ = before
    logging.getLogger().setLevel(before[1])


def lines(path):
    for handler in logging.getLogger().handlers:
        handler.flush()
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_line_is_json_with_ids_categories_and_timings(app_log):
    logging.getLogger("bot.conversation").info("turn", extra={"subject": "ab12cd34ef56", "ms": 12.5,
                                                              "category": "crisis"})
    [line] = lines(app_log)
    assert line["event"] == "turn" and line["logger"] == "bot.conversation" and line["level"] == "INFO"
    assert (line["subject"], line["ms"], line["category"]) == ("ab12cd34ef56", 12.5, "crisis")


@pytest.mark.parametrize("careless", [
    # A library dumping an update or a request body, or a log call of ours that should not exist.
    lambda log: log.info("update %r", {"message": {"text": CANARY, "from": {"first_name": "Sam"}}}),
    lambda log: log.info("Update(message=Message(text='%s', caption=\"%s\"))", CANARY, CANARY),
    lambda log: log.info('POST /webhooks/rest/webhook {"sender": "x", "message": "%s"}', CANARY),
    lambda log: log.info("turn", extra={"text": CANARY}),
    lambda log: log.info("turn", extra={"user_words": CANARY}),
])
def test_words_in_any_shape_are_redacted(app_log, careless):
    careless(logging.getLogger("telegram.ext"))
    written = app_log.read_text()
    assert "canary-7f3a" not in written and "Sam" not in written
    assert "[redacted]" in written


def test_an_exception_carrying_words_is_redacted_too(app_log):
    try:
        raise ValueError(f"bad payload: {{'text': '{CANARY}'}}")
    except ValueError:
        logging.getLogger("bot").exception("handler failed")
    [line] = lines(app_log)
    assert "ValueError" in line["exception"] and "canary-7f3a" not in line["exception"]


def test_tokens_in_urls_are_redacted(app_log):
    logging.getLogger("httpx").warning("GET https://api.telegram.org/bot%s/getUpdates", TOKEN)
    logging.getLogger("bot").warning("GET http://127.0.0.1:5005/status?token=s3cr3t-value&x=1")
    written = app_log.read_text()
    assert TOKEN not in written and "s3cr3t-value" not in written
    assert written.count("[redacted]") == 2


@pytest.mark.parametrize("logger", ["telegram.ext.Updater", "telegram.Bot"])  # the webhook handler, getUpdates
def test_an_update_the_library_could_not_read_is_logged_without_its_contents(app_log, logger):
    # A black-box run found locations, a venue's address, a forwarded sender's name and ids in it.
    data = {"update_id": 9, "message": {"chat": {"id": 5550123}, "location": {"latitude": 51.50123, "longitude": -0.14189},
                                        "venue": {"address": "1 Example Street"}, "forward_sender_name": "Sam Q"}}
    logging.getLogger(logger).critical("Received data was *not* processed! Received data was: %r", data)
    [line] = lines(app_log)
    assert line["event"] == logs.UNREADABLE_UPDATE and line["level"] == "CRITICAL"
    for secret in ("51.50123", "Example Street", "Sam Q", "5550123"):
        assert secret not in app_log.read_text()
