"""The ids of counsellor-side messages that hold a young person's words, so they can be deleted;
and when a ticket went back to the queue because its counsellor was taken off the list.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "relayed_copies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("subject_id", sa.String(64), nullable=False, index=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("message_id", sa.BigInteger, nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("returned_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("returned_at")
    op.drop_table("relayed_copies")
