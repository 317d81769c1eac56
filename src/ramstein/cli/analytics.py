"""`ramstein analytics ...`: who gave what, against a fair share, how reliably, by area."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

import typer
from rich.text import Text

from ramstein.cli import output
from ramstein.cli.context import reading
from ramstein.cli.errors import BadInput
from ramstein.cli.inputs import AsJson, date_option, decimal_option
from ramstein.cli.match_output import plan_stress_json, show_stress
from ramstein.cli.output import Column, col
from ramstein.domain.baselines import CountingRules, PooledRule
from ramstein.domain.pledges import PledgeSource
from ramstein.reports.analytics import BILLION, DEFAULT_BASELINE_EUR, Month, MonthTotal
from ramstein.reports.forecast import Forecast, QuarterFigures, Scenario, parse_stop
from ramstein.services import analytics

app = typer.Typer(
    help="Analytics over the records you may see: donors, months, fair shares, reliability, "
    "areas, forecasts and scenarios.",
    no_args_is_help=True,
)

DONOR_COLUMNS = [
    col("Donor", "donor"),
    col("Pledges", "pledges", right=True),
    col("Pledged EUR", "pledged_eur", right=True),
    col("Committed EUR", "committed_eur", right=True),
    col("Delivered EUR", "delivered_eur", right=True),
    col("Delivered units", "delivered_units", right=True),
    col("Pledged % GDP", "pledged_pct_gdp", right=True),
    col("To funds EUR", "to_funds_eur", right=True),
    col("Via funds delivered EUR", "via_funds_eur", right=True),
]
FAIR_COLUMNS = [
    col("Donor", "donor"),
    col("GDP share", "gdp_share", right=True),
    col("Target EUR", "target_eur", right=True),
    col("Counted EUR", "counted_eur", right=True),
    col("Through funds EUR", "pooled_eur", right=True),
    col("Attainment", "attainment", right=True),
    col("Gap EUR", "gap_eur", right=True),
]
RELIABILITY_COLUMNS = [
    col("Donor or area", "key"),
    col("Tranches due", "due", right=True),
    col("On time", "on_time", right=True),
    col("On-time share", "on_time_share", right=True),
    col("Mean days late", "mean_slip_days", right=True),
    col("P90 days late", "p90_slip_days", right=True),
]
AREA_COLUMNS = [
    col("Area", "area"),
    col("Needed EUR", "needed_eur", right=True),
    col("Pledged EUR", "pledged_eur", right=True),
    col("Delivered EUR", "delivered_eur", right=True),
    col("Pledged cover", "pledged_coverage", right=True),
    col("Delivered cover", "delivered_coverage", right=True),
    col("Donors", "donors", right=True),
    col("Top donor", "top_donor"),
    col("Top share", "top_donor_share", right=True),
]


@app.command("donors")
def donors(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Per donor: pledged, committed and delivered (EUR and units), as a share of GDP, and
    what it gave through pooled funds."""
    with reading(ctx) as (conn, viewer):
        found = analytics.donors(conn=conn, viewer=viewer)
    output.listing(
        found, DONOR_COLUMNS, as_json=as_json, title="Donors", empty="No pledges or contributions."
    )


YEAR_COLUMNS = [
    col("Year", "year"),
    col("Committed EUR", "committed_eur", right=True),
    col("Indicative EUR", "indicative_eur", right=True),
    col("Delivered EUR", "delivered_eur", right=True),
    col("Not planned by year EUR", "unplanned_eur", right=True),
    col("Total EUR", "total_eur", right=True),
    col("Donors", "donors", right=True),
    col("Pledges", "pledges", right=True),
]


