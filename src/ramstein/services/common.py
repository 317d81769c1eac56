"""Helpers shared by the services: version checks and reference lookups."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain.catalogue import ItemType
from ramstein.domain.errors import NotFound, StaleVersion
from ramstein.domain.participants import Participant
from ramstein.domain.releasability import Principal
from ramstein.store import rows
from ramstein.store import tables as t
from ramstein.store.uow import HOST


def acting_for(actor: Principal) -> str:
    """The participant an actor stands for; the host operator before any participant chairs."""
    return actor.participant or HOST


def check_version(kind: str, key: object, current: int, expected: int | None) -> None:
    """Refuse a write based on a version other than the stored one (None skips the check)."""
    if expected is not None and expected != current:
        raise StaleVersion(kind, key, expected, current)


def participant(conn: Connection, code: str) -> Participant:
    row = conn.execute(sa.select(t.participants).where(t.participants.c.code == code)).first()
    if row is None:
        raise NotFound("participant", code)
    return rows.participant(row)


def item_type(conn: Connection, code: str) -> ItemType:
    row = conn.execute(sa.select(t.item_types).where(t.item_types.c.code == code)).first()
    if row is None:
        raise NotFound("item type", code)
    return rows.item(row)


def area_exists(conn: Connection, code: str) -> None:
    found = conn.execute(
        sa.select(t.capability_areas.c.code).where(t.capability_areas.c.code == code)
    ).first()
    if found is None:
        raise NotFound("capability area", code)


def exists(conn: Connection, table: sa.Table, **key: Any) -> bool:
    cond = sa.and_(*(table.c[k] == v for k, v in key.items()))
    return conn.execute(sa.select(sa.literal(1)).select_from(table).where(cond)).first() is not None
