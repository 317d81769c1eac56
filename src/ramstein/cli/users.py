"""`ramstein users ...`: the host's users, each acting for one participant."""

from __future__ import annotations

from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import store
from ramstein.cli.inputs import AsJson
from ramstein.cli.output import Column, col
from ramstein.domain.releasability import Role
from ramstein.services import users

app = typer.Typer(help="Users of the API and web UI (host configuration).", no_args_is_help=True)

COLUMNS = [
    col("Name", "name"),
    col("Participant", "participant"),
    Column("Roles", lambda u: sorted(r.value for r in u.roles)),
    col("Disabled", "disabled"),
]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user's name (e.g. an e-mail address).")],
    participant: Annotated[str, typer.Option(help="The participant the user acts for.")],
    role: Annotated[list[Role], typer.Option(help="A role the user holds (repeatable).")],
) -> None:
    """Add a user."""
    with store(ctx).write() as uow:
        user = users.add_user(conn=uow.conn, name=name, participant=participant, roles=role)
    output.done(f"Added user {user.name} for {user.participant}.")
    output.print_record(f"User {user.name}", COLUMNS, user)


@app.command("list")
def list_(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List users."""
    with store(ctx).read() as conn:
        found = users.list_users(conn=conn)
    output.listing(found, COLUMNS, as_json=as_json, title="Users", empty="No users yet.")
