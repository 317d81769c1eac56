"""`ramstein init | status | rebuild`: the database itself."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from ramstein.cli import output
from ramstein.cli.context import store
from ramstein.cli.errors import fail
from ramstein.cli.inputs import AsJson
from ramstein.services import maintenance
from ramstein.services.maintenance import Status


def _summary(found: Status) -> Table:
    out = Table(title="Ramstein", title_justify="left", show_header=False)
    out.add_column("field", style="bold")
    out.add_column("value")
    chair = f"{found.chair.chair} (since {found.chair.since})" if found.chair else "nobody yet"
    rows = [
        ("Database", found.database),
        ("Migrations current", "yes" if found.migrations_current else "no"),
        ("Log size", str(found.log_size)),
        ("Last entry", found.last_entry_at or "–"),
        ("Sitting chair", chair),
    ]
    for key, value in rows:
        out.add_row(Text(key), Text(value))
    return out


def init(ctx: typer.Context) -> None:
    """Create the database, or bring its schema up to date, and say where it is."""
    opened = store(ctx)
    found = maintenance.status(store=opened)
    output.done(f"Database ready: {found.database}")
    if opened.dialect == "sqlite" and opened.engine.url.database not in (None, "", ":memory:"):
        path = Path(opened.engine.url.database or "").resolve()
        output.console().print(Text(f"SQLite file: {path}"))
    output.console().print(
        Text(
            f"Schema current: {'yes' if found.migrations_current else 'no'}; "
            f"log size {found.log_size}."
        )
    )


def status(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Show the log's size and last entry, the sitting chair, and record counts."""
    found = maintenance.status(store=store(ctx))
    if as_json:
        output.print_json(found)
        return
    con = output.console()
    con.print(_summary(found))
    counts = Table(title="Records", title_justify="left")
    counts.add_column("Kind")
    counts.add_column("Count", justify="right")
    for kind, count in found.counts.items():
        counts.add_row(Text(kind.replace("_", " ")), Text(str(count)))
    con.print(counts)


def rebuild(
    ctx: typer.Context,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Replay the whole log into empty projections and prove the state is unchanged."""
    s = store(ctx)
    total = maintenance.status(store=s).log_size
    with Progress(
        TextColumn("Replaying the log"),
        BarColumn(),
        MofNCompleteColumn(),
        console=output.console(stderr=True),
        transient=True,
        disable=quiet,
    ) as progress:
        task = progress.add_task("replay", total=total)
        report = maintenance.rebuild(
            store=s, progress=lambda seq: progress.update(task, completed=seq)
        )
    con = output.console()
    con.print(Text(f"Replayed {report.entries} log entries."))
    con.print(Text(f"State digest before: {report.digest_before}"))
    con.print(Text(f"State digest after:  {report.digest_after}"))
    if not report.identical:
        raise fail(
            "The rebuilt state differs from the projections it replaced; the projections had "
            "drifted from the log, and the rebuilt state (from the log) is now in place."
        )
    output.done("The rebuilt state is identical.")
