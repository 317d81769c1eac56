"""`ramstein funds ...`: pooled funds, the contributions donors make to them, and whose
share of what their packages delivered each contributor is."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import typer
from rich.text import Text

from ramstein.cli import output
from ramstein.cli.context import reading, state, writing
from ramstein.cli.errors import BadInput
from ramstein.cli.inputs import (
    AsJson,
    ExpectedVersion,
    Limit,
    ReleasabilityOpt,
    ReleasableTo,
    date_option,
    decimal_option,
    label,
    money,
)
from ramstein.cli.output import Column, col
from ramstein.domain.funds import ContributionStatus, FundContribution
from ramstein.reports.funds import FundReport
from ramstein.services import funds
from ramstein.services.paging import PageRequest

app = typer.Typer(
    help="Pooled funds: contributions, packages, and attribution of what they delivered.",
    no_args_is_help=True,
)

FUND_COLUMNS = [
    col("Fund", "fund"),
    col("Name", "name"),
    col("Contributions", "contributions", right=True),
    Column("Contributed EUR", lambda r: r.contributed_eur, "right"),
    Column("Paid EUR", lambda r: r.paid_eur, "right"),
    col("Packages", "packages", right=True),
    Column("Packaged EUR", lambda r: r.packaged_eur, "right"),
    Column("Delivered EUR", lambda r: r.delivered_eur, "right"),
]
ATTRIBUTION_COLUMNS = [
    col("Contributor", "contributor"),
    col("Name", "name"),
    Column("Contributed EUR", lambda a: a.contributed_eur, "right"),
    Column("Paid EUR", lambda a: a.paid_eur, "right"),
    Column("Share", lambda a: "withheld" if a.share is None else f"{a.share:.2%}", "right"),
    Column(
        "Delivered EUR",
        lambda a: "withheld" if a.delivered_eur is None else a.delivered_eur,
        "right",
    ),
]
CONTRIBUTION_COLUMNS = [
    col("ID", "id", right=True),
    col("Fund", "fund"),
    col("Contributor", "contributor"),
    col("Value", "value"),
    Column("Value (EUR)", lambda c: c.value.eur, "right"),
    col("On", "on"),
    col("Status", "status"),
    col("Releasability", "label"),
]
CONTRIBUTION_FIELDS = [
    col("ID", "id"),
    col("Fund", "fund"),
    col("Contributor", "contributor"),
    col("Value", "value"),
    Column("Value (EUR)", lambda c: c.value.eur),
    Column("EUR rate", lambda c: c.value.eur_rate),
    col("Pledged on", "on"),
    col("Status", "status"),
    col("Status since", "status_on"),
    col("Reason", "reason"),
    col("Note", "note"),
    col("Releasability", "label"),
    col("Version", "version"),
]
FundCode = Annotated[str, typer.Argument(help="The fund's participant code.", metavar="FUND")]
ContributionId = Annotated[
    int, typer.Argument(help="The contribution's number.", metavar="CONTRIBUTION_ID")
]


def _show_fund(report: FundReport) -> None:
    output.print_record(
        f"Fund {report.fund}",
        FUND_COLUMNS,
        report,
        [("Attribution of what was delivered", ATTRIBUTION_COLUMNS, report.attributions)],
    )
    notes = []
    if not report.attributed:
        notes.append(
            "Fewer than 3 donors' contributions are not releasable to you: the shares would "
            "reveal them, so they are withheld."
        )
    if report.unattributed_eur:
        notes.append(
            f"EUR {report.unattributed_eur:,} was delivered while the fund had no contribution "
            "to attribute it to."
        )
    for text in notes:
        output.console().print(Text(text, style="yellow"))


def _show_contribution(found: FundContribution) -> None:
    output.print_record(f"Contribution {found.id}", CONTRIBUTION_FIELDS, found)


@app.command("list")
def list_(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List the pooled funds with what they received and delivered."""
    with reading(ctx) as (conn, viewer):
        found = funds.fund_reports(conn=conn, viewer=viewer)
    output.listing(
        found, FUND_COLUMNS, as_json=as_json, title="Pooled funds", empty="No pooled funds."
    )


