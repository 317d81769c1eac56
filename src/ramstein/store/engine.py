"""Engines for SQLite (WAL, one writer at a time) and PostgreSQL, with migrations on start."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ramstein.store.migrate import upgrade
from ramstein.store.tables import log_head
from ramstein.store.uow import UnitOfWork

WRITE = "ramstein_write"


CACHE_KIB = 65_536
"""The pages a SQLite connection keeps, in KiB (64 MiB; the default is 2 MiB): the indexes a
large import looks up and extends stay in memory (a tenth faster at 100,000 rows,
`bench/interchange.py`). A connection's cache fills only as far as it is used."""

SPILL_PAGES = 131_072
"""Pages (4 KiB) a SQLite transaction keeps changed in memory before it spills them to the
WAL, where changing them again costs a read and a write: 512 MiB, some 300,000 imported
pledges. The default spills past 2 MiB, which made a 100,000-row import a quarter slower
(`bench/interchange.py`). Only a writer's changed pages count toward it."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself, so writers can take the lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.execute(f"PRAGMA cache_spill={SPILL_PAGES}")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock at BEGIN: two writers never both read and then collide.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


@dataclass(frozen=True, slots=True)
class Pool:
    """How many connections an engine keeps (SQLAlchemy's `QueuePool`); `docs/operations.md`."""

    size: int = 5
    overflow: int = 10
    timeout: float = 30
    recycle: int = 1800

    def options(self) -> dict[str, Any]:
        return {
            "pool_size": self.size,
            "max_overflow": self.overflow,
            "pool_timeout": self.timeout,
            "pool_recycle": self.recycle,
        }


def make_engine(url: str, *, pool: Pool | None = None, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite files get WAL, full sync, foreign keys and writer locking."""
    parsed = sa.engine.make_url(url)
    if pool is not None and parsed.database not in (None, "", ":memory:"):
        kwargs = pool.options() | kwargs  # an in-memory SQLite database has no pool to size
    if url.startswith("sqlite"):
        path = parsed.database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def utc_now() -> datetime:
    return datetime.now(UTC)


GROUP_WINDOW = 0.05
"""Seconds a SQLite group stays open for writers queued behind it. Measured with 20 writers
at once (`bench/api.py`), a group open as long as writers are queued doubles the rate of
writes and lowers their median and tail latency; the window bounds how long the first of a
group waits for the others' work under a queue that never empties."""


class _Turns:
    """A lock granted in the order it was asked for, that tells how many wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held = False
        self._waiters: deque[threading.Event] = deque()

    def acquire(self) -> None:
        with self._lock:
            if not self._held:
                self._held = True
                return
            turn = threading.Event()
            self._waiters.append(turn)
        turn.wait()  # the releasing writer hands the lock over directly

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiters)

    def release(self) -> None:
        with self._lock:
            if self._waiters:
                self._waiters.popleft().set()
            else:
                self._held = False


class _Group:
    """Commands sharing one SQLite transaction; `done` is set once it has committed (or
    failed, with `error`)."""

    def __init__(self, conn: Connection, tx: sa.RootTransaction, uow: UnitOfWork) -> None:
        self.conn, self.tx, self.uow = conn, tx, uow
        self.members = 0
        self.opened = time.monotonic()
        self.error: BaseException | None = None
        self.done = threading.Event()

    def finish(self) -> None:
        try:
            if self.error is None and self.members:
                self.uow.flush()
                self.tx.commit()
            else:
                self.tx.rollback()
        except Exception as error:
            self.error = error
        finally:
            self.conn.close()
            self.done.set()


class Store:
    """The coalition's database: read connections and write units of work."""

    def __init__(
        self, url: str, *, migrate: bool = True, pool: Pool | None = None, **engine_kwargs: Any
    ) -> None:
        self.url = url
        self.engine = make_engine(url, pool=pool, **engine_kwargs)
        self._turns = _Turns()
        """SQLite writers of this process queue here, in order, not in SQLite's busy handler,
        which sleeps in growing steps (up to 100 ms) and so gives waiting writers a long tail."""
        self._group: _Group | None = None
        self._watch: sqlite3.Connection | None = None
        self._watch_lock = threading.Lock()
        if migrate:
            upgrade(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot for a query or a page and its parts."""
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def write(self, *, clock: Callable[[], datetime] = utc_now) -> Iterator[UnitOfWork]:
        """One command in a write transaction holding the log's write lock: its events and
        projections commit together, and the block ends only once they are durable.

        On SQLite, writers of this process take turns first come, first served, and a writer
        that finds others queued behind it leaves its transaction open for them: each runs
        in a savepoint of the same transaction (a refused command rolls back only its own),
        and the last one commits for all, one fsync for the group (open `GROUP_WINDOW` at most).
        A command must therefore not wait, inside its block, for another write to finish.
        """
        if self.dialect != "sqlite":
            with self.engine.connect() as conn:
                conn.execution_options(**{WRITE: True})
                with conn.begin():
                    uow = UnitOfWork(conn, clock)
                    yield uow
                    uow.flush()
            return
        self._turns.acquire()
        group: _Group | None = None
        try:
            group = self._group or self._open_group(clock)
            self._group = group
            mark = group.uow.begin_command(clock)
            savepoint = group.conn.begin_nested()
            try:
                yield group.uow
            except BaseException:
                try:
                    savepoint.rollback()
                    group.uow.roll_back_to(mark)
                except Exception as error:  # the connection is gone: the group with it
                    group.error = error
                raise
            try:
                savepoint.commit()
            except Exception as error:
                group.error = error
                raise
            group.members += 1
        finally:
            if group is not None and (
                group.error is not None
                or time.monotonic() - group.opened > GROUP_WINDOW
                or not self._turns.waiting()
            ):
                self._group = None
                group.finish()
            self._turns.release()
        group.done.wait()  # reached only by a command that joined the group
        if group.error is not None:
            raise group.error

    def _open_group(self, clock: Callable[[], datetime]) -> _Group:
        conn = self.engine.connect()
        try:
            conn.execution_options(**{WRITE: True})
            tx = conn.begin()
            return _Group(conn, tx, UnitOfWork(conn, clock))
        except BaseException:
            conn.close()
            raise

    def position(self) -> int | None:
        """A number that moves whenever the log grows, whoever wrote: answers built after
        reading it are at least that recent, so it keys caches of what the log projects.

        On SQLite it is `PRAGMA data_version` on a connection of its own, which changes with
        every commit by any other connection or process (a few microseconds, no transaction);
        on PostgreSQL, the log's size. None for an in-memory database (nothing to watch).
        """
        if self.dialect != "sqlite":
            with self.engine.connect() as conn:
                return int(conn.execute(sa.select(log_head.c.size)).scalar_one())
        path = self.engine.url.database
        if not path or path == ":memory:":
            return None
        with self._watch_lock:
            if self._watch is None:
                self._watch = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            return int(self._watch.execute("PRAGMA data_version").fetchone()[0])

    def dispose(self) -> None:
        with self._watch_lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None
        self.engine.dispose()
