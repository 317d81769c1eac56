"""`ramstein pledges ...`: donors' pledges, their terms and their lifecycle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated

import typer

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
    label_change,
    money,
    parse_tranche,
    utc_today,
)
from ramstein.cli.output import Column, col
from ramstein.domain.pledges import Pledge, PledgeSource, PledgeStatus, TrancheSpec, YearStatus
from ramstein.services import pledges
from ramstein.services.pledges import StatusChange

app = typer.Typer(
    help="Donors' pledges: announce, revise, move through the lifecycle.", no_args_is_help=True
)


def years_text(years: Sequence[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


COLUMNS = [
    col("ID", "id", right=True),
    col("Donor", "donor"),
    col("Item", "item_type"),
    col("Quantity", "quantity", right=True),
    col("Delivered", "delivered", right=True),
    Column("Value (EUR)", lambda p: p.value.eur if p.value else None, "right"),
    col("Source", "source"),
    col("Announced", "announced_on"),
    col("Status", "status"),
    col("Releasability", "label"),
]
FIELDS = [
    col("ID", "id"),
    col("Donor", "donor"),
    col("Item", "item_type"),
    col("Quantity", "quantity"),
    col("Scheduled in tranches", "scheduled"),
    col("Delivered", "delivered"),
    col("Value", "value"),
    Column("Value (EUR)", lambda p: p.value.eur if p.value else None),
    Column("EUR rate", lambda p: p.value.eur_rate if p.value else None),
    col("Source", "source"),
    Column("Years", lambda p: years_text(p.years)),
    col("Meeting", "meeting"),
    col("Announced on", "announced_on"),
    col("Status", "status"),
    col("Cancel reason", "cancel_reason"),
    col("External ref", "external_ref"),
    col("Releasability", "label"),
    col("Version", "version"),
]
TRANCHE_COLUMNS = [
    col("No.", "number", right=True),
    col("Quantity", "quantity", right=True),
    col("Expected on", "expected_on"),
    col("First promised on", "promised_on"),
    col("Delivered", "delivered", right=True),
]
YEAR_COLUMNS = [
    Column("Year", lambda r: r[0]),
    Column("Amount EUR", lambda r: r[1].amount_eur if r[1] else None, "right"),
    Column("Status", lambda r: r[1].status if r[1] else None),
    Column("Tranche units", lambda r: r[2], "right"),
]
HISTORY_COLUMNS = [
    col("Seq", "seq", right=True),
    col("Status", "status"),
    col("On", "on"),
    col("Reason", "reason"),
]

PledgeId = Annotated[int, typer.Argument(help="The pledge's number.", metavar="PLEDGE_ID")]
Value = Annotated[Decimal | None, decimal_option("The pledge's value in --currency.", "--value")]
Currency = Annotated[
    str | None, typer.Option(help="ISO 4217 currency of --value (default EUR).", metavar="CODE")
]
Rate = Annotated[
    Decimal | None,
    decimal_option("EUR per unit of --currency (required unless EUR).", "--rate", metavar="R"),
]
Years = Annotated[
    list[int] | None,
    typer.Option("--year", help="A year the pledge covers (repeatable, consecutive)."),
]


def show_pledge(found: Pledge, history: Sequence[StatusChange] | None = None) -> None:
    years = [(y, found.year_plan(y), units) for y, units in found.units_by_year().items()]
    children: list[tuple[str, Sequence[Column], Sequence[object]]] = [
        ("Tranches", TRANCHE_COLUMNS, found.tranches),
        ("Years", YEAR_COLUMNS, years),
    ]
    if history is not None:
        children.append(("Status history", HISTORY_COLUMNS, history))
    output.print_record(f"Pledge {found.id}", FIELDS, found, children)


@app.command("list")
def list_(
    ctx: typer.Context,
    donor: Annotated[str | None, typer.Option(help="Only this donor's pledges.")] = None,
    area: Annotated[str | None, typer.Option(help="Only items of this capability area.")] = None,
    coalition: Annotated[
        str | None, typer.Option(help="Only pledges by this coalition's members in its area.")
    ] = None,
    item: Annotated[str | None, typer.Option(help="Only this item type.")] = None,
    status: Annotated[
        list[PledgeStatus] | None, typer.Option(help="Only this status (repeatable).")
    ] = None,
    source: Annotated[PledgeSource | None, typer.Option(help="Only this source.")] = None,
    meeting: Annotated[
        int | None, typer.Option(help="Only pledges announced at this meeting.", metavar="N")
    ] = None,
    releasability: ReleasabilityOpt = None,
    announced_from: Annotated[
        date | None, date_option("Only pledges announced on or after this date.", "--from")
    ] = None,
    announced_until: Annotated[
        date | None, date_option("Only pledges announced on or before this date.", "--until")
    ] = None,
    limit: Limit = None,
    as_json: AsJson = False,
) -> None:
    """List the pledges you may see, newest first."""
    with reading(ctx) as (conn, viewer):
        found = pledges.list_pledges(
            conn=conn,
            viewer=viewer,
            donor=donor,
            area=area,
            coalition=coalition,
            item_type=item,
            status=status,
            source=source,
            meeting=meeting,
            releasability=releasability,
            announced_from=announced_from,
            announced_until=announced_until,
            limit=limit,
        )
    output.listing(found, COLUMNS, as_json=as_json, title="Pledges", empty="No pledges match.")


@app.command("show")
def show(ctx: typer.Context, pledge_id: PledgeId, as_json: AsJson = False) -> None:
    """Show one pledge with its tranches and status history."""
    with reading(ctx) as (conn, viewer):
        found = pledges.get_pledge(conn=conn, viewer=viewer, pledge_id=pledge_id)
        history = pledges.pledge_history(conn=conn, viewer=viewer, pledge_id=pledge_id)
    if as_json:
        output.print_json({**output.plain(found), "history": output.plain(history)})
    else:
        show_pledge(found, history)


@app.command("history")
def history(ctx: typer.Context, pledge_id: PledgeId, as_json: AsJson = False) -> None:
    """Show a pledge's status history."""
    with reading(ctx) as (conn, viewer):
        found = pledges.pledge_history(conn=conn, viewer=viewer, pledge_id=pledge_id)
    output.listing(
        found,
        HISTORY_COLUMNS,
        as_json=as_json,
        title=f"Status history of pledge {pledge_id}",
        empty=f"Pledge {pledge_id} has no status changes yet.",
    )


