"""Typing one cell: whole numbers, amounts, rates, dates, years, codes and choices.

Each reader takes a cell as `sheets.read_sheet` gives it and returns the value, or raises
`BadCell` with a reason a person can act on. Readers accept what spreadsheets produce without
guessing: thousands separators in the English style (`1,250,000`, or spaces), dates as ISO text
(`2027-03-31`), as Excel dates or as Excel serial numbers; they refuse what is ambiguous
(`31/03/2027`, `1.250.000`) or out of range.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TypeVar

from ramstein.domain.pledges import TrancheSpec
from ramstein.interchange.sheets import Cell

MAX_QUANTITY = 10**12
"""The largest quantity a cell may give (a trillion units)."""
MAX_AMOUNT = Decimal(10) ** 15
"""The largest amount (a quadrillion, in any currency)."""
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIALS = range(1, 2958466)  # 1900-01-01 .. 9999-12-31
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?$")
_ISO_DAY = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
"""An ISO date, alone or followed by a time of day (which is dropped)."""
_EXCEL_DIGITS = 15
"""Excel keeps 15 significant digits: any further digits of a float are binary noise."""

E = TypeVar("E", bound=StrEnum)


class BadCell(ValueError):
    """A cell that cannot be read; `reason` says what it should be."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def text(cell: Cell) -> str:
    """The cell as trimmed text ('' for an empty cell); numbers as Excel would show them."""
    if type(cell) is str:  # every CSV cell: the quick way first
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else str(cell)
    return str(cell).strip()


def is_empty(cell: Cell) -> bool:
    return text(cell) == ""


