"""Reading one table from the bytes of a CSV or XLSX file, and refusing what is not one."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ramstein.interchange.sheets import FileRefused, Problem, Row, Sheet, Unreadable, read_sheet


def xlsx(
    rows: list[list[object]],
    *,
    title: str = "needs",
    merge: str | None = None,
    others: tuple[str, ...] = (),
) -> bytes:
    """A workbook of one sheet `title` holding `rows` (and empty sheets `others` after it)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if merge is not None:
        sheet.merge_cells(merge)
    for other in others:
        book.create_sheet(other)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(data: bytes, part: str, content: bytes) -> bytes:
    """`data`, a ZIP, with the member ending in `part` replaced by `content`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            body = content if member.filename.endswith(part) else source.read(member)
            target.writestr(member, body)
    return out.getvalue()


def refusal(data: bytes, name: str = "file.csv", **options: str) -> tuple[Problem, ...]:
    with pytest.raises(Unreadable) as refused:
        read_sheet(data, name, **options)
    assert refused.value.name == name
    return refused.value.problems


# --- CSV --------------------------------------------------------------------------------


def test_a_csv_gives_its_header_and_rows_with_the_lines_a_spreadsheet_shows() -> None:
    data = b"ref, item_type ,quantity\r\nN-1,155mm-shell,20000\r\n\r\n,,\r\nN-2,fpv-drone, 5 \r\n"

    sheet = read_sheet(data, "needs.csv")

    assert sheet == Sheet(
        "needs.csv",
        ("ref", "item_type", "quantity"),
        (Row(2, ("N-1", "155mm-shell", "20000")), Row(5, ("N-2", "fpv-drone", " 5 "))),
    )


@pytest.mark.parametrize("delimiter", [";", "\t"], ids=["semicolon", "tab"])
def test_semicolon_and_tab_separated_csv_are_read(delimiter: str) -> None:
    text = f"ref{delimiter}value\nP-1{delimiter}1,5\n"

    sheet = read_sheet(text.encode(), "pledges.csv")

    assert sheet.header == ("ref", "value")
    assert sheet.rows == (Row(2, ("P-1", "1,5")),)


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_header() -> None:
    sheet = read_sheet("\ufeffref,rationale\nN-1,Zaporizhzhia\n".encode(), "needs.csv")

    assert sheet.header == ("ref", "rationale")
    assert sheet.rows == (Row(2, ("N-1", "Zaporizhzhia")),)


def test_quoted_cells_keep_their_commas_semicolons_and_line_breaks() -> None:
    data = (
        b'ref,tranches,rationale\nP-1,"60@2027-03-31; 40@2027-06-30","rail, then road\n'
        b'via Rzeszow"\n'
    )

    sheet = read_sheet(data, "pledges.csv")

    assert sheet.rows[0].cells == (
        "P-1",
        "60@2027-03-31; 40@2027-06-30",
        "rail, then road\nvia Rzeszow",
    )


def test_a_csv_not_in_utf8_is_refused_at_the_line_of_the_first_bad_byte() -> None:
    data = "ref,rationale\nN-1,winter\nN-2,Kyiv–Kharkiv, für den Winter\n".encode(
        "latin-1", "replace"
    )

    (problem,) = refusal(data)

    assert problem.line == 3
    assert problem.reason == "not UTF-8 text (byte 0xfc); save it as 'CSV UTF-8' or as .xlsx"


def test_a_csv_with_broken_quoting_is_refused() -> None:
    (problem,) = refusal(b'ref,rationale\nN-1,"unterminated\n')

    assert problem.reason.startswith("not CSV: ")


def test_a_csv_has_no_sheets() -> None:
    (problem,) = refusal(b"ref\nN-1\n", sheet="needs")

    assert (problem.value, problem.reason) == ("needs", "a CSV file has no sheets")


@pytest.mark.parametrize(
    "data",
    [b"", b"\xef\xbb\xbf", b" \r\n\r\n\t", b",,,\n, ,\n"],
    ids=["nothing", "only-a-bom", "only-blank-lines", "only-delimiters"],
)
def test_an_empty_file_is_refused(data: bytes) -> None:
    (problem,) = refusal(data)

    assert str(problem) == "the file: the file is empty"


# --- not spreadsheets -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document, not a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG picture, not a spreadsheet"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG picture, not a spreadsheet"),
        (b"GIF89a\x01\x00\x01\x00", "a GIF picture, not a spreadsheet"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "a gzip archive, not a spreadsheet"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "an Excel 97-2003 (.xls) workbook: save it as .xlsx or as CSV",
        ),
        (bytes(range(256)) * 4, "a binary file, not a spreadsheet"),
    ],
    ids=["pdf", "png", "jpeg", "gif", "gzip", "xls", "binary"],
)
def test_a_file_that_is_no_spreadsheet_is_refused_saying_what_it_is(
    data: bytes, reason: str
) -> None:
    (problem,) = refusal(data, "needs.xlsx")

    assert (problem.line, problem.reason) == (0, reason)


def test_a_zip_that_is_no_workbook_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")

    (problem,) = refusal(out.getvalue(), "needs.xlsx")

    assert problem.reason.startswith("a ZIP archive but not an Excel workbook")


def test_a_truncated_workbook_is_refused() -> None:
    data = xlsx([["ref"], ["N-1"]])

    (problem,) = refusal(data[: len(data) // 2], "needs.xlsx")

    assert problem.reason.startswith("a ZIP archive but not an Excel workbook")


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_a_workbook_with_a_part_that_is_no_xml_is_refused(part: str) -> None:
    data = rezip(xlsx([["ref"], ["N-1"]]), part, b"<worksheet><sheetData><row")

    (problem,) = refusal(data, "needs.xlsx")

    assert problem.reason.startswith("a ZIP archive but not an Excel workbook")


def test_a_workbook_whose_sheet_breaks_off_part_way_is_refused() -> None:
    data = xlsx([["ref", "quantity"], *([f"N-{n}", n] for n in range(50))])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")

    (problem,) = refusal(rezip(data, "sheet1.xml", sheet[: len(sheet) * 2 // 3]), "needs.xlsx")

    assert problem.reason.startswith("a damaged Excel workbook: it cannot be read")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([b"", b"PK\x03\x04", b"ref,quantity\n"]))
def test_any_bytes_are_read_as_a_table_or_refused_with_a_reason(data: bytes, prefix: bytes) -> None:
    try:
        sheet = read_sheet(prefix + data, "upload")
    except Unreadable as refused:
        assert refused.problems
        assert all(p.reason for p in refused.problems)
    else:
        assert all(row.line >= 2 for row in sheet.rows)


# --- XLSX -------------------------------------------------------------------------------


def test_a_workbook_gives_typed_cells() -> None:
    on = datetime(2027, 3, 31)
    data = xlsx([["ref", "quantity", "value", "needed_by", "note"], ["N-1", 20000, 1.5, on, None]])

    sheet = read_sheet(data, "needs.xlsx")

    assert sheet.name == "needs"
    assert sheet.header == ("ref", "quantity", "value", "needed_by", "note")
    assert sheet.rows == (Row(2, ("N-1", 20000, 1.5, on, None)),)


def test_workbook_lines_are_the_row_numbers_excel_shows() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["B3"], sheet["C3"] = "ref", "quantity"
    sheet["B4"], sheet["C4"] = "N-1", 10
    sheet["B7"], sheet["C7"] = "N-2", 20
    out = io.BytesIO()
    book.save(out)

    read = read_sheet(out.getvalue(), "needs.xlsx")

    assert read.header == ("", "ref", "quantity")
    assert [(r.line, r.cells[1:]) for r in read.rows] == [(4, ("N-1", 10)), (7, ("N-2", 20))]


def test_the_sheet_named_after_the_kind_is_read_by_default_else_the_first() -> None:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Read me"
    first.append(["notes"])
    book.create_sheet("pledges").append(["ref"])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()

    assert read_sheet(data, "f.xlsx", prefer="pledges").header == ("ref",)
    assert read_sheet(data, "f.xlsx", prefer="needs").header == ("notes",)
    assert read_sheet(data, "f.xlsx", sheet="Read me", prefer="pledges").header == ("notes",)


def test_a_workbook_without_the_named_sheet_is_refused_listing_its_sheets() -> None:
    data = xlsx([["ref"]], title="Needs 2027", others=("Pledges",))

    (problem,) = refusal(data, "f.xlsx", sheet="needs")

    assert problem.value == "needs"
    assert problem.reason == "no such sheet; the workbook has: Needs 2027, Pledges"


def test_an_empty_sheet_is_refused() -> None:
    (problem,) = refusal(xlsx([], title="needs"), "f.xlsx")

    assert problem.reason == "sheet 'needs' is empty"


def test_every_formula_in_the_table_is_refused_with_its_line_and_column() -> None:
    data = xlsx(
        [["ref", "quantity", "value"], ["P-1", "=10*1000", 5], ["P-2", 7, "=B3*3200"]],
        title="pledges",
    )

    problems = refusal(data, "pledges.xlsx")

    assert [(p.line, p.column, p.value) for p in problems] == [
        (2, "quantity", "=10*1000"),
        (3, "value", "=B3*3200"),
    ]
    assert problems[0].reason == "a formula: paste the values instead (Paste Special, Values)"


def test_merged_cells_are_refused_naming_the_range() -> None:
    data = xlsx([["ref", "item_type"], ["N-1", "155mm-shell"], ["N-2", None]], merge="B2:B3")

    (problem,) = refusal(data, "needs.xlsx")

    assert (problem.line, problem.value) == (2, "B2:B3")
    assert problem.reason == "merged cells: unmerge them and give every row its own values"


# --- the refusal itself -----------------------------------------------------------------


def test_a_refusal_says_where_and_why_in_line_order_and_shortens_a_long_list() -> None:
    problems = [Problem(n, "quantity", f"x{n}", "a whole number") for n in range(30, 5, -1)]

    refused = FileRefused("needs.csv", problems, "25 bad row(s)")

    assert [p.line for p in refused.problems] == list(range(6, 31))
    message = str(refused)
    assert message.startswith(
        "needs.csv: 25 bad row(s), nothing was imported: "
        "line 6, column quantity ('x6'): a whole number; "
    )
    assert message.endswith("(and 5 more)")
    assert str(Problem(0, "", "", "the file is empty")) == "the file: the file is empty"
