"""`ramstein import ...`, `ramstein export ...`, `ramstein templates`: files in and out."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from ramstein.cli import output
from ramstein.cli.context import principal, reading, store
from ramstein.cli.errors import BadInput, fail
from ramstein.cli.inputs import AsJson
from ramstein.interchange import cells, files, writers
from ramstein.interchange.cells import BadCell
from ramstein.interchange.files import Format
from ramstein.interchange.records import Records
from ramstein.interchange.sheets import FileRefused
from ramstein.services import exports, imports
from ramstein.services.imports import Action, ImportReport
from ramstein.settings import Settings

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

InputFile = Annotated[
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
    try:
        return cells.rates(given or ())
    except BadCell as error:
        raise BadInput(f"--rate {error.reason}.") from None


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
        path: InputFile,
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
_import_command("pledge-years", "the years of multi-year pledges: amount and status")
_import_command("contributions", "contributions to pooled funds and their status")


# --- export -----------------------------------------------------------------------------


Out = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", help="Write to this file (default: standard output).", dir_okay=False
    ),
]


def gathered(ctx: typer.Context) -> Records:
    """Everything the acting principal may see, for an export."""
    with reading(ctx) as (conn, viewer):
        return exports.gather(conn=conn, viewer=viewer, group_name=Settings().group_name)


def emit(found: files.File, out: Path | None) -> None:
    """Write an export to `out`, or to standard output (text only)."""
    if out is None:
        if found.binary:
            raise BadInput(f"{found.name} is binary: give --out FILE.")
        sys.stdout.write(found.content.decode("utf-8"))
        return
    out.write_bytes(found.content)
    output.console(stderr=True).print(Text(f"Wrote {found.name} ({found.rows} rows) to {out}."))


def _export_list(name: str) -> None:
    def command(
        ctx: typer.Context,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="The file format.")] = (
            Format.CSV
        ),
        out: Out = None,
    ) -> None:
        emit(files.export(name, gathered(ctx), fmt), out)

    command.__doc__ = (
        f"Export the {name} you may see, as CSV (default), XLSX, JSON or HXL-tagged CSV."
    )
    export_app.command(name)(command)


for _name in writers.LISTS:
    _export_list(_name)


@export_app.command("workbook")
def workbook(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The .xlsx file to write.", dir_okay=False)
    ],
) -> None:
    """Export every list you may see into one workbook, a sheet each (needs, pledges and
    deliveries import again from it unchanged)."""
    emit(files.export(files.WORKBOOK, gathered(ctx), Format.XLSX), out)


@export_app.command("iati")
def iati(
    ctx: typer.Context,
    out: Out = None,
    org_ref: Annotated[
        str | None,
        typer.Option(
            "--org-ref",
            help="The group's IATI organisation identifier (default: RAMSTEIN_IATI_ORG_REF).",
        ),
    ] = None,
) -> None:
    """Export the pledges and deliveries you may see as an IATI 2.03 activity file: a pledge
    is an activity with its pledge and commitment transactions and a budget per year, each
    delivery an in-kind disbursement."""
    ref = org_ref if org_ref is not None else Settings().iati_org_ref
    emit(files.export(files.IATI, gathered(ctx), Format.XML, iati_ref=ref), out)


@export_app.command("flows")
def flows(ctx: typer.Context, out: Out = None) -> None:
    """Export the pledges and deliveries you may see as JSON flows in the shape of OCHA FTS's
    flow API: source and destination objects, status pledge, commitment or paid."""
    emit(files.export(files.FLOWS, gathered(ctx), Format.JSON), out)


# --- templates --------------------------------------------------------------------------


def templates(
    ctx: typer.Context,
    kinds: Annotated[
        list[str] | None,
        typer.Argument(help="needs, pledges, deliveries (default: all three).", metavar="KIND"),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The folder to write them to.", file_okay=False)
    ] = Path("."),
    fmt: Annotated[Format, typer.Option("--format", "-f", help="xlsx (default) or csv.")] = (
        Format.XLSX
    ),
) -> None:
    """Write blank import files: the columns each import reads, and in a workbook what each
    column means, with drop-down lists of the codes this database knows."""
    chosen = kinds or list(imports.KINDS)
    with reading(ctx) as (conn, viewer):
        codes = exports.known_codes(conn=conn, viewer=viewer)
    made = [files.template(kind, fmt, codes) for kind in chosen]
    out.mkdir(parents=True, exist_ok=True)
    for found in made:
        (out / found.name).write_bytes(found.content)
        output.done(f"Wrote {out / found.name}.")
