"""What Waypoint keeps in its database, and nothing more.

No names, usernames, phone numbers, Telegram ids or locations: rows are keyed by the
pseudonymous subject id (bot/identity.py). Message text appears only in `kept_messages`,
only after the young person said yes to that purpose, only encrypted, always with an
expiry. Every schema change is an Alembic migration (migrations/).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


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
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KeptMessage(Base):
    """A young person's message kept for a purpose they agreed to: encrypted, expiring."""

    __tablename__ = "kept_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    kept_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class DailyCount(Base):
    """Metrics without content or ids: how many of what happened on a day."""

    __tablename__ = "daily_counts"
    __table_args__ = (UniqueConstraint("day", "metric", "label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(32))  # category | fallback | failure
    label: Mapped[str] = mapped_column(String(64))  # e.g. the category, or the failure reason
    count: Mapped[int] = mapped_column(Integer, default=0)
