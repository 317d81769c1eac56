"""The reliability tests' databases: a SQLite file, or PostgreSQL with fsync on.

`make test` runs every test here at a small scale; `make reliability` (RAMSTEIN_RELIABILITY=1)
runs them at full scale, one at a time, and prints the figures they measured.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PostgresServer, new_postgres_database, running_postgres

FULL = os.environ.get("RAMSTEIN_RELIABILITY") == "1"
"""Full scale (`make reliability`): more kills, more clients, a 60-second load."""


@pytest.fixture(scope="session")
def durable_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server whose commits reach the disk (fsync on), for crash tests."""
    with running_postgres(fsync=True) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def live_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file (WAL), or a PostgreSQL database with fsync on."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'live.sqlite'}"
    return new_postgres_database(request.getfixturevalue("durable_postgres"), template=None)
