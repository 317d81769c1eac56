"""The same commands give the same state on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ramstein.domain.releasability import Role
from ramstein.services import catalogue, maintenance, meetings, needs, participants, pledges
from ramstein.store import tables as t
from ramstein.store.digest import table_digests
from ramstein.store.engine import Store
from tests import factories as f
from tests.conftest import new_postgres_database
from tests.pgserver import PostgresServer


@pytest.fixture
def postgres_store(postgres: PostgresServer) -> Iterator[Store]:
    s = Store(new_postgres_database(postgres))
    yield s
    s.dispose()


def everything(store: Store, viewer: object) -> dict[str, object]:
    """What the services return to `viewer`: the state as a user reads it."""
    with store.read() as conn:
        shown = pledges.list_pledges(conn=conn, viewer=viewer)
        return {
            "participants": participants.list_participants(conn=conn, viewer=viewer),
            "items": catalogue.list_items(conn=conn, viewer=viewer),
            "substitutions": catalogue.list_substitutions(conn=conn, viewer=viewer),
            "pledges": shown,
            "needs": needs.list_needs(conn=conn, viewer=viewer),
            "meetings": meetings.list_meetings(conn=conn, viewer=viewer),
            "history": [
                pledges.pledge_history(conn=conn, viewer=viewer, pledge_id=p.id) for p in shown
            ],
        }


def log_rows(store: Store) -> list[tuple[object, ...]]:
    e = t.log_entries
    with store.read() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.select(
                    e.c.seq,
                    e.c.at,
                    e.c.actor,
                    e.c.event_type,
                    e.c.releasability,
                    e.c.owner,
                    e.c.releasable_to,
                    e.c.payload,
                ).order_by(e.c.seq)
            )
        ]


@pytest.mark.postgres
def test_the_same_script_gives_the_same_state_digest(
    sqlite_store: Store, postgres_store: Store
) -> None:
    lite = f.every_event_script(sqlite_store)
    f.every_event_script(postgres_store)
    for s in (sqlite_store, postgres_store):
        f.meeting_events_script(s)
    with sqlite_store.read() as a, postgres_store.read() as b:
        assert table_digests(a) == table_digests(b)  # names the table that differs, if any
    assert f.snapshot(sqlite_store) == f.snapshot(postgres_store)
    # The log's payloads are byte for byte the same, and so is what users read back.
    assert log_rows(sqlite_store) == log_rows(postgres_store)
    nato = f.principal("NATO", Role.CHAIR)  # the chair after the script's handover
    assert everything(sqlite_store, nato) == everything(postgres_store, nato)
    assert everything(sqlite_store, lite.public) == everything(postgres_store, lite.public)


@pytest.mark.postgres
def test_a_rebuild_on_either_database_gives_the_other_ones_digest(
    sqlite_store: Store, postgres_store: Store
) -> None:
    for s in (sqlite_store, postgres_store):
        f.every_event_script(s)
        f.meeting_events_script(s)
    a = maintenance.rebuild(store=sqlite_store)
    b = maintenance.rebuild(store=postgres_store)
    assert a.identical and b.identical
    assert a.digest_after == b.digest_after
