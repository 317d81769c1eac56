"""Interchange benchmark: importing pledge rows end to end, and exporting them.

Run with `.venv/bin/python bench/interchange.py [--rows N]` (or `make bench`). A CSV and an
XLSX file of N pledge rows (default 100,000: a donor, an item, a quantity, a value in EUR or
USD with its rate, two tranches) are imported into a fresh SQLite coalition through
`services.imports.import_file`: reading, typing every cell, the commands, the events, the log
and the projections, in one transaction; the CSV import is run `--repeat` times (default 2),
each into a fresh coalition, and the best run counts, as `timeit` takes the best, since a
shared machine's speed can change by half from one minute to the next. The baseline,
measured in the same run (the best of five), is reading the same CSV with the standard `csv`
module, the least any import must do; the ratio says how many times that the whole import
costs. Then every pledge is exported as CSV and XLSX.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.factories

from tests import factories as f  # noqa: E402

from ramstein.interchange import writers  # noqa: E402
from ramstein.services import exports, imports  # noqa: E402
from ramstein.store.engine import Store  # noqa: E402

HEADER = [
    "ref", "donor", "item_type", "quantity", "value", "currency", "eur_rate", "tranches",
    "announced_on",
]  # fmt: skip
TARGET_ROWS_PER_S = 5000
ANNOUNCED = date(2025, 2, 1)


def rows(count: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    donors = list(f.DONORS)
    items = [f.SHELL, f.DRONE]
    out = []
    for n in range(count):
        quantity = rng.randint(10, 5000)
        first = ANNOUNCED + timedelta(days=rng.randint(0, 700))
        usd = n % 5 == 0
        out.append(
            [
                f"BENCH-{n:07d}",
                rng.choice(donors),
                rng.choice(items),
                str(quantity),
                str(quantity * rng.randint(100, 5000)),
                "USD" if usd else "EUR",
                "0.9215" if usd else "",
                f"{quantity // 2}@{first.isoformat()}; "
                f"{quantity - quantity // 2}@{(first + timedelta(days=90)).isoformat()}",
                ANNOUNCED.isoformat(),
            ]
        )
    return out


def as_csv(table: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(table)
    return out.getvalue().encode()


def as_xlsx(table: list[list[str]]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("pledges")
    sheet.append(HEADER)
    for r in table:
        sheet.append([r[0], r[1], r[2], int(r[3]), int(r[4]), r[5], r[6] or None, r[7], r[8]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_rate(data: bytes) -> float:
    """Rows per second that `csv.reader` reads of `data`: the baseline."""
    started = time.perf_counter()
    read = sum(1 for _ in csv.reader(io.StringIO(data.decode())))
    return (read - 1) / (time.perf_counter() - started)


def fresh(folder: Path, name: str) -> tuple[Store, object]:
    store = Store(f"sqlite:///{folder / name}")
    who = f.setup_coalition(store)
    return store, who.chair


def import_rate(folder: Path, name: str, data: bytes, count: int) -> tuple[float, int]:
    store, chair = fresh(folder, f"{name}.sqlite")
    started = time.perf_counter()
    report = imports.import_file(
        store=store,
        actor=chair,
        kind="pledges",
        data=data,
        name=name,
    )
    elapsed = time.perf_counter() - started
    assert report.created == count, report.summary()
    again = imports.import_file(
        store=store,
        actor=chair,
        kind="pledges",
        data=data,
        name=name,
    )
    assert again.unchanged == count and again.entries == 0, again.summary()
    store.engine.dispose()
    return count / elapsed, report.entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--repeat", type=int, default=2, help="CSV imports, each into a fresh coalition."
    )
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()
    table = rows(args.rows)
    csv_bytes, xlsx_bytes = as_csv(table), as_xlsx(table)
    baseline = max(read_rate(csv_bytes) for _ in range(5))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        runs = [
            import_rate(folder, f"pledges-{n}.csv", csv_bytes, args.rows)
            for n in range(max(1, args.repeat))
        ]
        csv_rate, entries = max(runs)
        xlsx_rate, _ = import_rate(folder, "pledges.xlsx", xlsx_bytes, args.rows)
        store = Store(f"sqlite:///{folder / 'pledges-0.csv.sqlite'}")
        started = time.perf_counter()
        with store.read() as conn:
            records = exports.gather(
                conn=conn, viewer=f.coalition_principals().chair, group_name="bench"
            )
        gathered = time.perf_counter() - started
        t = writers.table("pledges", records)
        started = time.perf_counter()
        writers.to_csv(t)
        csv_out = len(t.rows) / (time.perf_counter() - started + gathered)
        started = time.perf_counter()
        writers.to_xlsx([t])
        xlsx_out = len(t.rows) / (time.perf_counter() - started + gathered)
    figures = {
        "rows": args.rows,
        "log_entries": entries,
        "baseline_csv_read_rows_per_s": round(baseline),
        "import_csv_rows_per_s": round(csv_rate),
        "import_csv_runs_rows_per_s": [round(rate) for rate, _ in runs],
        "import_xlsx_rows_per_s": round(xlsx_rate),
        "import_csv_cost_vs_baseline": round(baseline / csv_rate, 1),
        "export_csv_rows_per_s": round(csv_out),
        "export_xlsx_rows_per_s": round(xlsx_out),
        "target_import_csv_rows_per_s": TARGET_ROWS_PER_S,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{args.rows:,} pledge rows, {entries:,} log entries per import")
    print(f"baseline: csv.reader           {baseline:>10,.0f} rows/s")
    print(f"import CSV  (end to end)       {csv_rate:>10,.0f} rows/s  "
          f"({baseline / csv_rate:,.0f}x the baseline; target {TARGET_ROWS_PER_S:,} rows/s: "
          f"{'met' if csv_rate >= TARGET_ROWS_PER_S else 'NOT met'}); "
          f"the best of {', '.join(f'{rate:,.0f}' for rate, _ in runs)}")  # fmt: skip
    print(f"import XLSX (end to end)       {xlsx_rate:>10,.0f} rows/s")
    print(f"export CSV  (gather + write)   {csv_out:>10,.0f} rows/s")
    print(f"export XLSX (gather + write)   {xlsx_out:>10,.0f} rows/s")


if __name__ == "__main__":
    main()