@app.command("show")
def show(ctx: typer.Context, fund: FundCode, as_json: AsJson = False) -> None:
    """Show a fund: its totals, and what of its deliveries is attributed to each contributor."""
    with reading(ctx) as (conn, viewer):
        found = funds.get_fund_report(conn=conn, viewer=viewer, fund=fund)
    output.record(found, as_json=as_json, render=_show_fund)


@app.command("contributions")
def contributions(
    ctx: typer.Context,
    fund: Annotated[str | None, typer.Option(help="Only contributions to this fund.")] = None,
    contributor: Annotated[str | None, typer.Option(help="Only this donor's.")] = None,
    status: Annotated[
        list[ContributionStatus] | None, typer.Option(help="Only this status (repeatable).")
    ] = None,
    limit: Limit = None,
    as_json: AsJson = False,
) -> None:
    """List the contributions you may see, newest first."""
    with reading(ctx) as (conn, viewer):
        found = funds.list_contributions(
            conn=conn,
            viewer=viewer,
            fund=fund,
            contributor=contributor,
            status=status,
            page=PageRequest(limit=limit),
        )
    output.listing(
        found,
        CONTRIBUTION_COLUMNS,
        as_json=as_json,
        title="Contributions",
        empty="No contributions match.",
    )


@app.command("contribute")
def contribute(
    ctx: typer.Context,
    fund: FundCode,
    amount: Annotated[Decimal, decimal_option("The amount in --currency.", "--amount")],
    contributor: Annotated[
        str | None,
        typer.Option(help="The contributor (default: the participant given with --as)."),
    ] = None,
    currency: Annotated[
        str | None, typer.Option(help="ISO 4217 currency (default EUR).", metavar="CODE")
    ] = None,
    rate: Annotated[
        Decimal | None,
        decimal_option("EUR per unit of --currency (required unless EUR).", "--rate"),
    ] = None,
    on: Annotated[date | None, date_option("When it was pledged (default today).", "--on")] = None,
    note: Annotated[str, typer.Option(help="A note kept with it.")] = "",
    releasability: ReleasabilityOpt = None,
    to: ReleasableTo = None,
) -> None:
    """Record a contribution to a pooled fund (the contributor, the fund or the chair)."""
    who = contributor or state(ctx).acting_as
    if not who:
        raise BadInput("Name the contributor with --contributor (or act as it with --as).")
    value = money(amount, currency, rate)
    assert value is not None
    with writing(ctx) as (uow, actor):
        found = funds.record_contribution(
            uow=uow,
            actor=actor,
            fund=fund,
            contributor=who,
            value=value,
            on=on,
            label=label(releasability, to),
            note=note,
        )
    output.done(f"Recorded contribution {found.id}: {who} to {fund}, EUR {found.value.eur:,}.")
    _show_contribution(found)


@app.command("status")
def status(
    ctx: typer.Context,
    contribution_id: ContributionId,
    new_status: Annotated[
        ContributionStatus, typer.Argument(help="paid or cancelled.", metavar="STATUS")
    ],
    on: Annotated[date | None, date_option("When (default today).", "--on")] = None,
    reason: Annotated[str, typer.Option(help="Why it is cancelled (required then).")] = "",
    expected_version: ExpectedVersion = None,
) -> None:
    """Mark a contribution paid, or cancel it with a reason."""
    with writing(ctx) as (uow, actor):
        found = funds.change_contribution_status(
            uow=uow,
            actor=actor,
            contribution_id=contribution_id,
            status=new_status,
            on=on,
            reason=reason,
            expected_version=expected_version,
        )
    output.done(f"Contribution {found.id} is {found.status.value}.")
    _show_contribution(found)