def _tranches(
    specs: list[TrancheSpec] | None, expected_on: date | None, quantity: int, on: date
) -> list[TrancheSpec]:
    if specs:
        if expected_on is not None:
            raise BadInput("Give either --tranche or --expected-on, not both.")
        return list(specs)
    return [TrancheSpec(quantity=quantity, expected_on=expected_on or on)]


@app.command("add")
def add(
    ctx: typer.Context,
    item: Annotated[str, typer.Option(help="The item type pledged.")],
    quantity: Annotated[int, typer.Option(help="How many units.")],
    source: Annotated[PledgeSource, typer.Option(help="Where the support comes from.")],
    donor: Annotated[
        str | None, typer.Option(help="The donor (default: the participant given with --as).")
    ] = None,
    value: Value = None,
    currency: Currency = None,
    rate: Rate = None,
    year: Years = None,
    meeting: Annotated[
        int | None, typer.Option(help="The meeting it was announced at.", metavar="N")
    ] = None,
    announced_on: Annotated[
        date | None, date_option("When it was announced (default today).", "--announced-on")
    ] = None,
    tranche: Annotated[
        list[TrancheSpec] | None,
        typer.Option(
            help="A tranche QTY@YYYY-MM-DD (repeatable).",
            parser=parse_tranche,
            metavar="QTY@DATE",
        ),
    ] = None,
    expected_on: Annotated[
        date | None,
        date_option(
            "Without --tranche: when the whole quantity is expected (default: announced on).",
            "--expected-on",
        ),
    ] = None,
    releasability: ReleasabilityOpt = None,
    to: ReleasableTo = None,
    ref: Annotated[
        str | None, typer.Option("--ref", help="An external reference (e.g. a package number).")
    ] = None,
) -> None:
    """Announce a pledge (the donor or the chair)."""
    who = donor or state(ctx).acting_as
    if not who:
        raise BadInput("Name the donor with --donor (or act as it with --as).")
    on = announced_on or utc_today()
    with writing(ctx) as (uow, actor):
        found = pledges.announce_pledge(
            uow=uow,
            actor=actor,
            donor=who,
            item_type=item,
            quantity=quantity,
            value=money(value, currency, rate),
            source=source,
            years=year,
            meeting=meeting,
            announced_on=on,
            tranches=_tranches(tranche, expected_on, quantity, on),
            label=label(releasability, to),
            external_ref=ref,
        )
    output.done(f"Announced pledge {found.id}.")
    show_pledge(found)


