"""`ramstein participants ...`: the states, organisations and the recipient that take part."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import reading, writing
from ramstein.cli.inputs import AsJson, ExpectedVersion, date_option, decimal_option
from ramstein.cli.output import col
from ramstein.domain.participants import Participant, ParticipantKind, ParticipantStatus
from ramstein.services import participants

app = typer.Typer(
    help="The states and organisations that take part, and the recipient.", no_args_is_help=True
)

COLUMNS = [
    col("Code", "code"),
    col("Name", "name"),
    col("Kind", "kind"),
    col("Status", "status"),
    col("Joined", "joined_on"),
    col("Left", "left_on"),
    col("GDP (EUR bn)", "gdp_eur_bn", right=True),
]
FIELDS = [*COLUMNS, col("Version", "version")]

Code = Annotated[str, typer.Argument(help="The participant's code (e.g. DEU, NATO).")]
Gdp = Annotated[
    Decimal | None,
    decimal_option("GDP in EUR billions, for burden-sharing shares.", "--gdp", metavar="EUR_BN"),
]


def show_participant(found: Participant) -> None:
    output.print_record(f"Participant {found.code}", FIELDS, found)


@app.command("list")
def list_(
    ctx: typer.Context,
    kind: Annotated[ParticipantKind | None, typer.Option(help="Only this kind.")] = None,
    status: Annotated[ParticipantStatus | None, typer.Option(help="Only this status.")] = None,
    as_json: AsJson = False,
) -> None:
    """List participants."""
    with reading(ctx) as (conn, viewer):
        found = participants.list_participants(conn=conn, viewer=viewer, kind=kind, status=status)
    output.listing(
        found, COLUMNS, as_json=as_json, title="Participants", empty="No participants match."
    )


@app.command("show")
def show(ctx: typer.Context, code: Code, as_json: AsJson = False) -> None:
    """Show one participant."""
    with reading(ctx) as (conn, viewer):
        found = participants.get_participant(conn=conn, viewer=viewer, code=code)
    output.record(found, as_json=as_json, render=show_participant)


@app.command("add")
def add(
    ctx: typer.Context,
    code: Code,
    name: Annotated[str, typer.Option(help="The participant's name.")],
    kind: Annotated[ParticipantKind, typer.Option(help="State, organisation or recipient.")],
    status: Annotated[
        ParticipantStatus, typer.Option(help="Member or observer.")
    ] = ParticipantStatus.MEMBER,
    joined_on: Annotated[
        date | None, date_option("When it joined (default today).", "--joined-on")
    ] = None,
    gdp: Gdp = None,
) -> None:
    """Register a participant (chair only)."""
    with writing(ctx) as (uow, actor):
        found = participants.register_participant(
            uow=uow,
            actor=actor,
            code=code,
            name=name,
            kind=kind,
            status=status,
            joined_on=joined_on,
            gdp_eur_bn=gdp,
        )
    output.done(f"Registered participant {found.code}.")
    show_participant(found)


@app.command("update")
def update(
    ctx: typer.Context,
    code: Code,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    gdp: Gdp = None,
    expected_version: ExpectedVersion = None,
) -> None:
    """Revise a participant's name or GDP (chair only)."""
    with writing(ctx) as (uow, actor):
        found = participants.revise_participant(
            uow=uow,
            actor=actor,
            code=code,
            name=name,
            gdp_eur_bn=gdp,
            expected_version=expected_version,
        )
    output.done(f"Revised participant {found.code}.")
    show_participant(found)


@app.command("status")
def status(
    ctx: typer.Context,
    code: Code,
    new_status: Annotated[ParticipantStatus, typer.Argument(metavar="STATUS", help="New status.")],
    on: Annotated[date | None, date_option("When it changed (default today).", "--on")] = None,
    expected_version: ExpectedVersion = None,
) -> None:
    """Change a participant's status: member, observer, or left (chair only)."""
    with writing(ctx) as (uow, actor):
        found = participants.change_participant_status(
            uow=uow,
            actor=actor,
            code=code,
            status=new_status,
            on=on,
            expected_version=expected_version,
        )
    output.done(f"{found.code} is now {found.status.value}.")
    show_participant(found)
