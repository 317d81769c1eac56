"""Decisions get an owner, a kind, a due date and a status (action items); agendas are kept
in every version.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="decision", nullable=False)
        )
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="recorded", nullable=False)
        )
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))
        batch_op.create_index(
            batch_op.f("ix_decisions_status_due_on"), ["status", "due_on"], unique=False
        )
    op.create_table(
        "agenda_versions",
        sa.Column("meeting", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting"],
            ["meetings.number"],
            name=op.f("fk_agenda_versions_meeting_meetings"),
        ),
        sa.PrimaryKeyConstraint("meeting", "version", name=op.f("pk_agenda_versions")),
    )


def downgrade() -> None:
    op.drop_table("agenda_versions")
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_status_due_on"))
        for column in ("note", "closed_on", "status", "due_on", "kind"):
            batch_op.drop_column(column)
