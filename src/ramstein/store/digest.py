"""A digest of the projections' full contents, to prove that a rebuild reproduces them."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.ledger.entries import canonical
from ramstein.store.tables import PROJECTIONS


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def table_digests(conn: Connection) -> dict[str, str]:
    """sha256 over each projection's rows in primary-key order, in a canonical encoding."""
    out = {}
    for table in PROJECTIONS:
        h = hashlib.sha256()
        key = [list(table.columns).index(c) for c in table.primary_key.columns]
        # Sorted here, not by the database: text keys must not depend on its collation.
        encoded = sorted(
            ([_plain(row[i]) for i in key], canonical([_plain(v) for v in row]))
            for row in conn.execute(sa.select(table))
        )
        for _, line in encoded:
            h.update(line)
            h.update(b"\n")
        out[table.name] = h.hexdigest()
    return out


def state_digest(conn: Connection) -> str:
    """One digest of every projection; equal digests mean equal coalition state."""
    return digest_of(table_digests(conn))


def digest_of(tables: dict[str, str]) -> str:
    """The state digest of the projections' `table_digests`."""
    return hashlib.sha256(canonical(tables)).hexdigest()
