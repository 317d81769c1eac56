"""`ramstein import kiel DIR` and `ramstein export kiel DIR`: a Kiel Tracker release in and out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from ramstein.cli import output
from ramstein.cli.context import principal, reading, store
from ramstein.cli.errors import fail
from ramstein.interchange.kiel import ReleaseRefused, read_release, write_release
from ramstein.services import kiel
from ramstein.services.kiel import KielReport

SHOWN_CHANGES = 50
"""How many changed records a report lists (the summary counts all of them)."""

Folder = Annotated[
    Path,
    typer.Argument(
        help="The release's folder: data_explorer.csv, weapons.csv and release_info.csv.",
        metavar="DIR",
    ),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Show what would change, and write nothing.")
]


def import_kiel(ctx: typer.Context, directory: Folder, dry_run: DryRun = False) -> None:
    """Import a Kiel Institute Ukraine Support Tracker release (as the chair): its monthly
    allocations by donor and aid type as committed pledges, its heavy weapons as delivered
    pledges, its donors as participants, and the release itself, cited, with the figures no
    other record holds. All public. Everything or nothing: every problem of the files is
    listed. Importing the same release again changes nothing; a later release updates what
    an earlier one recorded, through logged revisions and cancellations."""
    errors = output.console(stderr=True)
    try:
        release = read_release(directory)
    except ReleaseRefused as refused:
        raise _refused(refused) from None
    with Progress(
        TextColumn(f"Importing Kiel Tracker release {release.info.release}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    ) as bar:
        task = bar.add_task("kiel", total=None)
        try:
            report = kiel.import_release(
                store=store(ctx),
                actor=principal(ctx),
                release=release,
                where=str(directory),
                dry_run=dry_run,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except ReleaseRefused as refused:
            bar.stop()
            raise _refused(refused) from None
    _show(report)


def _refused(refused: ReleaseRefused) -> typer.Exit:
    table = Table(title=f"Problems in {refused.where}", title_justify="left")
    for header in ("File", "Line", "Column", "Value", "Reason"):
        table.add_column(header, justify="right" if header == "Line" else "left")
    for p in refused.problems:
        table.add_row(
            Text(p.file),
            Text(str(p.line) if p.line else "-"),
            Text(p.column),
            Text(p.value),
            Text(p.reason),
        )
    output.console(stderr=True).print(table)
    return fail(str(refused))


def _show(report: KielReport) -> None:
    con = output.console()
    if report.changes:
        title = "What would change" if report.dry_run else "What changed"
        con.print(Text(title, style="bold"))
        for line in report.changes[:SHOWN_CHANGES]:
            con.print(Text(f"  {line}"))
        if len(report.changes) > SHOWN_CHANGES:
            con.print(Text(f"  ... and {len(report.changes) - SHOWN_CHANGES} more."))
    if report.dry_run:
        con.print(Text(report.summary() + " Nothing was written (dry run)."))
    else:
        output.done(report.summary())


def export_kiel(
    ctx: typer.Context,
    directory: Annotated[
        Path,
        typer.Argument(
            help="The folder to write the three files to (made if missing).",
            metavar="DIR",
            file_okay=False,
        ),
    ],
) -> None:
    """Export the newest Kiel Tracker release recorded here in the Tracker's own layout
    (data_explorer.csv, weapons.csv, release_info.csv): the allocations from the pledges you
    may see, the rest from the release's recorded figures. Importing it again changes
    nothing."""
    with reading(ctx) as (conn, viewer):
        release = kiel.export_release(conn=conn, viewer=viewer)
    written = write_release(release, directory)
    output.done(
        f"Wrote Kiel Tracker release {release.info.release} to {directory}: "
        f"{len(release.months)} donor months, {len(release.weapons)} weapons rows "
        f"({', '.join(p.name for p in written)})."
    )
