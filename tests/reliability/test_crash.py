"""Kill Ramstein with SIGKILL in the middle of its work; nothing acknowledged may be lost.

The server is killed while four clients stream pledges at it (on PostgreSQL, the database
server is then stopped as a power cut would, `pg_ctl -m immediate`, and recovers from its
WAL); the importer is killed in the middle of a large file. After each restart: every write
that was acknowledged is there as acknowledged, nothing half-written is visible (each pledge
is whole, the log's sequence has no gap, and `ramstein log verify` proves the projections
equal a replay of the signed log), and the server is ready again.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from ramstein.store import tables as t
from tests.conftest import FIGURE
from tests.pgserver import PostgresServer
from tests.reliability.conftest import FULL
from tests.reliability.live import RAMSTEIN, Instance, Server, pledge_file, seed, write_until

KILLS = 8 if FULL else 2
ROWS = 60_000 if FULL else 20_000


def _half_written(instance: Instance, seeded: dict[int, int]) -> list[int]:
    """Pledges written here (not `seeded`) whose tranches do not add up to their quantity:
    every one was sent with a single tranche of all of it."""
    p, tr = t.pledges, t.tranches
    planned = (
        sa.select(tr.c.pledge_id, sa.func.sum(tr.c.quantity).label("planned"))
        .group_by(tr.c.pledge_id)
        .subquery()
    )
    with instance.connect() as conn:
        rows = conn.execute(
            sa.select(p.c.id)
            .outerjoin(planned, planned.c.pledge_id == p.c.id)
            .where(sa.func.coalesce(planned.c.planned, 0) != p.c.quantity)
        )
        return [int(r.id) for r in rows if r.id not in seeded]


def _assert_intact(instance: Instance, seeded: dict[int, int]) -> None:
    assert instance.sequence_numbers() == list(range(1, instance.log_size() + 1))
    assert _half_written(instance, seeded) == []
    verified = instance.ramstein("log", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "The log verifies, and the projections equal a replay of it." in verified.stdout


def _database_crash(kind: str, request: pytest.FixtureRequest) -> Callable[[], None]:
    if kind == "sqlite":
        return lambda: None
    server: PostgresServer = request.getfixturevalue("durable_postgres")

    def crash() -> None:
        server.crash()
        server.launch()

    return crash


def test_a_killed_server_loses_no_acknowledged_write(
    kind: str,
    live_url: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    record_property: Callable[[str, object], None],
) -> None:
    instance = seed(live_url, tmp_path)
    seeded = instance.pledges()
    crash_database = _database_crash(kind, request)
    rng = random.Random(9)
    server = Server(instance)
    server.start()
    acknowledged: dict[int, int] = {}
    unanswered: set[int] = set()
    recoveries = []
    try:
        for kill in range(KILLS):
            writes, writers = write_until(
                server, count=rng.randint(40, 120), start=10_000 * (kill + 1)
            )
            server.kill()  # while the writers wait for answers
            for w in writers:
                w.join(timeout=60)
            assert writes.refused == []
            acknowledged |= writes.acknowledged
            unanswered |= writes.unanswered
            crash_database()
            recoveries.append(server.start())

            present = instance.pledges()
            lost = {i: q for i, q in acknowledged.items() if present.get(i) != q}
            assert lost == {}, f"acknowledged but lost or changed: {lost}"
            new = {i: q for i, q in present.items() if i not in seeded}
            sent = set(acknowledged.values()) | unanswered
            assert set(new.values()) <= sent, "a pledge nobody sent"
            assert len(new) == len(set(new.values())), "a pledge written twice"
            _assert_intact(instance, seeded)
    finally:
        server.stop()
    final = instance.pledges()
    found = sum(1 for i, q in acknowledged.items() if final.get(i) == q)
    landed = len(set(final.values()) & unanswered)
    record_property(f"{FIGURE}kills", KILLS)
    record_property(f"{FIGURE}writes acknowledged", len(acknowledged))
    record_property(f"{FIGURE}acknowledged writes found after restart", found)
    record_property(
        f"{FIGURE}writes in flight at the kill (found / sent)", f"{landed} / {len(unanswered)}"
    )
    record_property(
        f"{FIGURE}seconds from restart to ready (median, max)",
        f"{statistics.median(recoveries):.2f}, {max(recoveries):.2f}",
    )


def test_a_killed_import_leaves_nothing_half_imported(
    kind: str,
    live_url: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    record_property: Callable[[str, object], None],
) -> None:
    """An import is all or nothing: killed halfway, none of its rows is there; run again, all
    of them are."""
    instance = seed(live_url, tmp_path)
    before = (instance.log_size(), instance.pledges())
    csv = pledge_file(tmp_path / "pledges.csv", ROWS)
    importing = subprocess.Popen(
        [RAMSTEIN, "--database-url", instance.url, "import", "pledges", str(csv), "--quiet"],
        env=instance.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not instance.in_a_write():  # the file read and checked, its transaction begun
        assert importing.poll() is None, "the import ended before it wrote"
        assert time.monotonic() < deadline, "the import did not begin to write"
        time.sleep(0.02)
    time.sleep(0.3)  # into writing the rows (some seconds of it)
    assert importing.poll() is None, "the import finished before it could be killed"
    importing.kill()
    importing.wait(timeout=30)
    _database_crash(kind, request)()

    assert (instance.log_size(), instance.pledges()) == before
    _assert_intact(instance, before[1])
    server = Server(instance)
    record_property(f"{FIGURE}seconds from restart to ready", f"{server.start():.2f}")
    server.stop()

    started = time.monotonic()
    again = instance.ramstein("import", "pledges", str(csv), "--quiet", timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    record_property(f"{FIGURE}rows killed mid-import, then imported", ROWS)
    record_property(f"{FIGURE}seconds to import them again", f"{time.monotonic() - started:.1f}")
    assert len(instance.pledges()) == len(before[1]) + ROWS
    _assert_intact(instance, before[1])
