"""Capability areas and capability coalitions."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import capabilities as domain
from ramstein.domain.capabilities import CapabilityArea, Coalition, CoalitionRole
from ramstein.domain.errors import AlreadyExists, NotFound, NotPermitted
from ramstein.domain.permissions import require_chair
from ramstein.domain.releasability import PUBLIC_LABEL, Principal, Role
from ramstein.services import common
from ramstein.services.paging import Order, PageRequest, apply
from ramstein.store import rows
from ramstein.store import tables as t
from ramstein.store.uow import UnitOfWork


def define_area(
    *, uow: UnitOfWork, actor: Principal, code: str, name: str, description: str = ""
) -> CapabilityArea:
    require_chair(actor, "define capability areas")
    if common.exists(uow.conn, t.capability_areas, code=code):
        raise AlreadyExists("capability area", code)
    uow.append(
        domain.define_area(code=code, name=name, description=description),
        actor=actor,
        label=PUBLIC_LABEL,
        owner=common.acting_for(actor),
    )
    return get_area(conn=uow.conn, viewer=actor, code=code)


def revise_area(
    *,
    uow: UnitOfWork,
    actor: Principal,
    code: str,
    name: str | None = None,
    description: str | None = None,
    expected_version: int | None = None,
) -> CapabilityArea:
    require_chair(actor, "revise capability areas")
    current = get_area(conn=uow.conn, viewer=actor, code=code)
    common.check_version("capability area", code, current.version, expected_version)
    event = domain.CapabilityAreaRevised(
        code=code,
        name=(name if name is not None else current.name).strip(),
        description=(description if description is not None else current.description).strip(),
    )
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=common.acting_for(actor))
    return get_area(conn=uow.conn, viewer=actor, code=code)


AREA_ORDERS = {"code": Order((t.capability_areas.c.code,), lambda x: (x.code,))}
COALITION_ORDERS = {"code": Order((t.coalitions.c.code,), lambda x: (x.code,))}


def get_area(*, conn: Connection, viewer: Principal, code: str) -> CapabilityArea:
    row = conn.execute(
        sa.select(t.capability_areas).where(t.capability_areas.c.code == code)
    ).first()
    if row is None:
        raise NotFound("capability area", code)
    return rows.area(row)


def list_areas(
    *, conn: Connection, viewer: Principal, page: PageRequest | None = None
) -> list[CapabilityArea]:
    q = apply(sa.select(t.capability_areas), AREA_ORDERS, "code", page)
    return [rows.area(r) for r in conn.execute(q)]


def form_coalition(
    *,
    uow: UnitOfWork,
    actor: Principal,
    code: str,
    name: str,
    area: str,
    leads: list[str],
    members: list[str] | None = None,
) -> Coalition:
    require_chair(actor, "form capability coalitions")
    if common.exists(uow.conn, t.coalitions, code=code):
        raise AlreadyExists("coalition", code)
    common.area_exists(uow.conn, area)
    for participant in [*leads, *(members or [])]:
        common.participant(uow.conn, participant).require_active("join a coalition")
    event = domain.form_coalition(
        code=code, name=name, area=area, leads=leads, members=members or []
    )
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=common.acting_for(actor))
    return get_coalition(conn=uow.conn, viewer=actor, code=code)


def revise_coalition(
    *,
    uow: UnitOfWork,
    actor: Principal,
    code: str,
    name: str | None = None,
    area: str | None = None,
    expected_version: int | None = None,
) -> Coalition:
    require_chair(actor, "revise capability coalitions")
    coalition = get_coalition(conn=uow.conn, viewer=actor, code=code)
    common.check_version("coalition", code, coalition.version, expected_version)
    if area is not None:
        common.area_exists(uow.conn, area)
    event = domain.revise_coalition(
        coalition,
        name=name if name is not None else coalition.name,
        area=area if area is not None else coalition.area,
    )
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=common.acting_for(actor))
    return get_coalition(conn=uow.conn, viewer=actor, code=code)


def change_coalition_membership(
    *,
    uow: UnitOfWork,
    actor: Principal,
    code: str,
    participant: str,
    role: CoalitionRole | None,
    expected_version: int | None = None,
) -> Coalition:
    coalition = get_coalition(conn=uow.conn, viewer=actor, code=code)
    leads_it = actor.has(Role.COALITION_LEAD) and actor.participant in coalition.leads
    if not (actor.has(Role.CHAIR) or leads_it):
        raise NotPermitted(f"Only the chair or a lead of {code} may change its membership.")
    common.check_version("coalition", code, coalition.version, expected_version)
    if role is not None:
        common.participant(uow.conn, participant).require_active("join a coalition")
    event = domain.change_membership(coalition, participant, role)
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=common.acting_for(actor))
    return get_coalition(conn=uow.conn, viewer=actor, code=code)


def get_coalition(*, conn: Connection, viewer: Principal, code: str) -> Coalition:
    found = rows.coalitions(
        conn, conn.execute(sa.select(t.coalitions).where(t.coalitions.c.code == code)).all()
    )
    return rows.one(found, "coalition", code)  # type: ignore[no-any-return]


def list_coalitions(
    *,
    conn: Connection,
    viewer: Principal,
    area: str | None = None,
    participant: str | None = None,
    page: PageRequest | None = None,
) -> list[Coalition]:
    q = apply(sa.select(t.coalitions), COALITION_ORDERS, "code", page)
    if area is not None:
        q = q.where(t.coalitions.c.area == area)
    if participant is not None:
        m = t.coalition_members
        q = q.where(
            t.coalitions.c.code.in_(sa.select(m.c.coalition).where(m.c.participant == participant))
        )
    return rows.coalitions(conn, conn.execute(q).all())
