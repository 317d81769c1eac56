"""Multi-year pledges: each year's amount in EUR and how firm it is (indicative, committed,
delivered, cancelled).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ramstein.store.types import ExactDecimal

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pledge_years",
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("amount_eur", ExactDecimal(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledges.id"], name=op.f("fk_pledge_years_pledge_id_pledges")
        ),
        sa.PrimaryKeyConstraint("pledge_id", "year", name=op.f("pk_pledge_years")),
    )


def downgrade() -> None:
    op.drop_table("pledge_years")
