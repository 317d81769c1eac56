"""SQLAlchemy tables: the event log, its projections, and the host's users and tokens.

Projection tables are written only by `store.projector` from events; `rebuild` empties them
and replays the log. Users and tokens are the host's access configuration, not coalition
records, so they are not projections and are not in the log. Stored matching plans are
derived data recomputable from the log, so they are not log events either, and `rebuild`
leaves them alone.
"""

from __future__ import annotations

import sqlalchemy as sa

from ramstein.store.types import ExactDecimal

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

CODE = sa.String(64)
LABEL = sa.String(16)

# --- the log ------------------------------------------------------------------------------

log_entries = sa.Table(
    "log_entries",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("actor", CODE, nullable=False),
    sa.Column("actor_user", sa.String(128)),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("aggregate", sa.String(32), nullable=False),
    sa.Column("aggregate_id", sa.String(64), nullable=False),
    sa.Column("releasability", LABEL, nullable=False),
    sa.Column("owner", CODE, nullable=False),
    sa.Column("releasable_to", sa.Text, nullable=False),
    sa.Column("salt", sa.String(64), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("payload_digest", sa.String(64), nullable=False),
    sa.Column("leaf_hash", sa.String(64), nullable=False),
    sa.Column("leaf", sa.Text, nullable=False),
    sa.Index(None, "aggregate", "aggregate_id"),
)
"""One row per entry. `leaf` is the canonical header the Merkle tree commits to; the other
header columns repeat it for queries, and verification checks that they agree."""

log_head = sa.Table(
    "log_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("last_at", sa.String(32), nullable=False),
    sa.Column("frontier", sa.Text, nullable=False),
)
"""One row (id 1): the log's size, last time and Merkle frontier (the roots of its perfect
subtrees, so appending never rehashes the log); writers lock it so sequence numbers never gap."""

tree_nodes = sa.Table(
    "tree_nodes",
    metadata,
    sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.String(64), nullable=False),
)
"""Every completed perfect subtree of the Merkle tree: proofs are O(log n) lookups here."""

