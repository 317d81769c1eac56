"""Engines for SQLite (WAL, one writer at a time) and PostgreSQL, with migrations on start."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ramstein.store.migrate import upgrade
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

    def dispose(self) -> None:
        self.engine.dispose()
