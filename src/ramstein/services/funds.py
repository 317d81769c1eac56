"""Pooled funds: record contributions, move them along their lifecycle, and report what each
fund received, what its packages delivered and whose share of it each contributor is."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import funds as domain
from ramstein.domain.errors import NotFound
from ramstein.domain.funds import ContributionStatus, FundContribution
from ramstein.domain.participants import Participant, ParticipantKind
from ramstein.domain.permissions import DONOR_ROLES, require_party_or_chair
from ramstein.domain.pledges import Money
from ramstein.domain.releasability import Label, Principal, can_see
from ramstein.reports.funds import Attribution, FundReport, fund_report
from ramstein.services import catalogue, common
from ramstein.services.paging import Order, PageRequest, apply
from ramstein.services.pledges import list_pledges
from ramstein.store import rows
from ramstein.store import tables as t
from ramstein.store.uow import UnitOfWork
from ramstein.store.visibility import visible

_c = t.fund_contributions
CONTRIBUTION_ORDERS = {
    "on": Order((_c.c.on, _c.c.id), lambda x: (x.on, x.id), descending=True),
    "amount": Order((_c.c.value_eur, _c.c.id), lambda x: (x.value.eur, x.id), descending=True),
    "id": Order((_c.c.id,), lambda x: (x.id,)),
}
"""How a list of contributions may be sorted: newest first by default."""


@functools.lru_cache(maxsize=1024)
def visible_contributions(viewer: Principal) -> sa.ColumnElement[bool]:
    """The contributions `viewer` may see, as a SQL condition (a restricted contribution
    always names its fund, so the fund sees it through the grants)."""
    return visible(
        viewer,
        level=_c.c.releasability,
        owner=_c.c.contributor,
        kind="contribution",
        record_id=sa.cast(_c.c.id, sa.String),
    )


def record_contribution(
    *,
    uow: UnitOfWork,
    actor: Principal,
    fund: str,
    contributor: str,
    value: Money,
    on: date | None = None,
    label: Label,
    note: str = "",
) -> FundContribution:
    """Record that `contributor` puts `value` into `fund` (the contributor, the fund or the
    chair may)."""
    require_party_or_chair(
        actor, (contributor, fund), "record contributions to a fund", *DONOR_ROLES
    )
    for code in sorted(label.named):
        common.participant(uow.conn, code)
    event = domain.record(
        contribution_id=uow.next_id(_c.c.id),
        fund=common.participant(uow.conn, fund),
        contributor=common.participant(uow.conn, contributor),
        value=value,
        on=on or uow.today(),
        label=label,
        note=note,
    )
    uow.append(event, actor=actor, label=event.label, owner=contributor)
    return domain.recorded(event)


def change_contribution_status(
    *,
    uow: UnitOfWork,
    actor: Principal,
    contribution_id: int,
    status: ContributionStatus,
    on: date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> FundContribution:
    """Mark a contribution paid, or cancel it with a reason."""
    found = get_contribution(conn=uow.conn, viewer=actor, contribution_id=contribution_id)
    require_party_or_chair(
        actor, (found.contributor, found.fund), "change a contribution", *DONOR_ROLES
    )
    common.check_version("contribution", contribution_id, found.version, expected_version)
    event = domain.change_status(found, status, on or uow.today(), reason)
    uow.append(event, actor=actor, label=found.label, owner=found.contributor)
    return get_contribution(conn=uow.conn, viewer=actor, contribution_id=contribution_id)


def get_contribution(
    *, conn: Connection, viewer: Principal, contribution_id: int
) -> FundContribution:
    """The contribution, or NotFound if it does not exist or the viewer may not see it."""
    q = sa.select(_c).where(_c.c.id == contribution_id, visible_contributions(viewer))
    found = rows.contributions(conn, conn.execute(q).all())
    if not found:
        raise NotFound("contribution", contribution_id)
    return found[0]


def list_contributions(
    *,
    conn: Connection,
    viewer: Principal,
    fund: str | None = None,
    contributor: str | None = None,
    status: Iterable[ContributionStatus] | None = None,
    page: PageRequest | None = None,
) -> list[FundContribution]:
    """Visible contributions, newest first unless `page` sorts."""
    q = apply(sa.select(_c).where(visible_contributions(viewer)), CONTRIBUTION_ORDERS, "on", page)
    if fund is not None:
        q = q.where(_c.c.fund == fund)
    if contributor is not None:
        q = q.where(_c.c.contributor == contributor)
    if status is not None:
        q = q.where(_c.c.status.in_([s.value for s in status]))
    return rows.contributions(conn, conn.execute(q).all())


def every_contribution(
    conn: Connection, funds: Iterable[str] | None = None
) -> list[FundContribution]:
    """Every contribution (to `funds`, when given), by id, whoever may see it: for the pro
    rata rule alone, which weighs a fund whole and withholds what the viewer may not see."""
    q = sa.select(_c).order_by(_c.c.id)
    if funds is not None:
        q = q.where(_c.c.fund.in_(list(funds)))
    return rows.contributions(conn, conn.execute(q).all())


def _funds(conn: Connection, code: str | None = None) -> list[Participant]:
    p = t.participants
    q = sa.select(p).where(p.c.kind == ParticipantKind.FUND.value).order_by(p.c.code)
    if code is not None:
        q = q.where(p.c.code == code)
    return [rows.participant(r) for r in conn.execute(q)]


def _reports(conn: Connection, viewer: Principal, funds: list[Participant]) -> list[FundReport]:
    """Each fund's report for `viewer`: the attribution is computed over every contribution
    (the reports module withholds what the viewer may not see)."""
    codes = [f.code for f in funds]
    if not codes:
        return []
    everything = every_contribution(conn, codes)
    packages = [p for code in codes for p in list_pledges(conn=conn, viewer=viewer, donor=code)]
    items = {i.code: i for i in catalogue.list_items(conn=conn, viewer=viewer)}
    contributors = {c.contributor for c in everything}
    named = sa.select(t.participants).where(t.participants.c.code.in_(sorted(contributors)))
    participants = {who.code: who for who in map(rows.participant, conn.execute(named))}
    return [
        fund_report(
            fund,
            packages=packages,
            contributions=everything,
            items=items,
            participants=participants,
            visible=lambda c: can_see(viewer, c),
        )
        for fund in funds
    ]


def fund_reports(*, conn: Connection, viewer: Principal) -> list[FundReport]:
    """Every pooled fund, by code, with what the viewer may know of it."""
    return _reports(conn, viewer, _funds(conn))


def get_fund_report(*, conn: Connection, viewer: Principal, fund: str) -> FundReport:
    found = _funds(conn, fund)
    if not found:
        common.participant(conn, fund)  # NotFound for an unknown code
        raise NotFound("pooled fund", fund)
    return _reports(conn, viewer, found)[0]


def shares_of(
    *, conn: Connection, viewer: Principal, contributor: str
) -> list[tuple[FundReport, Attribution]]:
    """Each fund `contributor` has a part in, with its part, as the viewer may know it."""
    return [
        (report, a)
        for report in fund_reports(conn=conn, viewer=viewer)
        for a in report.attributions
        if a.contributor == contributor
    ]