def _number_text(cell: Cell, what: str) -> str:
    if isinstance(cell, bool | datetime):
        raise BadCell(f"{what}, not a date or a yes/no")
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        return repr(cell)
    raw = text(cell)
    if _PLAIN.match(raw):
        return raw
    raw = raw.replace("\u00a0", " ").replace("_", "")
    raw = re.sub(r"(?<=\d) (?=\d{3}\b)", "", raw)
    if _GROUPED.match(raw):
        return raw.replace(",", "")
    if _PLAIN.match(raw):
        return raw
    if re.match(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$", raw) or re.match(r"^[+-]?\d+,\d+$", raw):
        raise BadCell(f"{what}: write the decimal point as '.', and thousands as ',' or nothing")
    raise BadCell(what)


def whole(cell: Cell, *, what: str = "a whole number", maximum: int = MAX_QUANTITY) -> int:
    """A whole number (1, 1,250 or 1250.0); refuses fractions and numbers above `maximum`."""
    if type(cell) is str:  # plain digits, nearly every cell of a CSV: the quick way first
        digits = cell.strip()
        # int() refuses thousands of digits; the way below reads any length and says "at most"
        if digits.isascii() and digits.isdigit() and len(digits) <= 18:
            number = int(digits)
            if number > maximum:
                raise BadCell(f"{what} of at most {maximum:,}")
            return number
    raw = _number_text(cell, what)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise BadCell(what) from None
    if not value.is_finite():
        raise BadCell(what)
    if value != value.to_integral_value():
        raise BadCell(f"{what}, not a fraction")
    if abs(value) > maximum:
        raise BadCell(f"{what} of at most {maximum:,}")
    return int(value)


def amount(cell: Cell, *, places: int = 2, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """A decimal amount with at most `places` decimals (floats from XLSX are rounded to them
    only where that loses nothing a person typed)."""
    raw = _number_text(cell, "an amount, such as 1250000.00")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise BadCell("an amount, such as 1250000.00") from None
    if not value.is_finite():
        raise BadCell("an amount, such as 1250000.00")
    if isinstance(cell, float) and -value.as_tuple().exponent > places:  # type: ignore[operator]
        # 0.1 + 0.2 reads as 0.30000000000000004: round it, but only where the digits lost lie
        # beyond the 15 a person can type into Excel (1234.567 stays refused).
        rounded = Decimal(repr(round(cell, places)))
        if Decimal(format(cell, f".{_EXCEL_DIGITS}g")) == rounded:
            value = rounded
    if -value.as_tuple().exponent > places:  # type: ignore[operator]
        raise BadCell(f"an amount with at most {places} decimal places")
    if abs(value) > maximum:
        raise BadCell(f"an amount of at most {maximum:,}")
    return value


def day(cell: Cell) -> date:
    """A date: ISO text (2027-03-31), an Excel date, or an Excel serial number (46477)."""
    if type(cell) is str:  # YYYY-MM-DD, nearly every date of a CSV: the quick way first
        raw = cell.strip()
        if len(raw) == 10 and raw[4] == raw[7] == "-" and raw.isascii():
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass  # the checks below say what is wrong with it
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _serial(cell)
    raw = text(cell)
    if re.fullmatch(r"\d{4,7}(\.0+)?", raw):
        return _serial(float(raw))
    iso = _ISO_DAY.match(raw)
    if iso is not None:
        try:
            return date.fromisoformat(iso.group(1))
        except ValueError:
            raise BadCell("a date that exists, as YYYY-MM-DD") from None
    if re.fullmatch(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}", raw):
        raise BadCell("a date as YYYY-MM-DD: day and month in this order are ambiguous")
    raise BadCell("a date as YYYY-MM-DD")


def _serial(number: float) -> date:
    # An int is checked as one: a huge one (an XLSX may hold any digits) has no float.
    whole_number = isinstance(number, int) or (math.isfinite(number) and number.is_integer())
    if not whole_number or int(number) not in _SERIALS:
        raise BadCell("a date as YYYY-MM-DD (or an Excel date serial number)")
    return _EXCEL_EPOCH + timedelta(days=int(number))


def choice(kind: type[E], cell: Cell) -> E:
    """One of an enumeration's values, in any case, with spaces or hyphens for underscores."""
    raw = text(cell).lower().replace(" ", "_").replace("-", "_")
    for member in kind:
        if member.value.lower() == raw:
            return member
    raise BadCell("one of " + ", ".join(k.value for k in kind))


def code(cell: Cell, *, upper: bool = False) -> str:
    """A code (participant, item type): no spaces inside."""
    raw = text(cell)
    if not raw or any(c.isspace() for c in raw):
        raise BadCell("a code without spaces")
    return raw.upper() if upper else raw


def years(cell: Cell) -> tuple[int, ...]:
    """A year (2027) or a range of years (2027-2029)."""
    raw = text(cell).replace(" ", "")
    found = re.fullmatch(r"(\d{4})(?:[-\u2013](\d{4}))?", raw)
    if found is None:
        raise BadCell("a year (2027) or a range of years (2027-2029)")
    first, last = int(found.group(1)), int(found.group(2) or found.group(1))
    if last < first or last - first > 50:
        raise BadCell("a range of years from the first to the last (2027-2029)")
    return tuple(range(first, last + 1))


def tranches(cell: Cell) -> tuple[TrancheSpec, ...]:
    """Tranches as `60@2027-03-31; 40@2027-06-30` (quantity@expected date)."""
    found = []
    for part in (p.strip() for p in text(cell).split(";")):
        if not part:
            continue
        quantity, _, on = part.partition("@")
        try:
            found.append(TrancheSpec(whole(quantity.strip()), day(on.strip())))
        except BadCell:
            raise BadCell(f"{part!r} is not quantity@YYYY-MM-DD") from None
    return tuple(found)


def codes(cell: Cell) -> tuple[str, ...]:
    """Participant codes separated by spaces, commas or semicolons."""
    return tuple(c.upper() for c in re.split(r"[\s,;]+", text(cell)) if c)


def rates(items: Iterable[str]) -> dict[str, Decimal]:
    """Exchange rates given as `USD=0.9215` (EUR per unit), by currency."""
    found: dict[str, Decimal] = {}
    for item in items:
        currency, _, rate = item.partition("=")
        currency = currency.strip().upper()
        try:
            value = Decimal(rate.strip())
        except InvalidOperation:
            value = Decimal(0)
        if len(currency) != 3 or not currency.isalpha() or not value.is_finite() or value <= 0:
            raise BadCell(f"{item!r} is not CUR=RATE, such as USD=0.9215")
        found[currency] = value
    return found
