"""What Waypoint keeps in its database, and nothing more.

No names, usernames, phone numbers, Telegram ids or locations of young people: rows are
keyed by the pseudonymous subject id (bot/identity.py). Message text appears only in
`kept_messages` and counsellors' notes, only encrypted, always with an expiry, and a young
person's words only after they said yes to that purpose. The one way back to a young
person's chat, needed to relay a counsellor's replies, is stored encrypted and only while
their handoff is open. Counsellors are staff: their Telegram id and chosen display name are
kept so the bot can recognise them. Every schema change is an Alembic migration
(migrations/).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, TypeDecorator, UniqueConstraint,
    false, true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator):
    """A moment in UTC, read back aware on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class Base(DeclarativeBase):
    pass


class ConsentEvent(Base):
    """One yes or no to one purpose, as it was asked (the wording's version), and when."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    granted: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class KeptMessage(Base):
    """A young person's message kept for a purpose they agreed to: encrypted, expiring."""

    __tablename__ = "kept_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    # For counsellor reading (a): the handoff it was shared with, so a card shows only its own.
    ticket_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kept_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class DailyCount(Base):
    """Metrics without content or ids: how many of what happened on a day."""

    __tablename__ = "daily_counts"
    __table_args__ = (UniqueConstraint("day", "metric", "label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(32))  # category | failure | handoff | handoff_wait
    label: Mapped[str] = mapped_column(String(64))  # e.g. the category, or the failure reason
    count: Mapped[int] = mapped_column(Integer, default=0)


class Counsellor(Base):
    """Someone on the allowlist (`waypoint counsellors add`): the only people who can take a chat."""

    __tablename__ = "counsellors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(40))  # the only thing a young person sees
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # /available and /away: only available counsellors are paged when a crisis chat waits.
    available: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # `waypoint counsellors add --supervisor`: may see who holds what (/who), reassign, read the audit.
    supervisor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Ticket(Base):
    """One handoff: waiting -> claimed -> closed, or expired (never claimed)."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # waiting | claimed | closed | expired
    risk: Mapped[int] = mapped_column(Integer)  # 0 is seen first (crisis), see bot/handoff/desk.py
    category: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(200))  # which safety signal or intent fired
    age_band: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(8))
    share_history: Mapped[bool] = mapped_column(Boolean)  # consent (a) as answered for this handoff
    # The young person's Telegram chat, encrypted; erased when the ticket closes or expires.
    youth_chat: Mapped[bytes | None] = mapped_column(LargeBinary)
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("counsellors.id", ondelete="SET NULL"))
    group_message_id: Mapped[int | None] = mapped_column(BigInteger)  # the card in the counsellors' group
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the young person got the "nobody free / closed now" pack, so it is sent once.
    waiting_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the counsellor holding it was taken off the list (`waypoint counsellors remove`, another
    # process): the running bot tells the young person, wakes Rasa and posts a new card.
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TicketNote(Base):
    """A counsellor's private note on a ticket: never shown to the young person; encrypted, expiring."""

    __tablename__ = "ticket_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("counsellors.id", ondelete="SET NULL"))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RelayedCopy(Base):
    """A message in a counsellor's Telegram chat that holds a young person's words (a relayed
    message, or the card with their shared history): only its ids, so the bot can delete it when
    the chat ends, at the young person's /exit or /delete, where Telegram still allows (48 h)."""

    __tablename__ = "relayed_copies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Ban(Base):
    """Someone who abused counsellors (/ban), by pseudonymous id only, until a date: the bot
    still answers them, crisis and danger lines included, but offers no counsellor chat. No
    reason text is kept. Their /delete erases it too: "/delete wipes it all" is a promise, and
    a counsellor can ban again."""

    __tablename__ = "bans"

    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("counsellors.id", ondelete="SET NULL"))
    until: Mapped[datetime] = mapped_column(UTCDateTime)


class HandoffEvent(Base):
    """The audit trail (/audit N): which counsellor did what to which ticket, and when; never a
    word anyone wrote. `ticket_id` is a plain number, not a link, so the trail outlasts a young
    person's /delete without pointing back to them."""

    __tablename__ = "handoff_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(Integer, index=True)
    # opened | paged | claimed | read | transferred | reassigned | not reached | returned | closed | expired | banned
    action: Mapped[str] = mapped_column(String(16))
    counsellor_id: Mapped[int | None] = mapped_column(ForeignKey("counsellors.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
