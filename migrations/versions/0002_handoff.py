"""Counsellors, handoff tickets and their notes; kept messages can belong to a ticket.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counsellors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("telegram_user_id", sa.BigInteger, nullable=False, unique=True),
        sa.Column("display_name", sa.String(40), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject_id", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("risk", sa.Integer, nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("age_band", sa.String(16)),
        sa.Column("country", sa.String(8)),
        sa.Column("share_history", sa.Boolean, nullable=False),
        sa.Column("youth_chat", sa.LargeBinary),
        sa.Column("counsellor_id", sa.Integer, sa.ForeignKey("counsellors.id", ondelete="SET NULL")),
        sa.Column("group_message_id", sa.BigInteger),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("waiting_notice_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "ticket_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("subject_id", sa.String(64), nullable=False, index=True),
        sa.Column("counsellor_id", sa.Integer, sa.ForeignKey("counsellors.id", ondelete="SET NULL")),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    with op.batch_alter_table("kept_messages") as batch:
        batch.add_column(sa.Column("ticket_id", sa.Integer))
        batch.create_index("ix_kept_messages_ticket_id", ["ticket_id"])


def downgrade() -> None:
    with op.batch_alter_table("kept_messages") as batch:
        batch.drop_index("ix_kept_messages_ticket_id")
        batch.drop_column("ticket_id")
    op.drop_table("ticket_notes")
    op.drop_table("tickets")
    op.drop_table("counsellors")
