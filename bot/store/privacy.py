"""Consent per purpose, kept messages (encrypted, expiring), erasure and counts.

The rules of the privacy issue live here, in one place: nothing a young person writes is
kept unless their latest answer for that purpose is yes; what is kept is encrypted with
Fernet (key from config or var/secrets.json) and carries its expiry; /delete removes every
row about the subject; counts carry no id and no content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from cryptography.fernet import Fernet
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import Ban, ConsentEvent, DailyCount, KeptMessage, RelayedCopy, Ticket, TicketNote

# Purpose -> how long a message kept for it lives. Counsellor reading (a) is kept for the
# handoff and 7 days after it ends (bot/handoff/desk.py sets that clock at close); training (b) 30 days.
RETENTION = {
    "counsellor_read": timedelta(days=7),
    "improve_bot": timedelta(days=30),
}
CONSENT_VERSION = 1  # bump when the wording of a consent question changes


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SubjectData:
    """What is stored about one subject, for /mydata."""

    consents: dict[str, bool]
    kept_messages: dict[str, int]
    tickets: int = 0  # handoffs to a counsellor still on record


class PrivacyStore:
    def __init__(self, sessions: sessionmaker[Session], key: str, clock: Callable[[], datetime] = utcnow) -> None:
        self.sessions = sessions
        self._fernet = Fernet(key)
        self._clock = clock

    def record_consent(self, subject_id: str, purpose: str, granted: bool) -> None:
        if purpose not in RETENTION:
            raise ValueError(f"unknown purpose {purpose!r}")
        with self.sessions.begin() as session:
            session.add(ConsentEvent(subject_id=subject_id, purpose=purpose, version=CONSENT_VERSION,
                                     granted=granted, at=self._clock()))
            if not granted:  # a no takes back what the earlier yes kept
                session.execute(delete(KeptMessage).where(
                    KeptMessage.subject_id == subject_id, KeptMessage.purpose == purpose))

    def consents(self, subject_id: str) -> dict[str, bool]:
        """The latest answer per purpose; a purpose never asked is absent (and means no)."""
        with self.sessions() as session:
            events = session.scalars(
                select(ConsentEvent).where(ConsentEvent.subject_id == subject_id).order_by(ConsentEvent.id)
            ).all()
        return {e.purpose: e.granted for e in events}

    def now(self) -> datetime:
        return self._clock()

    def seal(self, text: str) -> bytes:
        """Encrypted with the data key: the one way anything personal reaches the database."""
        return self._fernet.encrypt(text.encode())

    def unseal(self, ciphertext: bytes) -> str:
        return self._fernet.decrypt(ciphertext).decode()

    def keep(self, subject_id: str, purpose: str, text: str, ticket_id: int | None = None,
             lasts: timedelta | None = None) -> bool:
        """Keeps `text` encrypted for `purpose` if, and only if, the latest answer is yes;
        for `lasts`, or the purpose's retention."""
        if not self.consents(subject_id).get(purpose):
            return False
        now = self._clock()
        with self.sessions.begin() as session:
            session.add(KeptMessage(subject_id=subject_id, purpose=purpose, ciphertext=self.seal(text),
                                    ticket_id=ticket_id, kept_at=now, expires_at=now + (lasts or RETENTION[purpose])))
        return True

    def kept_texts(self, subject_id: str, purpose: str, ticket_id: int | None = None) -> list[str]:
        query = select(KeptMessage).where(KeptMessage.subject_id == subject_id, KeptMessage.purpose == purpose,
                                          KeptMessage.expires_at > self._clock())
        if ticket_id is not None:
            query = query.where(KeptMessage.ticket_id == ticket_id)
        with self.sessions() as session:
            rows = session.scalars(query.order_by(KeptMessage.id)).all()
        return [self.unseal(r.ciphertext) for r in rows]

    def all_kept_texts(self, purpose: str) -> list[str]:
        """Every unexpired message kept for `purpose`, oldest first, with no id attached."""
        with self.sessions() as session:
            rows = session.scalars(select(KeptMessage.ciphertext).where(
                KeptMessage.purpose == purpose, KeptMessage.expires_at > self._clock()).order_by(KeptMessage.id)).all()
        return [self.unseal(row) for row in rows]

    def purge_expired(self) -> int:
        """Kept messages and notes past their expiry, and handoffs ended more than 7 days ago."""
        now = self._clock()
        ended_before = now - RETENTION["counsellor_read"]
        with self.sessions.begin() as session:
            removed = sum(session.execute(delete(table).where(table.expires_at <= now)).rowcount
                          for table in (KeptMessage, TicketNote))
            return removed + session.execute(delete(Ticket).where(Ticket.closed_at <= ended_before)).rowcount

    def erase(self, subject_id: str) -> int:
        """/delete: every row about the subject, in one transaction. Returns rows removed."""
        with self.sessions.begin() as session:
            return sum(
                session.execute(delete(table).where(table.subject_id == subject_id)).rowcount
                for table in (KeptMessage, TicketNote, RelayedCopy, Ticket, ConsentEvent, Ban)
            )

    def describe(self, subject_id: str) -> SubjectData:
        with self.sessions() as session:
            kept = session.execute(
                select(KeptMessage.purpose, func.count()).where(KeptMessage.subject_id == subject_id)
                .group_by(KeptMessage.purpose)
            ).all()
            tickets = session.scalar(select(func.count()).select_from(Ticket).where(Ticket.subject_id == subject_id))
        return SubjectData(consents=self.consents(subject_id), kept_messages={p: n for p, n in kept}, tickets=tickets)

    def count(self, metric: str, label: str, day: date | None = None) -> None:
        """One more of `label` today. Counts arrive at the same moment from several threads:
        the increment is one UPDATE, and when two both find no row to update, the unique
        key lets one INSERT win and the other goes back to incrementing."""
        day = day or self._clock().date()
        where = (DailyCount.day == day, DailyCount.metric == metric, DailyCount.label == label)
        for _ in range(3):
            with self.sessions.begin() as session:
                if session.execute(update(DailyCount).where(*where).values(count=DailyCount.count + 1)).rowcount:
                    return
            try:
                with self.sessions.begin() as session:
                    session.add(DailyCount(day=day, metric=metric, label=label, count=1))
                return
            except IntegrityError:
                continue  # someone inserted it first: increment theirs

    def counts(self, metric: str) -> dict[tuple[date, str], int]:
        with self.sessions() as session:
            rows = session.scalars(select(DailyCount).where(DailyCount.metric == metric)).all()
        return {(r.day, r.label): r.count for r in rows}
