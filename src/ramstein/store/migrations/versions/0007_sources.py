"""Outside sources cited as records (a Kiel Tracker release), with their donors and the
figures of theirs that no other record holds.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("release", sa.String(length=32), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source", "release", name=op.f("pk_sources")),
    )
    op.create_table(
        "source_donors",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("release", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source", "release"],
            ["sources.source", "sources.release"],
            name=op.f("fk_source_donors_source_sources"),
        ),
        sa.PrimaryKeyConstraint("source", "release", "code", name=op.f("pk_source_donors")),
    )
    op.create_table(
        "source_figures",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("release", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("donor", sa.String(length=64), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("figure", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source", "release"],
            ["sources.source", "sources.release"],
            name=op.f("fk_source_figures_source_sources"),
        ),
        sa.PrimaryKeyConstraint("source", "release", "position", name=op.f("pk_source_figures")),
    )


def downgrade() -> None:
    op.drop_table("source_figures")
    op.drop_table("source_donors")
    op.drop_table("sources")
