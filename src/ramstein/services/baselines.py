"""Fair-share baselines: agree and revise them (the chair), and report each year's targets,
what counts towards them and the gaps, over what the viewer may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import baselines as domain
from ramstein.domain.baselines import Baseline, CountingRules, PooledRule
from ramstein.domain.errors import AlreadyExists, InvalidValue, NotFound
from ramstein.domain.permissions import require_chair
from ramstein.domain.pledges import PledgeSource
from ramstein.domain.releasability import PUBLIC_LABEL, Principal, can_see
from ramstein.reports.baselines import BaselineReport, baseline_report
from ramstein.services import catalogue, common, funds, participants, pledges
from ramstein.services.capabilities import list_areas
from ramstein.services.paging import Order, PageRequest, apply
from ramstein.store import rows
from ramstein.store import tables as t
from ramstein.store.uow import UnitOfWork

BASELINE_ORDERS = {
    "code": Order((t.baselines.c.code,), lambda x: (x.code,)),
    "first_year": Order(
        (t.baselines.c.first_year, t.baselines.c.code), lambda x: (x.first_year, x.code)
    ),
}


def _require_areas(conn: Connection, viewer: Principal, baseline: Baseline) -> None:
    known = {a.code for a in list_areas(conn=conn, viewer=viewer)}
    unknown = sorted(baseline.rules.areas - known)
    if unknown:
        raise InvalidValue(
            "areas", f"No capability area {', '.join(unknown)}; define it first or leave it out."
        )


def agree_baseline(*, uow: UnitOfWork, actor: Principal, baseline: Baseline) -> Baseline:
    """Record a baseline the coalition agreed (the chair), with its counting rules."""
    require_chair(actor, "record fair-share baselines")
    if common.exists(uow.conn, t.baselines, code=baseline.code):
        raise AlreadyExists("baseline", baseline.code)
    event = domain.agree(baseline)
    _require_areas(uow.conn, actor, baseline)
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=common.acting_for(actor))
    return get_baseline(conn=uow.conn, viewer=actor, code=event.code)


def revise_baseline(
    *,
    uow: UnitOfWork,
    actor: Principal,
    code: str,
    name: str | None = None,
    annual_eur: Decimal | None = None,
    first_year: int | None = None,
    last_year: int | None = None,
    sources: Iterable[PledgeSource] | None = None,
    areas: Iterable[str] | None = None,
    pooled: PooledRule | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Baseline:
    """Record the baseline as revised (the chair): what is given changes, the rest stays."""
    require_chair(actor, "revise fair-share baselines")
    current = get_baseline(conn=uow.conn, viewer=actor, code=code)
    common.check_version("baseline", code, current.version, expected_version)
    rules = current.rules
    revised = replace(
        current,
        name=current.name if name is None else name,
        annual_eur=current.annual_eur if annual_eur is None else annual_eur,
        first_year=current.first_year if first_year is None else first_year,
        last_year=current.last_year if last_year is None else last_year,
        rules=CountingRules(
            sources=rules.sources if sources is None else frozenset(sources),
            areas=rules.areas if areas is None else frozenset(areas),
            pooled=rules.pooled if pooled is None else pooled,
        ),
        note=current.note if note is None else note,
    )
    event = domain.revise(current, revised)
    _require_areas(uow.conn, actor, revised)
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=common.acting_for(actor))
    return get_baseline(conn=uow.conn, viewer=actor, code=code)


def get_baseline(*, conn: Connection, viewer: Principal, code: str) -> Baseline:
    row = conn.execute(sa.select(t.baselines).where(t.baselines.c.code == code)).first()
    if row is None:
        raise NotFound("baseline", code)
    return rows.baseline(row)


def list_baselines(
    *, conn: Connection, viewer: Principal, page: PageRequest | None = None
) -> list[Baseline]:
    q = apply(sa.select(t.baselines), BASELINE_ORDERS, "code", page)
    return [rows.baseline(r) for r in conn.execute(q)]


def report(
    *, conn: Connection, viewer: Principal, code: str, years: Iterable[int] | None = None
) -> BaselineReport:
    """The baseline's targets, counted support, attainment and gaps for each of `years` (all
    of its years unless given; a year outside them is refused)."""
    baseline = get_baseline(conn=conn, viewer=viewer, code=code)
    chosen = list(baseline.years if years is None else years)
    outside = [y for y in chosen if y not in baseline.years]
    if outside:
        raise InvalidValue(
            "year",
            f"Baseline {code} runs {baseline.first_year}-{baseline.last_year}; "
            f"{', '.join(map(str, outside))} is outside it.",
        )
    return report_of(conn=conn, viewer=viewer, baseline=baseline, years=chosen)


def report_of(
    *, conn: Connection, viewer: Principal, baseline: Baseline, years: Iterable[int]
) -> BaselineReport:
    """The report of `baseline`, stored or not (a what-if), for `viewer`."""
    return baseline_report(
        baseline,
        participants=participants.list_participants(conn=conn, viewer=viewer),
        pledges=pledges.list_pledges(conn=conn, viewer=viewer),
        contributions=funds.every_contribution(conn),
        items={i.code: i for i in catalogue.list_items(conn=conn, viewer=viewer)},
        visible=lambda c: can_see(viewer, c),
        years=years,
    )
