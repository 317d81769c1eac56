"""Readiness: whether this instance should take traffic (`/readyz`).

Ready means the database answers, its schema is the newest migration, and the last full
verification of the log (every entry, the stored tree, every checkpoint's signatures, and a
replay of the projections) passed. A full verification reads the whole log, so it is not run
per request: a `LogWatch` runs it in a background thread when the last one is older than its
`max_age`, one at a time, and a probe answers from the latest result at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from ramstein.ledger.verify import LogError
from ramstein.services import log
from ramstein.store.engine import Store
from ramstein.store.migrate import is_current
from ramstein.store.uow import format_instant


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of one full verification of the log."""

    ok: bool
    started_at: str
    seconds: float
    size: int | None = None
    """Entries verified (when it passed)."""
    signed_size: int | None = None
    """The size of the last checkpoint, up to which the log is signed."""
    first_bad_entry: int | None = None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class Readiness:
    database: str | None
    """None when the database answered; otherwise why it did not."""
    migrations_current: bool
    verification: Verification | None
    """None until the first verification has finished."""

    @property
    def ready(self) -> bool:
        return (
            self.database is None
            and self.migrations_current
            and self.verification is not None
            and self.verification.ok
        )


class LogWatch:
    """The latest full verification of a store's log, re-run in the background once it is
    older than `max_age` seconds."""

    def __init__(self, store: Store, *, max_age: float) -> None:
        self.store = store
        self.max_age = max_age
        self._lock = threading.Lock()
        self._latest: Verification | None = None
        self._finished = 0.0
        self._running: threading.Thread | None = None

    def latest(self) -> Verification | None:
        """The latest finished verification; starts a new one if that is due."""
        with self._lock:
            due = self._latest is None or time.monotonic() - self._finished >= self.max_age
            if due and self._running is None:
                self._running = threading.Thread(
                    target=self._verify, name="ramstein-log-watch", daemon=True
                )
                self._running.start()
            return self._latest

    def wait(self, timeout: float | None = None) -> Verification | None:
        """The latest verification once any running one has finished (tests, the CLI)."""
        running = self._running
        if running is not None:
            running.join(timeout)
        return self._latest

    def _verify(self) -> None:
        started, clock = format_instant(datetime.now(UTC)), time.monotonic()
        found: dict[str, object]
        try:
            report = log.verify(store=self.store)
            found = {"size": report.log.size, "signed_size": report.log.signed_size}
            if not report.projections_match:
                tables = ", ".join(report.drifted)
                found["problem"] = f"the records in {tables} differ from a replay of the log"
        except LogError as error:
            found = {"first_bad_entry": error.seq, "problem": str(error)}
        except Exception as error:  # the database went away: not ready, and say why
            found = {"problem": f"the log could not be read ({type(error).__name__}: {error})"}
        result = Verification(
            ok="problem" not in found,
            started_at=started,
            seconds=round(time.monotonic() - clock, 3),
            **found,  # type: ignore[arg-type]
        )
        with self._lock:
            self._latest, self._finished, self._running = result, time.monotonic(), None


def readiness(*, store: Store, watch: LogWatch) -> Readiness:
    """Probe the database and the schema now; the log as last verified."""
    try:
        with store.read() as conn:
            conn.execute(sa.text("SELECT 1"))
            current = is_current(conn)
    except Exception as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        return Readiness(
            database=reason[0] if reason else type(error).__name__,
            migrations_current=False,
            verification=watch.latest(),
        )
    return Readiness(database=None, migrations_current=current, verification=watch.latest())
