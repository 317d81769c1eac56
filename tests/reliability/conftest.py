"""The reliability tests' databases: a SQLite file, or PostgreSQL with fsync on.

`make test` runs every test here at a small scale; `make reliability` (RAMSTEIN_RELIABILITY=1)
runs them at full scale, one at a time, and prints the figures they measured.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import require
from tests.pgserver import PostgresServer, pg_bin

FULL = os.environ.get("RAMSTEIN_RELIABILITY") == "1"
"""Full scale (`make reliability`): more kills, more clients, a 60-second load."""


@pytest.fixture(scope="session")
def durable_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server whose commits reach the disk (fsync on), for crash tests."""
    bindir = pg_bin()
    if bindir is None or not (bindir / "initdb").exists():
        require("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    assert bindir is not None
    server = PostgresServer(bindir, fsync=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def new_database(server: PostgresServer) -> str:
    name = f"r_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return server.url(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def live_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file (WAL), or a PostgreSQL database with fsync on."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'live.sqlite'}"
    return new_database(request.getfixturevalue("durable_postgres"))
