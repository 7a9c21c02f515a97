"""Handoff tickets in the database, on SQLite and PostgreSQL: the queue's order, one winner
when two counsellors claim at once, what is kept with and without consent, and how long."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.handoff.desk import HandoffDesk
from bot.store.models import HandoffEvent, KeptMessage, Ticket
from bot.store.privacy import PrivacyStore

ALEX, BLAKE = 9001, 9002  # counsellors' Telegram ids
YOUTH_CHAT = 555123987


@pytest.fixture
def sessions(db):
    return db


@pytest.fixture
def desk(sessions, clock):
    desk = HandoffDesk(PrivacyStore(sessions, Fernet.generate_key().decode(), clock=clock))
    desk.add_counsellor(ALEX, "Alex")
    desk.add_counsellor(BLAKE, "Blake")
    return desk


def open_ticket(desk, subject, category="other", share=False, history=("first words",)):
    ticket, _ = desk.open(subject_id=subject, youth_chat=YOUTH_CHAT, category=category, reason="test",
                          age_band="13-15", country="UK", share_history=share, history=list(history))
    return ticket


def test_the_queue_puts_crisis_danger_and_sextortion_first_then_the_longest_waiting(desk, clock):
    pressure = open_ticket(desk, "a", "pressure")
    clock.now += timedelta(minutes=1)
    sextortion = open_ticket(desk, "b", "sextortion")
    clock.now += timedelta(minutes=1)
    crisis = open_ticket(desk, "c", "crisis")
    clock.now += timedelta(minutes=1)
    danger = open_ticket(desk, "d", "danger")
    clock.now += timedelta(minutes=1)
    later_pressure = open_ticket(desk, "e", "pressure")
    assert [t.id for t in desk.queue()] == [crisis.id, danger.id, sextortion.id, pressure.id, later_pressure.id]
    assert desk.place_in_line(sextortion) == 3


def test_escalation_only_moves_a_waiting_ticket_up(desk):
    pressure, sextortion = open_ticket(desk, "a", "pressure"), open_ticket(desk, "b", "sextortion")
    assert desk.escalate(pressure, "other", "x") is None  # not more urgent
    moved = desk.escalate(pressure, "crisis", "safety signal crisis.suicide_wish while waiting")
    assert moved.category == "crisis" and [t.id for t in desk.queue()] == [pressure.id, sextortion.id]
    desk.claim(sextortion.id, ALEX)
    assert desk.escalate(desk.ticket(sextortion.id), "danger", "x") is None  # a counsellor already has it


def test_asking_again_keeps_the_one_ticket(desk):
    first = open_ticket(desk, "a")
    again, new = desk.open(subject_id="a", youth_chat=YOUTH_CHAT, category="crisis", reason="x", age_band=None,
                           country=None, share_history=True, history=["more"])
    assert (again.id, new) == (first.id, False)
    assert len(desk.queue()) == 1


@pytest.mark.parametrize("rounds", [12])
def test_two_counsellors_claiming_at_once_exactly_one_wins(desk, rounds):
    for i in range(rounds):
        ticket = open_ticket(desk, f"youth-{i}")
        start = threading.Barrier(2)
        outcomes = {}

        def claim(counsellor):
            start.wait()
            outcomes[counsellor] = desk.claim(ticket.id, counsellor)

        threads = [threading.Thread(target=claim, args=(c,)) for c in (ALEX, BLAKE)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        winners = [c for c, outcome in outcomes.items() if outcome.ticket is not None]
        assert len(winners) == 1, outcomes
        loser = ({ALEX, BLAKE} - set(winners)).pop()
        assert outcomes[loser].refusal == "taken"
        owner = desk.counsellor_of(desk.ticket(ticket.id))
        assert owner.telegram_user_id == winners[0]
        desk.close(desk.ticket(ticket.id))  # both free for the next round


def test_a_counsellor_with_an_open_chat_cannot_take_a_second_and_strangers_cannot_take_any(desk):
    first, second = open_ticket(desk, "a"), open_ticket(desk, "b")
    assert desk.claim(first.id, ALEX).ticket is not None
    assert desk.claim(second.id, ALEX).refusal == "busy"
    assert desk.claim(second.id, 31337).refusal == "not_counsellor"
    assert desk.claim(999, BLAKE).refusal == "not_found"
    assert desk.ticket(second.id).status == "waiting"


def test_without_consent_nothing_they_wrote_is_kept(desk, sessions):
    ticket = open_ticket(desk, "a", share=False, history=["my private words"])
    desk.keep_for_counsellor(ticket, "more private words")
    assert desk.history(ticket) == []
    with sessions() as session:
        assert session.scalars(select(KeptMessage)).all() == []
    assert desk.store.consents("a") == {"counsellor_read": False}


def test_with_consent_what_they_wrote_is_sealed_for_this_ticket_only(desk, sessions):
    ticket = open_ticket(desk, "a", share=True, history=["he says he will post it", "i am scared"])
    desk.keep_for_counsellor(ticket, "are you there")
    assert desk.history(ticket) == ["he says he will post it", "i am scared", "are you there"]
    with sessions() as session:
        rows = session.scalars(select(KeptMessage)).all()
        raw_chat = session.scalar(select(Ticket.youth_chat))
    assert all(b"scared" not in row.ciphertext and row.ticket_id == ticket.id for row in rows)
    assert str(YOUTH_CHAT).encode() not in raw_chat
    assert desk.youth_chat(ticket) == YOUTH_CHAT


def test_closing_erases_the_way_back_and_what_was_shared_expires_seven_days_later(desk, clock, sessions):
    ticket = open_ticket(desk, "a", share=True, history=["shared words"])
    desk.claim(ticket.id, ALEX)
    desk.note(desk.ticket(ticket.id), ALEX, "wants to tell her aunt")
    clock.now += timedelta(days=20)  # a long chat: nothing expires while it is open
    assert desk.history(ticket) == ["shared words"]
    closed = desk.close(desk.ticket(ticket.id))
    assert closed.youth_chat == YOUTH_CHAT and closed.counsellor.display_name == "Alex"
    assert desk.ticket(ticket.id).youth_chat is None
    assert desk.close(desk.ticket(ticket.id)) is None  # a second /end sends nothing twice
    clock.now += timedelta(days=6, hours=23)
    assert desk.store.purge_expired() == 0
    assert desk.notes(desk.ticket(ticket.id)) == ["wants to tell her aunt"]
    clock.now += timedelta(hours=2)
    assert desk.store.purge_expired() == 3  # the shared message, the note, the ticket
    assert desk.ticket(ticket.id) is None


def test_delete_removes_their_tickets_notes_and_shared_messages(desk):
    ticket = open_ticket(desk, "a", share=True)
    desk.claim(ticket.id, ALEX)
    desk.note(desk.ticket(ticket.id), ALEX, "a note")
    other = open_ticket(desk, "b", share=True)
    assert desk.store.erase("a") == 4  # ticket, note, shared message, consent
    assert desk.ticket(ticket.id) is None
    assert desk.store.describe("a").tickets == 0
    assert desk.history(other) == ["first words"]


def test_transfer_keeps_the_place_in_line_and_removing_a_counsellor_frees_their_chat(desk, clock):
    early = open_ticket(desk, "a", "pressure")
    clock.now += timedelta(minutes=5)
    open_ticket(desk, "b", "pressure")
    desk.claim(early.id, ALEX)
    back = desk.transfer(desk.ticket(early.id))
    assert back.status == "waiting" and desk.place_in_line(back) == 1
    desk.claim(early.id, BLAKE)
    assert desk.remove_counsellor(BLAKE) is True
    assert desk.ticket(early.id).status == "waiting" and desk.counsellor(BLAKE) is None
    assert desk.remove_counsellor(BLAKE) is False


def test_the_waiting_notice_is_due_once_after_the_timeout(desk, clock):
    ticket = open_ticket(desk, "a")
    assert desk.due_for_notice(timedelta(minutes=3)) == []
    clock.now += timedelta(minutes=3)
    assert [t.id for t in desk.due_for_notice(timedelta(minutes=3))] == [ticket.id]
    desk.mark_noticed(ticket)
    assert desk.due_for_notice(timedelta(minutes=3)) == []
    clock.now += timedelta(hours=12)
    assert [t.id for t in desk.stale(timedelta(hours=12))] == [ticket.id]


def test_only_available_counsellors_without_a_chat_are_paged(desk):
    desk.set_available(BLAKE, False)
    assert [c.display_name for c in desk.on_call()] == ["Alex"]
    desk.claim(open_ticket(desk, "a").id, ALEX)
    assert desk.on_call() == []  # Alex is busy, Blake is away
    desk.set_available(BLAKE, True)
    assert [c.display_name for c in desk.on_call()] == ["Blake"]
    assert [(seat.counsellor.display_name, seat.holding and seat.holding.subject_id) for seat in desk.board()] == [
        ("Alex", "a"), ("Blake", None)]


def test_a_ban_lasts_thirty_days_a_supervisor_can_lift_it_and_delete_wipes_it_as_promised(desk, clock):
    ticket = open_ticket(desk, "a")
    desk.ban(ticket, ALEX)
    assert desk.is_banned("a") and not desk.is_banned("b")
    clock.now += timedelta(days=30)
    assert not desk.is_banned("a")
    desk.ban(ticket, ALEX)
    assert desk.unban(ticket) is True and not desk.is_banned("a")
    desk.ban(ticket, ALEX)
    desk.store.erase("a")  # "/delete wipes it all"
    assert not desk.is_banned("a")


def test_the_audit_trail_says_who_did_what_and_outlasts_delete_without_a_word_of_the_chat(desk, sessions):
    ticket = open_ticket(desk, "a", share=True, history=("he has my pics",))
    desk.claim(ticket.id, ALEX)
    desk.record(ticket.id, "read", ALEX)
    desk.transfer(desk.ticket(ticket.id), "reassigned", BLAKE)
    desk.claim(ticket.id, BLAKE)
    desk.close(desk.ticket(ticket.id), by=BLAKE)
    desk.store.erase("a")
    assert [(e.action, e.by) for e in desk.trail(ticket.id)] == [
        ("opened", None), ("claimed", "Alex"), ("read", "Alex"), ("reassigned", "Blake"), ("claimed", "Blake"),
        ("closed", "Blake")]
    with sessions() as session:
        rows = session.execute(select(HandoffEvent)).scalars().all()
    assert rows and all("pics" not in repr(vars(row)) for row in rows)