checkpoints = sa.Table(
    "checkpoints",
    metadata,
    sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("origin", sa.String(200), nullable=False),
    sa.Column("root", sa.String(64), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("signed_at", sa.String(32), nullable=False),
)
"""Checkpoints this log's hosts signed (C2SP signed notes), one per log size."""

cosignatures = sa.Table(
    "cosignatures",
    metadata,
    sa.Column("size", sa.BigInteger, sa.ForeignKey("checkpoints.size"), primary_key=True),
    sa.Column("key_id", sa.String(8), primary_key=True),
    sa.Column("witness", CODE, nullable=False),
    sa.Column("timestamp", sa.BigInteger, nullable=False),
    sa.Column("line", sa.Text, nullable=False),
)
"""Witnesses' cosignature/v1 lines on a checkpoint."""

# --- projections --------------------------------------------------------------------------

participants = sa.Table(
    "participants",
    metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("joined_on", sa.Date, nullable=False),
    sa.Column("left_on", sa.Date),
    sa.Column("gdp_eur_bn", ExactDecimal),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_seq", sa.BigInteger, nullable=False),
)

capability_areas = sa.Table(
    "capability_areas",
    metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_seq", sa.BigInteger, nullable=False),
)

coalitions = sa.Table(
    "coalitions",
    metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("area", CODE, sa.ForeignKey("capability_areas.code"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_seq", sa.BigInteger, nullable=False),
)

coalition_members = sa.Table(
    "coalition_members",
    metadata,
    sa.Column("coalition", CODE, sa.ForeignKey("coalitions.code"), primary_key=True),
    sa.Column("participant", CODE, sa.ForeignKey("participants.code"), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
)

item_types = sa.Table(
    "item_types",
    metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("area", CODE, sa.ForeignKey("capability_areas.code"), nullable=False),
    sa.Column("unit", sa.String(32), nullable=False),
    sa.Column("unit_value_eur", ExactDecimal, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_seq", sa.BigInteger, nullable=False),
)

substitutions = sa.Table(
    "substitutions",
    metadata,
    sa.Column("offer_type", CODE, sa.ForeignKey("item_types.code"), primary_key=True),
    sa.Column("need_type", CODE, sa.ForeignKey("item_types.code"), primary_key=True),
    sa.Column("ratio", ExactDecimal, nullable=False),
)

needs = sa.Table(
    "needs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("recipient", CODE, sa.ForeignKey("participants.code"), nullable=False),
    sa.Column("item_type", CODE, sa.ForeignKey("item_types.code"), nullable=False),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("priority", sa.String(2), nullable=False),
    sa.Column("needed_by", sa.Date, nullable=False),
    sa.Column("raised_on", sa.Date, nullable=False),
    sa.Column("rationale", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("releasability", LABEL, nullable=False),
    sa.Column("external_ref", sa.String(128), unique=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_seq", sa.BigInteger, nullable=False),
    sa.Column("updated_seq", sa.BigInteger, nullable=False),
    sa.Index(None, "status", "priority"),
)

pledges = sa.Table(
    "pledges",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("donor", CODE, sa.ForeignKey("participants.code"), nullable=False),
    sa.Column("item_type", CODE, sa.ForeignKey("item_types.code"), nullable=False),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("value_amount", ExactDecimal),
    sa.Column("currency", sa.String(3)),
    sa.Column("eur_rate", ExactDecimal),
    sa.Column("value_eur", ExactDecimal),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("first_year", sa.Integer, nullable=False),
    sa.Column("last_year", sa.Integer, nullable=False),
    sa.Column("meeting", sa.Integer),
    sa.Column("announced_on", sa.Date, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("status_on", sa.Date, nullable=False),
    sa.Column("cancel_reason", sa.Text, nullable=False),
    sa.Column("releasability", LABEL, nullable=False),
    sa.Column("external_ref", sa.String(128), unique=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_seq", sa.BigInteger, nullable=False),
    sa.Column("updated_seq", sa.BigInteger, nullable=False),
    sa.Index(None, "donor"),
    sa.Index(None, "status"),
)

tranches = sa.Table(
    "tranches",
    metadata,
    sa.Column("pledge_id", sa.Integer, sa.ForeignKey("pledges.id"), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("expected_on", sa.Date, nullable=False),
    sa.Column("promised_on", sa.Date, nullable=False),
    sa.Column("delivered", sa.BigInteger, nullable=False),
)

pledge_years = sa.Table(
    "pledge_years",
    metadata,
    sa.Column("pledge_id", sa.Integer, sa.ForeignKey("pledges.id"), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("amount_eur", ExactDecimal, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("updated_seq", sa.BigInteger, nullable=False),
)

pledge_history = sa.Table(
    "pledge_history",
    metadata,
    sa.Column("pledge_id", sa.Integer, sa.ForeignKey("pledges.id"), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("on", sa.Date, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("pledge_id", sa.Integer, sa.ForeignKey("pledges.id"), nullable=False),
    sa.Column("tranche", sa.Integer, nullable=False),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("dispatched_on", sa.Date, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("received_quantity", sa.BigInteger),
    sa.Column("received_on", sa.Date),
    sa.Column("discrepancy", sa.Text, nullable=False),
    sa.Column("external_ref", sa.String(128), unique=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_seq", sa.BigInteger, nullable=False),
    sa.Column("updated_seq", sa.BigInteger, nullable=False),
    sa.Index(None, "pledge_id"),
)

fund_contributions = sa.Table(
    "fund_contributions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("fund", CODE, sa.ForeignKey("participants.code"), nullable=False),
    sa.Column("contributor", CODE, sa.ForeignKey("participants.code"), nullable=False),
    sa.Column("value_amount", ExactDecimal, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("eur_rate", ExactDecimal, nullable=False),
    sa.Column("value_eur", ExactDecimal, nullable=False),
    sa.Column("on", sa.Date, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("status_on", sa.Date, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("releasability", LABEL, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_seq", sa.BigInteger, nullable=False),
    sa.Column("updated_seq", sa.BigInteger, nullable=False),
    sa.Index(None, "fund"),
    sa.Index(None, "contributor"),
)
"""Money donors put into pooled funds (a fund is a participant of kind `fund`)."""

baselines = sa.Table(
    "baselines",
    metadata,
    sa.Column("code", CODE, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("annual_eur", ExactDecimal, nullable=False),
    sa.Column("first_year", sa.Integer, nullable=False),
    sa.Column("last_year", sa.Integer, nullable=False),
    sa.Column("sources", sa.JSON, nullable=False),
    sa.Column("areas", sa.JSON, nullable=False),
    sa.Column("pooled", sa.String(16), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_seq", sa.BigInteger, nullable=False),
)
"""Agreed fair-share baselines and their counting rules (sources and areas sorted)."""

meetings = sa.Table(
    "meetings",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("held_on", sa.Date, nullable=False),
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("venue", sa.String(200), nullable=False),
    sa.Column("chair", CODE, sa.ForeignKey("participants.code"), nullable=False),
    sa.Column("co_chairs", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_seq", sa.BigInteger, nullable=False),
)

meeting_attendance = sa.Table(
    "meeting_attendance",
    metadata,
    sa.Column("meeting", sa.Integer, sa.ForeignKey("meetings.number"), primary_key=True),
    sa.Column("participant", CODE, sa.ForeignKey("participants.code"), primary_key=True),
    sa.Column("level", sa.String(32), nullable=False),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("meeting", sa.Integer, sa.ForeignKey("meetings.number"), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("releasability", LABEL, nullable=False),
    sa.Column("owner", CODE, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False, server_default="decision"),
    sa.Column("due_on", sa.Date),
    sa.Column("status", sa.String(16), nullable=False, server_default="recorded"),
    sa.Column("closed_on", sa.Date),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Index(None, "status", "due_on"),
)

agenda_versions = sa.Table(
    "agenda_versions",
    metadata,
    sa.Column("meeting", sa.Integer, sa.ForeignKey("meetings.number"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("entries", sa.JSON, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
)
"""Every version of every meeting's agenda, as the chair set it."""

chair_terms = sa.Table(
    "chair_terms",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("chair", CODE, sa.ForeignKey("participants.code"), nullable=False),
    sa.Column("since", sa.Date, nullable=False),
    sa.Column("until", sa.Date),
    sa.Column("note", sa.Text, nullable=False),
)

record_grants = sa.Table(
    "record_grants",
    metadata,
    sa.Column("record_kind", sa.String(16), primary_key=True),
    sa.Column("record_id", sa.String(64), primary_key=True),
    sa.Column("participant", CODE, primary_key=True),
)
"""The participants named on a restricted record (beyond its owner and the chair)."""

host_keys = sa.Table(
    "host_keys",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("origin", sa.String(200), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("since_seq", sa.BigInteger, nullable=False),
    sa.Column("participant", CODE, nullable=False),
)

witnesses = sa.Table(
    "witnesses",
    metadata,
    sa.Column("participant", CODE, sa.ForeignKey("participants.code"), primary_key=True),
    sa.Column("key", sa.String(200), nullable=False),
)

witness_policy = sa.Table(
    "witness_policy",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("quorum", sa.Integer, nullable=False),
)

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("source", CODE, primary_key=True),
    sa.Column("release", sa.String(32), primary_key=True),
    sa.Column("period", sa.Text, nullable=False),
    sa.Column("published_on", sa.Date, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("citation", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_seq", sa.BigInteger, nullable=False),
)
"""Outside sources cited as records (a Kiel Tracker release): one row per release."""

source_donors = sa.Table(
    "source_donors",
    metadata,
    sa.Column("source", CODE, primary_key=True),
    sa.Column("release", sa.String(32), primary_key=True),
    sa.Column("code", CODE, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.ForeignKeyConstraint(["source", "release"], ["sources.source", "sources.release"]),
)
"""The donors a source release lists, as it names them, in its order."""

source_figures = sa.Table(
    "source_figures",
    metadata,
    sa.Column("source", CODE, primary_key=True),
    sa.Column("release", sa.String(32), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("donor", CODE, nullable=False),
    sa.Column("period", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("item", sa.Text, nullable=False),
    sa.Column("figure", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.ForeignKeyConstraint(["source", "release"], ["sources.source", "sources.release"]),
)
"""A source release's own figures (those no other record holds), in its order. `value` is the
decimal as published, as text: every database keeps all of its digits (NUMERIC here keeps 8)."""

PROJECTIONS: tuple[sa.Table, ...] = (
    participants,
    capability_areas,
    coalitions,
    coalition_members,
    item_types,
    substitutions,
    needs,
    pledges,
    tranches,
    pledge_years,
    pledge_history,
    deliveries,
    fund_contributions,
    baselines,
    meetings,
    meeting_attendance,
    decisions,
    agenda_versions,
    chair_terms,
    record_grants,
    host_keys,
    witnesses,
    witness_policy,
    sources,
    source_donors,
    source_figures,
)
"""Every table derived from the log, in an order that satisfies foreign keys when filling."""

# --- the host's access configuration ------------------------------------------------------

users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("participant", CODE, nullable=False),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("user_name", sa.String(128), sa.ForeignKey("users.name"), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("note", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

# --- stored matching plans (derived data, not projections) --------------------------------

match_plans = sa.Table(
    "match_plans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_name", sa.String(128)),
    sa.Column("participant", CODE, nullable=False),
    sa.Column("log_seq", sa.BigInteger, nullable=False),
    sa.Column("weights", sa.JSON, nullable=False),
    sa.Column("late_penalty", sa.Float, nullable=False),
    sa.Column("objective", sa.Float, nullable=False),
    sa.Column("units_allocated", sa.BigInteger, nullable=False),
    sa.Column("solver", sa.JSON, nullable=False),
    sa.Column("need_ids", sa.JSON, nullable=False),
    sa.Column("pledge_ids", sa.JSON, nullable=False),
    sa.Column("inputs", sa.JSON, nullable=False),
)
"""One row per stored plan: who ran it, the log position its inputs were read at, its settings,
results and solver summary, and the input snapshot (needs, offers, substitutions, coalitions)
that re-runs it exactly. `need_ids` and `pledge_ids` list the records it used, so that who may
see the plan is checked against their labels at read time without parsing the snapshot."""

match_allocations = sa.Table(
    "match_allocations",
    metadata,
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("match_plans.id"), primary_key=True),
    sa.Column("pledge_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("tranche", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("need_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("quantity", sa.BigInteger, nullable=False),
    sa.Column("need_units", sa.Float, nullable=False),
)
"""A stored plan's allocations: offer units of a tranche sent to a need. No foreign keys to
the projections, which `rebuild` empties and refills."""

# --- retried creates (host data, not log events) ------------------------------------------

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("user_name", sa.String(128), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("headers", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
"""The first answer to each create a user sent with an `Idempotency-Key`, written in the same
transaction as the create, so that a retry gets that answer instead of a second record."""
