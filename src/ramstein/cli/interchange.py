"""`ramstein import ...`, `ramstein export ...`, `ramstein templates`: files in and out."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from ramstein.cli import output
from ramstein.cli.context import principal, store
from ramstein.cli.errors import BadInput, fail
from ramstein.cli.inputs import AsJson
from ramstein.interchange.sheets import FileRefused
from ramstein.services import imports
from ramstein.services.imports import Action, ImportReport

import_app = typer.Typer(
    help="Import needs, pledges and deliveries from Excel or CSV, or a Kiel Tracker release.",
    no_args_is_help=True,
)
export_app = typer.Typer(
    help="Export what you may see: CSV, XLSX, JSON, HXL, IATI, flows, or the Kiel layout.",
    no_args_is_help=True,
)

SHOWN_CHANGES = 50
"""How many changed rows a report lists (the summary counts all of them)."""

File = Annotated[
    Path,
    typer.Argument(
        help="The file: .xlsx, or .csv (UTF-8).", exists=True, dir_okay=False, readable=True
    ),
]
Sheet = Annotated[
    str | None,
    typer.Option(
        help="The workbook's sheet (default: the one named after the kind, or the first)."
    ),
]
Rates = Annotated[
    list[str] | None,
    typer.Option(
        "--rate",
        help="EUR per unit of a currency, for rows without their own rate: USD=0.9215 "
        "(repeatable).",
        metavar="CUR=RATE",
    ),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Show what would change, and write nothing.")
]
Quiet = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]


def parse_rates(given: list[str] | None) -> dict[str, Decimal]:
    """`["USD=0.92", ...]` as {currency: rate}; `BadInput` for anything else."""
    rates: dict[str, Decimal] = {}
    for item in given or ():
        currency, _, rate = item.partition("=")
        try:
            value = Decimal(rate.strip())
        except InvalidOperation:
            value = Decimal(0)
        if len(currency.strip()) != 3 or not currency.strip().isalpha() or value <= 0:
            raise BadInput(f"--rate {item!r} is not CUR=RATE, such as USD=0.9215.")
        rates[currency.strip().upper()] = value
    return rates


def _import(
    ctx: typer.Context,
    kind: str,
    path: Path,
    sheet: str | None,
    rates: list[str] | None,
    dry_run: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    parsed_rates = parse_rates(rates)
    data = path.read_bytes()
    errors = output.console(stderr=True)
    with Progress(
        TextColumn(f"Importing {kind}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
        disable=quiet or as_json or not errors.is_terminal,
    ) as bar:
        task = bar.add_task(kind, total=None)
        try:
            report = imports.import_file(
                store=store(ctx),
                actor=principal(ctx),
                kind=kind,
                data=data,
                name=path.name,
                sheet=sheet,
                rates=parsed_rates,
                dry_run=dry_run,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except FileRefused as refused:
            bar.stop()
            show_problems(refused)
            raise fail(
                f"{refused.name}: {len(refused.problems)} problem(s), listed above; nothing "
                "was imported."
            ) from None
    if as_json:
        output.print_json(
            {
                "file": report.file,
                "kind": report.kind,
                "dry_run": report.dry_run,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "entries": report.entries,
                "changes": report.changes,
            }
        )
        return
    show_report(report)


def show_problems(refused: FileRefused) -> None:
    """Every problem of a refused file, as a table on stderr."""
    table = Table(title=f"Problems in {refused.name}", title_justify="left")
    for header in ("Line", "Column", "Value", "Reason"):
        table.add_column(header, justify="right" if header == "Line" else "left")
    for p in refused.problems:
        table.add_row(
            Text(str(p.line) if p.line else "-"), Text(p.column), Text(p.value), Text(p.reason)
        )
    output.console(stderr=True).print(table)


def show_report(report: ImportReport) -> None:
    con = output.console()
    changed = [c for c in report.changes if c.action is not Action.UNCHANGED]
    if changed:
        title = "What would change" if report.dry_run else "What changed"
        table = Table(title=title, title_justify="left")
        for header in ("Line", "Ref", "Action", "Record", "Fields"):
            table.add_column(header, justify="right" if header in ("Line", "Record") else "left")
        for c in changed[:SHOWN_CHANGES]:
            table.add_row(
                Text(str(c.line)),
                Text(c.ref),
                Text(c.action.value),
                Text(str(c.record)),
                Text(", ".join(c.fields)),
            )
        con.print(table)
        if len(changed) > SHOWN_CHANGES:
            con.print(Text(f"... and {len(changed) - SHOWN_CHANGES} more (--json lists all)."))
    if report.dry_run:
        con.print(Text(report.summary() + " Nothing was written (dry run)."))
    else:
        output.done(report.summary())


def _import_command(kind: str, what: str) -> None:
    def command(
        ctx: typer.Context,
        path: File,
        sheet: Sheet = None,
        rate: Rates = None,
        dry_run: DryRun = False,
        quiet: Quiet = False,
        as_json: AsJson = False,
    ) -> None:
        _import(ctx, kind, path, sheet, rate, dry_run, quiet, as_json)

    command.__doc__ = (
        f"Import {what} from XLSX or CSV: every row, or none if any is bad (each bad row is "
        "listed). Rows are matched by their ref, so importing the same file again changes "
        "nothing; a changed row is updated through the normal commands, and logged."
    )
    import_app.command(kind)(command)


_import_command("needs", "the recipient's needs")
_import_command("pledges", "pledges and their tranches")
_import_command("deliveries", "deliveries and their receipt")
