"""`ramstein chair ...`: who chairs the coalition, since when, and handovers."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import host_signer, reading, writing
from ramstein.cli.errors import BadInput
from ramstein.cli.inputs import AsJson, date_option
from ramstein.cli.output import col
from ramstein.domain.chair import ChairTerm
from ramstein.ledger.keys import read_public_key
from ramstein.services import chair

app = typer.Typer(help="The chairmanship and its handovers.", no_args_is_help=True)

COLUMNS = [
    col("Term", "number", right=True),
    col("Chair", "chair"),
    col("Since", "since"),
    col("Until", "until"),
    col("Note", "note"),
]

Code = Annotated[str, typer.Argument(help="The participant's code.", metavar="CODE")]
Note = Annotated[str, typer.Option(help="A note recorded with the change.")]


def show_term(term: ChairTerm) -> None:
    output.print_record("Chair", COLUMNS, term)


@app.command("show")
def show(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Show who chairs the coalition now."""
    with reading(ctx) as (conn, _viewer):
        term = chair.current_chair(conn=conn)
    if as_json:
        output.print_json(term)
    elif term is None:
        output.console().print("Nobody chairs the coalition yet; record it with `chair assume`.")
    else:
        show_term(term)


@app.command("history")
def history(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List every chair term in order."""
    with reading(ctx) as (conn, viewer):
        found = chair.chair_history(conn=conn, viewer=viewer)
    output.listing(
        found, COLUMNS, as_json=as_json, title="Chair terms", empty="Nobody has chaired yet."
    )


@app.command("assume")
def assume(
    ctx: typer.Context,
    code: Code,
    since: Annotated[date | None, date_option("Since when (default today).", "--since")] = None,
    note: Note = "",
) -> None:
    """Record the coalition's first chair (host operator)."""
    with writing(ctx) as (uow, actor):
        term = chair.assume_chair(uow=uow, actor=actor, chair=code, since=since, note=note)
    output.done(f"{term.chair} chairs the coalition since {term.since}.")
    show_term(term)


@app.command("handover")
def handover(
    ctx: typer.Context,
    code: Annotated[
        str | None, typer.Argument(help="The incoming chair (or use --to).", metavar="CODE")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="The incoming chair.")] = None,
    on: Annotated[date | None, date_option("The handover date (default today).", "--on")] = None,
    note: Note = "",
    new_key: Annotated[
        Path | None,
        typer.Option(
            "--new-key",
            help="The incoming host's public key file: the log goes with the chair, and this "
            "host signs its last checkpoint.",
            metavar="PUBFILE",
        ),
    ] = None,
) -> None:
    """Hand the chair (and, with --new-key, the log) to another participant."""
    incoming = to or code
    if incoming is None or (to and code and to != code):
        raise BadInput("Name the incoming chair once, as CODE or with --to.")
    key = read_public_key(new_key) if new_key is not None else None
    host = host_signer(ctx) if key is not None else None
    with writing(ctx) as (uow, actor):
        term = chair.hand_over_chair(
            uow=uow, actor=actor, incoming=incoming, on=on, note=note, new_host_key=key, host=host
        )
    output.done(f"{term.chair} chairs the coalition from {term.since}.")
    if key is not None:
        output.done(f"The log now belongs to the key in {new_key}; this host signs no more.")
    show_term(term)
