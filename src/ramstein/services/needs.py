"""The recipient's needs: submit, revise, change status; list and show what a viewer may see."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import needs as domain
from ramstein.domain.errors import AlreadyExists, NotFound
from ramstein.domain.needs import Need, NeedStatus, Priority
from ramstein.domain.permissions import require_owner_or_chair
from ramstein.domain.releasability import Label, Principal, Releasability, Role
from ramstein.services import common
from ramstein.services.paging import Order, PageRequest, apply
from ramstein.store import rows
from ramstein.store import tables as t
from ramstein.store.uow import UnitOfWork
from ramstein.store.visibility import visible

_n = t.needs
NEED_ORDERS = {
    "urgency": Order(
        (_n.c.priority, _n.c.needed_by, _n.c.id), lambda x: (x.priority.value, x.needed_by, x.id)
    ),
    "needed_by": Order((_n.c.needed_by, _n.c.id), lambda x: (x.needed_by, x.id)),
    "raised_on": Order((_n.c.raised_on, _n.c.id), lambda x: (x.raised_on, x.id), descending=True),
    "quantity": Order((_n.c.quantity, _n.c.id), lambda x: (x.quantity, x.id), descending=True),
    "id": Order((_n.c.id,), lambda x: (x.id,)),
}
"""How a list of needs may be sorted: most urgent first (priority, then date) by default."""


@functools.lru_cache(maxsize=1024)
def visible_needs(viewer: Principal) -> sa.ColumnElement[bool]:
    """The needs `viewer` may see, as a SQL condition (built once per principal)."""
    n = t.needs
    return visible(
        viewer,
        level=n.c.releasability,
        owner=n.c.recipient,
        kind="need",
        record_id=sa.cast(n.c.id, sa.String),
    )


def _load(conn: Connection, need_id: int) -> Need:
    found = rows.needs(conn, conn.execute(sa.select(t.needs).where(t.needs.c.id == need_id)).all())
    return rows.one(found, "need", need_id)  # type: ignore[no-any-return]


def _check_named(conn: Connection, label: Label) -> None:
    for code in label.named:
        common.participant(conn, code)


def submit_need(
    *,
    uow: UnitOfWork,
    actor: Principal,
    recipient: str,
    item_type: str,
    quantity: int,
    priority: Priority,
    needed_by: date,
    raised_on: date | None = None,
    rationale: str = "",
    label: Label,
    external_ref: str | None = None,
) -> Need:
    require_owner_or_chair(actor, recipient, "submit its needs", Role.RECIPIENT)
    if external_ref is not None and common.exists(uow.conn, t.needs, external_ref=external_ref):
        raise AlreadyExists("need with reference", external_ref)
    who = common.participant(uow.conn, recipient)
    common.item_type(uow.conn, item_type)
    _check_named(uow.conn, label)
    need_id = uow.next_id(t.needs.c.id)
    event = domain.submit(
        need_id=need_id,
        recipient=who,
        item_type=item_type,
        quantity=quantity,
        priority=priority,
        needed_by=needed_by,
        raised_on=raised_on or uow.today(),
        rationale=rationale,
        label=label,
        external_ref=external_ref,
    )
    uow.append(event, actor=actor, label=label, owner=recipient)
    return _load(uow.conn, need_id)


def revise_need(
    *,
    uow: UnitOfWork,
    actor: Principal,
    need_id: int,
    quantity: int | None = None,
    priority: Priority | None = None,
    needed_by: date | None = None,
    rationale: str | None = None,
    label: Label | None = None,
    expected_version: int | None = None,
) -> Need:
    need = get_need(conn=uow.conn, viewer=actor, need_id=need_id)
    require_owner_or_chair(actor, need.recipient, "revise its needs", Role.RECIPIENT)
    common.check_version("need", need_id, need.version, expected_version)
    new_label = label if label is not None else need.label
    _check_named(uow.conn, new_label)
    event = domain.revise(
        need,
        quantity=quantity if quantity is not None else need.quantity,
        priority=priority or need.priority,
        needed_by=needed_by or need.needed_by,
        rationale=rationale if rationale is not None else need.rationale,
        label=new_label,
    )
    uow.append(event, actor=actor, label=new_label, owner=need.recipient)
    return _load(uow.conn, need_id)


def change_need_status(
    *,
    uow: UnitOfWork,
    actor: Principal,
    need_id: int,
    status: NeedStatus,
    reason: str = "",
    expected_version: int | None = None,
) -> Need:
    need = get_need(conn=uow.conn, viewer=actor, need_id=need_id)
    require_owner_or_chair(actor, need.recipient, "change its needs' status", Role.RECIPIENT)
    common.check_version("need", need_id, need.version, expected_version)
    event = domain.change_status(need, status, reason)
    uow.append(event, actor=actor, label=need.label, owner=need.recipient)
    return _load(uow.conn, need_id)


@functools.lru_cache(maxsize=1024)
def _one_need(viewer: Principal) -> sa.Select[Any]:
    """One need by id, if `viewer` may see it: built once per principal, so SQLAlchemy
    reuses its compiled form instead of building the statement for every read."""
    n = t.needs
    return sa.select(n).where(n.c.id == sa.bindparam("need_id"), visible_needs(viewer))


def get_need(*, conn: Connection, viewer: Principal, need_id: int) -> Need:
    """The need, or NotFound if it does not exist or the viewer may not see it."""
    found = rows.needs(conn, conn.execute(_one_need(viewer), {"need_id": need_id}).all())
    if not found:
        raise NotFound("need", need_id)
    return found[0]


def list_needs(
    *,
    conn: Connection,
    viewer: Principal,
    area: str | None = None,
    coalition: str | None = None,
    item_type: str | None = None,
    recipient: str | None = None,
    status: Iterable[NeedStatus] | None = None,
    priority: Iterable[Priority] | None = None,
    releasability: Releasability | None = None,
    needed_from: date | None = None,
    needed_until: date | None = None,
    limit: int | None = None,
    page: PageRequest | None = None,
) -> list[Need]:
    """Visible needs, most urgent first (priority, then needed-by date) unless `page` sorts.

    A coalition's needs are those of its capability area.
    """
    n = t.needs
    q = apply(sa.select(n).where(visible_needs(viewer)), NEED_ORDERS, "urgency", page)
    if area is not None:
        q = q.where(
            n.c.item_type.in_(sa.select(t.item_types.c.code).where(t.item_types.c.area == area))
        )
    if coalition is not None:
        areas = sa.select(t.coalitions.c.area).where(t.coalitions.c.code == coalition)
        q = q.where(
            n.c.item_type.in_(sa.select(t.item_types.c.code).where(t.item_types.c.area.in_(areas)))
        )
    if recipient is not None:
        q = q.where(n.c.recipient == recipient)
    if item_type is not None:
        q = q.where(n.c.item_type == item_type)
    if status is not None:
        q = q.where(n.c.status.in_([s.value for s in status]))
    if priority is not None:
        q = q.where(n.c.priority.in_([p.value for p in priority]))
    if releasability is not None:
        q = q.where(n.c.releasability == releasability.value)
    if needed_from is not None:
        q = q.where(n.c.needed_by >= needed_from)
    if needed_until is not None:
        q = q.where(n.c.needed_by <= needed_until)
    if limit is not None:
        q = q.limit(limit)
    return rows.needs(conn, conn.execute(q).all())
