"""`ramstein areas ...`: capability areas (air defence, demining, ...), which are data."""

from __future__ import annotations

from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import reading, writing
from ramstein.cli.inputs import AsJson, ExpectedVersion
from ramstein.cli.output import col
from ramstein.domain.capabilities import CapabilityArea
from ramstein.services import capabilities

app = typer.Typer(help="Capability areas: the fields of support.", no_args_is_help=True)

COLUMNS = [col("Code", "code"), col("Name", "name"), col("Description", "description")]
FIELDS = [*COLUMNS, col("Version", "version")]

Code = Annotated[str, typer.Argument(help="The area's code (e.g. air-defence).")]


def show_area(found: CapabilityArea) -> None:
    output.print_record(f"Capability area {found.code}", FIELDS, found)


@app.command("list")
def list_(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List capability areas."""
    with reading(ctx) as (conn, viewer):
        found = capabilities.list_areas(conn=conn, viewer=viewer)
    output.listing(
        found, COLUMNS, as_json=as_json, title="Capability areas", empty="No capability areas yet."
    )


@app.command("show")
def show(ctx: typer.Context, code: Code, as_json: AsJson = False) -> None:
    """Show one capability area."""
    with reading(ctx) as (conn, viewer):
        found = capabilities.get_area(conn=conn, viewer=viewer, code=code)
    output.record(found, as_json=as_json, render=show_area)


@app.command("add")
def add(
    ctx: typer.Context,
    code: Code,
    name: Annotated[str, typer.Option(help="The area's name.")],
    description: Annotated[str, typer.Option(help="What the area covers.")] = "",
) -> None:
    """Define a capability area (chair only)."""
    with writing(ctx) as (uow, actor):
        found = capabilities.define_area(
            uow=uow, actor=actor, code=code, name=name, description=description
        )
    output.done(f"Defined capability area {found.code}.")
    show_area(found)


@app.command("update")
def update(
    ctx: typer.Context,
    code: Code,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    description: Annotated[str | None, typer.Option(help="A new description.")] = None,
    expected_version: ExpectedVersion = None,
) -> None:
    """Revise a capability area (chair only)."""
    with writing(ctx) as (uow, actor):
        found = capabilities.revise_area(
            uow=uow,
            actor=actor,
            code=code,
            name=name,
            description=description,
            expected_version=expected_version,
        )
    output.done(f"Revised capability area {found.code}.")
    show_area(found)
