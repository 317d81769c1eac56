"""The verifiable log: leaves, Merkle frontier and nodes, checkpoints, cosignatures, host keys.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:00:48.704919
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from ramstein.ledger.entries import EntryHeader
from ramstein.ledger.merkle import Frontier, leaf_hash

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkpoints",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_checkpoints")),
    )
    op.create_table(
        "host_keys",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("since_seq", sa.BigInteger(), nullable=False),
        sa.Column("participant", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_host_keys")),
    )
    op.create_table(
        "tree_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_tree_nodes")),
    )
    op.create_table(
        "witness_policy",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("quorum", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_policy")),
    )
    op.create_table(
        "cosignatures",
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("witness", sa.String(length=64), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["size"], ["checkpoints.size"], name=op.f("fk_cosignatures_size_checkpoints")
        ),
        sa.PrimaryKeyConstraint("size", "key_id", name=op.f("pk_cosignatures")),
    )
    op.create_table(
        "witnesses",
        sa.Column("participant", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant"],
            ["participants.code"],
            name=op.f("fk_witnesses_participant_participants"),
        ),
        sa.PrimaryKeyConstraint("participant", name=op.f("pk_witnesses")),
    )
    with op.batch_alter_table("log_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leaf", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("log_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("frontier", sa.Text(), nullable=False, server_default="[]"))
    _fill_leaves_and_tree()
    with op.batch_alter_table("log_entries", schema=None) as batch_op:
        batch_op.alter_column("leaf", server_default=None)
    with op.batch_alter_table("log_head", schema=None) as batch_op:
        batch_op.alter_column("frontier", server_default=None)


def _fill_leaves_and_tree() -> None:
    """Store each existing entry's leaf and build the Merkle tree over the log as it stands."""
    conn = op.get_bind()
    entries = sa.table(
        "log_entries",
        *(
            sa.column(c)
            for c in (
                "seq",
                "at",
                "actor",
                "actor_user",
                "event_type",
                "schema_version",
                "releasability",
                "owner",
                "releasable_to",
                "payload_digest",
                "leaf_hash",
                "leaf",
            )
        ),
    )
    nodes = sa.table("tree_nodes", sa.column("level"), sa.column("idx"), sa.column("hash"))
    head = sa.table("log_head", sa.column("id"), sa.column("frontier"))
    frontier = Frontier.from_json(0, [])
    for row in conn.execute(sa.select(entries).order_by(entries.c.seq)).all():
        leaf = EntryHeader(
            seq=row.seq,
            at=row.at,
            actor=row.actor,
            actor_user=row.actor_user,
            event_type=row.event_type,
            schema_version=row.schema_version,
            releasability=row.releasability,
            owner=row.owner,
            releasable_to=tuple(json.loads(row.releasable_to)),
            payload_digest=row.payload_digest,
        ).leaf()
        digest = leaf_hash(leaf)
        if digest.hex() != row.leaf_hash:
            raise RuntimeError(f"log entry {row.seq} does not match its leaf hash; run verify")
        conn.execute(entries.update().where(entries.c.seq == row.seq).values(leaf=leaf.decode()))
        added = frontier.append(digest)
        conn.execute(
            nodes.insert(), [{"level": lv, "idx": i, "hash": h.hex()} for lv, i, h in added]
        )
    conn.execute(
        head.update().where(head.c.id == 1).values(frontier=json.dumps(frontier.to_json()))
    )


def downgrade() -> None:
    with op.batch_alter_table("log_head", schema=None) as batch_op:
        batch_op.drop_column("frontier")

    with op.batch_alter_table("log_entries", schema=None) as batch_op:
        batch_op.drop_column("leaf")

    op.drop_table("witnesses")
    op.drop_table("cosignatures")
    op.drop_table("witness_policy")
    op.drop_table("tree_nodes")
    op.drop_table("host_keys")
    op.drop_table("checkpoints")