@app.command("commitments")
def commitments(
    ctx: typer.Context,
    first: Annotated[int | None, typer.Option(help="The first year (default: this year).")] = None,
    last: Annotated[
        int | None,
        typer.Option(help="The last year (default: the last a live pledge covers)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Multi-year commitments: per year, what the pledges put in it, committed, indicative,
    delivered, or not planned by year."""
    with reading(ctx) as (conn, viewer):
        found = analytics.commitments(conn=conn, viewer=viewer, first=first, last=last)
    if as_json:
        output.print_json([{**output.plain(r), "total_eur": str(r.total_eur)} for r in found])
        return
    output.print_table("Commitments by year", YEAR_COLUMNS, found, "No years.")


@app.command("fair-share")
def fair_share(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option(help="The year counted (default: this year).")] = None,
    baseline_bn: Annotated[
        Decimal | None,
        decimal_option(
            "The annual baseline in EUR billions (default: 40, as allies agreed in 2024).",
            "--baseline-bn",
            metavar="BN",
        ),
    ] = None,
    source: Annotated[
        list[PledgeSource] | None,
        typer.Option(help="A source that counts (repeatable; default: all)."),
    ] = None,
    area: Annotated[
        list[str] | None,
        typer.Option(help="A capability area that counts (repeatable; default: all)."),
    ] = None,
    pooled: Annotated[
        PooledRule | None,
        typer.Option(help="How pooled-fund contributions count (default: none)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Each donor state's fair share of a baseline by GDP, what it counted, and the gap: a
    what-if (`ramstein baselines` holds the agreed ones)."""
    baseline = None if baseline_bn is None else baseline_bn * BILLION
    with reading(ctx) as (conn, viewer):
        found = analytics.fair_share(
            conn=conn,
            viewer=viewer,
            year=year,
            baseline_eur=baseline,
            rules=CountingRules.of(source, area, pooled),
        )
    output.listing(
        found,
        FAIR_COLUMNS,
        as_json=as_json,
        title=f"Fair shares of EUR {(baseline or DEFAULT_BASELINE_EUR) / BILLION:,} bn",
        empty="No donor state has a GDP on record.",
    )


@app.command("reliability")
def reliability(
    ctx: typer.Context,
    as_of: Annotated[
        date | None, date_option("Count tranches promised by this date (default today).", "--as-of")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """On-time share and days late of the tranches promised so far, per donor and per area."""
    with reading(ctx) as (conn, viewer):
        found = analytics.reliability(conn=conn, viewer=viewer, as_of=as_of)
    if as_json:
        output.print_json(found)
        return
    for title, rows in (("Reliability by donor", found.donors), ("by area", found.areas)):
        output.print_table(
            f"{title} (tranches promised by {found.as_of})",
            RELIABILITY_COLUMNS,
            rows,
            "No tranche was due.",
        )


COVERAGE_COLUMNS = [
    col("Month end", "on"),
    col("Area", "area"),
    col("Coalitions", "coalitions"),
    col("Needed EUR", "needed_eur", right=True),
    col("Pledged cover", "pledged_coverage", right=True),
    col("Delivered cover", "delivered_coverage", right=True),
]


@app.command("coverage")
def coverage(
    ctx: typer.Context,
    since: Annotated[
        date | None, date_option("First month (default: a year before --until).", "--from")
    ] = None,
    until: Annotated[date | None, date_option("Last month (default: today).", "--until")] = None,
    as_json: AsJson = False,
) -> None:
    """Each area's coverage at every month end, with the coalitions working on it."""
    with reading(ctx) as (conn, viewer):
        found = analytics.coverage(conn=conn, viewer=viewer, since=since, until=until)
    output.listing(
        found, COVERAGE_COLUMNS, as_json=as_json, title="Coverage by area", empty="No areas."
    )


@app.command("areas")
def areas(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Per capability area: needed, pledged and delivered value, coverage, concentration."""
    with reading(ctx) as (conn, viewer):
        found = analytics.areas(conn=conn, viewer=viewer)
    output.listing(found, AREA_COLUMNS, as_json=as_json, title="Areas", empty="No areas.")


MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> Month:
    """A month written YYYY-MM."""
    found = MONTH.match(value.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise BadInput(f"{value!r} is not a month; write it as YYYY-MM (e.g. 2022-03).")
    return (int(found.group(1)), int(found.group(2)))


def _area_bn(area: str) -> Column:
    def get(row: MonthTotal) -> Decimal | None:
        return next((a.eur_bn for a in row.areas if a.area == area), None)

    return Column(area, get, "right")


@app.command("monthly")
def monthly(
    ctx: typer.Context,
    first: Annotated[
        str | None,
        typer.Option("--from", help="First month (default: the first).", metavar="YYYY-MM"),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option("--until", help="Last month (default: the last).", metavar="YYYY-MM"),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Per month of announcement: the value of the pledges not cancelled, in EUR billions,
    split by capability area (after `import kiel`: the Tracker's monthly totals and their
    military, financial and humanitarian parts)."""
    with reading(ctx) as (conn, viewer):
        found = analytics.monthly(
            conn=conn,
            viewer=viewer,
            first=None if first is None else parse_month(first),
            last=None if last is None else parse_month(last),
        )
    areas = [a.area for a in found[0].areas] if found else []
    columns = [
        col("Month", "month"),
        col("Total", "total_eur_bn", right=True),
        *(_area_bn(a) for a in areas),
        col("Pledges", "pledges", right=True),
        col("Donors", "donors", right=True),
    ]
    output.listing(
        found, columns, as_json=as_json, title="Pledged by month, EUR bn", empty="No pledges."
    )


QUARTER_COLUMNS = [
    col("Quarter", "quarter"),
    col("Planned EUR", "planned_eur", right=True),
    col("Expected EUR", "expected_eur", right=True),
    col("Low (P10)", "low_eur", right=True),
    col("High (P90)", "high_eur", right=True),
    col("Cover planned", "coverage_planned", right=True),
    col("Cover expected", "coverage_expected", right=True),
    col("Cover P10", "coverage_low", right=True),
    col("Cover P90", "coverage_high", right=True),
]
AsOf = Annotated[
    date | None, date_option("Forecast from this day's quarter (default today).", "--as-of")
]
Quarters = Annotated[
    int, typer.Option(help="How many quarters.", min=1, max=analytics.MAX_QUARTERS)
]
Runs = Annotated[int, typer.Option(help="Monte Carlo runs.", min=1, max=analytics.MAX_RUNS)]
Seed = Annotated[int, typer.Option(help="The same seed gives the same band.", min=0)]


def _forecast_area(found: Forecast, area: str | None) -> tuple[str, tuple[QuarterFigures, ...]]:
    if area is None:
        return "every area", found.quarters
    for a in found.areas:
        if a.area == area:
            return f"area {area}", a.quarters
    raise BadInput(f"There is no area {area} in the forecast.")


@app.command("forecast")
def forecast(
    ctx: typer.Context,
    as_of: AsOf = None,
    quarters: Quarters = 8,
    runs: Runs = 500,
    seed: Seed = 0,
    area: Annotated[str | None, typer.Option(help="One capability area's forecast.")] = None,
    as_json: AsJson = False,
) -> None:
    """Value arriving and coverage for each of the next quarters: as planned, and with each
    donor's record of delays (seeded Monte Carlo: mean and the P10-P90 band)."""
    with reading(ctx) as (conn, viewer):
        found = analytics.forecast(
            conn=conn, viewer=viewer, as_of=as_of, quarters=quarters, runs=runs, seed=seed
        )
    if as_json:
        output.print_json(found)
        return
    which, rows = _forecast_area(found, area)
    output.print_table(
        f"Forecast from {found.as_of}, {which} ({found.runs} runs, seed {found.seed})",
        QUARTER_COLUMNS,
        rows,
        "Nothing to forecast.",
    )
    output.console().print(
        Text(
            f"Expected after the last quarter: EUR {found.later_expected_eur:,}; "
            f"pledged but in no tranche yet: EUR {found.unscheduled_eur:,}."
        )
    )


SCENARIO_COLUMNS = [
    Column("Quarter", lambda r: r[0].quarter),
    Column("Expected EUR", lambda r: r[0].expected_eur, "right"),
    Column("Under scenario", lambda r: r[1].expected_eur, "right"),
    Column("Loss EUR", lambda r: r[0].expected_eur - r[1].expected_eur, "right"),
    Column("Cover expected", lambda r: r[0].coverage_expected, "right"),
    Column("Cover under scenario", lambda r: r[1].coverage_expected, "right"),
]
EXPOSED_COLUMNS = [
    col("Need", "need_id", right=True),
    col("Item", "item_type"),
    col("Quantity", "quantity", right=True),
    col("Needed by", "needed_by"),
    col("Expected by then", "expected_units", right=True),
    col("Under scenario", "scenario_units", right=True),
]
DEPENDENCE_COLUMNS = [
    col("Area", "area"),
    col("Expected EUR", "expected_eur", right=True),
    col("Donors", "donors", right=True),
    col("Top donor", "top_donor"),
    col("Top share", "top_donor_share", right=True),
    col("Under scenario", "scenario_eur", right=True),
    col("Lost share", "lost_share", right=True),
]


@app.command("scenario")
def scenario(
    ctx: typer.Context,
    stop: Annotated[
        list[str] | None,
        typer.Option(
            help="DONOR:YYYY-MM-DD: the donor delivers nothing after that day (repeatable).",
            metavar="DONOR:DATE",
        ),
    ] = None,
    cut_donors: Annotated[
        Decimal | None,
        decimal_option(
            "The share of donors (drawn in each run) that cut.", "--cut-donors", metavar="SHARE"
        ),
    ] = None,
    cut_by: Annotated[
        Decimal | None,
        decimal_option("The share they cut what is still to come by.", "--cut-by", metavar="SHARE"),
    ] = None,
    as_of: AsOf = None,
    quarters: Quarters = 8,
    runs: Runs = 500,
    seed: Seed = 0,
    plan: Annotated[
        int | None,
        typer.Option(help="Stress this matching plan (default: the newest you may read)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """What if donors stop or cut? The forecast under the scenario, the P1 needs it exposes,
    each area's dependence on its largest donor, and what a matching plan's optimal
    allocation loses."""
    asked = Scenario(
        stops=tuple(parse_stop(s) for s in stop or ()),
        cut_donors=cut_donors or Decimal(0),
        cut_by=cut_by or Decimal(0),
    )
    with reading(ctx) as (conn, viewer):
        found = analytics.scenario(
            conn=conn,
            viewer=viewer,
            scenario=asked,
            as_of=as_of,
            quarters=quarters,
            runs=runs,
            seed=seed,
            plan_id=plan,
        )
    report, allocation = found.report, found.allocation
    if as_json:
        data = output.plain(report)
        data["allocation"] = None if allocation is None else plan_stress_json(allocation)
        output.print_json(data)
        return
    output.print_table(
        f"Forecast from {report.forecast.as_of} and under the scenario ({runs} runs, seed {seed})",
        SCENARIO_COLUMNS,
        list(zip(report.forecast.quarters, report.stressed.quarters, strict=True)),
        "Nothing to forecast.",
    )
    output.print_table(
        "P1 needs exposed", EXPOSED_COLUMNS, report.exposed, "No P1 need is exposed."
    )
    output.print_table(
        "Dependence on single donors", DEPENDENCE_COLUMNS, report.dependence, "No areas."
    )
    if allocation is None:
        output.console().print("No matching plan you may read: run `ramstein match run`.")
    else:
        show_stress(allocation)


FIRM_COLUMNS = [
    col("Area", "area"),
    col("Needed EUR", "needed_eur", right=True),
    col("Firm EUR", "firm_eur", right=True),
    col("Announced only EUR", "announced_eur", right=True),
    col("Firm share", "firm_share", right=True),
]


@app.command("firm-funding")
def firm_funding(
    ctx: typer.Context,
    as_of: Annotated[
        date | None, date_option("The twelve months from this day (default today).", "--as-of")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Per area: the need due in the next twelve months and the share of it firmly funded
    (committed, contracted or delivering tranches expected by then)."""
    with reading(ctx) as (conn, viewer):
        found = analytics.firm_funding(conn=conn, viewer=viewer, as_of=as_of)
    output.listing(
        found,
        FIRM_COLUMNS,
        as_json=as_json,
        title="Firmly funded, the next twelve months",
        empty="No areas.",
    )
