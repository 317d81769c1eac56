"""Shared fixtures: a real PostgreSQL server started from the installed binaries, and stores.

Tests that need PostgreSQL are skipped with a reason when its binaries are absent, unless
RAMSTEIN_REQUIRE_ALL=1 (as in CI), which turns that skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from ramstein.store.engine import Store
from tests.pgserver import PostgresServer, free_port, pg_bin

__all__ = [
    "PostgresServer",
    "free_port",
    "new_postgres_database",
    "pg_bin",
    "require",
    "running_postgres",
]

REQUIRE_ALL = os.environ.get("RAMSTEIN_REQUIRE_ALL") == "1"
TEMPLATE = "ramstein_template"


def require(reason: str) -> None:
    """Skip with `reason`, or fail under RAMSTEIN_REQUIRE_ALL=1."""
    if REQUIRE_ALL:
        pytest.fail(f"RAMSTEIN_REQUIRE_ALL=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def running_postgres(*, fsync: bool = False) -> Iterator[PostgresServer]:
    """A PostgreSQL server of its own, started from the installed binaries (skipped, or a
    failure under RAMSTEIN_REQUIRE_ALL=1, when they are absent)."""
    bindir = pg_bin()
    if bindir is None or not (bindir / "initdb").exists():
        require("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    assert bindir is not None
    server = PostgresServer(bindir, fsync=fsync)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A running PostgreSQL server with a migrated template database."""
    with running_postgres() as server:
        admin = sa.create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {TEMPLATE}")
        admin.dispose()
        Store(server.url(TEMPLATE)).dispose()  # migrate once; tests copy it
        yield server


def new_postgres_database(server: PostgresServer, *, template: str | None = TEMPLATE) -> str:
    """A fresh database on `server`, a copy of `template` (by default the migrated one of the
    `postgres` fixture; None: an empty database); returns its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(
            f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")
        )
    admin.dispose()
    return server.url(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ramstein.sqlite'}"
    return new_postgres_database(request.getfixturevalue("postgres"))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated store on each database kind."""
    s = Store(database_url)
    yield s
    s.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A migrated store on SQLite only, for tests about the model rather than the database."""
    s = Store(f"sqlite:///{tmp_path / 'ramstein.sqlite'}")
    yield s
    s.dispose()


@pytest.fixture
def other_store(store: Store, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated store on the other database kind than `store`'s (another host's)."""
    if store.dialect == "sqlite":
        url = new_postgres_database(request.getfixturevalue("postgres"))
    else:
        url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    s = Store(url)
    yield s
    s.dispose()


FIGURE = "figure: "
"""The prefix of a `record_property` name that the run's summary prints (measured figures)."""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures tests measured (`record_property("figure: ...", value)`), also
    from xdist workers, whose reports carry them."""
    lines = [
        f"{report.nodeid}: {name.removeprefix(FIGURE)} = {value}"
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name.startswith(FIGURE)
    ]
    if lines:
        terminalreporter.section("measured figures")
        for line in lines:
            terminalreporter.write_line(line)
