"""A throwaway PostgreSQL cluster started from the installed binaries (tests and benchmarks).

`initdb` refuses to run as root, so as root the server runs as the `postgres` user and the
caller connects over TCP on loopback. Nothing here depends on pytest, so `bench/` uses it too.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def pg_bin() -> Path | None:
    """The directory holding initdb and pg_ctl: $RAMSTEIN_PGBIN, Debian's newest, or $PATH."""
    if env := os.environ.get("RAMSTEIN_PGBIN"):
        return Path(env)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if found:
        return Path(found[-1])
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """A throwaway PostgreSQL cluster on loopback.

    `fsync=False` (the default) is for tests only; a benchmark or a reliability test that
    must measure or survive real commits passes `fsync=True`.
    """

    def __init__(self, bindir: Path, *, fsync: bool = False) -> None:
        self.bindir = bindir
        self.fsync = fsync
        self.root = Path(tempfile.mkdtemp(prefix="ramstein-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.port = free_port()
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
        self.launch()

    def launch(self) -> None:
        """Start the server on the existing cluster (after `crash`, it recovers from its WAL)."""
        fsync = "on" if self.fsync else "off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.data / "log"),
            "-w",
            "-o",
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data} -c fsync={fsync} "
            "-c max_connections=200",
            "start",
        )

    def crash(self) -> None:
        """Stop the server as a power cut would: no checkpoint, nothing flushed beyond what
        each commit already made durable (`pg_ctl stop -m immediate`); `launch` recovers."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        try:
            self.crash()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"
