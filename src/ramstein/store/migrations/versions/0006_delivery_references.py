"""Deliveries get an external reference (the sender's own id), so an import can be repeated.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 19:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.add_column(sa.Column("external_ref", sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_deliveries_external_ref"), ["external_ref"]
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_deliveries_external_ref"), type_="unique")
        batch_op.drop_column("external_ref")
