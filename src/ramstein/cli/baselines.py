"""`ramstein baselines ...`: agreed fair-share baselines, their counting rules, and each
year's targets, counted support, attainment and gaps."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import typer
from rich.text import Text

from ramstein.cli import output
from ramstein.cli.analytics import FAIR_COLUMNS
from ramstein.cli.context import reading, writing
from ramstein.cli.inputs import AsJson, ExpectedVersion, decimal_option
from ramstein.cli.output import Column, col
from ramstein.domain.baselines import Baseline, CountingRules, PooledRule
from ramstein.domain.pledges import PledgeSource
from ramstein.reports.analytics import BILLION
from ramstein.reports.baselines import BaselineReport
from ramstein.services import baselines

app = typer.Typer(
    help="Fair-share baselines: an agreed annual amount shared by GDP, with counting rules.",
    no_args_is_help=True,
)

BASELINE_COLUMNS = [
    col("Code", "code"),
    col("Name", "name"),
    Column("Annual EUR bn", lambda b: b.annual_eur / BILLION, "right"),
    Column("Years", lambda b: f"{b.first_year}-{b.last_year}"),
    Column("Counting rules", lambda b: b.rules.describe()),
]
BASELINE_FIELDS = [
    col("Code", "code"),
    col("Name", "name"),
    col("Annual EUR", "annual_eur"),
    Column("Years", lambda b: f"{b.first_year}-{b.last_year}"),
    Column("Sources", lambda b: ", ".join(s.value for s in PledgeSource if s in b.rules.sources)),
    Column("Areas", lambda b: ", ".join(sorted(b.rules.areas)) or "every area"),
    Column("Pooled funds", lambda b: b.rules.pooled.value),
    col("Note", "note"),
    col("Version", "version"),
]
YEAR_COLUMNS = [
    col("Year", "year"),
    col("Target EUR", "target_eur", right=True),
    col("Counted EUR", "counted_eur", right=True),
    col("Attainment", "attainment", right=True),
    col("Gap EUR", "gap_eur", right=True),
]
Code = Annotated[str, typer.Argument(help="The baseline's code.", metavar="CODE")]
Name = Annotated[str | None, typer.Option(help="What the agreement is called.")]
AnnualBn = Annotated[
    Decimal | None, decimal_option("EUR billions a year.", "--annual-bn", metavar="BN")
]
FirstYear = Annotated[int | None, typer.Option("--from", help="Its first year.", min=1900)]
LastYear = Annotated[int | None, typer.Option("--to", help="Its last year.", max=2999)]
Sources = Annotated[
    list[PledgeSource] | None,
    typer.Option("--source", help="A pledge source that counts (repeatable; default: all)."),
]
Areas = Annotated[
    list[str] | None,
    typer.Option("--area", help="A capability area that counts (repeatable; default: all)."),
]
Pooled = Annotated[
    PooledRule | None,
    typer.Option(help="How pooled-fund contributions count (default: none)."),
]
Note = Annotated[str | None, typer.Option(help="A note kept with it.")]


def _eur(bn: Decimal | None) -> Decimal | None:
    return None if bn is None else (bn * BILLION).quantize(Decimal("0.01"))


def _show_report(found: BaselineReport) -> None:
    output.print_record(
        f"Baseline {found.baseline.code}",
        BASELINE_FIELDS,
        found.baseline,
        [("By year", YEAR_COLUMNS, found.years)],
    )
    for year in found.years:
        output.print_table(
            f"{year.year}: each donor state's share",
            FAIR_COLUMNS,
            year.donors,
            "No donor state has a GDP on record.",
        )
        if year.withheld_funds:
            output.console().print(
                Text(
                    f"The packages of {', '.join(year.withheld_funds)} are credited to nobody: "
                    "the attribution is withheld from you.",
                    style="yellow",
                )
            )


@app.command("list")
def list_(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List the agreed baselines."""
    with reading(ctx) as (conn, viewer):
        found = baselines.list_baselines(conn=conn, viewer=viewer)
    output.listing(
        found, BASELINE_COLUMNS, as_json=as_json, title="Baselines", empty="No baselines."
    )


@app.command("show")
def show(
    ctx: typer.Context,
    code: Code,
    year: Annotated[
        list[int] | None,
        typer.Option(help="Only this year (repeatable; default: every year of the baseline)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Show a baseline: its rules, and each year's targets, counted support and gaps."""
    with reading(ctx) as (conn, viewer):
        found = baselines.report(conn=conn, viewer=viewer, code=code, years=year)
    output.record(found, as_json=as_json, render=_show_report)


@app.command("agree")
def agree(
    ctx: typer.Context,
    code: Code,
    name: Annotated[str, typer.Option(help="What the agreement is called.")],
    annual_bn: Annotated[Decimal, decimal_option("EUR billions a year.", "--annual-bn")],
    first_year: Annotated[int, typer.Option("--from", help="Its first year.")],
    last_year: Annotated[int | None, typer.Option("--to", help="Its last year (--from).")] = None,
    source: Sources = None,
    area: Areas = None,
    pooled: Pooled = None,
    note: Annotated[str, typer.Option(help="A note kept with it.")] = "",
) -> None:
    """Record a baseline the coalition agreed, with its counting rules (the chair)."""
    annual = _eur(annual_bn)
    assert annual is not None
    with writing(ctx) as (uow, actor):
        made = baselines.agree_baseline(
            uow=uow,
            actor=actor,
            baseline=Baseline(
                code=code,
                name=name,
                annual_eur=annual,
                first_year=first_year,
                last_year=first_year if last_year is None else last_year,
                rules=CountingRules.of(source, area, pooled),
                note=note,
            ),
        )
    output.done(
        f"Agreed baseline {made.code}: EUR {made.annual_eur:,} a year, "
        f"{made.first_year}-{made.last_year}."
    )
    output.print_record(f"Baseline {made.code}", BASELINE_FIELDS, made)


@app.command("revise")
def revise(
    ctx: typer.Context,
    code: Code,
    name: Name = None,
    annual_bn: AnnualBn = None,
    first_year: FirstYear = None,
    last_year: LastYear = None,
    source: Sources = None,
    area: Areas = None,
    every_area: Annotated[
        bool, typer.Option("--every-area", help="Count every area again.")
    ] = False,
    pooled: Pooled = None,
    note: Note = None,
    expected_version: ExpectedVersion = None,
) -> None:
    """Revise a baseline (the chair): what is given changes, the rest stays as agreed."""
    with writing(ctx) as (uow, actor):
        made = baselines.revise_baseline(
            uow=uow,
            actor=actor,
            code=code,
            name=name,
            annual_eur=_eur(annual_bn),
            first_year=first_year,
            last_year=last_year,
            sources=source,
            areas=() if every_area else area,
            pooled=pooled,
            note=note,
            expected_version=expected_version,
        )
    output.done(f"Revised baseline {made.code} (version {made.version}).")
    output.print_record(f"Baseline {made.code}", BASELINE_FIELDS, made)
