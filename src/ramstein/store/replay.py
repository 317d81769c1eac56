"""Rebuild: empty the projections and replay the whole log into them."""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain.events import from_payload
from ramstein.ledger.entries import payload_digest
from ramstein.store import projector
from ramstein.store.tables import PROJECTIONS, log_entries

BATCH = 2000


class LogCorrupted(Exception):
    """A stored entry does not match its own digest: the log was changed outside Ramstein."""

    def __init__(self, seq: int, why: str) -> None:
        super().__init__(f"Log entry {seq} is corrupted: {why}.")
        self.seq = seq


def replay(conn: Connection, progress: Callable[[int], None] | None = None) -> int:
    """Replay every entry, in order, into empty projections; returns the number replayed."""
    for table in reversed(PROJECTIONS):
        conn.execute(table.delete())
    last = 0
    expected = 1
    while True:
        rows = conn.execute(
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


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
