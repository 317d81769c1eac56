"""The `ramstein` command: root options and one command group per noun.

Every command parses its input, calls one service function inside one transaction, and
renders the result; `errors.RamsteinGroup` turns any refusal into one sentence and exit 1.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ramstein.cli import (
    analytics,
    areas,
    backup,
    baselines,
    catalogue,
    chair,
    coalitions,
    deliveries,
    funds,
    interchange,
    kiel,
    log,
    maintenance,
    match,
    meetings,
    mirror,
    needs,
    participants,
    pledges,
    publish,
    serve,
    tokens,
    tranches,
    users,
    witness,
)
from ramstein.cli.context import CliState
from ramstein.cli.demo import app as demo_app
from ramstein.cli.errors import RamsteinGroup

app = typer.Typer(
    cls=RamsteinGroup,
    name="ramstein",
    help="Ramstein: needs, pledges, deliveries and meetings of an assistance coalition.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="SQLAlchemy URL of the database (overrides RAMSTEIN_DATABASE_URL).",
            metavar="URL",
        ),
    ] = None,
    acting_as: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Act and read as this participant, with the roles it holds (default: the "
            "host operator acting for the sitting chair).",
            metavar="CODE",
        ),
    ] = None,
) -> None:
    """Ramstein: needs, pledges, deliveries and meetings of an assistance coalition."""
    found = CliState(database_url=database_url, acting_as=acting_as)
    ctx.obj = found
    ctx.call_on_close(found.close)


app.command("init")(maintenance.init)
app.command("status")(maintenance.status)
app.command("rebuild")(maintenance.rebuild)
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.command("serve")(serve.serve)
app.command("templates")(interchange.templates)
app.command("publish")(publish.publish)

for name, group in (
    ("participants", participants.app),
    ("areas", areas.app),
    ("coalitions", coalitions.app),
    ("catalogue", catalogue.app),
    ("needs", needs.app),
    ("pledges", pledges.app),
    ("log", log.app),
    ("mirror", mirror.app),
    ("witness", witness.app),
    ("tranches", tranches.app),
    ("deliveries", deliveries.app),
    ("funds", funds.app),
    ("baselines", baselines.app),
    ("meetings", meetings.app),
    ("match", match.app),
    ("analytics", analytics.app),
    ("chair", chair.app),
    ("users", users.app),
    ("tokens", tokens.app),
    ("demo", demo_app),
    ("import", interchange.import_app),
    ("export", interchange.export_app),
):
    app.add_typer(group, name=name)


interchange.import_app.command("kiel")(kiel.import_kiel)
interchange.export_app.command("kiel")(kiel.export_kiel)

if __name__ == "__main__":  # pragma: no cover
    app()
