"""Donors' pledges and their tranches: announce, revise, move through the lifecycle."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import meetings as meeting_rules
from ramstein.domain import pledges as domain
from ramstein.domain.errors import AlreadyExists, NotFound
from ramstein.domain.permissions import DONOR_ROLES, require_owner_or_chair
from ramstein.domain.pledges import Money, Pledge, PledgeSource, PledgeStatus, TrancheSpec
from ramstein.domain.releasability import Label, Principal, Releasability
from ramstein.services import common
from ramstein.services.paging import Order, PageRequest, apply
from ramstein.store import rows
from ramstein.store import tables as t
from ramstein.store.uow import UnitOfWork
from ramstein.store.visibility import visible


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One step of a pledge's status history."""

    seq: int
    status: PledgeStatus
    on: date
    reason: str


_p = t.pledges
PLEDGE_ORDERS = {
    "announced_on": Order(
        (_p.c.announced_on, _p.c.id), lambda x: (x.announced_on, x.id), descending=True
    ),
    "quantity": Order((_p.c.quantity, _p.c.id), lambda x: (x.quantity, x.id), descending=True),
    "id": Order((_p.c.id,), lambda x: (x.id,)),
}
"""How a list of pledges may be sorted: newest first by default."""


@functools.lru_cache(maxsize=1024)
def visible_pledges(viewer: Principal) -> sa.ColumnElement[bool]:
    """The pledges (and so deliveries) `viewer` may see, as a SQL condition (built once per
    principal)."""
    p = t.pledges
    return visible(
        viewer,
        level=p.c.releasability,
        owner=p.c.donor,
        kind="pledge",
        record_id=sa.cast(p.c.id, sa.String),
    )


def _load(conn: Connection, pledge_id: int) -> Pledge:
    found = rows.pledges(
        conn, conn.execute(sa.select(t.pledges).where(t.pledges.c.id == pledge_id)).all()
    )
    return rows.one(found, "pledge", pledge_id)  # type: ignore[no-any-return]


def _for_update(
    uow: UnitOfWork, actor: Principal, pledge_id: int, doing: str, expected: int | None
) -> Pledge:
    pledge = get_pledge(conn=uow.conn, viewer=actor, pledge_id=pledge_id)
    require_owner_or_chair(actor, pledge.donor, doing, *DONOR_ROLES)
    common.check_version("pledge", pledge_id, pledge.version, expected)
    return pledge


def announce_pledge(
    *,
    uow: UnitOfWork,
    actor: Principal,
    donor: str,
    item_type: str,
    quantity: int,
    value: Money | None,
    source: PledgeSource,
    years: Sequence[int] | None = None,
    meeting: int | None = None,
    announced_on: date | None = None,
    tranches: Sequence[TrancheSpec] = (),
    label: Label,
    external_ref: str | None = None,
) -> Pledge:
    require_owner_or_chair(actor, donor, "announce its pledges", *DONOR_ROLES)
    if external_ref is not None and common.exists(uow.conn, t.pledges, external_ref=external_ref):
        raise AlreadyExists("pledge with reference", external_ref)
    who = common.participant(uow.conn, donor)
    common.item_type(uow.conn, item_type)
    for code in label.named:
        common.participant(uow.conn, code)
    if meeting is not None:
        found = rows.meetings(
            uow.conn,
            uow.conn.execute(sa.select(t.meetings).where(t.meetings.c.number == meeting)).all(),
        )
        meeting_rules.check_announcement(rows.one(found, "meeting", meeting))
    on = announced_on or uow.today()
    pledge_id = uow.next_id(t.pledges.c.id)
    event = domain.announce(
        pledge_id=pledge_id,
        donor=who,
        item_type=item_type,
        quantity=quantity,
        value=value,
        source=source,
        years=tuple(years) if years else (on.year,),
        meeting=meeting,
        announced_on=on,
        tranches=tuple(tranches),
        label=label,
        external_ref=external_ref,
    )
    uow.append(event, actor=actor, label=label, owner=donor)
    return domain.announced(event)


def revise_pledge(
    *,
    uow: UnitOfWork,
    actor: Principal,
    pledge_id: int,
    quantity: int | None = None,
    value: Money | None = None,
    source: PledgeSource | None = None,
    years: Sequence[int] | None = None,
    label: Label | None = None,
    expected_version: int | None = None,
) -> Pledge:
    pledge = _for_update(uow, actor, pledge_id, "revise its pledges", expected_version)
    new_label = label if label is not None else pledge.label
    for code in new_label.named:
        common.participant(uow.conn, code)
    event = domain.revise(
        pledge,
        quantity=quantity if quantity is not None else pledge.quantity,
        value=value if value is not None else pledge.value,
        source=source or pledge.source,
        years=tuple(years) if years else pledge.years,
        label=new_label,
    )
    uow.append(event, actor=actor, label=new_label, owner=pledge.donor)
    return _load(uow.conn, pledge_id)


