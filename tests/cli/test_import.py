"""`ramstein import needs|pledges|deliveries FILE`: what a user sees, on SQLite.

The summary goes to stdout; a refused file prints every problem as a table on stderr, then
one error line, exits 1 and writes nothing.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from typer.testing import Result

from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests.cli.support import Cli

PLEDGES = (
    "ref,item_type,quantity,value,currency,tranches,announced_on\n"
    "DEU-1,155mm-shell,1000,3500000,USD,600@2025-03-01,2025-02-01\n"
    "DEU-2,155mm-shell,500,,,,2025-02-01\n"
)


def small_coalition(cli: Cli) -> None:
    """The coalition of `tests/cli/conftest.py`: UKR, DEU, POL, USA (chair), 155mm shells."""
    cli.ok("participants add UKR --name Ukraine --kind recipient --joined-on 2022-04-26")
    cli.ok("participants add DEU --name Germany --kind state --joined-on 2022-04-26")
    cli.ok("participants add POL --name Poland --kind state --joined-on 2022-04-26")
    cli.ok("participants add USA --name 'United States' --kind state --joined-on 2022-04-26")
    cli.ok("chair assume USA --since 2022-04-26")
    cli.ok("areas add artillery --name Artillery")
    cli.ok(
        "catalogue add 155mm-shell --name '155mm shell' --area artillery --unit round --value 3500"
    )


@pytest.fixture(scope="module")
def coalition_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small coalition of `tests/cli/conftest.py`, set up once for this module."""
    path = tmp_path_factory.mktemp("coalition") / "ramstein.sqlite"
    small_coalition(Cli(f"sqlite:///{path}"))
    return path


