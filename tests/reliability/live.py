"""Ramstein run for real, to be broken on purpose: `ramstein serve` and `ramstein import` as
subprocesses on a SQLite file or a PostgreSQL database, and the clients that write to them.

Nothing here depends on pytest: the reliability tests use it, and so can a person at a shell.
"""

from __future__ import annotations

import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx2 as httpx
import sqlalchemy as sa

from ramstein.domain.releasability import Role
from ramstein.ledger.keys import write_private_key
from ramstein.services import log, users
from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests import factories as f
from tests.pgserver import free_port

RAMSTEIN = str(Path(sys.executable).with_name("ramstein"))
"""The console script installed beside this interpreter."""

WRITERS = {"DEU": "mod-deu", "GBR": "mod-gbr", "POL": "mod-pol", "NLD": "mod-nld"}
"""The donors whose users write in these tests: participant code -> user name."""

EXPECTED = date(2027, 6, 30)


@dataclass(frozen=True)
class Instance:
    """A seeded coalition database and the files a server of it needs."""

    url: str
    directory: Path
    tokens: dict[str, str]
    """Bearer tokens by user: the donors' (WRITERS), the chair's and the observer's."""

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "RAMSTEIN_DATABASE_URL": self.url,
            "RAMSTEIN_HOST_KEY_FILE": str(self.directory / "host.key"),
            "RAMSTEIN_SESSION_KEY_FILE": str(self.directory / "session.key"),
            "RAMSTEIN_LOG_ORIGIN": f.ORIGIN,
            **extra,
        }

    def ramstein(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run `ramstein ARGS` on this database; returns what it printed and its exit code."""
        return subprocess.run(
            [RAMSTEIN, "--database-url", self.url, *args],
            env=self.env(COLUMNS="200"),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        """A connection of its own to the database, beside the server's."""
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            engine.dispose()

    def in_a_write(self) -> bool:
        """Whether another process has a write transaction open: on SQLite it holds the write
        lock; on PostgreSQL a session of this database has written in its transaction."""
        url = sa.make_url(self.url)
        if url.get_backend_name() == "sqlite":
            probe = sqlite3.connect(str(url.database), timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:  # database is locked
                return True
            finally:
                probe.close()
        with self.connect() as conn:
            writing = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
            )
            return bool(writing.scalar_one())

    def log_size(self) -> int:
        with self.connect() as conn:
            return int(conn.execute(sa.select(t.log_head.c.size)).scalar_one())

    def pledges(self) -> dict[int, int]:
        """Every pledge in the projections: id -> quantity."""
        with self.connect() as conn:
            rows = conn.execute(sa.select(t.pledges.c.id, t.pledges.c.quantity))
            return {int(r.id): int(r.quantity) for r in rows}

    def sequence_numbers(self) -> list[int]:
        with self.connect() as conn:
            e = t.log_entries
            return [int(s) for s in conn.execute(sa.select(e.c.seq).order_by(e.c.seq)).scalars()]


def seed(url: str, directory: Path, *, pledges: int = 20, needs: int = 0) -> Instance:
    """The factory coalition, a signed checkpoint, `pledges` pledges and `needs` needs after
    it, and a user and token for each writing donor, the chair and the observer."""
    directory.mkdir(parents=True, exist_ok=True)
    write_private_key(directory / "host.key", f.HOST_A.signer)
    store = Store(url)
    try:
        who = f.setup_coalition(store)
        with store.write(clock=f.CLOCK) as uow:
            log.sign_checkpoint(uow=uow, actor=who.chair, host=f.HOST_A)
        for n in range(pledges):
            f.announce(store, who.donor(f.DONORS[n % len(f.DONORS)]), quantity=100 + n)
        for n in range(needs):
            label = f.PUBLIC if n % 2 else f.COALITION_LABEL
            item = f.SHELL if n % 3 else f.DRONE
            f.submit_need(store, who.recipient, item_type=item, quantity=500 + n, label=label)
        tokens = {}
        accounts = {name: (code, Role.DONOR) for code, name in WRITERS.items()}
        accounts["chair-usa"] = (f.CHAIR, Role.CHAIR)
        accounts["observer"] = (f.OBSERVER, Role.OBSERVER)
        with store.write(clock=f.CLOCK) as uow:
            for name, (code, role) in accounts.items():
                users.add_user(conn=uow.conn, name=name, participant=code, roles=[role])
                tokens[name] = users.issue_token(conn=uow.conn, user=name)[1]
    finally:
        store.dispose()
    return Instance(url=url, directory=directory, tokens=tokens)


class Server:
    """`ramstein serve` in its own process group (its workers with it), on a free port."""

    def __init__(self, instance: Instance, *, workers: int = 1, **env: str) -> None:
        self.instance = instance
        self.workers = workers
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.output = instance.directory / f"serve-{self.port}.log"

    def start(self, *, timeout: float = 120) -> float:
        """Start the server; returns the seconds until `/readyz` first answered 200 (the log
        verified in full). Raises if it does not come up in `timeout` seconds."""
        started = time.monotonic()
        with self.output.open("ab") as out:
            self.process = subprocess.Popen(
                [RAMSTEIN, "serve", "--port", str(self.port), "--workers", str(self.workers)],
                env=self.instance.env(RAMSTEIN_READY_VERIFY_SECONDS="3600", **self.env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        with httpx.Client(base_url=self.url, timeout=5) as client:
            while time.monotonic() - started < timeout:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the server exited: {self.output.read_text()[-2000:]}")
                try:
                    if client.get("/readyz").status_code == 200:
                        return time.monotonic() - started
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"the server was not ready in {timeout} s: {self.readyz_text()}")

    def readyz_text(self) -> str:
        try:
            return httpx.get(f"{self.url}/readyz", timeout=5).text
        except httpx.TransportError as error:
            return repr(error)

    def kill(self) -> None:
        """SIGKILL the server and its workers at once: no shutdown, no flush, no goodbye."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def rss(self) -> int:
        """Resident memory of the server and its workers, in bytes."""
        assert self.process is not None
        return sum(_rss(pid) for pid in _tree(self.process.pid))


def _tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text().split():
            found += _tree(int(child))
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except FileNotFoundError:
        pass
    return 0


def pledge_body(donor: str, quantity: int) -> dict[str, object]:
    return {
        "donor": donor,
        "item_type": f.SHELL,
        "quantity": quantity,
        "source": "stocks",
        "releasability": "coalition",
        "tranches": [{"quantity": quantity, "expected_on": EXPECTED.isoformat()}],
    }


@dataclass
class Writes:
    """What a stream of writes was told: pledges acknowledged (201) by id, with their
    quantity, the quantities sent but never answered, and any other answer."""

    acknowledged: dict[int, int] = field(default_factory=dict)
    unanswered: set[int] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Writer(threading.Thread):
    """Announces pledges one after another, each with a quantity no other write uses, until
    told to stop or the server stops answering."""

    def __init__(
        self, server: Server, donor: str, quantities: itertools.count[int], writes: Writes
    ) -> None:
        super().__init__(daemon=True)
        self.server, self.donor, self.quantities, self.writes = server, donor, quantities, writes
        self.stopping = threading.Event()
        self.token = server.instance.tokens[WRITERS[donor]]

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.server.url, headers=headers, timeout=30) as client:
            while not self.stopping.is_set():
                quantity = next(self.quantities)
                try:
                    answer = client.post("/api/v1/pledges", json=pledge_body(self.donor, quantity))
                except httpx.TransportError:
                    with self.writes.lock:
                        self.writes.unanswered.add(quantity)
                    return
                with self.writes.lock:
                    if answer.status_code == 201:
                        self.writes.acknowledged[answer.json()["id"]] = quantity
                    else:
                        self.writes.refused.append(f"{answer.status_code} {answer.text[:200]}")


def write_until(
    server: Server, *, count: int, writers: int = 4, start: int = 10_000
) -> tuple[Writes, list[Writer]]:
    """Start `writers` writers and return once `count` writes were acknowledged; the
    writers are still writing."""
    writes = Writes()
    quantities = itertools.count(start)
    threads = [
        Writer(server, code, quantities, writes)
        for code in itertools.islice(itertools.cycle(WRITERS), writers)
    ]
    for w in threads:
        w.start()
    deadline = time.monotonic() + 120
    while len(writes.acknowledged) < count and time.monotonic() < deadline:
        if writes.refused:
            break
        time.sleep(0.005)
    return writes, threads


def pledge_file(path: Path, count: int) -> Path:
    """A pledges CSV of `count` new pledges (refs RELY-0000001...), one tranche each."""
    first = date(2025, 3, 1)
    lines = ["ref,donor,item_type,quantity,tranches,announced_on"]
    for n in range(count):
        donor = f.DONORS[n % len(f.DONORS)]
        on = (first + timedelta(days=n % 600)).isoformat()
        lines.append(
            f"RELY-{n:07d},{donor},{f.SHELL},{10 + n % 900},{10 + n % 900}@{on},2025-02-01"
        )
    path.write_text("\r\n".join(lines) + "\r\n")
    return path