def change_pledge_status(
    *,
    uow: UnitOfWork,
    actor: Principal,
    pledge_id: int,
    status: PledgeStatus,
    on: date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Pledge:
    pledge = _for_update(uow, actor, pledge_id, "change its pledges' status", expected_version)
    event = domain.change_status(pledge, status, on or uow.today(), reason)
    uow.append(event, actor=actor, label=pledge.label, owner=pledge.donor)
    return _load(uow.conn, pledge_id)


def schedule_tranche(
    *,
    uow: UnitOfWork,
    actor: Principal,
    pledge_id: int,
    quantity: int,
    expected_on: date,
    expected_version: int | None = None,
) -> Pledge:
    pledge = _for_update(uow, actor, pledge_id, "schedule its tranches", expected_version)
    event = domain.schedule_tranche(pledge, quantity=quantity, expected_on=expected_on)
    uow.append(event, actor=actor, label=pledge.label, owner=pledge.donor)
    return _load(uow.conn, pledge_id)


def revise_tranche(
    *,
    uow: UnitOfWork,
    actor: Principal,
    pledge_id: int,
    number: int,
    quantity: int | None = None,
    expected_on: date | None = None,
    expected_version: int | None = None,
) -> Pledge:
    pledge = _for_update(uow, actor, pledge_id, "revise its tranches", expected_version)
    current = pledge.tranche(number)
    event = domain.revise_tranche(
        pledge,
        number,
        quantity=quantity if quantity is not None else current.quantity,
        expected_on=expected_on or current.expected_on,
    )
    uow.append(event, actor=actor, label=pledge.label, owner=pledge.donor)
    return _load(uow.conn, pledge_id)


@functools.lru_cache(maxsize=1024)
def _one_pledge(viewer: Principal) -> sa.Select[Any]:
    """One pledge by id, if `viewer` may see it (built once per principal, like `_one_need`)."""
    p = t.pledges
    return sa.select(p).where(p.c.id == sa.bindparam("pledge_id"), visible_pledges(viewer))


def get_pledge(*, conn: Connection, viewer: Principal, pledge_id: int) -> Pledge:
    """The pledge, or NotFound if it does not exist or the viewer may not see it."""
    found = rows.pledges(conn, conn.execute(_one_pledge(viewer), {"pledge_id": pledge_id}).all())
    if not found:
        raise NotFound("pledge", pledge_id)
    return found[0]


def pledge_history(*, conn: Connection, viewer: Principal, pledge_id: int) -> list[StatusChange]:
    get_pledge(conn=conn, viewer=viewer, pledge_id=pledge_id)
    h = t.pledge_history
    q = sa.select(h).where(h.c.pledge_id == pledge_id).order_by(h.c.seq)
    return [StatusChange(r.seq, PledgeStatus(r.status), r.on, r.reason) for r in conn.execute(q)]


def list_pledges(
    *,
    conn: Connection,
    viewer: Principal,
    donor: str | None = None,
    area: str | None = None,
    coalition: str | None = None,
    item_type: str | None = None,
    status: Iterable[PledgeStatus] | None = None,
    source: PledgeSource | None = None,
    meeting: int | None = None,
    releasability: Releasability | None = None,
    announced_from: date | None = None,
    announced_until: date | None = None,
    limit: int | None = None,
    page: PageRequest | None = None,
) -> list[Pledge]:
    """Visible pledges, newest first unless `page` sorts."""
    p = t.pledges
    q = apply(sa.select(p).where(visible_pledges(viewer)), PLEDGE_ORDERS, "announced_on", page)
    if donor is not None:
        q = q.where(p.c.donor == donor)
    if area is not None:
        q = q.where(
            p.c.item_type.in_(sa.select(t.item_types.c.code).where(t.item_types.c.area == area))
        )
    if coalition is not None:
        c, m = t.coalitions, t.coalition_members
        areas = sa.select(c.c.area).where(c.c.code == coalition)
        q = q.where(
            p.c.item_type.in_(sa.select(t.item_types.c.code).where(t.item_types.c.area.in_(areas))),
            p.c.donor.in_(sa.select(m.c.participant).where(m.c.coalition == coalition)),
        )
    if item_type is not None:
        q = q.where(p.c.item_type == item_type)
    if status is not None:
        q = q.where(p.c.status.in_([s.value for s in status]))
    if source is not None:
        q = q.where(p.c.source == source.value)
    if meeting is not None:
        q = q.where(p.c.meeting == meeting)
    if releasability is not None:
        q = q.where(p.c.releasability == releasability.value)
    if announced_from is not None:
        q = q.where(p.c.announced_on >= announced_from)
    if announced_until is not None:
        q = q.where(p.c.announced_on <= announced_until)
    if limit is not None:
        q = q.limit(limit)
    return rows.pledges(conn, conn.execute(q).all())
