"""The chairmanship: the first chair, handovers, and who chairs now."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import chair as domain
from ramstein.domain.chair import ChairTerm
from ramstein.domain.permissions import require_chair
from ramstein.domain.releasability import PUBLIC_LABEL, Principal
from ramstein.services import common
from ramstein.store import rows
from ramstein.store import tables as t
from ramstein.store.uow import UnitOfWork


def current_chair(*, conn: Connection) -> ChairTerm | None:
    row = conn.execute(
        sa.select(t.chair_terms).order_by(t.chair_terms.c.number.desc()).limit(1)
    ).first()
    return rows.chair_term(row) if row is not None else None


def chair_history(*, conn: Connection, viewer: Principal) -> list[ChairTerm]:
    q = sa.select(t.chair_terms).order_by(t.chair_terms.c.number)
    return [rows.chair_term(r) for r in conn.execute(q)]


def assume_chair(
    *, uow: UnitOfWork, actor: Principal, chair: str, since: date | None = None, note: str = ""
) -> ChairTerm:
    """Record the coalition's first chair (the host operator sets this up)."""
    require_chair(actor, "record the first chair")
    event = domain.assume(
        current_chair(conn=uow.conn),
        common.participant(uow.conn, chair),
        since or uow.today(),
        note,
    )
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=chair)
    term = current_chair(conn=uow.conn)
    assert term is not None
    return term


def hand_over_chair(
    *, uow: UnitOfWork, actor: Principal, incoming: str, on: date | None = None, note: str = ""
) -> ChairTerm:
    """The sitting chair hands the coalition over; the whole history stays with it."""
    require_chair(actor, "hand over the chair")
    event = domain.hand_over(
        current_chair(conn=uow.conn),
        common.participant(uow.conn, incoming),
        on or uow.today(),
        note,
    )
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=incoming)
    term = current_chair(conn=uow.conn)
    assert term is not None
    return term
