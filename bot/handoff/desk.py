"""Handoff tickets and the counsellor allowlist, kept in the database so a restart loses nothing.

A ticket goes waiting -> claimed -> closed, or expires unclaimed; /transfer puts a claimed
one back to waiting with its place in line kept. The queue is ordered by risk (the category
precedence in bot/data/categories.yml: crisis, danger, sextortion first), then by how long
each has waited. A claim is one conditional UPDATE, so when two counsellors tap "Take" at
once exactly one wins, on SQLite and on PostgreSQL alike.

The young person's chat id is the only way to relay a counsellor's reply back; it is sealed
with the data key and erased when the ticket ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from bot.categories import risk_order
from bot.store.models import Ban, Counsellor, HandoffEvent, KeptMessage, RelayedCopy, Ticket, TicketNote
from bot.store.privacy import RETENTION, PrivacyStore

ACTIVE = ("waiting", "claimed")
URGENT = ("crisis", "danger")  # a waiting ticket of these pages the available counsellors
BAN_LASTS = timedelta(days=30)
# What is shared with a counsellor, and their notes, last while the handoff is open (at most
# this long, should a ticket be abandoned) and then 7 days after it ends (close() sets that).
WHILE_OPEN = timedelta(days=30)


@dataclass(frozen=True)
class Claim:
    """How a claim went: `ticket` when this counsellor won, else why not."""

    ticket: Ticket | None
    refusal: str | None = None  # not_counsellor | busy | taken | not_found


@dataclass(frozen=True)
class Route:
    """Who wrote, in one lookup: a counsellor on the list, or a young person and their open
    ticket with the counsellor who owns it (each None when there is none)."""

    counsellor: Counsellor | None
    ticket: Ticket | None = None
    owner: Counsellor | None = None


@dataclass(frozen=True)
class Seat:
    """One counsellor on the supervisor's board: available or away, and the chat they hold."""

    counsellor: Counsellor
    holding: Ticket | None


@dataclass(frozen=True)
class Event:
    """One line of the audit trail, with the counsellor's display name (None: the bot did it)."""

    action: str
    by: str | None
    at: datetime


@dataclass(frozen=True)
class Closed:
    ticket: Ticket
    youth_chat: int | None  # where to send the closing line; None once erased
    counsellor: Counsellor | None


def _counsellor(session: Session, telegram_user_id: int) -> Counsellor | None:
    return session.scalar(select(Counsellor).where(Counsellor.telegram_user_id == telegram_user_id))


