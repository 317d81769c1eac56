"""`ramstein backup | restore`: a consistent copy of the database, and loading it elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, TextColumn
from rich.text import Text

from ramstein.cli import output
from ramstein.cli.context import store
from ramstein.cli.inputs import AsJson
from ramstein.services import backup as backups
from ramstein.services.backup import Manifest

Quiet = Annotated[bool, typer.Option("--quiet", help="No progress display.")]


@contextmanager
def _progress(verb: str, quiet: bool) -> Iterator[backups.Progress]:
    """A transient line on a terminal's stderr: the table being copied and its rows so far."""
    console = output.console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        console=console,
        transient=True,
        disable=quiet or not console.is_terminal,
    ) as shown:
        task = shown.add_task(verb)

        def update(table: str, rows: int) -> None:
            shown.update(task, description=f"{verb} {table}: {rows:,} rows")

        yield update


def _summary(manifest: Manifest) -> None:
    con = output.console()
    con.print(
        Text(
            f"Log: {manifest.log_size} entries, last checkpoint at {manifest.checkpoint_size}; "
            f"schema revision {manifest.revision}."
        )
    )
    con.print(Text(f"State digest: {manifest.state_digest}"))


def backup(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Argument(help="The directory to write: new, or empty.", metavar="DIR")
    ],
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Write every table and the full log bundle of one instant to a new directory, while
    the server may keep writing; `manifest.json`, written last, holds their checksums."""
    with _progress("Backing up", quiet or as_json) as progress:
        manifest = backups.backup(store=store(ctx), out=out, progress=progress)
    if as_json:
        output.print_json(manifest.to_json())
        return
    output.done(f"Backed up {manifest.rows} rows of {manifest.tables} tables to {out}.")
    _summary(manifest)


def restore(
    ctx: typer.Context,
    source: Annotated[
        Path, typer.Argument(help="The backup directory (with its manifest.json).", metavar="DIR")
    ],
    quiet: Quiet = False,
    as_json: AsJson = False,
) -> None:
    """Load a backup into this empty database (SQLite or PostgreSQL, either way round), then
    verify the log, its projections and the state digest against the backup's."""
    with _progress("Restoring", quiet or as_json) as progress:
        manifest = backups.restore(store=store(ctx), source=source, progress=progress)
    if as_json:
        output.print_json(manifest.to_json())
        return
    output.done(f"Restored {manifest.rows} rows of {manifest.tables} tables from {source}.")
    output.console().print(
        Text(f"Backup of {manifest.url} ({manifest.dialect}), taken {manifest.created_at}.")
    )
    _summary(manifest)
    output.done("The log verifies, its projections match a replay, and the state is the backup's.")
