"""Participants: register, revise, change status; list and show."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import participants as domain
from ramstein.domain.errors import AlreadyExists, InvalidValue
from ramstein.domain.participants import Participant, ParticipantKind, ParticipantStatus
from ramstein.domain.permissions import require_chair
from ramstein.domain.releasability import PUBLIC_LABEL, Principal
from ramstein.services import common
from ramstein.services.chair import current_chair
from ramstein.services.paging import Order, PageRequest, apply
from ramstein.store import rows
from ramstein.store import tables as t
from ramstein.store.uow import UnitOfWork


def register_participant(
    *,
    uow: UnitOfWork,
    actor: Principal,
    code: str,
    name: str,
    kind: ParticipantKind,
    status: ParticipantStatus = ParticipantStatus.MEMBER,
    joined_on: date | None = None,
    gdp_eur_bn: Decimal | None = None,
) -> Participant:
    require_chair(actor, "register participants")
    if common.exists(uow.conn, t.participants, code=code):
        raise AlreadyExists("participant", code)
    event = domain.register(
        code=code,
        name=name,
        kind=kind,
        status=status,
        joined_on=joined_on or uow.today(),
        gdp_eur_bn=gdp_eur_bn,
    )
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=code)
    return common.participant(uow.conn, code)


def revise_participant(
    *,
    uow: UnitOfWork,
    actor: Principal,
    code: str,
    name: str | None = None,
    gdp_eur_bn: Decimal | None = None,
    expected_version: int | None = None,
) -> Participant:
    require_chair(actor, "revise participants")
    current = common.participant(uow.conn, code)
    common.check_version("participant", code, current.version, expected_version)
    event = domain.revise(
        current,
        name=name if name is not None else current.name,
        gdp_eur_bn=gdp_eur_bn if gdp_eur_bn is not None else current.gdp_eur_bn,
    )
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=code)
    return common.participant(uow.conn, code)


def change_participant_status(
    *,
    uow: UnitOfWork,
    actor: Principal,
    code: str,
    status: ParticipantStatus,
    on: date | None = None,
    expected_version: int | None = None,
) -> Participant:
    require_chair(actor, "change a participant's status")
    current = common.participant(uow.conn, code)
    common.check_version("participant", code, current.version, expected_version)
    term = current_chair(conn=uow.conn)
    if status is ParticipantStatus.LEFT and term is not None and term.chair == code:
        raise InvalidValue(
            "status", f"{code} chairs the coalition; hand over the chair before it leaves."
        )
    event = domain.change_status(current, status, on or uow.today())
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=code)
    return common.participant(uow.conn, code)


_pt = t.participants
PARTICIPANT_ORDERS = {
    "code": Order((_pt.c.code,), lambda x: (x.code,)),
    "name": Order((_pt.c.name, _pt.c.code), lambda x: (x.name, x.code)),
    "joined_on": Order((_pt.c.joined_on, _pt.c.code), lambda x: (x.joined_on, x.code)),
}


def get_participant(*, conn: Connection, viewer: Principal, code: str) -> Participant:
    """Participants are public: every viewer sees every participant."""
    return common.participant(conn, code)


def list_participants(
    *,
    conn: Connection,
    viewer: Principal,
    kind: ParticipantKind | None = None,
    status: ParticipantStatus | None = None,
    page: PageRequest | None = None,
) -> list[Participant]:
    q = apply(sa.select(t.participants), PARTICIPANT_ORDERS, "code", page)
    if kind is not None:
        q = q.where(t.participants.c.kind == kind.value)
    if status is not None:
        q = q.where(t.participants.c.status == status.value)
    return [rows.participant(r) for r in conn.execute(q)]
