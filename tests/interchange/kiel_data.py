"""The real Kiel Tracker release 29, read with nothing but `csv` and `Decimal`: what the
importer's figures must reproduce, and helpers to copy and alter a release for a test."""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

RELEASE_29 = Path(str(resources.files("ramstein.demo").joinpath("data", "kiel-ust-r29")))
FILES = ("data_explorer.csv", "weapons.csv", "release_info.csv")
AID = ("military", "financial", "humanitarian")
BN = Decimal(10) ** 9
SIX = Decimal("0.000001")


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def tracker_months(folder: Path = RELEASE_29) -> dict[str, dict[str, Decimal]]:
    """Per YYYY-MM, the sum over donors of `total` and of each aid type (EUR bn)."""
    out: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in rows(folder / "data_explorer.csv"):
        month = f"{int(r['year']):04d}-{int(r['month']):02d}"
        for column in ("total", *AID):
            out[month][column] += Decimal(r[column])
    return {m: dict(v) for m, v in out.items()}


def tracker_donors(folder: Path = RELEASE_29) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    """Per donor code: (sum of `total` in EUR bn, sum of `pct_gdp`, `gdp`)."""
    total: dict[str, Decimal] = defaultdict(Decimal)
    pct: dict[str, Decimal] = defaultdict(Decimal)
    gdp: dict[str, Decimal] = {}
    for r in rows(folder / "data_explorer.csv"):
        total[r["iso"]] += Decimal(r["total"])
        pct[r["iso"]] += Decimal(r["pct_gdp"])
        gdp[r["iso"]] = Decimal(r["gdp"])
    return {code: (total[code], pct[code], gdp[code]) for code in total}


def weapon_systems(folder: Path = RELEASE_29) -> int:
    return sum(len(r["weapons_list"].split(";")) for r in rows(folder / "weapons.csv"))


def _cell(text: str) -> object:
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def assert_same_cells(folder: Path, original: Path = RELEASE_29) -> None:
    """Every file of `folder` equals the original's cell by cell (numbers compared as
    decimals), with the same header and rows in the same order."""
    for name in FILES:
        with (folder / name).open(encoding="utf-8", newline="") as f:
            got = list(csv.reader(f))
        with (original / name).open(encoding="utf-8", newline="") as f:
            want = list(csv.reader(f))
        assert got[0] == want[0], name
        assert len(got) == len(want), name
        for n, (a, b) in enumerate(zip(got, want, strict=True), start=1):
            assert [_cell(c) for c in a] == [_cell(c) for c in b], f"{name} line {n}"


def copy_release(
    target: Path,
    *,
    edit: Callable[[str, list[str]], list[str]] | None = None,
    source: Path = RELEASE_29,
) -> Path:
    """Copy a release into `target`; `edit(file name, lines)` may change each file's lines."""
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        if edit is None:
            shutil.copy(source / name, target / name)
            continue
        lines = (source / name).read_text(encoding="utf-8").splitlines()
        (target / name).write_text("\n".join(edit(name, lines)) + "\n", encoding="utf-8")
    return target


def replace_cell(line: str, column: int, value: str) -> str:
    """`line` of a CSV with cell `column` (0-based) replaced by `value` (written as is)."""
    cells = next(csv.reader([line]))
    quoted = [f'"{c}"' if not _is_number(c) else c for c in cells]
    quoted[column] = value
    return ",".join(quoted)


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True
