"""`ramstein tranches ...`: the scheduled parts of a pledge and when each is expected."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import reading, writing
from ramstein.cli.inputs import AsJson, date_option
from ramstein.cli.pledges import TRANCHE_COLUMNS, PledgeId, show_pledge
from ramstein.services import pledges

app = typer.Typer(help="Pledge tranches: schedule and reschedule deliveries.", no_args_is_help=True)

Number = Annotated[int, typer.Argument(help="The tranche's number within the pledge.")]
Version = Annotated[
    int | None,
    typer.Option(
        "--expected-version",
        help="Refuse the change unless the pledge is still at this version (as last shown).",
        metavar="N",
    ),
]


@app.command("list")
def list_(ctx: typer.Context, pledge_id: PledgeId, as_json: AsJson = False) -> None:
    """List a pledge's tranches."""
    with reading(ctx) as (conn, viewer):
        found = pledges.get_pledge(conn=conn, viewer=viewer, pledge_id=pledge_id)
    output.listing(
        found.tranches,
        TRANCHE_COLUMNS,
        as_json=as_json,
        title=f"Tranches of pledge {pledge_id}",
        empty=f"Pledge {pledge_id} has no tranches.",
    )


@app.command("add")
def add(
    ctx: typer.Context,
    pledge_id: PledgeId,
    quantity: Annotated[int, typer.Option(help="How many units in this tranche.")],
    expected_on: Annotated[
        date, date_option("When the tranche is expected to be available.", "--expected-on")
    ],
    expected_version: Version = None,
) -> None:
    """Schedule another tranche of a pledge (the donor or the chair)."""
    with writing(ctx) as (uow, actor):
        found = pledges.schedule_tranche(
            uow=uow,
            actor=actor,
            pledge_id=pledge_id,
            quantity=quantity,
            expected_on=expected_on,
            expected_version=expected_version,
        )
    output.done(f"Scheduled tranche {found.tranches[-1].number} of pledge {found.id}.")
    show_pledge(found)


@app.command("update")
def update(
    ctx: typer.Context,
    pledge_id: PledgeId,
    number: Number,
    quantity: Annotated[int | None, typer.Option(help="A new quantity.")] = None,
    expected_on: Annotated[
        date | None, date_option("A new expected date.", "--expected-on")
    ] = None,
    expected_version: Version = None,
) -> None:
    """Revise a tranche's quantity or expected date (the donor or the chair)."""
    with writing(ctx) as (uow, actor):
        found = pledges.revise_tranche(
            uow=uow,
            actor=actor,
            pledge_id=pledge_id,
            number=number,
            quantity=quantity,
            expected_on=expected_on,
            expected_version=expected_version,
        )
    output.done(f"Revised tranche {number} of pledge {found.id}.")
    show_pledge(found)