class HandoffDesk:
    def __init__(self, store: PrivacyStore) -> None:
        self._sessions = store.sessions  # one database, one data key: the privacy store's
        self.store = store

    # --- the allowlist ----------------------------------------------------------------
    def add_counsellor(self, telegram_user_id: int, display_name: str, supervisor: bool = False) -> Counsellor:
        """Adds someone, or renames them (and sets their role) if they are already on the list."""
        with self._sessions.begin() as session:
            counsellor = _counsellor(session, telegram_user_id)
            if counsellor is None:
                counsellor = Counsellor(telegram_user_id=telegram_user_id, display_name=display_name,
                                        added_at=self.store.now(), supervisor=supervisor)
                session.add(counsellor)
            else:
                counsellor.display_name, counsellor.supervisor = display_name, supervisor
            return counsellor

    def set_available(self, telegram_user_id: int, available: bool) -> None:
        with self._sessions.begin() as session:
            session.execute(update(Counsellor).where(Counsellor.telegram_user_id == telegram_user_id)
                            .values(available=available))

    def on_call(self) -> list[Counsellor]:
        """Who to page: available, and not holding a chat already."""
        with self._sessions() as session:
            held = exists().where(and_(Ticket.counsellor_id == Counsellor.id, Ticket.status == "claimed"))
            return list(session.scalars(select(Counsellor).where(Counsellor.available, ~held)
                                        .order_by(Counsellor.display_name)))

    def board(self) -> list[Seat]:
        """Everyone on the list and what they hold, for a supervisor's /who."""
        with self._sessions() as session:
            rows = session.execute(
                select(Counsellor, Ticket)
                .outerjoin(Ticket, and_(Ticket.counsellor_id == Counsellor.id, Ticket.status == "claimed"))
                .order_by(Counsellor.display_name)).all()
            return [Seat(counsellor, ticket) for counsellor, ticket in rows]

    def remove_counsellor(self, telegram_user_id: int) -> bool:
        """Takes someone off the list; a chat they hold goes back to the queue."""
        with self._sessions.begin() as session:
            counsellor = _counsellor(session, telegram_user_id)
            if counsellor is None:
                return False
            held = select(Ticket.id).where(Ticket.counsellor_id == counsellor.id, Ticket.status == "claimed")
            session.add_all(HandoffEvent(ticket_id=ticket_id, action="returned", at=self.store.now())
                            for ticket_id in session.scalars(held))
            session.execute(update(Ticket).where(Ticket.counsellor_id == counsellor.id, Ticket.status == "claimed")
                            .values(status="waiting", counsellor_id=None, claimed_at=None, group_message_id=None,
                                    returned_at=self.store.now()))
            session.delete(counsellor)
            return True

    def counsellors(self) -> list[Counsellor]:
        with self._sessions() as session:
            return list(session.scalars(select(Counsellor).order_by(Counsellor.display_name)))

    def counsellor(self, telegram_user_id: int) -> Counsellor | None:
        with self._sessions() as session:
            return _counsellor(session, telegram_user_id)

    def has_counsellors(self) -> bool:
        with self._sessions() as session:
            return bool(session.scalar(select(func.count()).select_from(Counsellor)))

    # --- tickets ------------------------------------------------------------------------
    def open(self, *, subject_id: str, youth_chat: int, category: str, reason: str, age_band: str | None,
             country: str | None, share_history: bool, history: list[str]) -> tuple[Ticket, bool]:
        """A waiting ticket for this young person, or the one they already have (then False).

        With consent (a), `history` (what they wrote to the bot, read from Rasa's memory) is
        kept sealed for this ticket; without it, nothing they wrote is stored.
        """
        current = self.active_for_subject(subject_id)
        if current is not None:
            return current, False
        self.store.record_consent(subject_id, "counsellor_read", share_history)
        with self._sessions.begin() as session:
            ticket = Ticket(subject_id=subject_id, status="waiting", risk=risk_order(category), category=category,
                            reason=reason[:200], age_band=age_band, country=country, share_history=share_history,
                            youth_chat=self.store.seal(str(youth_chat)), created_at=self.store.now())
            session.add(ticket)
            session.flush()
            session.add(HandoffEvent(ticket_id=ticket.id, action="opened", at=ticket.created_at))
        for text in history if share_history else ():
            self.store.keep(subject_id, "counsellor_read", text, ticket_id=ticket.id, lasts=WHILE_OPEN)
        return ticket, True

    def ticket(self, ticket_id: int) -> Ticket | None:
        with self._sessions() as session:
            return session.get(Ticket, ticket_id)

    def route(self, telegram_user_id: int, subject_id: str) -> Route:
        """Every message's first question, asked in one session: it runs for each one."""
        with self._sessions() as session:
            counsellor = _counsellor(session, telegram_user_id)
            if counsellor is not None:
                return Route(counsellor)
            ticket = session.scalar(select(Ticket).where(Ticket.subject_id == subject_id, Ticket.status.in_(ACTIVE)))
            owner = session.get(Counsellor, ticket.counsellor_id) if ticket and ticket.counsellor_id else None
            return Route(None, ticket, owner)

    def active_for_subject(self, subject_id: str) -> Ticket | None:
        with self._sessions() as session:
            return session.scalar(select(Ticket).where(Ticket.subject_id == subject_id, Ticket.status.in_(ACTIVE)))

    def active_for_counsellor(self, telegram_user_id: int) -> Ticket | None:
        with self._sessions() as session:
            return session.scalar(select(Ticket).join(Counsellor, Ticket.counsellor_id == Counsellor.id).where(
                Counsellor.telegram_user_id == telegram_user_id, Ticket.status == "claimed"))

    def counsellor_of(self, ticket: Ticket) -> Counsellor | None:
        with self._sessions() as session:
            return session.get(Counsellor, ticket.counsellor_id) if ticket.counsellor_id else None

    def queue(self) -> list[Ticket]:
        """Waiting tickets, the most at risk first, then the longest waiting."""
        with self._sessions() as session:
            return list(session.scalars(select(Ticket).where(Ticket.status == "waiting")
                                        .order_by(Ticket.risk, Ticket.created_at, Ticket.id)))

    def place_in_line(self, ticket: Ticket) -> int:
        return 1 + next((i for i, t in enumerate(self.queue()) if t.id == ticket.id), 0)

    def youth_chat(self, ticket: Ticket) -> int | None:
        return int(self.store.unseal(ticket.youth_chat)) if ticket.youth_chat else None

    def history(self, ticket: Ticket) -> list[str]:
        """What the young person agreed a counsellor may read, for this ticket only."""
        if not ticket.share_history:
            return []
        return self.store.kept_texts(ticket.subject_id, "counsellor_read", ticket_id=ticket.id)

    def keep_for_counsellor(self, ticket: Ticket, text: str) -> None:
        """A message written during the handoff, kept sealed only if they said yes to (a)."""
        if ticket.share_history:
            self.store.keep(ticket.subject_id, "counsellor_read", text, ticket_id=ticket.id, lasts=WHILE_OPEN)

    def escalate(self, ticket: Ticket, category: str, reason: str) -> Ticket | None:
        """A waiting young person wrote something more urgent than why they asked: the
        ticket moves up the queue. Returns it changed, or None (not waiting, or not more urgent)."""
        risk = risk_order(category)
        with self._sessions.begin() as session:
            moved = session.execute(update(Ticket).where(Ticket.id == ticket.id, Ticket.status == "waiting",
                                                         Ticket.risk > risk)
                                    .values(risk=risk, category=category, reason=reason[:200])).rowcount
            return session.get(Ticket, ticket.id) if moved else None

    def set_group_message(self, ticket_id: int, message_id: int) -> None:
        with self._sessions.begin() as session:
            session.execute(update(Ticket).where(Ticket.id == ticket_id).values(group_message_id=message_id))

    def claim(self, ticket_id: int, telegram_user_id: int) -> Claim:
        """One conditional UPDATE: the ticket must still be waiting and the counsellor free."""
        with self._sessions.begin() as session:
            counsellor = _counsellor(session, telegram_user_id)
            if counsellor is None:
                return Claim(None, "not_counsellor")
            held = aliased(Ticket)
            won = session.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id, Ticket.status == "waiting",
                       ~exists().where(and_(held.counsellor_id == counsellor.id, held.status == "claimed")))
                .values(status="claimed", counsellor_id=counsellor.id, claimed_at=self.store.now())
            ).rowcount
            if won:
                session.add(HandoffEvent(ticket_id=ticket_id, action="claimed", counsellor_id=counsellor.id,
                                         at=self.store.now()))
                return Claim(session.get(Ticket, ticket_id))
            ticket = session.get(Ticket, ticket_id)
            busy = session.scalar(select(Ticket.id).where(Ticket.counsellor_id == counsellor.id,
                                                          Ticket.status == "claimed"))
        if ticket is None or ticket.status not in ACTIVE:
            return Claim(None, "not_found")
        return Claim(None, "busy" if busy is not None and busy != ticket_id else "taken")

    def transfer(self, ticket: Ticket, action: str = "transferred", by: int | None = None) -> Ticket:
        """Back to the queue, keeping its place: the young person has waited long enough.
        `action` (transferred, reassigned) and `by` (who) go on the audit trail."""
        with self._sessions.begin() as session:
            moved = session.execute(update(Ticket).where(Ticket.id == ticket.id, Ticket.status == "claimed")
                                    .values(status="waiting", counsellor_id=None, claimed_at=None,
                                            group_message_id=None)).rowcount
            if moved:
                self._record(session, ticket.id, action, by)
            return session.get(Ticket, ticket.id)

    def close(self, ticket: Ticket, status: str = "closed", by: int | None = None) -> Closed | None:
        """Ends a ticket (closed, or expired unclaimed; `by` the counsellor who closed it, for
        the audit trail). What was shared and the notes now expire 7 days after this moment;
        the way back to the young person's chat is erased. None if it had already ended (two
        /end at once send one closing line)."""
        now = self.store.now()
        expires = now + RETENTION["counsellor_read"]
        with self._sessions.begin() as session:
            current = session.get(Ticket, ticket.id, with_for_update=True)
            if current is None or current.status not in ACTIVE:
                return None
            counsellor = session.get(Counsellor, current.counsellor_id) if current.counsellor_id else None
            chat = self.youth_chat(current)
            current.status, current.closed_at, current.youth_chat = status, now, None
            self._record(session, ticket.id, status, by)
            for table in (KeptMessage, TicketNote):
                session.execute(update(table).where(table.ticket_id == ticket.id).values(expires_at=expires))
            return Closed(current, chat, counsellor)

    def note(self, ticket: Ticket, telegram_user_id: int, text: str) -> None:
        now = self.store.now()
        with self._sessions.begin() as session:
            counsellor = _counsellor(session, telegram_user_id)
            session.add(TicketNote(ticket_id=ticket.id, subject_id=ticket.subject_id,
                                   counsellor_id=counsellor.id if counsellor else None,
                                   ciphertext=self.store.seal(text), written_at=now, expires_at=now + WHILE_OPEN))

    def remember_copies(self, ticket: Ticket, chat_id: int, message_ids: list[int]) -> None:
        """Counsellor-side messages holding the young person's words: their ids, to delete later."""
        now = self.store.now()
        with self._sessions.begin() as session:
            session.add_all(RelayedCopy(ticket_id=ticket.id, subject_id=ticket.subject_id, chat_id=chat_id,
                                        message_id=message_id, sent_at=now) for message_id in message_ids)

    def take_copies(self, ticket_id: int) -> list[tuple[int, int]]:
        """(chat id, message id) of every remembered copy of a ticket, forgotten as they are returned."""
        with self._sessions.begin() as session:
            rows = session.scalars(select(RelayedCopy).where(RelayedCopy.ticket_id == ticket_id)
                                   .order_by(RelayedCopy.id)).all()
            session.execute(delete(RelayedCopy).where(RelayedCopy.ticket_id == ticket_id))
            return [(row.chat_id, row.message_id) for row in rows]

    def notes(self, ticket: Ticket) -> list[str]:
        with self._sessions() as session:
            rows = session.scalars(select(TicketNote).where(TicketNote.ticket_id == ticket.id)
                                   .order_by(TicketNote.id)).all()
        return [self.store.unseal(r.ciphertext) for r in rows]

    def due_for_notice(self, waited: timedelta) -> list[Ticket]:
        """Waiting tickets nobody took within `waited` whose young person has not been told yet."""
        cutoff = self.store.now() - waited
        with self._sessions() as session:
            return list(session.scalars(select(Ticket).where(
                Ticket.status == "waiting", Ticket.waiting_notice_at.is_(None), Ticket.created_at <= cutoff)))

    def returned(self) -> list[Ticket]:
        """Waiting tickets whose counsellor was taken off the list and whose young person has not been told."""
        with self._sessions() as session:
            return list(session.scalars(select(Ticket).where(Ticket.status == "waiting", Ticket.returned_at.is_not(None))))

    def mark_return_told(self, ticket: Ticket) -> None:
        with self._sessions.begin() as session:
            session.execute(update(Ticket).where(Ticket.id == ticket.id).values(returned_at=None))

    def mark_noticed(self, ticket: Ticket) -> None:
        with self._sessions.begin() as session:
            session.execute(update(Ticket).where(Ticket.id == ticket.id).values(waiting_notice_at=self.store.now()))

    def stale(self, max_wait: timedelta) -> list[Ticket]:
        """Waiting longer than anyone should be left in a queue: these expire."""
        cutoff = self.store.now() - max_wait
        with self._sessions() as session:
            return list(session.scalars(select(Ticket).where(Ticket.status == "waiting",
                                                             Ticket.created_at <= cutoff)))

    # --- bans ---------------------------------------------------------------------------------
    def ban(self, ticket: Ticket, telegram_user_id: int) -> None:
        """The young person behind `ticket` gets no counsellor chat for BAN_LASTS; the bot still
        answers them. Their open ticket is closed by the caller."""
        with self._sessions.begin() as session:
            counsellor = _counsellor(session, telegram_user_id)
            until = self.store.now() + BAN_LASTS
            current = session.get(Ban, ticket.subject_id)
            if current is None:
                session.add(Ban(subject_id=ticket.subject_id, counsellor_id=counsellor and counsellor.id, until=until))
            else:
                current.until = until
            self._record(session, ticket.id, "banned", telegram_user_id)

    def unban(self, ticket: Ticket) -> bool:
        with self._sessions.begin() as session:
            return bool(session.execute(delete(Ban).where(Ban.subject_id == ticket.subject_id)).rowcount)

    def is_banned(self, subject_id: str) -> bool:
        with self._sessions() as session:
            ban = session.get(Ban, subject_id)
            return ban is not None and ban.until > self.store.now()

    # --- the audit trail: who did what, never what was written --------------------------------
    def record(self, ticket_id: int, action: str, telegram_user_id: int | None = None) -> None:
        with self._sessions.begin() as session:
            self._record(session, ticket_id, action, telegram_user_id)

    def _record(self, session: Session, ticket_id: int, action: str, telegram_user_id: int | None) -> None:
        counsellor = _counsellor(session, telegram_user_id) if telegram_user_id is not None else None
        session.add(HandoffEvent(ticket_id=ticket_id, action=action, at=self.store.now(),
                                 counsellor_id=counsellor and counsellor.id))

    def trail(self, ticket_id: int) -> list[Event]:
        with self._sessions() as session:
            rows = session.execute(
                select(HandoffEvent, Counsellor.display_name)
                .outerjoin(Counsellor, HandoffEvent.counsellor_id == Counsellor.id)
                .where(HandoffEvent.ticket_id == ticket_id).order_by(HandoffEvent.id)).all()
            return [Event(event.action, name, event.at) for event, name in rows]
