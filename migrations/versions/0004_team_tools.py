"""Counsellor team tools: available or away, supervisors, bans, and a content-free audit trail.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("counsellors") as batch:
        batch.add_column(sa.Column("available", sa.Boolean, nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("supervisor", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_table(
        "bans",
        sa.Column("subject_id", sa.String(64), primary_key=True),
        sa.Column("counsellor_id", sa.Integer, sa.ForeignKey("counsellors.id", ondelete="SET NULL")),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "handoff_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, nullable=False, index=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("counsellor_id", sa.Integer, sa.ForeignKey("counsellors.id", ondelete="SET NULL")),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("handoff_events")
    op.drop_table("bans")
    with op.batch_alter_table("counsellors") as batch:
        batch.drop_column("supervisor")
        batch.drop_column("available")
