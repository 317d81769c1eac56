"""The chairmanship: the first chair, handovers, and who chairs now."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import chair as domain
from ramstein.domain.chair import ChairTerm
from ramstein.domain.errors import InvalidValue
from ramstein.domain.permissions import require_chair
from ramstein.domain.releasability import PUBLIC_LABEL, Principal
from ramstein.services import common, log
from ramstein.services.log import HostSigner
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
    *,
    uow: UnitOfWork,
    actor: Principal,
    incoming: str,
    on: date | None = None,
    note: str = "",
    new_host_key: str | None = None,
    host: HostSigner | None = None,
    expected_term: int | None = None,
) -> ChairTerm:
    """The sitting chair hands the coalition over; the whole history stays with it.

    With `new_host_key`, the log goes with the chair: the entry naming the incoming host's key
    ends a checkpoint that this (outgoing) `host` signs; from then on only the new key signs.
    `expected_term` is the term the caller saw (the chair's version, as an ETag).
    """
    require_chair(actor, "hand over the chair")
    if new_host_key is not None and host is None:
        raise InvalidValue("new_host_key", "Handing over the log needs this host's signing key.")
    sitting = current_chair(conn=uow.conn)
    if sitting is not None:
        common.check_version("chair term", "now", sitting.number, expected_term)
    event = domain.hand_over(
        sitting,
        common.participant(uow.conn, incoming),
        on or uow.today(),
        note,
    )
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=incoming)
    if new_host_key is not None and host is not None:
        log.hand_over_host(uow=uow, actor=actor, host=host, new_key=new_host_key, incoming=incoming)
    term = current_chair(conn=uow.conn)
    assert term is not None
    return term
