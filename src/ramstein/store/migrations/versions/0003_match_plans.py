"""Stored matching plans and their allocations (derived data, not projections).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_plans",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(length=128), nullable=True),
        sa.Column("participant", sa.String(length=64), nullable=False),
        sa.Column("log_seq", sa.BigInteger(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("late_penalty", sa.Float(), nullable=False),
        sa.Column("objective", sa.Float(), nullable=False),
        sa.Column("units_allocated", sa.BigInteger(), nullable=False),
        sa.Column("solver", sa.JSON(), nullable=False),
        sa.Column("need_ids", sa.JSON(), nullable=False),
        sa.Column("pledge_ids", sa.JSON(), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_plans")),
    )
    op.create_table(
        "match_allocations",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tranche", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("need_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("need_units", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["match_plans.id"], name=op.f("fk_match_allocations_plan_id_match_plans")
        ),
        sa.PrimaryKeyConstraint(
            "plan_id", "pledge_id", "tranche", "need_id", name=op.f("pk_match_allocations")
        ),
    )


def downgrade() -> None:
    op.drop_table("match_allocations")
    op.drop_table("match_plans")
