"""Initial schema: the event log, its head, the projections, users and tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 10:04:31.272130
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ramstein.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "capability_areas",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_capability_areas")),
    )
    op.create_table(
        "log_entries",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_user", sa.String(length=128), nullable=True),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("aggregate", sa.String(length=32), nullable=False),
        sa.Column("aggregate_id", sa.String(length=64), nullable=False),
        sa.Column("releasability", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("releasable_to", sa.Text(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("payload_digest", sa.String(length=64), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_log_entries")),
    )
    with op.batch_alter_table("log_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_log_entries_aggregate_aggregate_id"),
            ["aggregate", "aggregate_id"],
            unique=False,
        )

    log_head = op.create_table(
        "log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("last_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_head")),
    )
    op.bulk_insert(log_head, [{"id": 1, "size": 0, "last_at": ""}])
    op.create_table(
        "participants",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("gdp_eur_bn", ramstein.store.types.ExactDecimal(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_participants")),
    )
    op.create_table(
        "record_grants",
        sa.Column("record_kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("participant", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(
            "record_kind", "record_id", "participant", name=op.f("pk_record_grants")
        ),
    )
    op.create_table(
        "users",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("participant", sa.String(length=64), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_users")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("user_name", sa.String(length=128), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_name"], ["users.name"], name=op.f("fk_api_tokens_user_name_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "chair_terms",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("chair", sa.String(length=64), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chair"], ["participants.code"], name=op.f("fk_chair_terms_chair_participants")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_chair_terms")),
    )
    op.create_table(
        "coalitions",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area"], ["capability_areas.code"], name=op.f("fk_coalitions_area_capability_areas")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_coalitions")),
    )
    op.create_table(
        "item_types",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("unit_value_eur", ramstein.store.types.ExactDecimal(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area"], ["capability_areas.code"], name=op.f("fk_item_types_area_capability_areas")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_item_types")),
    )
    op.create_table(
        "meetings",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("chair", sa.String(length=64), nullable=False),
        sa.Column("co_chairs", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chair"], ["participants.code"], name=op.f("fk_meetings_chair_participants")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_meetings")),
    )
    op.create_table(
        "coalition_members",
        sa.Column("coalition", sa.String(length=64), nullable=False),
        sa.Column("participant", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["coalition"],
            ["coalitions.code"],
            name=op.f("fk_coalition_members_coalition_coalitions"),
        ),
        sa.ForeignKeyConstraint(
            ["participant"],
            ["participants.code"],
            name=op.f("fk_coalition_members_participant_participants"),
        ),
        sa.PrimaryKeyConstraint("coalition", "participant", name=op.f("pk_coalition_members")),
    )
    op.create_table(
        "decisions",
        sa.Column("meeting", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("releasability", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting"], ["meetings.number"], name=op.f("fk_decisions_meeting_meetings")
        ),
        sa.PrimaryKeyConstraint("meeting", "number", name=op.f("pk_decisions")),
    )
    op.create_table(
        "meeting_attendance",
        sa.Column("meeting", sa.Integer(), nullable=False),
        sa.Column("participant", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting"], ["meetings.number"], name=op.f("fk_meeting_attendance_meeting_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["participant"],
            ["participants.code"],
            name=op.f("fk_meeting_attendance_participant_participants"),
        ),
        sa.PrimaryKeyConstraint("meeting", "participant", name=op.f("pk_meeting_attendance")),
    )
    op.create_table(
        "needs",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("item_type", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("priority", sa.String(length=2), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("releasability", sa.String(length=16), nullable=False),
        sa.Column("external_ref", sa.String(length=128), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_type"], ["item_types.code"], name=op.f("fk_needs_item_type_item_types")
        ),
        sa.ForeignKeyConstraint(
            ["recipient"], ["participants.code"], name=op.f("fk_needs_recipient_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_needs_external_ref")),
    )
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_needs_status_priority"), ["status", "priority"], unique=False
        )

    op.create_table(
        "pledges",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("donor", sa.String(length=64), nullable=False),
        sa.Column("item_type", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("value_amount", ramstein.store.types.ExactDecimal(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("eur_rate", ramstein.store.types.ExactDecimal(), nullable=True),
        sa.Column("value_eur", ramstein.store.types.ExactDecimal(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("meeting", sa.Integer(), nullable=True),
        sa.Column("announced_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_on", sa.Date(), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("releasability", sa.String(length=16), nullable=False),
        sa.Column("external_ref", sa.String(length=128), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["donor"], ["participants.code"], name=op.f("fk_pledges_donor_participants")
        ),
        sa.ForeignKeyConstraint(
            ["item_type"], ["item_types.code"], name=op.f("fk_pledges_item_type_item_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledges")),
        sa.UniqueConstraint("external_ref", name=op.f("uq_pledges_external_ref")),
    )
    with op.batch_alter_table("pledges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledges_donor"), ["donor"], unique=False)
        batch_op.create_index(batch_op.f("ix_pledges_status"), ["status"], unique=False)

    op.create_table(
        "substitutions",
        sa.Column("offer_type", sa.String(length=64), nullable=False),
        sa.Column("need_type", sa.String(length=64), nullable=False),
        sa.Column("ratio", ramstein.store.types.ExactDecimal(), nullable=False),
        sa.ForeignKeyConstraint(
            ["need_type"], ["item_types.code"], name=op.f("fk_substitutions_need_type_item_types")
        ),
        sa.ForeignKeyConstraint(
            ["offer_type"], ["item_types.code"], name=op.f("fk_substitutions_offer_type_item_types")
        ),
        sa.PrimaryKeyConstraint("offer_type", "need_type", name=op.f("pk_substitutions")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("tranche", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("dispatched_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("received_quantity", sa.BigInteger(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("discrepancy", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledges.id"], name=op.f("fk_deliveries_pledge_id_pledges")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_pledge_id"), ["pledge_id"], unique=False)

    op.create_table(
        "pledge_history",
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledges.id"], name=op.f("fk_pledge_history_pledge_id_pledges")
        ),
        sa.PrimaryKeyConstraint("pledge_id", "seq", name=op.f("pk_pledge_history")),
    )
    op.create_table(
        "tranches",
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("expected_on", sa.Date(), nullable=False),
        sa.Column("promised_on", sa.Date(), nullable=False),
        sa.Column("delivered", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledges.id"], name=op.f("fk_tranches_pledge_id_pledges")
        ),
        sa.PrimaryKeyConstraint("pledge_id", "number", name=op.f("pk_tranches")),
    )


def downgrade() -> None:
    op.drop_table("tranches")
    op.drop_table("pledge_history")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_pledge_id"))

    op.drop_table("deliveries")
    op.drop_table("substitutions")
    with op.batch_alter_table("pledges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledges_status"))
        batch_op.drop_index(batch_op.f("ix_pledges_donor"))

    op.drop_table("pledges")
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_needs_status_priority"))

    op.drop_table("needs")
    op.drop_table("meeting_attendance")
    op.drop_table("decisions")
    op.drop_table("coalition_members")
    op.drop_table("meetings")
    op.drop_table("item_types")
    op.drop_table("coalitions")
    op.drop_table("chair_terms")
    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_table("record_grants")
    op.drop_table("participants")
    op.drop_table("log_head")
    with op.batch_alter_table("log_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_log_entries_aggregate_aggregate_id"))

    op.drop_table("log_entries")
    op.drop_table("capability_areas")
