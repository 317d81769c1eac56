"""Rebuild: replaying the log reproduces the projections exactly, and refuses a tampered log."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from ramstein.domain.events import REGISTRY
from ramstein.services import maintenance
from ramstein.store import tables as t
from ramstein.store.digest import table_digests
from ramstein.store.engine import Store
from ramstein.store.replay import LogCorrupted
from tests import factories as f


def test_the_script_appends_every_registered_event(sqlite_store: Store) -> None:
    # The rebuild and cross-database tests run these scripts; a new event must join one.
    f.every_event_script(sqlite_store)
    f.meeting_events_script(sqlite_store)
    with sqlite_store.read() as conn:
        logged = set(conn.execute(sa.select(t.log_entries.c.event_type).distinct()).scalars())
    assert {name for name, _ in REGISTRY} - logged == set()


def test_rebuild_reproduces_the_state_digest_exactly(store: Store) -> None:
    f.every_event_script(store)
    f.meeting_events_script(store)
    before = f.snapshot(store)
    with store.read() as conn:
        tables_before = table_digests(conn)
    report = maintenance.rebuild(store=store)
    assert report.identical, "replaying the log gave a different state"
    assert report.entries == before.log_size
    assert report.digest_before == report.digest_after == before.digest
    with store.read() as conn:
        assert table_digests(conn) == tables_before
    assert f.snapshot(store) == before  # rebuild appends nothing


def test_rebuild_repairs_a_projection_edited_behind_the_logs_back(store: Store) -> None:
    f.every_event_script(store)
    good = f.snapshot(store)
    with store.engine.begin() as conn:
        conn.execute(t.pledges.update().where(t.pledges.c.id == 1).values(quantity=9999))
        conn.execute(t.record_grants.delete())
    drifted = f.snapshot(store)
    assert drifted.digest != good.digest
    report = maintenance.rebuild(store=store)
    assert not report.identical
    assert (report.digest_before, report.digest_after) == (drifted.digest, good.digest)
    assert f.snapshot(store) == good


def test_an_empty_log_rebuilds_to_an_empty_state(store: Store) -> None:
    report = maintenance.rebuild(store=store)
    assert (report.entries, report.identical) == (0, True)


def _tamper(store: Store, seq: int) -> None:
    with store.engine.begin() as conn:
        payload = conn.scalar(sa.select(t.log_entries.c.payload).where(t.log_entries.c.seq == seq))
        changed = json.loads(payload)
        changed["quantity"] = changed["quantity"] + 1000
        conn.execute(
            t.log_entries.update()
            .where(t.log_entries.c.seq == seq)
            .values(payload=json.dumps(changed, separators=(",", ":"), sort_keys=True))
        )


def _seq_of(store: Store, event_type: str) -> int:
    with store.read() as conn:
        return int(
            conn.scalar(
                sa.select(sa.func.min(t.log_entries.c.seq)).where(
                    t.log_entries.c.event_type == event_type
                )
            )
        )


def test_a_tampered_payload_is_named_and_the_state_is_kept(store: Store) -> None:
    f.every_event_script(store)
    good = f.snapshot(store)
    seq = _seq_of(store, "PledgeAnnounced")
    _tamper(store, seq)
    with pytest.raises(LogCorrupted) as caught:
        maintenance.rebuild(store=store)
    assert caught.value.seq == seq
    assert (
        str(caught.value) == f"Log entry {seq} is corrupted: its payload does not match its digest."
    )
    # The failed rebuild rolled back: the projections are as they were.
    assert f.snapshot(store) == good


def test_a_missing_entry_is_named(store: Store) -> None:
    f.every_event_script(store)
    good = f.snapshot(store)
    with store.engine.begin() as conn:
        conn.execute(t.log_entries.delete().where(t.log_entries.c.seq == 20))
    with pytest.raises(LogCorrupted) as caught:
        maintenance.rebuild(store=store)
    assert caught.value.seq == 20
    assert "Log entry 20 is corrupted: it is missing from the sequence" in str(caught.value)
    with store.read() as conn:
        assert maintenance.digest(conn=conn) == good.digest
