"""Consent, encrypted expiring messages and erasure, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import inspect, text

from bot.store.privacy import PrivacyStore

SUBJECT, OTHER = "subject-a", "subject-b"


@pytest.fixture
def store(db, clock):
    return PrivacyStore(db, Fernet.generate_key().decode(), clock=clock)


def test_migrations_create_the_schema_and_running_them_again_changes_nothing(db):
    engine = db.kw["bind"]
    tables = set(inspect(engine).get_table_names())
    assert {"consent_events", "kept_messages", "daily_counts", "alembic_version"} <= tables
    from bot.store.database import migrate
    migrate(engine)  # every start runs them
    assert set(inspect(engine).get_table_names()) == tables


def test_nothing_is_kept_without_a_yes_and_a_no_takes_it_back(store):
    assert store.keep(SUBJECT, "improve_bot", "never asked") is False
    store.record_consent(SUBJECT, "improve_bot", granted=True)
    assert store.keep(SUBJECT, "improve_bot", "with a yes") is True
    assert store.kept_texts(SUBJECT, "improve_bot") == ["with a yes"]
    store.record_consent(SUBJECT, "improve_bot", granted=False)
    assert store.keep(SUBJECT, "improve_bot", "after a no") is False
    assert store.kept_texts(SUBJECT, "improve_bot") == []
    assert store.consents(SUBJECT) == {"improve_bot": False}


def test_kept_text_is_ciphertext_at_rest(store, db):
    canary = "canary-" + Fernet.generate_key().decode()[:12]
    store.record_consent(SUBJECT, "improve_bot", granted=True)
    store.keep(SUBJECT, "improve_bot", canary)
    with db() as session:
        stored = session.execute(text("SELECT ciphertext FROM kept_messages")).scalar_one()
    assert canary.encode() not in bytes(stored)
    assert store.kept_texts(SUBJECT, "improve_bot") == [canary]


def test_kept_messages_expire_and_the_purge_removes_them(store, clock):
    store.record_consent(SUBJECT, "improve_bot", granted=True)
    store.record_consent(SUBJECT, "counsellor_read", granted=True)
    store.keep(SUBJECT, "improve_bot", "kept 30 days")
    store.keep(SUBJECT, "counsellor_read", "kept 7 days")
    clock.now += timedelta(days=7, seconds=1)
    assert store.kept_texts(SUBJECT, "counsellor_read") == []
    assert store.purge_expired() == 1
    assert store.kept_texts(SUBJECT, "improve_bot") == ["kept 30 days"]
    clock.now += timedelta(days=23)
    assert store.purge_expired() == 1
    assert store.describe(SUBJECT).kept_messages == {}


def test_erase_leaves_no_row_about_the_subject_and_touches_no_one_else(store, db):
    for subject in (SUBJECT, OTHER):
        store.record_consent(subject, "improve_bot", granted=True)
        store.keep(subject, "improve_bot", f"from {subject}")
    assert store.erase(SUBJECT) == 2
    with db() as session:
        for table in ("consent_events", "kept_messages"):
            rows = session.execute(text(f"SELECT count(*) FROM {table} WHERE subject_id = :s"), {"s": SUBJECT})
            assert rows.scalar_one() == 0
    assert store.kept_texts(OTHER, "improve_bot") == [f"from {OTHER}"]


def test_counts_carry_a_day_and_a_label_only(store, clock):
    store.count("category", "sextortion")
    store.count("category", "sextortion")
    store.count("category", "crisis")
    day = clock.now.date()
    assert store.counts("category") == {(day, "sextortion"): 2, (day, "crisis"): 1}


def test_counts_from_many_threads_at_once_are_all_kept(store):
    start = threading.Barrier(8)

    def count_many():
        start.wait()
        for _ in range(25):
            store.count("category", "crisis")

    threads = [threading.Thread(target=count_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert list(store.counts("category").values()) == [200]
