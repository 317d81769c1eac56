"""Migrations are current and describe exactly the tables the code declares."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ramstein.store.engine import Store
from ramstein.store.migrate import is_current, upgrade
from ramstein.store.tables import metadata


def differences(store: Store) -> list[object]:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_a_new_store_is_migrated_to_the_newest_revision(store: Store) -> None:
    with store.read() as conn:
        assert is_current(conn)


def test_the_migrated_schema_matches_the_declared_tables(store: Store) -> None:
    assert differences(store) == []


def test_migrating_again_is_a_no_op(store: Store) -> None:
    upgrade(store.engine)
    with store.read() as conn:
        assert is_current(conn)
    assert differences(store) == []


def test_the_comparison_would_notice_a_table_the_migrations_lack(store: Store) -> None:
    # Guards the test above against comparing nothing: a declared table without a migration
    # must show up as a difference.
    extended = sa.MetaData()
    for table in metadata.tables.values():
        table.to_metadata(extended)
    sa.Table("readouts", extended, sa.Column("id", sa.Integer, primary_key=True))
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        found = compare_metadata(context, extended)
    assert [(d[0], d[1].name) for d in found] == [("add_table", "readouts")]
