"""Analytics for a viewer: the figures of `ramstein.reports.analytics` over the records the
viewer may see, and nothing else (the same rule as every list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.engine import Connection

from ramstein.domain import baselines as domain_baselines
from ramstein.domain.baselines import ALL_SOURCES, Baseline, CountingRules
from ramstein.domain.catalogue import ItemType
from ramstein.domain.errors import InvalidValue
from ramstein.domain.pledges import PledgeStatus
from ramstein.domain.releasability import Principal
from ramstein.matching import stress
from ramstein.reports import analytics as figures
from ramstein.reports import forecast as forecasts
from ramstein.reports.analytics import (
    DEFAULT_BASELINE_EUR,
    AreaCoverage,
    CoveragePoint,
    DonorTotals,
    FairShare,
    Month,
    MonthTotal,
    Reliability,
    YearCommitments,
)
from ramstein.reports.forecast import (
    FirmFunding,
    Forecast,
    Records,
    Scenario,
    ScenarioReport,
)
from ramstein.reports.funds import shares_by_contributor
from ramstein.services import (
    baselines,
    capabilities,
    catalogue,
    deliveries,
    funds,
    matching,
    needs,
    participants,
    pledges,
)
from ramstein.services.match_changes import PlanStress


def _items(conn: Connection, viewer: Principal) -> dict[str, ItemType]:
    return {i.code: i for i in catalogue.list_items(conn=conn, viewer=viewer)}


def donors(*, conn: Connection, viewer: Principal) -> list[DonorTotals]:
    """Per donor: pledged, committed and delivered, in EUR and units, and as a share of GDP;
    and what it gave through pooled funds."""
    return figures.donor_totals(
        pledges.list_pledges(conn=conn, viewer=viewer),
        _items(conn, viewer),
        participants.list_participants(conn=conn, viewer=viewer),
        shares_by_contributor(funds.fund_reports(conn=conn, viewer=viewer)),
    )


def monthly(
    *,
    conn: Connection,
    viewer: Principal,
    first: Month | None = None,
    last: Month | None = None,
) -> list[MonthTotal]:
    """Per month of announcement (from `first` to `last`, each a (year, month), when given):
    the value of the pledges not cancelled, in EUR and EUR billions, split by capability area.

    Over the records the viewer may see, like every figure here (so no small-cell rule: the
    viewer could add each figure up itself). After `ramstein import kiel` the areas are the
    Tracker's aid types and the figures are its monthly totals."""
    if first is not None and last is not None and first > last:
        raise InvalidValue(
            "first",
            f"The series cannot start ({figures.month_text(first)}) after it ends "
            f"({figures.month_text(last)}).",
        )
    for field, month in (("first", first), ("last", last)):
        if month is not None and not (1900 <= month[0] <= 2999 and 1 <= month[1] <= 12):
            raise InvalidValue(field, f"{month} is not a month this record can hold.")
    since = date(*first, 1) if first is not None else None
    until = None
    if last is not None:
        following = date(last[0] + last[1] // 12, last[1] % 12 + 1, 1)
        until = date.fromordinal(following.toordinal() - 1)
    return figures.monthly_totals(
        pledges.list_pledges(conn=conn, viewer=viewer, announced_from=since, announced_until=until),
        _items(conn, viewer),
        first=first,
        last=last,
    )


def fair_share(
    *,
    conn: Connection,
    viewer: Principal,
    year: int | None = None,
    baseline_eur: Decimal | None = None,
    rules: CountingRules = ALL_SOURCES,
) -> list[FairShare]:
    """Each donor state's fair share of an annual baseline by GDP (EUR 40 bn unless
    `baseline_eur` says) for the year (this year unless `year` says), and what `rules` count
    towards it (every pledge source unless they say): a what-if, not a stored baseline."""
    year = year or date.today().year
    what_if = Baseline(
        code="what-if",
        name="What if",
        annual_eur=DEFAULT_BASELINE_EUR if baseline_eur is None else baseline_eur,
        first_year=year,
        last_year=year,
        rules=rules,
    )
    what_if = domain_baselines.checked(what_if)
    found = baselines.report_of(conn=conn, viewer=viewer, baseline=what_if, years=[year])
    return list(found.years[0].donors)


MAX_YEARS = 20


def commitments(
    *, conn: Connection, viewer: Principal, first: int | None = None, last: int | None = None
) -> list[YearCommitments]:
    """Per year from `first` (default this year) to `last` (default the last year a live
    pledge covers), what the pledges the viewer may see put in it, by how firm it is."""
    found = pledges.list_pledges(conn=conn, viewer=viewer)
    first = first or date.today().year
    years = figures.years_ahead(found, first, MAX_YEARS) if last is None else range(first, last + 1)
    if not years:
        raise InvalidValue("last", f"The last year ({last}) comes before the first ({first}).")
    if len(years) > MAX_YEARS:
        raise InvalidValue("last", f"Ask for at most {MAX_YEARS} years, not {len(years)}.")
    return figures.commitments_by_year(found, _items(conn, viewer), years)


def agreed_fair_share(
    *, conn: Connection, viewer: Principal, year: int | None = None
) -> tuple[Baseline | None, list[FairShare]]:
    """The fair shares of the year (this year unless `year` says) under the agreed baseline
    that covers it (the first by code), or under the default what-if where none does."""
    year = year or date.today().year
    for agreed in baselines.list_baselines(conn=conn, viewer=viewer):
        if year in agreed.years:
            found = baselines.report_of(conn=conn, viewer=viewer, baseline=agreed, years=[year])
            return agreed, list(found.years[0].donors)
    return None, fair_share(conn=conn, viewer=viewer, year=year)


@dataclass(frozen=True, slots=True)
class ReliabilityReport:
    as_of: date
    donors: list[Reliability]
    areas: list[Reliability]


def reliability(
    *, conn: Connection, viewer: Principal, as_of: date | None = None
) -> ReliabilityReport:
    """On-time share and slippage of the tranches promised by `as_of` (default today), per
    donor and area."""
    as_of = as_of or date.today()
    by_donor, by_area = figures.reliability(
        pledges.list_pledges(conn=conn, viewer=viewer),
        deliveries.list_deliveries(conn=conn, viewer=viewer),
        _items(conn, viewer),
        as_of,
    )
    return ReliabilityReport(as_of, by_donor, by_area)


def areas(*, conn: Connection, viewer: Principal) -> list[AreaCoverage]:
    """Per capability area: needed, pledged and delivered value, coverage and concentration."""
    return figures.area_coverage(
        needs.list_needs(conn=conn, viewer=viewer),
        pledges.list_pledges(conn=conn, viewer=viewer),
        _items(conn, viewer),
        [a.code for a in capabilities.list_areas(conn=conn, viewer=viewer)],
    )


MAX_MONTHS = 120
"""The longest coverage series answered at once: ten years of month ends."""


def coverage(
    *, conn: Connection, viewer: Principal, since: date | None = None, until: date | None = None
) -> list[CoveragePoint]:
    """Each area's coverage at every month end from `since`'s month (default: a year before
    `until`) to `until`'s (default: this month), with the coalitions working on it."""
    until = until or date.today()
    since = since or date(until.year - 1, until.month, 1)
    if since > until:
        raise InvalidValue("since", f"The series cannot start ({since}) after it ends ({until}).")
    days = figures.month_ends(since, until)
    if len(days) > MAX_MONTHS:
        raise InvalidValue(
            "since", f"A series holds at most {MAX_MONTHS} months; this one has {len(days)}."
        )
    return figures.coverage_over_time(
        needs.list_needs(conn=conn, viewer=viewer),
        pledges.list_pledges(conn=conn, viewer=viewer),
        deliveries.list_deliveries(conn=conn, viewer=viewer),
        _items(conn, viewer),
        days,
        {c.code: c.area for c in capabilities.list_coalitions(conn=conn, viewer=viewer)},
    )


def pledged_and_delivered(
    *, conn: Connection, viewer: Principal, until: date, months: int = 12
) -> list[tuple[date, Decimal, Decimal]]:
    """Pledged and delivered value in EUR, cumulative to each month end of the `months` before
    `until` and to `until` itself, over the records the viewer may see (cancelled pledges out)."""
    start = date(until.year - (months // 12), until.month, 1)
    days = [d for d in figures.month_ends(start, until) if d < until] + [until]
    items = _items(conn, viewer)
    active = {
        p.id: p
        for p in pledges.list_pledges(conn=conn, viewer=viewer)
        if p.status is not PledgeStatus.CANCELLED
    }
    sent = [
        d for d in deliveries.list_deliveries(conn=conn, viewer=viewer) if d.pledge_id in active
    ]
    worth = {i: figures.pledge_eur(p, items) for i, p in active.items()}
    return [
        (
            day,
            sum((worth[i] for i, p in active.items() if p.announced_on <= day), Decimal(0)),
            sum(
                (
                    worth[d.pledge_id] * d.quantity / active[d.pledge_id].quantity
                    for d in sent
                    if d.dispatched_on <= day
                ),
                Decimal(0),
            ).quantize(Decimal("0.01")),
        )
        for day in days
    ]


MAX_QUARTERS = 12
MAX_RUNS = 5000


def _check_forecast(
    conn: Connection, viewer: Principal, quarters: int, runs: int, scenario: Scenario | None
) -> None:
    if not 1 <= quarters <= MAX_QUARTERS:
        raise InvalidValue(
            "quarters", f"A forecast covers 1 to {MAX_QUARTERS} quarters, not {quarters}."
        )
    if not 1 <= runs <= MAX_RUNS:
        raise InvalidValue("runs", f"A forecast takes 1 to {MAX_RUNS} runs, not {runs}.")
    if scenario is None:
        return
    known = {p.code for p in participants.list_participants(conn=conn, viewer=viewer)}
    for donor, _ in scenario.stops:
        if donor not in known:
            raise InvalidValue("stop", f"There is no participant {donor} to stop.")
    for name, share in (("cut_donors", scenario.cut_donors), ("cut_by", scenario.cut_by)):
        if not 0 <= share <= 1:
            raise InvalidValue(name, f"A share is between 0 and 1, not {share}.")
    if bool(scenario.cut_donors) != bool(scenario.cut_by):
        raise InvalidValue(
            "cut_by", "Give both the share of donors that cut and the share they cut by."
        )
    if scenario.is_empty:
        raise InvalidValue("scenario", "A scenario stops a donor or has a share of donors cut.")


def records(conn: Connection, viewer: Principal) -> Records:
    """The records a forecast reads: those the viewer may see."""
    return Records(
        needs=needs.list_needs(conn=conn, viewer=viewer),
        pledges=pledges.list_pledges(conn=conn, viewer=viewer),
        deliveries=deliveries.list_deliveries(conn=conn, viewer=viewer),
        items=_items(conn, viewer),
        areas=[a.code for a in capabilities.list_areas(conn=conn, viewer=viewer)],
    )


def forecast(
    *,
    conn: Connection,
    viewer: Principal,
    as_of: date | None = None,
    quarters: int = 8,
    runs: int = 500,
    seed: int = 0,
) -> Forecast:
    """Deliveries and coverage for the next `quarters` quarters (from today's), from the
    planned tranches and each donor's record of delays, with a seeded Monte Carlo band."""
    _check_forecast(conn, viewer, quarters, runs, None)
    return forecasts.forecast(
        records(conn, viewer),
        as_of=as_of or date.today(),
        quarters=quarters,
        runs=runs,
        seed=seed,
    )


@dataclass(frozen=True, slots=True)
class PoliticalRisk:
    """A political-risk scenario against the forecast and against a matching plan."""

    report: ScenarioReport
    allocation: PlanStress | None
    """The plan's optimal allocation re-solved under the scenario; None without a plan."""


def scenario(
    *,
    conn: Connection,
    viewer: Principal,
    scenario: Scenario,
    as_of: date | None = None,
    quarters: int = 8,
    runs: int = 500,
    seed: int = 0,
    plan_id: int | None = None,
) -> PoliticalRisk:
    """The forecast and the same forecast under a political-risk scenario: the loss per
    quarter, the P1 needs exposed and each area's dependence on single donors; and the stress
    test of matching plan `plan_id` (default: the newest the viewer may read) under it."""
    _check_forecast(conn, viewer, quarters, runs, scenario)
    report = forecasts.scenario_report(
        records(conn, viewer),
        scenario,
        as_of=as_of or date.today(),
        quarters=quarters,
        runs=runs,
        seed=seed,
    )
    if plan_id is None:
        newest = matching.list_plans(conn=conn, viewer=viewer, limit=1)
        if not newest:
            return PoliticalRisk(report=report, allocation=None)
        plan_id = newest[0].id
    allocation = matching.stress(
        conn=conn, viewer=viewer, plan_id=plan_id, scenario=_matching_scenario(scenario)
    )
    return PoliticalRisk(report=report, allocation=allocation)


def _matching_scenario(scenario: Scenario) -> stress.Scenario:
    """The same risk for an allocation: the donors stop offering what is available after their
    day, and the expected cut (the share of donors times their cut) falls on every offer."""
    return stress.political(scenario.stops, float(scenario.cut_donors * scenario.cut_by))


def firm_funding(
    *, conn: Connection, viewer: Principal, as_of: date | None = None
) -> list[FirmFunding]:
    """Per area: the need due in the twelve months from `as_of` (default today) and the share
    of it committed, contracted or delivering pledges are expected to deliver by then."""
    return forecasts.firm_funding(records(conn, viewer), as_of or date.today())
