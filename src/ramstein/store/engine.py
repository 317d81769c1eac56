"""Engines for SQLite (WAL, one writer at a time) and PostgreSQL, with migrations on start."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ramstein.store.migrate import upgrade
from ramstein.store.tables import log_head
from ramstein.store.uow import UnitOfWork

WRITE = "ramstein_write"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself, so writers can take the lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock at BEGIN: two writers never both read and then collide.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite files get WAL, full sync, foreign keys and writer locking."""
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Store:
    """The coalition's database: read connections and write units of work."""

    def __init__(self, url: str, *, migrate: bool = True, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._writer = threading.Lock()
        """SQLite writers of this process queue here, not in SQLite's busy handler, which
        sleeps in growing steps (up to 100 ms) and so gives waiting writers a long tail."""
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
        """One transaction holding the log's write lock: events and projections commit together."""
        queue = self._writer if self.dialect == "sqlite" else contextlib.nullcontext()
        with queue, self.engine.connect() as conn:
            conn.execution_options(**{WRITE: True})
            with conn.begin():
                uow = UnitOfWork(conn, clock)
                yield uow
                uow.flush()

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
