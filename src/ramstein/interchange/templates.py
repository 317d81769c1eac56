"""Blank import files: the header a layout reads, and in a workbook what each column means.

The XLSX template has the sheet to fill (named after the kind, header only, so nothing stray is
imported), drop-down lists for the columns with fixed choices and for the codes the database
knows (item types, participants), and a "columns" sheet saying for each column whether it is
required, what it means, the other headers it may have, and an example.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ramstein.interchange.layouts import Column, Layout

ROWS_VALIDATED = 20000
"""How many rows of the sheet to fill get the drop-down lists."""

CODE_LISTS = {"item_type": "item_types", "donor": "participants", "recipient": "participants"}
"""Columns whose drop-down lists the codes the database knows (a sheet each)."""


def importable(layout: Layout) -> list[Column]:
    return [c for c in layout.columns if not c.export_only and c.name != "id"]


def template_csv(layout: Layout) -> str:
    """The header line of an import file of `layout`."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([c.name for c in importable(layout)])
    return out.getvalue()


def template_xlsx(layout: Layout, *, codes: Mapping[str, Sequence[str]] | None = None) -> bytes:
    """A workbook to fill for `layout`; `codes` lists known codes by list name
    (`item_types`, `participants`) for the drop-downs."""
    codes = codes or {}
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = layout.kind
    columns = importable(layout)
    sheet.append([c.name for c in columns])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(12, len(column.name) + 4)
        source = None
        if column.choices:
            source = '"' + ",".join(column.choices) + '"'
        elif CODE_LISTS.get(column.name) in codes and codes[CODE_LISTS[column.name]]:
            listed = CODE_LISTS[column.name]
            source = f"={listed}!$A$2:$A${len(codes[listed]) + 1}"
        if source is not None:
            check = DataValidation(type="list", formula1=source, allow_blank=True)
            check.error = f"Choose a value of the list for {column.name}."
            check.showErrorMessage = True
            sheet.add_data_validation(check)
            check.add(f"{letter}2:{letter}{ROWS_VALIDATED + 1}")
    about = book.create_sheet("columns")
    about.append(["column", "required", "meaning", "other headers accepted", "allowed", "example"])
    for cell in about[1]:
        cell.font = Font(bold=True)
    for column in columns:
        about.append(
            [
                column.name,
                "yes" if column.required else "",
                column.meaning,
                ", ".join(column.aliases),
                ", ".join(column.choices),
                column.example,
            ]
        )
    for letter, width in zip("ABCDEF", (16, 9, 70, 40, 40, 30), strict=True):
        about.column_dimensions[letter].width = width
        for cell in about[letter]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for listed, values in codes.items():
        ref = book.create_sheet(listed)
        ref.append(["code"])
        for value in values:
            ref.append([value])
        ref.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
