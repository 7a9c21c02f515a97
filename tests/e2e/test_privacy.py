"""Consent (b) end to end: nothing of what a young person types is stored without a yes;
with a yes only ciphertext; a no or /delete takes it back. On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from bot import privacy_replies
from bot.conversation import RasaBridge
from bot.store.database import open_database
from bot.store.privacy import PrivacyStore
from tests.support.databases import BACKENDS, fresh_database

pytestmark = pytest.mark.rasa


def _everything_stored(sessions) -> bytes:
    """Every value of every row of every table, as bytes: where a canary could hide."""
    found = b""
    with sessions() as session:
        for table in ("consent_events", "kept_messages", "daily_counts", "alembic_version"):
            for row in session.execute(text(f"SELECT * FROM {table}")):
                found += b"|".join(bytes(v) if isinstance(v, (bytes, memoryview)) else str(v).encode() for v in row)
    return found


@contextlib.asynccontextmanager
async def _bridge_with_store(rasa_stack, backend: str, tmp_path):
    """A fresh database on `backend`, its privacy store, and a bridge to the session's Rasa that keeps with it."""
    with fresh_database(backend, tmp_path) as url:
        sessions = open_database(url)
        store = PrivacyStore(sessions, Fernet.generate_key().decode())
        bridge = RasaBridge(rasa_stack.settings.rasa_url, auth_token=rasa_stack.auth_token, store=store)
        try:
            yield url, sessions, store, bridge
        finally:
            await bridge.aclose()
            sessions.kw["bind"].dispose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_canaries_are_stored_only_after_a_yes_and_only_as_ciphertext(rasa_stack, tmp_path, backend):
    before, after_yes, after_no = (f"canary{os.urandom(5).hex()}" for _ in range(3))
    async with _bridge_with_store(rasa_stack, backend, tmp_path) as (_, sessions, store, bridge):
        sender = f"privacy-{backend}"
        await bridge.send(sender, text=f"{before} someone wants pics of me")
        privacy = await bridge.send(sender, text="/privacy")
        [yes, no] = privacy.replies[-1].buttons
        assert (yes.payload, no.payload) == (privacy_replies.CONSENT_YES, privacy_replies.CONSENT_NO)

        await bridge.send(sender, payload=yes.payload)
        await bridge.send(sender, text=f"{after_yes} he keeps asking")
        mydata = await bridge.send(sender, text="/mydata")
        assert "Messages kept: 1" in mydata.replies[0].text and ": yes." in mydata.replies[0].text
        assert store.kept_texts(sender, "improve_bot") == [f"{after_yes} he keeps asking"]
        stored = _everything_stored(sessions)
        assert before.encode() not in stored and after_yes.encode() not in stored  # ciphertext only
        if backend == "sqlite":
            assert after_yes.encode() not in (tmp_path / "waypoint.db").read_bytes()

        await bridge.send(sender, payload=no.payload)
        await bridge.send(sender, text=f"{after_no} ok")
        assert store.kept_texts(sender, "improve_bot") == []
        assert store.describe(sender).consents == {"improve_bot": False}


async def test_an_idle_conversation_leaves_rasas_memory_but_the_chosen_country_stays(bridge, rasa_stack):
    canary = f"canary{os.urandom(5).hex()}"
    sender = "privacy-idle"
    await bridge.send(sender, payload='/choose_country{"country":"CA"}')
    await bridge.send(sender, text=f"{canary} someone is threatening me")
    assert await bridge.forget_idle(idle_seconds=3600) == 0  # still active
    assert await bridge.forget_idle(idle_seconds=0) == 1
    async with httpx.AsyncClient(base_url=rasa_stack.settings.rasa_url) as client:
        tracker = (await client.get(f"/conversations/{sender}/tracker",
                                    params={"token": rasa_stack.auth_token, "include_events": "ALL"})).json()
    assert canary not in json.dumps(tracker)
    assert tracker["slots"]["country"] == "CA"
    again = await bridge.send(sender, text="someone is threatening me")
    assert "Cybertip.ca" in "\n".join(r.text for r in again.replies)


async def test_each_turn_is_counted_by_category_and_the_report_shows_it(rasa_stack, tmp_path, waypoint_bin):
    url = f"sqlite:///{tmp_path / 'waypoint.db'}"
    sessions = open_database(url)
    store = PrivacyStore(sessions, Fernet.generate_key().decode())
    bridge = RasaBridge(rasa_stack.settings.rasa_url, auth_token=rasa_stack.auth_token, store=store)
    try:
        await bridge.send("counted-1", text="i want to kill myself")
        await bridge.send("counted-2", text="hi")
        await bridge.send("counted-2", text="whats the capital of france")
    finally:
        await bridge.aclose()  # waits for the counting, which runs after each reply
    counted = {label: n for (_, label), n in store.counts("category").items()}
    assert counted == {"crisis": 1, "other": 2}

    report = await asyncio.create_subprocess_exec(
        waypoint_bin, "report", "--out", str(tmp_path / "report.png"),
        env={**os.environ, "DATABASE_URL": url, "WAYPOINT_VAR_DIR": str(tmp_path / "var")},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, _ = await asyncio.wait_for(report.communicate(), 120)
    assert report.returncode == 0
    assert " crisis " in out.decode() and (tmp_path / "report.png").stat().st_size > 0
    sessions.kw["bind"].dispose()


class _Lock:
    """Another process holding the database: SQLite's whole file, PostgreSQL's consent and kept tables."""

    def __init__(self, backend: str, url: str, tmp_path) -> None:
        self.backend, self.url, self.tmp_path = backend, url, tmp_path

    def __enter__(self) -> "_Lock":
        if self.backend == "sqlite":
            self.connection = sqlite3.connect(self.tmp_path / "waypoint.db", timeout=0)
            self.connection.execute("BEGIN EXCLUSIVE")
        else:
            self.engine = create_engine(self.url)
            self.connection = self.engine.connect()
            self.connection.execute(text("LOCK TABLE consent_events, kept_messages IN ACCESS EXCLUSIVE MODE"))
        return self

    def __exit__(self, *exc: object) -> None:
        self.connection.rollback()
        self.connection.close()
        if self.backend != "sqlite":
            self.engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_locked_database_never_holds_up_a_reply_and_a_no_given_then_is_honoured(rasa_stack, tmp_path, backend):
    # A 25 s lock used to delay every reply, crisis included; a "no" given while the database
    # could not write was lost while the bot said it kept nothing.
    kept_later, after_no = (f"canary{os.urandom(5).hex()}" for _ in range(2))
    async with _bridge_with_store(rasa_stack, backend, tmp_path) as (url, sessions, store, bridge):
        sender = f"privacy-locked-{backend}"
        await bridge.send(sender, payload=privacy_replies.CONSENT_YES)
        with _Lock(backend, url, tmp_path):
            crisis = await bridge.send(sender, text=f"{kept_later} i want to die")
        assert "988" in crisis.replies[0].text  # answered while the database was locked
        await bridge.settled()
        assert store.kept_texts(sender, "improve_bot") == [f"{kept_later} i want to die"]  # kept after

        with _Lock(backend, url, tmp_path):
            no = await bridge.send(sender, payload=privacy_replies.CONSENT_NO)
            await bridge.send(sender, text=f"{after_no} ok")
        await bridge.settled()
        assert no.replies == [privacy_replies.NO_NOT_SAVED_YET]
        assert store.describe(sender).consents == {"improve_bot": False}  # stored on the next turn
        assert after_no.encode() not in _everything_stored(sessions)
        assert store.kept_texts(sender, "improve_bot") == []  # the no took back what was kept
