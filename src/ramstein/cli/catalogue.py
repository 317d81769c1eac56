"""`ramstein catalogue ...`: item types and the substitutions between them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import reading, writing
from ramstein.cli.errors import BadInput
from ramstein.cli.inputs import AsJson, ExpectedVersion, decimal_option, parse_decimal
from ramstein.cli.output import col
from ramstein.domain.catalogue import ItemType
from ramstein.services import catalogue

app = typer.Typer(help="The item catalogue and substitutions between items.", no_args_is_help=True)

COLUMNS = [
    col("Code", "code"),
    col("Name", "name"),
    col("Area", "area"),
    col("Unit", "unit"),
    col("Unit value (EUR)", "unit_value_eur", right=True),
]
FIELDS = [*COLUMNS, col("Version", "version")]
SUBSTITUTION_COLUMNS = [
    col("Offer", "offer_type"),
    col("Serves need for", "need_type"),
    col("Ratio", "ratio", right=True),
]

Code = Annotated[str, typer.Argument(help="The item type's code (e.g. 155mm-shell).")]
UnitValue = Annotated[
    Decimal | None, decimal_option("Reference value of one unit, in EUR.", "--value")
]


def show_item(found: ItemType) -> None:
    output.print_record(f"Item type {found.code}", FIELDS, found)


@app.command("list")
def list_(
    ctx: typer.Context,
    area: Annotated[str | None, typer.Option(help="Only items of this capability area.")] = None,
    as_json: AsJson = False,
) -> None:
    """List item types."""
    with reading(ctx) as (conn, viewer):
        found = catalogue.list_items(conn=conn, viewer=viewer, area=area)
    output.listing(
        found, COLUMNS, as_json=as_json, title="Item types", empty="No item types match."
    )


@app.command("show")
def show(ctx: typer.Context, code: Code, as_json: AsJson = False) -> None:
    """Show one item type."""
    with reading(ctx) as (conn, viewer):
        found = catalogue.get_item(conn=conn, viewer=viewer, code=code)
    output.record(found, as_json=as_json, render=show_item)


@app.command("add")
def add(
    ctx: typer.Context,
    code: Code,
    name: Annotated[str, typer.Option(help="The item's name.")],
    area: Annotated[str, typer.Option(help="Its capability area.")],
    unit: Annotated[str, typer.Option(help="Its unit of measure (e.g. round, system).")],
    value: Annotated[Decimal, decimal_option("Reference value of one unit, in EUR.", "--value")],
) -> None:
    """Define an item type (chair only)."""
    with writing(ctx) as (uow, actor):
        found = catalogue.define_item(
            uow=uow,
            actor=actor,
            code=code,
            name=name,
            area=area,
            unit=unit,
            unit_value_eur=value,
        )
    output.done(f"Defined item type {found.code}.")
    show_item(found)


@app.command("update")
def update(
    ctx: typer.Context,
    code: Code,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    area: Annotated[str | None, typer.Option(help="A new capability area.")] = None,
    unit: Annotated[str | None, typer.Option(help="A new unit of measure.")] = None,
    value: UnitValue = None,
    expected_version: ExpectedVersion = None,
) -> None:
    """Revise an item type (chair only)."""
    with writing(ctx) as (uow, actor):
        found = catalogue.revise_item(
            uow=uow,
            actor=actor,
            code=code,
            name=name,
            area=area,
            unit=unit,
            unit_value_eur=value,
            expected_version=expected_version,
        )
    output.done(f"Revised item type {found.code}.")
    show_item(found)


@app.command("substitute")
def substitute(
    ctx: typer.Context,
    offer: Annotated[str, typer.Argument(help="The item type offered.")],
    need: Annotated[str, typer.Argument(help="The item type it can serve a need for.")],
    ratio: Annotated[
        Decimal | None,
        typer.Argument(help="Units of NEED served by one unit of OFFER.", parser=parse_decimal),
    ] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Remove the substitution.")] = False,
) -> None:
    """Let one item type serve a need for another at a ratio, or remove that (chair only)."""
    if (ratio is None) == (not remove):
        raise BadInput("Give either a RATIO or --remove.")
    with writing(ctx) as (uow, actor):
        found = catalogue.set_substitution(
            uow=uow, actor=actor, offer_type=offer, need_type=need, ratio=ratio
        )
    if found is None:
        output.done(f"{offer} no longer serves needs for {need}.")
    else:
        output.done(f"One {offer} now serves {found.ratio} of a need for {need}.")


@app.command("substitutions")
def substitutions(
    ctx: typer.Context,
    item: Annotated[
        str | None, typer.Option(help="Only substitutions offering or serving this item.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """List substitutions between item types."""
    with reading(ctx) as (conn, viewer):
        found = catalogue.list_substitutions(conn=conn, viewer=viewer, item=item)
    output.listing(
        found,
        SUBSTITUTION_COLUMNS,
        as_json=as_json,
        title="Substitutions",
        empty="No substitutions match.",
    )