@pytest.fixture
def coalition(coalition_file: Path, tmp_path: Path) -> Cli:
    """A copy of the small coalition's database for one test (setting it up takes seconds)."""
    path = tmp_path / "ramstein.sqlite"
    with sqlite3.connect(coalition_file) as source, sqlite3.connect(path) as target:
        source.backup(target)
    return Cli(f"sqlite:///{path}")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "files"
    made.mkdir()
    return made


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def workbook(sheets: dict[str, Sequence[Sequence[object]]], merge: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if merge is not None:
            sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def log_types(cli: Cli) -> list[str]:
    """Every entry's event type, in log order."""
    store = Store(cli.url)
    try:
        with store.read() as conn:
            e = t.log_entries
            return list(conn.execute(sa.select(e.c.event_type).order_by(e.c.seq)).scalars())
    finally:
        store.dispose()


def refused(cli: Cli, command: str, *, as_: str | None = None) -> Result:
    """Run an import that must be refused: exit 1, nothing on stdout, nothing written."""
    before = log_types(cli)
    result = cli.run(command, as_=as_)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.stdout == ""
    assert log_types(cli) == before, "a refused import wrote to the log"
    return result


def problem_rows(stderr: str) -> list[list[str]]:
    """The rows of the problems table: [line, column, value, reason] each."""
    rows = []
    for line in stderr.splitlines():
        if line.startswith("│"):
            cells = [c.strip() for c in line.strip("│").split("│")]
            if cells[0]:
                rows.append(cells)
            else:  # a reason wrapped onto the next line
                rows[-1][3] += " " + cells[3]
    return rows


def summary(stdout: str) -> str:
    return stdout.strip().splitlines()[-1]


# --- importing --------------------------------------------------------------------------


def test_pledges_are_imported_with_their_tranches_and_the_rate_given(
    coalition: Cli, folder: Path
) -> None:
    path = write(folder, "pledges.csv", PLEDGES)

    out = coalition.ok(f"import pledges {path} --rate USD=0.92", as_="DEU")

    assert "What changed" in out
    assert summary(out) == (
        "pledges.csv: 2 pledges read; 2 were created, 0 updated, 0 unchanged (2 log entries)."
    )
    pledge = coalition.json("pledges show 1")
    assert (pledge["external_ref"], pledge["donor"], pledge["quantity"]) == ("DEU-1", "DEU", 1000)
    assert pledge["value"] == {
        "amount": "3500000",
        "currency": "USD",
        "eur_rate": "0.92",
        "eur": "3220000.00",
    }
    assert [(tr["quantity"], tr["expected_on"]) for tr in pledge["tranches"]] == [
        (600, "2025-03-01")
    ]
    assert log_types(coalition)[-2:] == ["PledgeAnnounced", "PledgeAnnounced"]


def test_importing_the_same_file_again_says_unchanged_and_logs_nothing(
    coalition: Cli, folder: Path
) -> None:
    path = write(folder, "pledges.csv", PLEDGES)
    coalition.ok(f"import pledges {path} --rate USD=0.92", as_="DEU")
    before = log_types(coalition)

    out = coalition.ok(f"import pledges {path} --rate USD=0.92", as_="DEU")

    assert out.strip() == (
        "pledges.csv: 2 pledges read; 0 were created, 0 updated, 2 unchanged (0 log entries)."
    )
    assert log_types(coalition) == before


def test_a_changed_row_is_listed_and_logged_through_the_normal_commands(
    coalition: Cli, folder: Path
) -> None:
    coalition.ok(f"import pledges {write(folder, 'p.csv', PLEDGES)} --rate USD=0.92", as_="DEU")
    changed = PLEDGES.replace(",1000,", ",1200,").replace(
        "600@2025-03-01", "600@2025-03-01; 400@2025-06-30"
    )
    before = len(log_types(coalition))

    out = coalition.ok(
        f"import pledges {write(folder, 'p.csv', changed)} --rate USD=0.92", as_="DEU"
    )

    assert ["2", "DEU-1", "update", "1", "quantity, tranches"] in [
        [c.strip() for c in line.strip("│").split("│")] for line in out.splitlines() if "│" in line
    ]
    assert summary(out) == (
        "p.csv: 2 pledges read; 0 were created, 1 updated, 1 unchanged (2 log entries)."
    )
    assert log_types(coalition)[before:] == ["PledgeRevised", "TrancheScheduled"]
    assert coalition.json("pledges show 1")["quantity"] == 1200


def test_deliveries_are_recorded_and_then_their_receipt_confirmed(
    coalition: Cli, folder: Path
) -> None:
    coalition.ok(f"import pledges {write(folder, 'p.csv', PLEDGES)} --rate USD=0.92", as_="DEU")
    coalition.ok("pledges status 1 committed --on 2025-02-10")
    dispatched = "ref,pledge_ref,quantity,dispatched_on\nD-1,DEU-1,200,2025-03-05\n"
    received = dispatched.replace("\n", ",received_quantity,received_on\n", 1).replace(
        "2025-03-05\n", "2025-03-05,200,2025-03-09\n"
    )

    coalition.ok(f"import deliveries {write(folder, 'd.csv', dispatched)}", as_="DEU")
    before = len(log_types(coalition))
    out = coalition.ok(f"import deliveries {write(folder, 'd.csv', received)}", as_="UKR")

    assert summary(out) == (
        "d.csv: 1 deliveries read; 0 were created, 1 updated, 0 unchanged (1 log entries)."
    )
    assert log_types(coalition)[before:] == ["ReceiptConfirmed"]
    delivery = coalition.json("deliveries show 1")
    assert (delivery["status"], delivery["received_quantity"]) == ("received", 200)


def test_needs_are_imported_from_the_sheet_named_on_the_command_line(
    coalition: Cli, folder: Path
) -> None:
    data = workbook(
        {
            "Summary": [["Needs of Ukraine, spring 2025"]],
            "Spring 2025": [
                ["Ref", "Item Type", "Qty", "Prio", "Due date", "Raised on"],
                ["UKR-1", "155mm-shell", "1,250,000", "P1", datetime(2025, 6, 30), "2025-01-10"],
                ["UKR-2", "155mm-shell", 5000, "P2", 46477, "2025-01-10"],
            ],
        }
    )
    path = write(folder, "needs.xlsx", data)

    out = coalition.ok(f"import needs {path}", "--sheet", "Spring 2025", as_="UKR")

    assert summary(out).startswith("needs.xlsx: 2 needs read; 2 were created")
    needs = coalition.json("needs list")
    assert sorted((n["quantity"], n["needed_by"]) for n in needs) == [
        (5000, "2027-03-31"),
        (1250000, "2025-06-30"),
    ]


# --- --dry-run and --json ---------------------------------------------------------------


def test_a_dry_run_shows_what_would_change_and_writes_nothing(coalition: Cli, folder: Path) -> None:
    path = write(folder, "pledges.csv", PLEDGES)
    before = log_types(coalition)

    out = coalition.ok(f"import pledges {path} --rate USD=0.92 --dry-run", as_="DEU")

    assert "What would change" in out
    assert summary(out) == (
        "pledges.csv: 2 pledges read; 2 would be created, 0 updated, 0 unchanged "
        "(2 log entries). Nothing was written (dry run)."
    )
    assert log_types(coalition) == before
    assert coalition.json("pledges list") == []


def test_json_reports_every_change(coalition: Cli, folder: Path) -> None:
    path = write(folder, "pledges.csv", PLEDGES)

    dry = coalition.json(f"import pledges {path} --rate USD=0.92 --dry-run", as_="DEU")
    done = coalition.json(f"import pledges {path} --rate USD=0.92", as_="DEU")

    assert dry == {
        "file": "pledges.csv",
        "kind": "pledges",
        "dry_run": True,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "entries": 2,
        "changes": [
            {"line": 2, "ref": "DEU-1", "action": "create", "record": 1, "fields": []},
            {"line": 3, "ref": "DEU-2", "action": "create", "record": 2, "fields": []},
        ],
    }
    assert done == {**dry, "dry_run": False}


# --- refusals ---------------------------------------------------------------------------


def test_bad_rows_are_listed_on_stderr_and_nothing_is_written(coalition: Cli, folder: Path) -> None:
    data = (
        PLEDGES
        + "DEU-3,155mm-shell,1.250.000,,,,2025-02-01\n"
        + "DEU-4,155mm-shell,10,,,,31/03/2025\n"
        + "DEU-1,155mm-shell,10,,,,2025-02-01\n"
    )
    path = write(folder, "pledges.csv", data)

    result = refused(coalition, f"import pledges {path} --rate USD=0.92", as_="DEU")

    assert result.stderr.startswith("Problems in pledges.csv")
    assert problem_rows(result.stderr) == [
        ["4", "quantity", "1.250.000",
         "a whole number: write the decimal point as '.', and thousands as ',' or nothing"],
        ["5", "announced_on", "31/03/2025",
         "a date as YYYY-MM-DD: day and month in this order are ambiguous"],
        ["6", "ref", "DEU-1", "the same ref as an earlier row of the file"],
    ]  # fmt: skip
    assert result.stderr.splitlines()[-1] == (
        "Error: pledges.csv: 3 problem(s), listed above; nothing was imported."
    )
    assert coalition.json("pledges list") == []


NEED_HEADER = ["ref", "item_type", "quantity", "priority", "needed_by"]
GOOD_NEED = ["UKR-1", "155mm-shell", "500", "P1", "2025-06-30"]


def need_csv(*rows: Sequence[str], header: Sequence[str] = NEED_HEADER) -> bytes:
    return "\n".join(",".join(r) for r in (header, *rows)).encode() + b"\n"


BAD_FILES: dict[str, tuple[str, bytes, str]] = {
    "unknown-header": (
        "needs.csv",
        need_csv(GOOD_NEED, header=[*NEED_HEADER[:4], "deadline"]),
        "not a column of needs",
    ),
    "missing-header": (
        "needs.csv",
        need_csv(GOOD_NEED[:4], header=NEED_HEADER[:4]),
        "this column is required",
    ),
    "empty": ("needs.csv", b"", "the file is empty"),
    "latin-1": (
        "needs.csv",
        "ref,item_type,quantity,priority,needed_by,rationale\n"
        "UKR-1,155mm-shell,5,P1,2025-06-30,depot at Sm\u00f8rum\n".encode("latin-1"),
        "not UTF-8 text (byte 0xf8)",
    ),
    "formula": (
        "needs.xlsx",
        workbook({"needs": [NEED_HEADER, ["UKR-1", "155mm-shell", "=2*250", "P1", "2025-06-30"]]}),
        "a formula: paste the values instead",
    ),
    "merged": (
        "needs.xlsx",
        workbook(
            {"needs": [NEED_HEADER, GOOD_NEED, ["UKR-2", None, "5", "P1", "2025-06-30"]]},
            merge="B2:B3",
        ),
        "merged cells: unmerge them",
    ),  # fmt: skip
    "ambiguous-date": (
        "needs.csv",
        need_csv([*GOOD_NEED[:4], "31/03/2027"]),
        "day and month in this order are ambiguous",
    ),
    "european-thousands": (
        "needs.csv",
        need_csv(["UKR-1", "155mm-shell", "1.250.000", "P1", "2025-06-30"]),
        "write the decimal point as '.'",
    ),
    "too-large": (
        "needs.csv",
        need_csv(["UKR-1", "155mm-shell", "1" + "0" * 15, "P1", "2025-06-30"]),
        "a whole number of at most 1,000,000,000,000",
    ),
    "duplicate-ref": (
        "needs.csv",
        need_csv(GOOD_NEED, GOOD_NEED),
        "the same ref as an earlier row of the file",
    ),
    "pdf": ("needs.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document, not a spreadsheet"),
    "png": ("needs.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG picture"),
    "binary": ("needs.csv", bytes(range(256)), "a binary file, not a spreadsheet"),
    "xls": (
        "needs.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        "an Excel 97-2003 (.xls) workbook: save it as .xlsx or as CSV",
    ),
}


@pytest.mark.parametrize(("name", "data", "reason"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_refused_with_a_clear_reason_and_writes_nothing(
    coalition: Cli, folder: Path, name: str, data: bytes, reason: str
) -> None:
    result = refused(coalition, f"import needs {write(folder, name, data)}", as_="UKR")

    reasons = [row[3] for row in problem_rows(result.stderr)]
    assert any(reason in r for r in reasons), reasons
    assert result.stderr.splitlines()[-1].endswith("listed above; nothing was imported.")


def test_a_workbook_without_the_sheet_asked_for_is_refused_naming_its_sheets(
    coalition: Cli, folder: Path
) -> None:
    path = write(folder, "needs.xlsx", workbook({"Needs": [NEED_HEADER], "Notes": [["x"]]}))

    result = refused(coalition, f"import needs {path} --sheet 2025", as_="UKR")

    assert problem_rows(result.stderr) == [
        ["-", "", "2025", "no such sheet; the workbook has: Needs, Notes"]
    ]


def test_a_rate_that_is_not_cur_equals_rate_is_refused(coalition: Cli, folder: Path) -> None:
    path = write(folder, "pledges.csv", PLEDGES)

    assert coalition.fails(f"import pledges {path} --rate USD:0.92", as_="DEU") == (
        "--rate 'USD:0.92' is not CUR=RATE, such as USD=0.9215."
    )
    assert coalition.fails(f"import pledges {path} --rate USD=-1", as_="DEU") == (
        "--rate 'USD=-1' is not CUR=RATE, such as USD=0.9215."
    )


def test_a_rate_that_is_not_a_number_is_refused(coalition: Cli, folder: Path) -> None:
    path = write(folder, "pledges.csv", PLEDGES)

    assert coalition.fails(f"import pledges {path} --rate USD=NaN", as_="DEU") == (
        "--rate 'USD=NaN' is not CUR=RATE, such as USD=0.9215."
    )
