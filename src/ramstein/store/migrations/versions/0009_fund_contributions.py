"""Pooled funds: the contributions donors make to a fund (a participant of kind `fund`).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ramstein.store.types import ExactDecimal

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fund_contributions",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("fund", sa.String(length=64), nullable=False),
        sa.Column("contributor", sa.String(length=64), nullable=False),
        sa.Column("value_amount", ExactDecimal(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("eur_rate", ExactDecimal(), nullable=False),
        sa.Column("value_eur", ExactDecimal(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("releasability", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund"], ["participants.code"], name=op.f("fk_fund_contributions_fund_participants")
        ),
        sa.ForeignKeyConstraint(
            ["contributor"],
            ["participants.code"],
            name=op.f("fk_fund_contributions_contributor_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_contributions")),
    )
    op.create_index(
        op.f("ix_fund_contributions_fund"), "fund_contributions", ["fund"], unique=False
    )
    op.create_index(
        op.f("ix_fund_contributions_contributor"),
        "fund_contributions",
        ["contributor"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_fund_contributions_contributor"), table_name="fund_contributions")
    op.drop_index(op.f("ix_fund_contributions_fund"), table_name="fund_contributions")
    op.drop_table("fund_contributions")
