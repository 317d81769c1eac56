"""`ramstein tokens ...`: API tokens; a secret is shown once, only its hash is kept."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import store
from ramstein.cli.inputs import AsJson
from ramstein.cli.output import col
from ramstein.services import users

app = typer.Typer(help="API tokens for users (host configuration).", no_args_is_help=True)

COLUMNS = [
    col("ID", "id"),
    col("User", "user"),
    col("Note", "note"),
    col("Created", "created_at"),
    col("Expires", "expires_at"),
    col("Revoked", "revoked_at"),
]


@app.command("issue")
def issue(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="The user the token signs in as.")],
    days: Annotated[
        int | None, typer.Option(help="Expire after this many days (default never).", min=1)
    ] = None,
    note: Annotated[str, typer.Option(help="What the token is for.")] = "",
) -> None:
    """Issue a token; its secret is printed once and cannot be shown again."""
    with store(ctx).write() as uow:
        info, secret = users.issue_token(
            conn=uow.conn,
            user=user,
            expires_in=timedelta(days=days) if days is not None else None,
            note=note,
        )
    expiry = f"expires {info.expires_at.isoformat()}" if info.expires_at else "never expires"
    output.done(f"Issued token {info.id} for {info.user} ({expiry}).")
    typer.echo("Secret (shown only now; store it safely, send it as 'Authorization: Bearer'):")
    typer.echo(secret)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    token_id: Annotated[str, typer.Argument(help="The token's ID.", metavar="ID")],
) -> None:
    """Revoke a token at once."""
    with store(ctx).write() as uow:
        users.revoke_token(conn=uow.conn, token_id=token_id)
    output.done(f"Revoked token {token_id}.")


@app.command("list")
def list_(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option(help="Only this user's tokens.")] = None,
    as_json: AsJson = False,
) -> None:
    """List tokens (never their secrets)."""
    with store(ctx).read() as conn:
        found = users.list_tokens(conn=conn, user=user)
    output.listing(found, COLUMNS, as_json=as_json, title="Tokens", empty="No tokens match.")
