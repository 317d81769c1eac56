"""Donors' pledges and their tranches: announce, revise, move through the lifecycle."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import meetings as meeting_rules
from ramstein.domain import pledges as domain
from ramstein.domain.errors import AlreadyExists, InvalidValue, NotFound
from ramstein.domain.permissions import DONOR_ROLES, require_owner_or_chair
from ramstein.domain.pledges import (
    Money,
    Pledge,
    PledgeSource,
    PledgeStatus,
    TrancheSpec,
    YearStatus,
)
from ramstein.domain.releasability import Label, Principal, Releasability
from ramstein.reports.analytics import pledge_eur
from ramstein.services import common
from ramstein.services.paging import Order, PageRequest, apply
from ramstein.store import rows
from ramstein.store import tables as t
from ramstein.store.uow import Appended, UnitOfWork
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


@dataclass(frozen=True, slots=True)
class Announcement:
    """One pledge to announce: what `announce_pledge` takes, for `announce_pledges`."""

    donor: str
    item_type: str
    quantity: int
    value: Money | None
    source: PledgeSource
    label: Label
    years: Sequence[int] | None = None
    meeting: int | None = None
    announced_on: date | None = None
    tranches: Sequence[TrancheSpec] = ()
    external_ref: str | None = None


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
    announcement = Announcement(
        donor=donor,
        item_type=item_type,
        quantity=quantity,
        value=value,
        source=source,
        label=label,
        years=years,
        meeting=meeting,
        announced_on=announced_on,
        tranches=tranches,
        external_ref=external_ref,
    )
    return announce_pledges(uow=uow, actor=actor, announcements=[announcement])[0]


LOOKUP_CHUNK = 500
"""Codes asked for in one `IN (...)`, well within every database's limit on parameters."""


def _found(conn: Connection, column: sa.Column[Any], keys: Iterable[str]) -> list[sa.Row[Any]]:
    """The rows of `column`'s table whose `column` is one of `keys`."""
    wanted = sorted(set(keys))
    return [
        row
        for start in range(0, len(wanted), LOOKUP_CHUNK)
        for row in conn.execute(
            sa.select(column.table).where(column.in_(wanted[start : start + LOOKUP_CHUNK]))
        )
    ]


def announce_pledges(
    *, uow: UnitOfWork, actor: Principal, announcements: Sequence[Announcement]
) -> list[Pledge]:
    """Announce pledges in order, each exactly as `announce_pledge` would, with one lookup of
    each kind for all of them and one insert per table. Every one is checked before any is
    appended: the first refused refuses them all."""
    for a in announcements:
        require_owner_or_chair(actor, a.donor, "announce its pledges", *DONOR_ROLES)
    refs = [a.external_ref for a in announcements if a.external_ref is not None]
    taken = {r.external_ref for r in _found(uow.conn, t.pledges.c.external_ref, refs)}
    codes = [code for a in announcements for code in (a.donor, *a.label.named)]
    participants = {
        r.code: rows.participant(r) for r in _found(uow.conn, t.participants.c.code, codes)
    }
    items = {
        r.code for r in _found(uow.conn, t.item_types.c.code, [a.item_type for a in announcements])
    }
    meetings: set[int] = set()
    events = []
    for a in announcements:
        if a.external_ref is not None:
            if a.external_ref in taken:
                raise AlreadyExists("pledge with reference", a.external_ref)
            taken.add(a.external_ref)
        if a.donor not in participants:
            raise NotFound("participant", a.donor)
        if a.item_type not in items:
            raise NotFound("item type", a.item_type)
        for code in sorted(a.label.named):
            if code not in participants:
                raise NotFound("participant", code)
        if a.meeting is not None and a.meeting not in meetings:
            found = rows.meetings(
                uow.conn,
                uow.conn.execute(
                    sa.select(t.meetings).where(t.meetings.c.number == a.meeting)
                ).all(),
            )
            meeting_rules.check_announcement(rows.one(found, "meeting", a.meeting))
            meetings.add(a.meeting)
        on = a.announced_on or uow.today()
        events.append(
            domain.announce(
                pledge_id=uow.next_id(t.pledges.c.id),
                donor=participants[a.donor],
                item_type=a.item_type,
                quantity=a.quantity,
                value=a.value,
                source=a.source,
                years=tuple(a.years) if a.years else (on.year,),
                meeting=a.meeting,
                announced_on=on,
                tranches=tuple(a.tranches),
                label=a.label,
                external_ref=a.external_ref,
            )
        )
    uow.append_many(
        [Appended(e, actor, a.label, a.donor) for e, a in zip(events, announcements, strict=True)]
    )
    return [domain.announced(e) for e in events]


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


def plan_year(
    *,
    uow: UnitOfWork,
    actor: Principal,
    pledge_id: int,
    year: int,
    amount_eur: Decimal | None = None,
    status: YearStatus | None = None,
    expected_version: int | None = None,
) -> Pledge:
    """Set one year's amount (EUR) and status of a multi-year pledge; what is not given is
    kept (a year planned the first time is indicative unless said otherwise)."""
    pledge = _for_update(uow, actor, pledge_id, "plan its years", expected_version)
    before = pledge.year_plan(year)
    if amount_eur is None:
        if before is None:
            raise InvalidValue("amount_eur", f"Give the amount for {year}: it has none yet.")
        amount_eur = before.amount_eur
    event = domain.plan_year(
        pledge,
        pledge_eur(pledge, {pledge.item_type: common.item_type(uow.conn, pledge.item_type)}),
        year=year,
        amount_eur=amount_eur,
        status=status or (before.status if before else YearStatus.INDICATIVE),
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
