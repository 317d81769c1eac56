"""Deliveries against pledge tranches and the recipient's receipt confirmations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import deliveries as domain
from ramstein.domain.deliveries import Delivery, DeliveryStatus
from ramstein.domain.errors import AlreadyExists, NotFound, NotPermitted
from ramstein.domain.permissions import DONOR_ROLES, require_owner_or_chair
from ramstein.domain.releasability import Principal, Role
from ramstein.services import common
from ramstein.services.paging import Order, PageRequest, apply
from ramstein.services.pledges import get_pledge, visible_pledges
from ramstein.store import rows
from ramstein.store import tables as t
from ramstein.store.uow import UnitOfWork

_d = t.deliveries
DELIVERY_ORDERS = {
    "dispatched_on": Order(
        (_d.c.dispatched_on, _d.c.id), lambda x: (x.dispatched_on, x.id), descending=True
    ),
    "id": Order((_d.c.id,), lambda x: (x.id,)),
}
"""How a list of deliveries may be sorted: newest first by default."""


def _select() -> sa.Select[tuple[object, ...]]:
    d, p = t.deliveries, t.pledges
    return sa.select(*rows.DELIVERY_COLUMNS).select_from(d.join(p, d.c.pledge_id == p.c.id))


def record_delivery(
    *,
    uow: UnitOfWork,
    actor: Principal,
    pledge_id: int,
    tranche: int,
    quantity: int,
    dispatched_on: date | None = None,
    note: str = "",
    external_ref: str | None = None,
    expected_version: int | None = None,
) -> Delivery:
    """Record a dispatch; `expected_version` is the pledge's version."""
    pledge = get_pledge(conn=uow.conn, viewer=actor, pledge_id=pledge_id)
    require_owner_or_chair(actor, pledge.donor, "record its deliveries", *DONOR_ROLES)
    common.check_version("pledge", pledge_id, pledge.version, expected_version)
    if external_ref is not None and common.exists(
        uow.conn, t.deliveries, external_ref=external_ref
    ):
        raise AlreadyExists("delivery with reference", external_ref)
    delivery_id = uow.next_id(t.deliveries.c.id)
    for event in domain.record(
        pledge,
        delivery_id=delivery_id,
        tranche=tranche,
        quantity=quantity,
        dispatched_on=dispatched_on or uow.today(),
        note=note,
        external_ref=external_ref,
    ):
        uow.append(event, actor=actor, label=pledge.label, owner=pledge.donor)
    return get_delivery(conn=uow.conn, viewer=actor, delivery_id=delivery_id)


def confirm_receipt(
    *,
    uow: UnitOfWork,
    actor: Principal,
    delivery_id: int,
    received_quantity: int,
    received_on: date | None = None,
    discrepancy: str = "",
    expected_version: int | None = None,
) -> Delivery:
    """The recipient (or the chair) confirms what arrived."""
    delivery = get_delivery(conn=uow.conn, viewer=actor, delivery_id=delivery_id)
    if not actor.has(Role.RECIPIENT, Role.CHAIR):
        raise NotPermitted("Only the recipient or the chair may confirm receipt of a delivery.")
    common.check_version("delivery", delivery_id, delivery.version, expected_version)
    event = domain.confirm_receipt(
        delivery,
        received_quantity=received_quantity,
        received_on=received_on or uow.today(),
        discrepancy=discrepancy,
    )
    uow.append(event, actor=actor, label=delivery.label, owner=delivery.donor)
    return get_delivery(conn=uow.conn, viewer=actor, delivery_id=delivery_id)


def get_delivery(*, conn: Connection, viewer: Principal, delivery_id: int) -> Delivery:
    q = _select().where(t.deliveries.c.id == delivery_id, visible_pledges(viewer))
    found = rows.deliveries(conn, conn.execute(q).all())
    if not found:
        raise NotFound("delivery", delivery_id)
    return found[0]


def list_deliveries(
    *,
    conn: Connection,
    viewer: Principal,
    pledge_id: int | None = None,
    donor: str | None = None,
    status: Iterable[DeliveryStatus] | None = None,
    dispatched_from: date | None = None,
    dispatched_until: date | None = None,
    limit: int | None = None,
    page: PageRequest | None = None,
) -> list[Delivery]:
    """Visible deliveries, newest first unless `page` sorts."""
    d = t.deliveries
    q = apply(_select().where(visible_pledges(viewer)), DELIVERY_ORDERS, "dispatched_on", page)
    if pledge_id is not None:
        q = q.where(d.c.pledge_id == pledge_id)
    if donor is not None:
        q = q.where(t.pledges.c.donor == donor)
    if status is not None:
        q = q.where(d.c.status.in_([s.value for s in status]))
    if dispatched_from is not None:
        q = q.where(d.c.dispatched_on >= dispatched_from)
    if dispatched_until is not None:
        q = q.where(d.c.dispatched_on <= dispatched_until)
    if limit is not None:
        q = q.limit(limit)
    return rows.deliveries(conn, conn.execute(q).all())
