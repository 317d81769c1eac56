"""`ramstein analytics ...`: who gave what, against a fair share, how reliably, by area."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import reading
from ramstein.cli.errors import BadInput
from ramstein.cli.inputs import AsJson, date_option, decimal_option
from ramstein.cli.output import Column, col
from ramstein.domain.pledges import PledgeSource
from ramstein.reports.analytics import BILLION, DEFAULT_BASELINE_EUR, Month, MonthTotal
from ramstein.services import analytics

app = typer.Typer(
    help="Analytics over the records you may see: donors, months, fair shares, reliability, areas.",
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
]
FAIR_COLUMNS = [
    col("Donor", "donor"),
    col("GDP share", "gdp_share", right=True),
    col("Target EUR", "target_eur", right=True),
    col("Counted EUR", "counted_eur", right=True),
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
    """Per donor: pledged, committed and delivered (EUR and units) and as a share of GDP."""
    with reading(ctx) as (conn, viewer):
        found = analytics.donors(conn=conn, viewer=viewer)
    output.listing(found, DONOR_COLUMNS, as_json=as_json, title="Donors", empty="No pledges.")


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
    as_json: AsJson = False,
) -> None:
    """Each donor state's fair share of the baseline by GDP, what it counted, and the gap."""
    baseline = None if baseline_bn is None else baseline_bn * BILLION
    with reading(ctx) as (conn, viewer):
        found = analytics.fair_share(
            conn=conn,
            viewer=viewer,
            year=year,
            baseline_eur=baseline,
            sources=source,
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
