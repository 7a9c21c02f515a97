"""The canary test over the running system: `waypoint run` with Telegram pointed at a fake Bot
API, Rasa, the action server and the database, on SQLite and on PostgreSQL.

Unique canary strings are sent as young people's messages, one person without consent and
one with. Afterwards every file under the bot's var directory (logs, secrets), the SQLite
file, every file its processes wrote to their temp directory, the run's own output, and
every row of the database are searched: no plaintext canary anywhere; the consented one only as ciphertext.
Rasa's in-memory conversations are covered by test_privacy.py (they expire).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import text

from bot import privacy_replies
from bot.store.database import open_database
from bot.store.privacy import PrivacyStore
from tests.conftest import isolated_settings, settings_env
from tests.support.databases import BACKENDS, fresh_database
from tests.support.fake_telegram import FakeTelegram

pytestmark = pytest.mark.rasa


def _files_containing(root: Path, needle: bytes) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def _rows_containing(url: str, needle: str) -> list[str]:
    sessions = open_database(url)
    found = []
    try:
        with sessions() as session:
            for table in ("consent_events", "kept_messages", "daily_counts"):
                for row in session.execute(text(f"SELECT * FROM {table}")):
                    if needle in repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)):
                        found.append(table)
    finally:
        sessions.kw["bind"].dispose()
    return found


@pytest.mark.parametrize("backend", BACKENDS)
async def test_no_plaintext_canary_anywhere_and_ciphertext_only_with_consent(tmp_path, waypoint_bin, backend):
    unconsented, consented = (f"canary{os.urandom(6).hex()}" for _ in range(2))
    var, temp = tmp_path / "var", tmp_path / "tmp"
    temp.mkdir()
    with fresh_database(backend, tmp_path) as url, FakeTelegram() as fake:
        env = {**settings_env(isolated_settings(var)), "TELEGRAM_BOT_TOKEN": "123456:CANARY",
               "TELEGRAM_BASE_URL": fake.base_url, "DATABASE_URL": url, "TMPDIR": str(temp),
               "WAYPOINT_TELEGRAM_PACING": "0"}
        run = await asyncio.create_subprocess_exec(waypoint_bin, "run", env=env, stdin=asyncio.subprocess.DEVNULL,
                                                   stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        try:
            await fake.wait_for("deleteWebhook", timeout=240)  # polling has started
            fake.send_text(3001, f"{unconsented} says he'll post my pics if i dont pay")
            await fake.wait_for("sendMessage", count=3)
            fake.send_text(3002, "/privacy")
            await fake.wait_for("sendMessage", count=5)
            fake.tap(3002, privacy_replies.CONSENT_YES)
            await fake.wait_for("sendMessage", count=6)
            fake.send_text(3002, f"{consented} someone wants nudes")
            await fake.wait_for("sendMessage", count=8)
        finally:
            run.send_signal(signal.SIGINT)
            await asyncio.wait_for(run.wait(), 60)
        stderr = (await run.stderr.read()).decode(errors="replace")

        for canary in (unconsented, consented):
            # var/ (logs, secrets), the processes' temp directory and the SQLite file all live here.
            assert _files_containing(tmp_path, canary.encode()) == [], stderr
            assert canary not in stderr
            assert _rows_containing(url, canary) == []
        sessions = open_database(url)
        try:
            store = PrivacyStore(sessions, json.loads((var / "secrets.json").read_text())["data_key"])
            with sessions() as session:
                subjects = session.execute(text("SELECT DISTINCT subject_id FROM kept_messages")).scalars().all()
            kept = [t for subject in subjects for t in store.kept_texts(subject, "improve_bot")]
        finally:
            sessions.kw["bind"].dispose()
        assert kept == [f"{consented} someone wants nudes"]
