"""`ramstein needs ...`: the recipient's prioritised needs."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import reading, writing
from ramstein.cli.errors import BadInput
from ramstein.cli.inputs import (
    AsJson,
    ExpectedVersion,
    Limit,
    ReleasabilityOpt,
    ReleasableTo,
    date_option,
    label,
    label_change,
)
from ramstein.cli.output import col
from ramstein.domain.needs import Need, NeedStatus, Priority
from ramstein.domain.participants import ParticipantKind
from ramstein.services import needs, participants

app = typer.Typer(help="The recipient's prioritised needs.", no_args_is_help=True)

COLUMNS = [
    col("ID", "id", right=True),
    col("Recipient", "recipient"),
    col("Item", "item_type"),
    col("Quantity", "quantity", right=True),
    col("Priority", "priority"),
    col("Needed by", "needed_by"),
    col("Status", "status"),
    col("Releasability", "label"),
]
FIELDS = [
    *COLUMNS,
    col("Raised on", "raised_on"),
    col("Rationale", "rationale"),
    col("External ref", "external_ref"),
    col("Version", "version"),
]

NeedId = Annotated[int, typer.Argument(help="The need's number.", metavar="ID")]


def show_need(found: Need) -> None:
    output.print_record(f"Need {found.id}", FIELDS, found)


@app.command("list")
def list_(
    ctx: typer.Context,
    area: Annotated[str | None, typer.Option(help="Only items of this capability area.")] = None,
    status: Annotated[
        list[NeedStatus] | None, typer.Option(help="Only this status (repeatable).")
    ] = None,
    priority: Annotated[
        list[Priority] | None, typer.Option(help="Only this priority (repeatable).")
    ] = None,
    item: Annotated[str | None, typer.Option(help="Only this item type.")] = None,
    releasability: ReleasabilityOpt = None,
    needed_from: Annotated[
        date | None, date_option("Only needs due on or after this date.", "--from")
    ] = None,
    needed_until: Annotated[
        date | None, date_option("Only needs due on or before this date.", "--until")
    ] = None,
    limit: Limit = None,
    as_json: AsJson = False,
) -> None:
    """List the needs you may see, most urgent first."""
    with reading(ctx) as (conn, viewer):
        found = needs.list_needs(
            conn=conn,
            viewer=viewer,
            area=area,
            item_type=item,
            status=status,
            priority=priority,
            releasability=releasability,
            needed_from=needed_from,
            needed_until=needed_until,
            limit=limit,
        )
    output.listing(found, COLUMNS, as_json=as_json, title="Needs", empty="No needs match.")


@app.command("show")
def show(ctx: typer.Context, need_id: NeedId, as_json: AsJson = False) -> None:
    """Show one need."""
    with reading(ctx) as (conn, viewer):
        found = needs.get_need(conn=conn, viewer=viewer, need_id=need_id)
    output.record(found, as_json=as_json, render=show_need)


@app.command("add")
def add(
    ctx: typer.Context,
    item: Annotated[str, typer.Option(help="The item type needed.")],
    quantity: Annotated[int, typer.Option(help="How many units.")],
    priority: Annotated[Priority, typer.Option(help="P1 (most urgent) to P4.")],
    needed_by: Annotated[date, date_option("The date it is needed by.", "--needed-by")],
    recipient: Annotated[
        str | None,
        typer.Option(help="The recipient (default: the only participant of kind recipient)."),
    ] = None,
    raised_on: Annotated[
        date | None, date_option("When the need was raised (default today).", "--raised-on")
    ] = None,
    rationale: Annotated[str, typer.Option(help="Why it is needed.")] = "",
    releasability: ReleasabilityOpt = None,
    to: ReleasableTo = None,
    ref: Annotated[
        str | None, typer.Option("--ref", help="An external reference (e.g. a request number).")
    ] = None,
) -> None:
    """Submit a need (the recipient or the chair)."""
    with writing(ctx) as (uow, actor):
        if recipient is None:
            found = participants.list_participants(
                conn=uow.conn, viewer=actor, kind=ParticipantKind.RECIPIENT
            )
            if len(found) != 1:
                codes = ", ".join(p.code for p in found) or "none"
                raise BadInput(f"Name the recipient with --recipient (recipients: {codes}).")
            recipient = found[0].code
        need = needs.submit_need(
            uow=uow,
            actor=actor,
            recipient=recipient,
            item_type=item,
            quantity=quantity,
            priority=priority,
            needed_by=needed_by,
            raised_on=raised_on,
            rationale=rationale,
            label=label(releasability, to),
            external_ref=ref,
        )
    output.done(f"Submitted need {need.id}.")
    show_need(need)


@app.command("update")
def update(
    ctx: typer.Context,
    need_id: NeedId,
    quantity: Annotated[int | None, typer.Option(help="A new quantity.")] = None,
    priority: Annotated[Priority | None, typer.Option(help="A new priority.")] = None,
    needed_by: Annotated[date | None, date_option("A new needed-by date.", "--needed-by")] = None,
    rationale: Annotated[str | None, typer.Option(help="A new rationale.")] = None,
    releasability: ReleasabilityOpt = None,
    to: ReleasableTo = None,
    expected_version: ExpectedVersion = None,
) -> None:
    """Revise a need (the recipient or the chair)."""
    with writing(ctx) as (uow, actor):
        need = needs.revise_need(
            uow=uow,
            actor=actor,
            need_id=need_id,
            quantity=quantity,
            priority=priority,
            needed_by=needed_by,
            rationale=rationale,
            label=label_change(releasability, to),
            expected_version=expected_version,
        )
    output.done(f"Revised need {need.id}.")
    show_need(need)


@app.command("status")
def status(
    ctx: typer.Context,
    need_id: NeedId,
    new_status: Annotated[NeedStatus, typer.Argument(metavar="STATUS", help="The new status.")],
    reason: Annotated[str, typer.Option(help="Why (required to withdraw).")] = "",
    expected_version: ExpectedVersion = None,
) -> None:
    """Change a need's status: open, partly covered, covered or withdrawn."""
    with writing(ctx) as (uow, actor):
        need = needs.change_need_status(
            uow=uow,
            actor=actor,
            need_id=need_id,
            status=new_status,
            reason=reason,
            expected_version=expected_version,
        )
    output.done(f"Need {need.id} is now {need.status.value}.")
    show_need(need)
