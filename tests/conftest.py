"""Shared fixtures: a real PostgreSQL server started from the installed binaries, and stores.

Tests that need PostgreSQL are skipped with a reason when its binaries are absent, unless
RAMSTEIN_REQUIRE_ALL=1 (as in CI), which turns that skip into a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ramstein.store.engine import Store

REQUIRE_ALL = os.environ.get("RAMSTEIN_REQUIRE_ALL") == "1"
TEMPLATE = "ramstein_template"


def require(reason: str) -> None:
    """Skip with `reason`, or fail under RAMSTEIN_REQUIRE_ALL=1."""
    if REQUIRE_ALL:
        pytest.fail(f"RAMSTEIN_REQUIRE_ALL=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _pg_bin() -> Path | None:
    if env := os.environ.get("RAMSTEIN_PGBIN"):
        return Path(env)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if found:
        return Path(found[-1])
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """A throwaway PostgreSQL cluster on loopback (fsync off: tests only)."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="ramstein-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            os.chmod(self.root, 0o755)
            self.data.mkdir()
            shutil.chown(self.data, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True)

    def start(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.data / "log"),
            "-w",
            "-o",
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data} -c fsync=off "
            "-c max_connections=200",
            "start",
        )

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A running PostgreSQL server with a migrated template database."""
    bindir = _pg_bin()
    if bindir is None or not (bindir / "initdb").exists():
        require("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    assert bindir is not None
    server = PostgresServer(bindir)
    server.start()
    try:
        admin = sa.create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {TEMPLATE}")
        admin.dispose()
        Store(server.url(TEMPLATE)).dispose()  # migrate once; tests copy it
        yield server
    finally:
        server.stop()


def new_postgres_database(server: PostgresServer) -> str:
    """A fresh, migrated database copied from the template; returns its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
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
