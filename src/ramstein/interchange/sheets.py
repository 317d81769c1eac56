"""Reading a table from a file: CSV (UTF-8, comma, semicolon or tab) or XLSX (openpyxl).

`read_sheet` returns the header and every non-empty row with its line number (the row number a
spreadsheet shows), each cell as it was read: text from CSV; text, numbers, datetimes or None
from XLSX. It refuses, with one `Unreadable` naming the problem, what cannot be read as one
table: an empty file, a file that is no spreadsheet (a PDF, a picture, an old .xls), a CSV not
in UTF-8, an XLSX with formulas or merged cells in the table (every such cell is listed), a
workbook without the sheet asked for. Typing the cells is `interchange.cells`' work.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

Cell = str | int | float | datetime | None
"""A cell as read: CSV gives text; XLSX gives text, numbers, datetimes or nothing."""

MAX_BYTES = 200 * 1024 * 1024
"""The largest file read (200 MB): about two million rows of pledges."""

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NOT_TABLES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG picture",
    b"\xff\xd8\xff": "a JPEG picture",
    b"GIF8": "a GIF picture",
    b"\x1f\x8b": "a gzip archive",
}
_MERGE = re.compile(rb'<mergeCell[^>]*\bref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
_DAMAGED = (
    InvalidFileException,
    zipfile.BadZipFile,
    zlib.error,
    LookupError,  # KeyError for a missing part; IndexError for a workbook without sheets
    OSError,
    EOFError,
    SyntaxError,  # malformed XML inside: ElementTree's ParseError and lxml's XMLSyntaxError
    ValueError,
    TypeError,
)
"""What openpyxl and zipfile raise on a ZIP that is no workbook, or a workbook damaged inside."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Where a file cannot be read, and why."""

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "the file"
        where += f", column {self.column}" if self.column else ""
        shown = f" ({self.value!r})" if self.value else ""
        return f"{where}{shown}: {self.reason}"


class FileRefused(Exception):
    """A file, or rows of it, this importer refuses; every problem is listed, nothing is
    written."""

    def __init__(self, name: str, problems: Sequence[Problem], message: str) -> None:
        ordered = sorted(problems, key=lambda p: (p.line, p.column))
        listed = "; ".join(str(p) for p in ordered[:20])
        more = f" (and {len(ordered) - 20} more)" if len(ordered) > 20 else ""
        super().__init__(f"{name}: {message}, nothing was imported: {listed}{more}")
        self.name = name
        self.problems = tuple(ordered)


class Unreadable(FileRefused):
    """The file is not one table this importer can read."""

    def __init__(self, name: str, problems: Sequence[Problem]) -> None:
        super().__init__(name, problems, "cannot be read")


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Sheet:
    """A table: its name (the file's, or the XLSX sheet's), header cells and rows."""

    name: str
    header: tuple[str, ...]
    rows: tuple[Row, ...]


def read_sheet(
    data: bytes, name: str, *, sheet: str | None = None, prefer: str | None = None
) -> Sheet:
    """The table in `data` (the contents of file `name`): XLSX if it is one, else CSV.

    From a workbook: sheet `sheet`; without it, the sheet named `prefer` if there is one, else
    the first."""
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise Unreadable(name, [Problem(0, "", "", "the file is empty")])
    if len(data) > MAX_BYTES:
        raise Unreadable(
            name, [Problem(0, "", "", f"the file is larger than {MAX_BYTES // 2**20} MB")]
        )
    if data.startswith(_OLE2):
        raise Unreadable(
            name,
            [Problem(0, "", "", "an Excel 97-2003 (.xls) workbook: save it as .xlsx or as CSV")],
        )
    for magic, what in _NOT_TABLES.items():
        if data.startswith(magic):
            raise Unreadable(name, [Problem(0, "", "", f"{what}, not a spreadsheet")])
    if data.startswith(_ZIP):
        return _xlsx(data, name, sheet, prefer)
    if sheet is not None:
        raise Unreadable(name, [Problem(0, "", sheet, "a CSV file has no sheets")])
    return _csv(data, name)


def _csv(data: bytes, name: str) -> Sheet:
    if b"\x00" in data[:4096]:
        raise Unreadable(name, [Problem(0, "", "", "a binary file, not a spreadsheet")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex()
        raise Unreadable(
            name,
            [
                Problem(
                    line,
                    "",
                    "",
                    f"not UTF-8 text (byte 0x{byte}); save it as 'CSV UTF-8' or as .xlsx",
                )
            ],
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[Row] = []
    header: tuple[str, ...] | None = None
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = tuple(c.strip() for c in cells)
                continue
            rows.append(Row(reader.line_num, tuple(cells)))
    except csv.Error as error:
        raise Unreadable(name, [Problem(reader.line_num, "", "", f"not CSV: {error}")]) from None
    if header is None:
        raise Unreadable(name, [Problem(0, "", "", "the file is empty")])
    return Sheet(name, header, tuple(rows))


def _xlsx(data: bytes, name: str, sheet: str | None, prefer: str | None) -> Sheet:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except _DAMAGED as error:
        raise Unreadable(
            name, [Problem(0, "", "", f"a ZIP archive but not an Excel workbook ({error})")]
        ) from None
    try:
        return _read_book(book, data, name, sheet, prefer)
    except _DAMAGED as error:
        raise Unreadable(
            name, [Problem(0, "", "", f"a damaged Excel workbook: it cannot be read ({error})")]
        ) from None


def _read_book(
    book: openpyxl.Workbook, data: bytes, name: str, sheet: str | None, prefer: str | None
) -> Sheet:
    try:
        if sheet is None:
            chosen = book[prefer] if prefer in book.sheetnames else book.worksheets[0]
        elif sheet in book.sheetnames:
            chosen = book[sheet]
        else:
            raise Unreadable(
                name,
                [
                    Problem(
                        0,
                        "",
                        sheet,
                        "no such sheet; the workbook has: " + ", ".join(book.sheetnames),
                    )
                ],
            )
        problems = _merged(data, getattr(chosen, "_worksheet_path", ""))
        header: tuple[str, ...] | None = None
        rows: list[Row] = []
        for line, cells in _xlsx_rows(chosen):
            if header is None:
                header = tuple("" if c is None else str(c).strip() for c in cells)
                continue
            for index, cell in enumerate(cells):
                if isinstance(cell, str) and cell.startswith("="):
                    problems.append(
                        Problem(
                            line,
                            header[index] if index < len(header) else f"#{index + 1}",
                            cell,
                            "a formula: paste the values instead (Paste Special, Values)",
                        )
                    )
            rows.append(Row(line, cells))
    finally:
        book.close()
    if problems:
        raise Unreadable(name, problems)
    if header is None:
        raise Unreadable(name, [Problem(0, "", "", f"sheet {chosen.title!r} is empty")])
    return Sheet(chosen.title, header, tuple(rows))


def _xlsx_rows(sheet: object) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
        cells = tuple(row)
        if any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
            yield number, cells


def _merged(data: bytes, path: str) -> list[Problem]:
    if not path:
        return []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            xml = archive.read(path.lstrip("/"))
        except KeyError:
            return []
    return [
        Problem(
            int(re.sub(r"\D", "", ref.decode().split(":")[0]) or 0),
            "",
            ref.decode(),
            "merged cells: unmerge them and give every row its own values",
        )
        for ref in _MERGE.findall(xml)
    ]
