"""`ramstein deliveries ...`: dispatches against pledge tranches, and their receipt."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import reading, writing
from ramstein.cli.inputs import AsJson, ExpectedVersion, Limit, date_option
from ramstein.cli.output import col
from ramstein.domain.deliveries import Delivery, DeliveryStatus
from ramstein.services import deliveries

app = typer.Typer(help="Deliveries and the recipient's receipt.", no_args_is_help=True)

COLUMNS = [
    col("ID", "id", right=True),
    col("Pledge", "pledge_id", right=True),
    col("Tranche", "tranche", right=True),
    col("Donor", "donor"),
    col("Quantity", "quantity", right=True),
    col("Dispatched", "dispatched_on"),
    col("Status", "status"),
    col("Received", "received_quantity", right=True),
    col("Received on", "received_on"),
    col("Releasability", "label"),
]
FIELDS = [
    *COLUMNS,
    col("Note", "note"),
    col("Discrepancy", "discrepancy"),
    col("External ref", "external_ref"),
    col("Version", "version"),
]

DeliveryId = Annotated[int, typer.Argument(help="The delivery's number.", metavar="ID")]


def show_delivery(found: Delivery) -> None:
    output.print_record(f"Delivery {found.id}", FIELDS, found)


@app.command("list")
def list_(
    ctx: typer.Context,
    pledge: Annotated[
        int | None, typer.Option(help="Only deliveries of this pledge.", metavar="PLEDGE_ID")
    ] = None,
    donor: Annotated[str | None, typer.Option(help="Only this donor's deliveries.")] = None,
    status: Annotated[
        list[DeliveryStatus] | None, typer.Option(help="Only this status (repeatable).")
    ] = None,
    dispatched_from: Annotated[
        date | None, date_option("Only dispatched on or after this date.", "--from")
    ] = None,
    dispatched_until: Annotated[
        date | None, date_option("Only dispatched on or before this date.", "--until")
    ] = None,
    limit: Limit = None,
    as_json: AsJson = False,
) -> None:
    """List the deliveries you may see, newest first."""
    with reading(ctx) as (conn, viewer):
        found = deliveries.list_deliveries(
            conn=conn,
            viewer=viewer,
            pledge_id=pledge,
            donor=donor,
            status=status,
            dispatched_from=dispatched_from,
            dispatched_until=dispatched_until,
            limit=limit,
        )
    output.listing(
        found, COLUMNS, as_json=as_json, title="Deliveries", empty="No deliveries match."
    )


@app.command("show")
def show(ctx: typer.Context, delivery_id: DeliveryId, as_json: AsJson = False) -> None:
    """Show one delivery."""
    with reading(ctx) as (conn, viewer):
        found = deliveries.get_delivery(conn=conn, viewer=viewer, delivery_id=delivery_id)
    output.record(found, as_json=as_json, render=show_delivery)


@app.command("add")
def add(
    ctx: typer.Context,
    pledge_id: Annotated[int, typer.Argument(help="The pledge delivered.", metavar="PLEDGE_ID")],
    quantity: Annotated[int, typer.Option(help="How many units were dispatched.")],
    tranche: Annotated[int, typer.Option(help="The tranche delivered against.")] = 1,
    dispatched_on: Annotated[
        date | None, date_option("When it was dispatched (default today).", "--dispatched-on")
    ] = None,
    note: Annotated[str, typer.Option(help="A note on the dispatch.")] = "",
    ref: Annotated[
        str | None, typer.Option("--ref", help="An external reference (the sender's own id).")
    ] = None,
    expected_version: Annotated[
        int | None,
        typer.Option(
            "--expected-version",
            help="Refuse unless the pledge is still at this version (as last shown).",
            metavar="N",
        ),
    ] = None,
) -> None:
    """Record a dispatch against a pledge's tranche (the donor or the chair)."""
    with writing(ctx) as (uow, actor):
        found = deliveries.record_delivery(
            uow=uow,
            actor=actor,
            pledge_id=pledge_id,
            tranche=tranche,
            quantity=quantity,
            dispatched_on=dispatched_on,
            note=note,
            external_ref=ref,
            expected_version=expected_version,
        )
    output.done(f"Recorded delivery {found.id} of pledge {found.pledge_id}.")
    show_delivery(found)


@app.command("receive")
def receive(
    ctx: typer.Context,
    delivery_id: DeliveryId,
    quantity: Annotated[int, typer.Option(help="How many units arrived.")],
    on: Annotated[date | None, date_option("When they arrived (default today).", "--on")] = None,
    discrepancy: Annotated[
        str, typer.Option(help="What was missing or damaged (required if short).")
    ] = "",
    expected_version: ExpectedVersion = None,
) -> None:
    """Confirm receipt of a delivery (the recipient or the chair)."""
    with writing(ctx) as (uow, actor):
        found = deliveries.confirm_receipt(
            uow=uow,
            actor=actor,
            delivery_id=delivery_id,
            received_quantity=quantity,
            received_on=on,
            discrepancy=discrepancy,
            expected_version=expected_version,
        )
    output.done(f"Confirmed receipt of {found.received_quantity} for delivery {found.id}.")
    show_delivery(found)
