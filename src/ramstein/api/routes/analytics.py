"""`/api/v1/analytics`: who gave what, by month, against a fair share, how reliably, by area;
over the records the viewer may see. Whole tables (a row per donor, month or area), not paged.
Built afresh for every request: their defaults read the clock (this year, today)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import StringConstraints

from ramstein.api.deps import EVERYONE, StoreDep, Viewer, permits
from ramstein.api.params import PROBLEMS, DayQuery
from ramstein.api.reads import answer, read
from ramstein.api.schemas.analytics import (
    AreaCoveragePublic,
    AreaDependencePublic,
    CoveragePointPublic,
    DonorTotalsPublic,
    ExposedNeedPublic,
    FairSharePublic,
    FirmFundingPublic,
    ForecastPublic,
    MonthTotalPublic,
    ReliabilityReportPublic,
    ScenarioPublic,
    ScenarioReportPublic,
    StopPublic,
    YearCommitmentsPublic,
)
from ramstein.api.schemas.common import CODE_PATTERN
from ramstein.api.schemas.matching import stress_public
from ramstein.domain.baselines import CountingRules, PooledRule
from ramstein.domain.pledges import PledgeSource
from ramstein.reports.analytics import BILLION
from ramstein.reports.forecast import Scenario, parse_stop
from ramstein.services import analytics

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"], responses=PROBLEMS)


@router.get("/donors", **permits(*EVERYONE), response_model=list[DonorTotalsPublic])
async def donors(store: StoreDep, viewer: Viewer) -> Response:
    """Per donor: pledged, committed and delivered (EUR and units) and as a share of GDP."""
    found = await read(store, lambda conn: analytics.donors(conn=conn, viewer=viewer))
    return answer([DonorTotalsPublic.model_validate(r) for r in found])


MonthQuery = Annotated[
    str | None, Query(pattern=r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$", description="YYYY-MM")
]


def _month(text: str | None) -> tuple[int, int] | None:
    return None if text is None else (int(text[:4]), int(text[5:]))


@router.get("/monthly", **permits(*EVERYONE), response_model=list[MonthTotalPublic])
async def monthly(
    store: StoreDep, viewer: Viewer, since: MonthQuery = None, until: MonthQuery = None
) -> Response:
    """Per month of announcement from `since` to `until` (default: the first and the last):
    the value of the pledges not cancelled, in EUR and EUR billions, split by capability
    area (after a Kiel Tracker import: its monthly totals by aid type)."""
    found = await read(
        store,
        lambda conn: analytics.monthly(
            conn=conn, viewer=viewer, first=_month(since), last=_month(until)
        ),
    )
    return answer([MonthTotalPublic.model_validate(r) for r in found])


YearQuery = Annotated[int | None, Query(ge=1900, le=2999, description="A year, YYYY.")]


@router.get("/commitments", **permits(*EVERYONE), response_model=list[YearCommitmentsPublic])
async def commitments(
    store: StoreDep, viewer: Viewer, first: YearQuery = None, last: YearQuery = None
) -> Response:
    """Per year from `first` (default this year) to `last` (default the last year a live
    pledge covers, at most 20): what the pledges put in it, by how firm each year's part is
    (committed, indicative, delivered, or not planned by year)."""
    found = await read(
        store, lambda conn: analytics.commitments(conn=conn, viewer=viewer, first=first, last=last)
    )
    return answer([YearCommitmentsPublic.model_validate(r) for r in found])


@router.get("/fair-share", **permits(*EVERYONE), response_model=list[FairSharePublic])
async def fair_share(
    store: StoreDep,
    viewer: Viewer,
    year: Annotated[int | None, Query(ge=1900, le=2999, description="Default: this year.")] = None,
    baseline_bn: Annotated[
        Decimal | None,
        Query(gt=0, lt=10**6, decimal_places=3, description="EUR bn a year; default 40."),
    ] = None,
    source: Annotated[list[PledgeSource] | None, Query(description="Sources that count.")] = None,
    area: Annotated[
        list[str] | None, Query(description="Capability areas that count (default: all).")
    ] = None,
    pooled: Annotated[
        PooledRule | None, Query(description="How pooled contributions count (default: none).")
    ] = None,
) -> Response:
    """Each donor state's fair share of an annual baseline by GDP, what counts towards it for
    the year under the rules given (every source and area, no pooled contributions, by
    default), and the gap: a what-if; `/api/v1/baselines` holds the agreed ones."""
    baseline = None if baseline_bn is None else baseline_bn * BILLION
    found = await read(
        store,
        lambda conn: analytics.fair_share(
            conn=conn,
            viewer=viewer,
            year=year,
            baseline_eur=baseline,
            rules=CountingRules.of(source, area, pooled),
        ),
    )
    return answer([FairSharePublic.model_validate(r) for r in found])


@router.get("/reliability", **permits(*EVERYONE), response_model=ReliabilityReportPublic)
async def reliability(store: StoreDep, viewer: Viewer, as_of: DayQuery = None) -> Response:
    """On-time share and days late of the tranches promised by `as_of` (default today), per
    donor and per capability area."""
    found = await read(
        store,
        lambda conn: analytics.reliability(conn=conn, viewer=viewer, as_of=as_of),
    )
    return answer(ReliabilityReportPublic.model_validate(found))


@router.get("/areas", **permits(*EVERYONE), response_model=list[AreaCoveragePublic])
async def areas(store: StoreDep, viewer: Viewer) -> Response:
    """Per capability area: needed, pledged and delivered value, coverage, and how much of it
    rests on the largest donor."""
    found = await read(store, lambda conn: analytics.areas(conn=conn, viewer=viewer))
    return answer([AreaCoveragePublic.model_validate(r) for r in found])


@router.get("/coverage", **permits(*EVERYONE), response_model=list[CoveragePointPublic])
async def coverage(
    store: StoreDep, viewer: Viewer, since: DayQuery = None, until: DayQuery = None
) -> Response:
    """Each area's coverage at every month end from `since` (default: a year before
    `until`) to `until` (default today), with the coalitions working on it."""
    found = await read(
        store, lambda conn: analytics.coverage(conn=conn, viewer=viewer, since=since, until=until)
    )
    return answer([CoveragePointPublic.model_validate(r) for r in found])


QuartersQuery = Annotated[int, Query(ge=1, le=analytics.MAX_QUARTERS, description="Default 8.")]
RunsQuery = Annotated[
    int, Query(ge=1, le=analytics.MAX_RUNS, description="Monte Carlo runs; default 500.")
]
SeedQuery = Annotated[int, Query(ge=0, le=2**31 - 1, description="The same seed, the same band.")]
Stop = Annotated[
    str, StringConstraints(pattern=CODE_PATTERN.removesuffix("$") + r":\d{4}-\d{2}-\d{2}$")
]
StopQuery = Annotated[
    list[Stop] | None,
    Query(
        description="DONOR:YYYY-MM-DD: the donor delivers nothing after that day (repeatable).",
        examples=[["DEU:2026-06-30"]],
    ),
]


@router.get("/forecast", **permits(*EVERYONE), response_model=ForecastPublic)
async def forecast(
    store: StoreDep,
    viewer: Viewer,
    as_of: DayQuery = None,
    quarters: QuartersQuery = 8,
    runs: RunsQuery = 500,
    seed: SeedQuery = 0,
) -> Response:
    """Value arriving and coverage for each of the next quarters (from `as_of`'s, default
    today's): as planned, and with each donor's record of delays as a seeded Monte Carlo
    (mean and the 10th to 90th percentile band); overall and per capability area."""
    found = await read(
        store,
        lambda conn: analytics.forecast(
            conn=conn, viewer=viewer, as_of=as_of, quarters=quarters, runs=runs, seed=seed
        ),
    )
    return answer(ForecastPublic.model_validate(found))


@router.get("/scenario", **permits(*EVERYONE), response_model=ScenarioReportPublic)
async def scenario(
    store: StoreDep,
    viewer: Viewer,
    stop: StopQuery = None,
    cut_donors: Annotated[
        Decimal,
        Query(ge=0, le=1, decimal_places=6, description="Share of donors (drawn) that cut."),
    ] = Decimal(0),
    cut_by: Annotated[
        Decimal,
        Query(ge=0, le=1, decimal_places=6, description="Share they cut what is to come by."),
    ] = Decimal(0),
    as_of: DayQuery = None,
    quarters: QuartersQuery = 8,
    runs: RunsQuery = 500,
    seed: SeedQuery = 0,
    plan: Annotated[
        int | None,
        Query(ge=1, description="The matching plan to stress (default: the newest you may read)."),
    ] = None,
) -> Response:
    """A political-risk scenario against the forecast: donors that stop after a date, a share
    of donors cutting by a share; the forecast under it, the P1 needs it exposes, each area's
    dependence on its largest donor, and what a matching plan's optimal allocation loses
    (the donors' offers after their day withdrawn, the expected cut taken from every offer)."""
    asked = Scenario(
        stops=tuple(parse_stop(s) for s in stop or ()), cut_donors=cut_donors, cut_by=cut_by
    )
    found = await read(
        store,
        lambda conn: analytics.scenario(
            conn=conn,
            viewer=viewer,
            scenario=asked,
            as_of=as_of,
            quarters=quarters,
            runs=runs,
            seed=seed,
            plan_id=plan,
        ),
    )
    report, allocation = found.report, found.allocation
    body = ScenarioReportPublic(
        scenario=ScenarioPublic(
            stops=[StopPublic(donor=d, after=a) for d, a in asked.stops],
            cut_donors=asked.cut_donors,
            cut_by=asked.cut_by,
        ),
        forecast=ForecastPublic.model_validate(report.forecast),
        stressed=ForecastPublic.model_validate(report.stressed),
        exposed=[ExposedNeedPublic.model_validate(n) for n in report.exposed],
        dependence=[AreaDependencePublic.model_validate(d) for d in report.dependence],
        allocation=None if allocation is None else stress_public(allocation),
    )
    return answer(body)


@router.get("/firm-funding", **permits(*EVERYONE), response_model=list[FirmFundingPublic])
async def firm_funding(store: StoreDep, viewer: Viewer, as_of: DayQuery = None) -> Response:
    """Per capability area: the need due in the twelve months from `as_of` (default today),
    and the share of it that committed, contracted or delivering pledges are expected to
    deliver by then."""
    found = await read(
        store, lambda conn: analytics.firm_funding(conn=conn, viewer=viewer, as_of=as_of)
    )
    return answer([FirmFundingPublic.model_validate(r) for r in found])
