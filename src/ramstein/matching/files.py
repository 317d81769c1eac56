"""File mode: needs, offers and substitutions from CSV; the plan to CSV, its summary to JSON.

Reading is all-or-nothing: every bad row of every file is collected, each with its file, line,
column and reason, and raised together as one `MatchInputError`.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from ramstein.domain.needs import PRIORITY_WEIGHTS, Priority
from ramstein.matching.model import Need, Offer, Substitution
from ramstein.matching.solve import Plan

T = TypeVar("T")

NEED_COLUMNS = ("need_id", "item_type", "quantity", "priority", "needed_by")
NEED_OPTIONAL = ("weight",)
OFFER_COLUMNS = ("offer_id", "donor", "item_type", "quantity", "available")
SUBSTITUTION_COLUMNS = ("offer_type", "need_type", "ratio")


@dataclass(frozen=True, slots=True)
class RowError:
    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" + (
            f", column {self.column}" if self.column else ""
        )
        return f"{where}: {self.reason}"


class MatchInputError(Exception):
    """One or more input rows are unusable; nothing was solved."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        lines = "; ".join(str(e) for e in errors[:20])
        more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
        super().__init__(f"The input was refused: {lines}{more}.")


class _Bad(ValueError):
    pass


def _text(value: str) -> str:
    if not value.strip():
        raise _Bad("is empty")
    return value.strip()


def _count(value: str) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise _Bad(f"{value!r} is not a whole number") from None
    if number <= 0:
        raise _Bad(f"{value!r} is not a positive whole number")
    return number


def _number(value: str, *, positive: bool) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        raise _Bad(f"{value!r} is not a number") from None
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        raise _Bad(f"{value!r} is not a {'positive' if positive else 'non-negative'} number")
    return number


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _Bad(f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)") from None


def _priority(value: str) -> Priority:
    try:
        return Priority(value.strip().upper())
    except ValueError:
        raise _Bad(f"{value!r} is not one of P1, P2, P3, P4") from None


def _rows(
    path: Path,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    make: Callable[[Callable[[str, Callable[[str], Any]], Any]], T],
    errors: list[RowError],
) -> list[tuple[int, T]]:
    name = path.name
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        errors.append(RowError(name, 0, "", f"cannot be read ({error.strerror})"))
        return []
    out: list[tuple[int, T]] = []
    with handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        if not header:
            errors.append(RowError(name, 1, "", "the file is empty; a header row is needed"))
            return []
        bad_header = False
        for column in required:
            if column not in header:
                errors.append(RowError(name, 1, column, "required column is missing"))
                bad_header = True
        for column in header:
            if column not in required and column not in optional:
                errors.append(RowError(name, 1, column, "unknown column"))
                bad_header = True
        if len(set(header)) != len(header):
            errors.append(RowError(name, 1, "", "a column is named twice"))
            bad_header = True
        if bad_header:
            return []
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                errors.append(
                    RowError(name, line, "", f"has {len(record)} fields, the header {len(header)}")
                )
                continue
            cells = dict(zip(header, record, strict=True))
            row_ok = True

            def field(
                column: str,
                parse: Callable[[str], Any],
                *,
                _c: dict[str, str] = cells,
                _line: int = line,
            ) -> Any:
                nonlocal row_ok
                if column not in _c:
                    return None  # an optional column the file does not have
                try:
                    return parse(_c[column])
                except _Bad as error:
                    errors.append(RowError(name, _line, column, str(error)))
                    row_ok = False
                    return None

            item = make(field)
            if row_ok:
                out.append((line, item))
    return out