@app.command("update")
def update(
    ctx: typer.Context,
    pledge_id: PledgeId,
    quantity: Annotated[int | None, typer.Option(help="A new quantity.")] = None,
    value: Value = None,
    currency: Currency = None,
    rate: Rate = None,
    source: Annotated[PledgeSource | None, typer.Option(help="A new source.")] = None,
    year: Years = None,
    releasability: ReleasabilityOpt = None,
    to: ReleasableTo = None,
    expected_version: ExpectedVersion = None,
) -> None:
    """Revise a pledge's terms (the donor or the chair)."""
    with writing(ctx) as (uow, actor):
        found = pledges.revise_pledge(
            uow=uow,
            actor=actor,
            pledge_id=pledge_id,
            quantity=quantity,
            value=money(value, currency, rate),
            source=source,
            years=year,
            label=label_change(releasability, to),
            expected_version=expected_version,
        )
    output.done(f"Revised pledge {found.id}.")
    show_pledge(found)


@app.command("year")
def year(
    ctx: typer.Context,
    pledge_id: PledgeId,
    year: Annotated[int, typer.Argument(help="A year the pledge covers.", metavar="YEAR")],
    amount_eur: Annotated[
        Decimal | None,
        decimal_option("The year's amount in EUR (default: as it is).", "--amount-eur"),
    ] = None,
    year_status: Annotated[
        YearStatus | None,
        typer.Option("--status", help="indicative, committed, delivered or cancelled."),
    ] = None,
    expected_version: ExpectedVersion = None,
) -> None:
    """Plan one year of a multi-year pledge: its amount in EUR and how firm it is."""
    with writing(ctx) as (uow, actor):
        found = pledges.plan_year(
            uow=uow,
            actor=actor,
            pledge_id=pledge_id,
            year=year,
            amount_eur=amount_eur,
            status=year_status,
            expected_version=expected_version,
        )
    plan = found.year_plan(year)
    assert plan is not None
    output.done(f"Pledge {found.id}: {year} is {plan.status.value}, EUR {plan.amount_eur:,}.")
    show_pledge(found)


@app.command("status")
def status(
    ctx: typer.Context,
    pledge_id: PledgeId,
    new_status: Annotated[PledgeStatus, typer.Argument(metavar="STATUS", help="The new status.")],
    on: Annotated[date | None, date_option("When it changed (default today).", "--on")] = None,
    reason: Annotated[str, typer.Option(help="Why (required to cancel).")] = "",
    expected_version: ExpectedVersion = None,
) -> None:
    """Move a pledge through its lifecycle (announced → committed → ... or cancelled)."""
    with writing(ctx) as (uow, actor):
        found = pledges.change_pledge_status(
            uow=uow,
            actor=actor,
            pledge_id=pledge_id,
            status=new_status,
            on=on,
            reason=reason,
            expected_version=expected_version,
        )
    output.done(f"Pledge {found.id} is now {found.status.value}.")
    show_pledge(found)
