"""Rebuild: empty the projections and replay the whole log into them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain.events import from_payload
from ramstein.ledger.entries import payload_digest
from ramstein.store import projector
from ramstein.store.tables import PROJECTIONS, log_entries, metadata

BATCH = 2000


class LogCorrupted(Exception):
    """A stored entry does not match its own digest: the log was changed outside Ramstein."""

    def __init__(self, seq: int, why: str) -> None:
        super().__init__(f"Log entry {seq} is corrupted: {why}.")
        self.seq = seq


def replay(
    conn: Connection,
    progress: Callable[[int], None] | None = None,
    *,
    source: Connection | None = None,
) -> int:
    """Replay every entry, in order, into empty projections; returns the number replayed.

    The entries are read from `source` (default `conn`): a scratch database can be filled
    from the live log's snapshot without writing to the live one.
    """
    source = source or conn
    for table in reversed(PROJECTIONS):
        conn.execute(table.delete())
    last = 0
    expected = 1
    while True:
        rows = source.execute(
            sa.select(
                log_entries.c.seq,
                log_entries.c.event_type,
                log_entries.c.schema_version,
                log_entries.c.salt,
                log_entries.c.payload,
                log_entries.c.payload_digest,
            )
            .where(log_entries.c.seq > last)
            .order_by(log_entries.c.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return last
        for row in rows:
            if row.seq != expected:
                raise LogCorrupted(expected, "it is missing from the sequence")
            payload = row.payload.encode()
            if payload_digest(bytes.fromhex(row.salt), payload) != row.payload_digest:
                raise LogCorrupted(row.seq, "its payload does not match its digest")
            try:
                event = from_payload(row.event_type, row.schema_version, json.loads(payload))
                projector.apply(conn, row.seq, event)
            except (KeyError, ValueError, TypeError, sa.exc.IntegrityError) as error:
                raise LogCorrupted(
                    row.seq, f"it cannot be replayed ({_first_line(error)})"
                ) from None
            expected += 1
        last = rows[-1].seq
        if progress is not None:
            progress(last)


@contextmanager
def scratch() -> Iterator[Connection]:
    """An empty in-memory SQLite database holding only the projection tables, in a
    transaction: what a verification replays into, so that it holds no lock on the live
    database (the state digest is the same on either kind, `tests/store/test_cross_database`)."""
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool)
    sa.event.listen(engine, "connect", _foreign_keys)
    try:
        metadata.create_all(engine, tables=PROJECTIONS)
        with engine.connect() as conn, conn.begin():
            yield conn
    finally:
        engine.dispose()


def _foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
