"""Store benchmark: event appends and rebuild, each against a raw baseline measured in the same run.

Run with `.venv/bin/python bench/store.py` (or `make bench`). See bench/README.md for what is
measured and how to read the ratios. Timings are medians of repeated runs; the ratios, not the
absolute rates, are the figures to compare between machines.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.pgserver and tests.factories

from tests import factories as f  # noqa: E402
from tests.pgserver import PostgresServer, pg_bin  # noqa: E402

from ramstein.domain.needs import Priority  # noqa: E402
from ramstein.domain.pledges import PledgeSource, PledgeStatus, TrancheSpec  # noqa: E402
from ramstein.services import deliveries, maintenance, needs, pledges  # noqa: E402
from ramstein.store import tables as t  # noqa: E402
from ramstein.store.engine import Store  # noqa: E402

SINGLE = 150
"""Commands timed one per unit of work, per repeat."""
BATCH = 50
"""Commands per unit of work in the batched mode."""
BATCHED = 500
"""Commands timed in the batched mode, per repeat."""
SYNTHETIC_ROUNDS = 700
"""Rounds of the synthetic log (about five commands each) when the demo cannot be built."""


def median_of(repeats: int, run: Callable[[], float]) -> float:
    return statistics.median(run() for _ in range(repeats))


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --- appends --------------------------------------------------------------------------------


class Appender:
    """Announces pledges with one tranche for the four factory donors, in turn."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.c = f.setup_coalition(store)
        self.n = 0

    def command(self, uow: object) -> None:
        donor = f.DONORS[self.n % len(f.DONORS)]
        self.n += 1
        pledges.announce_pledge(
            uow=uow,  # type: ignore[arg-type]
            actor=self.c.donor(donor),
            donor=donor,
            item_type=f.SHELL,
            quantity=100 + self.n % 50,
            value=None,
            source=PledgeSource.STOCKS,
            announced_on=f.BASE,
            tranches=[TrancheSpec(60, f.BASE + timedelta(days=30))],
            label=f.COALITION_LABEL if self.n % 3 else f.restricted("UKR"),
        )

    def log_size(self) -> int:
        with self.store.read() as conn:
            return int(conn.scalar(sa.select(t.log_head.c.size)) or 0)

    def rate(self, commands: int, per_write: int) -> float:
        """Events appended per second over `commands` commands, `per_write` per unit of work."""
        before = self.log_size()
        start = time.perf_counter()
        for _ in range(commands // per_write):
            with self.store.write() as uow:
                for _ in range(per_write):
                    self.command(uow)
        elapsed = time.perf_counter() - start
        return (self.log_size() - before) / elapsed

    def bytes_per_event(self) -> int:
        """Characters one announcement writes: its log entry and its projection rows."""
        with self.store.read() as conn:
            entry = conn.execute(
                sa.select(t.log_entries).order_by(t.log_entries.c.seq.desc())
            ).first()
            pid = conn.scalar(sa.select(sa.func.max(t.pledges.c.id)))
            rows = [
                entry,
                conn.execute(sa.select(t.pledges).where(t.pledges.c.id == pid)).first(),
                conn.execute(sa.select(t.tranches).where(t.tranches.c.pledge_id == pid)).first(),
                conn.execute(
                    sa.select(t.pledge_history).where(t.pledge_history.c.pledge_id == pid)
                ).first(),
            ]
        return sum(len(str(v)) for row in rows if row is not None for v in row)


class RawInserts:
    """The baseline: plain SQLAlchemy Core inserts of same-sized rows into a plain table."""

    def __init__(self, store: Store, size: int) -> None:
        self.engine = store.engine
        self.table = sa.Table(
            "bench_raw",
            sa.MetaData(),
            sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("body", sa.Text, nullable=False),
        )
        self.table.create(self.engine)
        self.body = secrets.token_hex(size // 2 + 1)[:size]
        self.n = 0

    def rate(self, rows: int, per_txn: int) -> float:
        insert = self.table.insert()
        start = time.perf_counter()
        for _ in range(rows // per_txn):
            with self.engine.begin() as conn:
                for _ in range(per_txn):
                    self.n += 1
                    conn.execute(insert, {"id": self.n, "body": self.body})
        return (rows // per_txn * per_txn) / (time.perf_counter() - start)

    def drop(self) -> None:
        self.table.drop(self.engine)


@dataclass
class AppendResult:
    mode: str
    store_rate: float
    raw_rate: float

    @property
    def ratio(self) -> float:
        return self.store_rate / self.raw_rate


def bench_appends(store: Store, repeats: int) -> tuple[list[AppendResult], int]:
    appender = Appender(store)
    appender.rate(10, 1)  # warm up: imports, statement caches, connection pool
    raw = RawInserts(store, appender.bytes_per_event())
    raw.rate(10, 1)
    try:
        results = [
            AppendResult(
                "1 command per write",
                median_of(repeats, lambda: appender.rate(SINGLE, 1)),
                median_of(repeats, lambda: raw.rate(SINGLE, 1)),
            ),
            AppendResult(
                f"{BATCH} commands per write",
                median_of(repeats, lambda: appender.rate(BATCHED, BATCH)),
                median_of(repeats, lambda: raw.rate(BATCHED, BATCH)),
            ),
        ]
    finally:
        raw.drop()
    return results, len(raw.body)


# --- rebuild --------------------------------------------------------------------------------


def synthetic_log(store: Store, rounds: int) -> None:
    """A few thousand commands: pledges, their lifecycle, deliveries, receipts and needs."""
    c = f.setup_coalition(store)
    day = timedelta(days=1)
    for i in range(rounds):
        donor = c.donor(f.DONORS[i % len(f.DONORS)])
        with store.write(clock=f.CLOCK) as uow:
            p = pledges.announce_pledge(
                uow=uow,
                actor=donor,
                donor=donor.participant or "",
                item_type=(f.SHELL, f.DRONE)[i % 2],
                quantity=20,
                value=None,
                source=PledgeSource.STOCKS,
                announced_on=f.BASE,
                tranches=[TrancheSpec(10, f.BASE + 30 * day), TrancheSpec(10, f.BASE + 60 * day)],
                label=(f.COALITION_LABEL, f.PUBLIC, f.restricted("UKR"))[i % 3],
            )
            pledges.change_pledge_status(
                uow=uow, actor=donor, pledge_id=p.id, status=PledgeStatus.COMMITTED, on=f.BASE
            )
            d = deliveries.record_delivery(
                uow=uow,
                actor=donor,
                pledge_id=p.id,
                tranche=1,
                quantity=10,
                dispatched_on=f.BASE + 40 * day,
            )
            deliveries.confirm_receipt(
                uow=uow,
                actor=c.recipient,
                delivery_id=d.id,
                received_quantity=10,
                received_on=f.BASE + 45 * day,
            )
            needs.submit_need(
                uow=uow,
                actor=c.recipient,
                recipient=f.RECIPIENT,
                item_type=f.SHELL,
                quantity=50 + i,
                priority=list(Priority)[i % 4],
                needed_by=f.BASE + 90 * day,
                raised_on=f.BASE,
                label=f.COALITION_LABEL,
            )


def fill_log(store: Store, force_synthetic: bool) -> str:
    """Fill `store` with the demo (or a synthetic log); returns a description for the output."""
    if not force_synthetic:
        try:
            from ramstein.demo.build import build_demo
        except ImportError as missing:
            reason = f"the demo builder is not importable ({missing})"
        else:
            summary = build_demo(store, seed=2022)
            return f"demo, seed 2022: {summary.log_size} entries"
    else:
        reason = "--synthetic was given"
    synthetic_log(store, SYNTHETIC_ROUNDS)
    size = maintenance.status(store=store).log_size
    return f"SYNTHETIC log of {size} entries ({SYNTHETIC_ROUNDS * 5} commands), because {reason}"


def copy_log(source: Store, target: Store) -> None:
    """Copy the log alone (entries, Merkle tree and head; no projections) into empty `target`."""
    with source.read() as src, target.engine.begin() as dst:
        head = src.execute(sa.select(t.log_head)).one()
        for table, key in ((t.log_entries, "seq"), (t.tree_nodes, None)):
            rows = [dict(r._mapping) for r in src.execute(sa.select(table))]
            rows.sort(key=lambda r: r[key] if key else (r["level"], r["idx"]))
            for start in range(0, len(rows), 2000):
                dst.execute(table.insert(), rows[start : start + 2000])
        dst.execute(
            t.log_head.update()
            .where(t.log_head.c.id == 1)
            .values(size=head.size, last_at=head.last_at, frontier=head.frontier)
        )


def read_and_decode(store: Store) -> int:
    """The baseline: read every entry's payload in sequence order and JSON-decode it."""
    e = t.log_entries
    n, last = 0, 0
    with store.read() as conn:
        while True:
            rows = conn.execute(
                sa.select(e.c.seq, e.c.payload).where(e.c.seq > last).order_by(e.c.seq).limit(2000)
            ).all()
            if not rows:
                return n
            for row in rows:
                json.loads(row.payload)
            n += len(rows)
            last = rows[-1].seq


@dataclass
class RebuildResult:
    entries: int
    rebuild_s: float
    decode_s: float
    digest: str

    @property
    def ratio(self) -> float:
        return self.rebuild_s / self.decode_s


def bench_rebuild(store: Store, repeats: int) -> RebuildResult:
    digests: list[str] = []

    def rebuild() -> float:
        start = time.perf_counter()
        report = maintenance.rebuild(store=store)
        elapsed = time.perf_counter() - start
        digests.append(report.digest_after)
        return elapsed

    rebuild_s = median_of(repeats, rebuild)
    decode_s = median_of(repeats, lambda: timed(lambda: read_and_decode(store)))
    assert len(set(digests)) == 1, "rebuilds of the same log gave different states"
    return RebuildResult(read_and_decode(store), rebuild_s, decode_s, digests[0])


# --- backends and output --------------------------------------------------------------------


@contextmanager
def sqlite_store(directory: Path, name: str) -> Iterator[Store]:
    store = Store(f"sqlite:///{directory / name}")
    try:
        yield store
    finally:
        store.dispose()


@contextmanager
def postgres_server() -> Iterator[PostgresServer | None]:
    bindir = pg_bin()
    if bindir is None or not (bindir / "initdb").exists():
        yield None
        return
    server = PostgresServer(bindir, fsync=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def postgres_store(server: PostgresServer, name: str) -> Iterator[Store]:
    admin = sa.create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    store = Store(server.url(name))
    try:
        yield store
    finally:
        store.dispose()


def durability(store: Store) -> str:
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(
                conn.exec_driver_sql("PRAGMA synchronous").scalar(), "?"
            )
            return f"journal_mode={mode}, synchronous={sync}"
        fsync = conn.exec_driver_sql("SHOW fsync").scalar()
        commit = conn.exec_driver_sql("SHOW synchronous_commit").scalar()
        version = conn.exec_driver_sql("SHOW server_version").scalar()
        return f"PostgreSQL {version}, fsync={fsync}, synchronous_commit={commit}"


def print_appends(backend: str, results: list[AppendResult]) -> None:
    for r in results:
        print(
            f"  {backend:<11} {r.mode:<24} {r.store_rate:>11.0f} {r.raw_rate:>12.0f} "
            f"{r.ratio:>8.3f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--synthetic", action="store_true", help="rebuild a synthetic log instead of the demo"
    )
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    args = parser.parse_args()
    began = time.perf_counter()
    repeats = max(1, args.repeats)

    print("Ramstein store benchmark")
    print(f"  medians of {repeats} runs; ratio = Ramstein / raw baseline, measured in this run")
    print(f"  machine: {os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    print()
    appends: dict[str, list[AppendResult]] = {}
    rebuilds: dict[str, RebuildResult] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ramstein-bench-") as tmp:
        directory = Path(tmp)
        with sqlite_store(directory, "appends.sqlite") as store:
            notes.append(f"SQLite: {durability(store)}; file in {directory}")
            appends["sqlite"], row = bench_appends(store, repeats)
        notes.append(f"raw baseline row: id + {row} characters (one announcement's entry+rows)")
        with sqlite_store(directory, "demo.sqlite") as demo:
            started = time.perf_counter()
            described = fill_log(demo, args.synthetic)
            notes.append(
                f"rebuild input: {described}; built in {time.perf_counter() - started:.0f} s"
            )
            rebuilds["sqlite"] = bench_rebuild(demo, repeats)

            server_cm = postgres_server() if not args.no_postgres else None
            if server_cm is None:
                notes.append("PostgreSQL: skipped (--no-postgres)")
            else:
                with server_cm as server:
                    if server is None:
                        notes.append("PostgreSQL: skipped (binaries not installed)")
                    else:
                        with postgres_store(server, "bench_appends") as pg:
                            notes.append(durability(pg))
                            appends["postgresql"], _ = bench_appends(pg, repeats)
                        with postgres_store(server, "bench_demo") as pg:
                            copy_log(demo, pg)
                            rebuilds["postgresql"] = bench_rebuild(pg, repeats)
                        same = rebuilds["postgresql"].digest == rebuilds["sqlite"].digest
                        notes.append(
                            "PostgreSQL rebuilds the SQLite log into the same state digest: "
                            + ("yes" if same else "NO - a bug")
                        )

    print("Events appended per second (announce_pledge with a tranche: 1 event per command)")
    print(f"  {'backend':<11} {'mode':<24} {'Ramstein/s':>11} {'raw rows/s':>12} {'ratio':>8}")
    for backend, results in appends.items():
        print_appends(backend, results)
    print()
    print("Rebuild of the projections from the log (services.maintenance.rebuild)")
    print(
        f"  {'backend':<11} {'entries':>8} {'rebuild s':>10} {'read+decode s':>14} "
        f"{'ratio':>8} {'entries/s':>10}"
    )
    for backend, r in rebuilds.items():
        print(
            f"  {backend:<11} {r.entries:>8} {r.rebuild_s:>10.2f} {r.decode_s:>14.3f} "
            f"{r.ratio:>8.1f} {r.entries / r.rebuild_s:>10.0f}"
        )
    print()
    for note in notes:
        print(f"  - {note}")
    print(f"  - total time {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