def read_problem_files(
    needs: Path, offers: Path, substitutions: Path | None
) -> tuple[list[Need], list[Offer], list[Substitution]]:
    """The three inputs, or MatchInputError listing every bad row in all of them."""
    errors: list[RowError] = []
    need_list = _rows(
        needs,
        NEED_COLUMNS,
        NEED_OPTIONAL,
        lambda f: Need(
            need_id=f("need_id", _text),
            item_type=f("item_type", _text),
            quantity=f("quantity", _count),
            priority=f("priority", _priority),
            needed_by=f("needed_by", _date),
            weight=f("weight", lambda v: _number(v, positive=False) if v.strip() else None),
        ),
        errors,
    )
    offer_list = _rows(
        offers,
        OFFER_COLUMNS,
        (),
        lambda f: Offer(
            offer_id=f("offer_id", _text),
            donor=f("donor", _text),
            item_type=f("item_type", _text),
            quantity=f("quantity", _count),
            available=f("available", _date),
        ),
        errors,
    )
    sub_list: list[tuple[int, Substitution]] = []
    if substitutions is not None:
        sub_list = _rows(
            substitutions,
            SUBSTITUTION_COLUMNS,
            (),
            lambda f: Substitution(
                offer_type=f("offer_type", _text),
                need_type=f("need_type", _text),
                ratio=f("ratio", lambda v: _number(v, positive=True)),
            ),
            errors,
        )
    errors.extend(_duplicates(needs.name, [(ln, n.need_id) for ln, n in need_list], "need_id"))
    errors.extend(_duplicates(offers.name, [(ln, o.offer_id) for ln, o in offer_list], "offer_id"))
    if substitutions is not None:
        errors.extend(_substitution_rules(substitutions.name, sub_list))
    if errors:
        raise MatchInputError(sorted(errors, key=lambda e: (e.file, e.line)))
    return [n for _, n in need_list], [o for _, o in offer_list], [u for _, u in sub_list]


def _duplicates(file: str, ids: list[tuple[int, str]], column: str) -> list[RowError]:
    seen: set[str] = set()
    out = []
    for line, value in ids:
        if value in seen:
            out.append(RowError(file, line, column, f"{value!r} appears more than once"))
        seen.add(value)
    return out


def _substitution_rules(file: str, subs: list[tuple[int, Substitution]]) -> list[RowError]:
    out = []
    seen: set[tuple[str, str]] = set()
    for line, sub in subs:
        pair = (sub.offer_type, sub.need_type)
        if pair in seen:
            out.append(RowError(file, line, "need_type", f"{pair} is given twice"))
        seen.add(pair)
        if sub.offer_type == sub.need_type and sub.ratio != 1:
            out.append(RowError(file, line, "ratio", "a type serves itself at ratio 1"))
    return out


def parse_weights(text: str | None) -> dict[Priority, float]:
    """`P1=100,P2=40` over the defaults; a ValueError with the reason when malformed."""
    weights: dict[Priority, float] = {p: float(w) for p, w in PRIORITY_WEIGHTS.items()}
    if not text:
        return weights
    for part in text.split(","):
        key, sep, value = part.partition("=")
        try:
            if not sep:
                raise _Bad(f"{part!r} is not PRIORITY=WEIGHT")
            weights[_priority(key)] = _number(value, positive=False)
        except _Bad as error:
            raise ValueError(f"--weights: {error}.") from None
    return weights


def write_plan(plan: Plan, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["offer_id", "need_id", "quantity"])
        for a in plan.allocations:
            writer.writerow([a.offer_id, a.need_id, a.quantity])


def summary(plan: Plan) -> dict[str, Any]:
    return {
        "objective": plan.objective,
        "units_allocated": plan.units_allocated,
        "priority_coverage": {
            str(p): {"needed": c.needed, "covered": c.covered, "share": c.share}
            for p, c in plan.priority_coverage.items()
        },
        "unused_offers": plan.unused_offers,
        "solver": {
            "solvers": list(plan.solvers),
            "components": [
                {
                    "index": c.index,
                    "offers": c.offers,
                    "needs": c.needs,
                    "arcs": c.arcs,
                    "solver": c.solver,
                    "status": c.status,
                    "objective": c.objective,
                    "mip_gap": c.mip_gap,
                    "gain_scale": c.gain_scale,
                    "reused": c.reused,
                }
                for c in plan.components
            ],
        },
        "seconds": plan.seconds,
    }


def write_summary(plan: Plan, path: Path, extra: Mapping[str, Any] | None = None) -> None:
    data = summary(plan) | dict(extra or {})
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
