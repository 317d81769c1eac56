"""Parsing command-line text into domain values: dates, decimals, tranches, money, labels.

Parsers raise `BadInput` (not ValueError) so that the root group reports them as one sentence
and exit code 1, the same way as a rule the domain refuses.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer

from ramstein.cli.errors import BadInput
from ramstein.domain.pledges import Money, TrancheSpec
from ramstein.domain.releasability import Label, Releasability

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TRANCHE = re.compile(r"^\s*(\d+)\s*@\s*(\S+)\s*$")


def parse_date(value: str) -> date:
    """An ISO date, YYYY-MM-DD."""
    text = value.strip()
    try:
        if not ISO_DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(
            f"{value!r} is not a date; write it as YYYY-MM-DD (e.g. 2025-03-31)."
        ) from None


def parse_decimal(value: str) -> Decimal:
    """An exact decimal number (never a float)."""
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise BadInput(f"{value!r} is not a number; write it like 1250000 or 0.92.")
    return number


def parse_tranche(value: str) -> TrancheSpec:
    """A tranche written QTY@YYYY-MM-DD."""
    found = TRANCHE.match(value)
    if found is None or not ISO_DATE.match(found.group(2)):
        raise BadInput(f"Tranche {value!r} is not QTY@YYYY-MM-DD (e.g. 100@2025-06-30).")
    return TrancheSpec(quantity=int(found.group(1)), expected_on=parse_date(found.group(2)))


def utc_today() -> date:
    """Today in UTC, the calendar the log's clock uses."""
    return datetime.now(UTC).date()


def money(amount: Decimal | None, currency: str | None, rate: Decimal | None) -> Money | None:
    """The value of a pledge from --value, --currency and --rate (EUR per unit of currency)."""
    if amount is None:
        if currency is not None or rate is not None:
            raise BadInput("--currency and --rate describe a value; give --value as well.")
        return None
    code = (currency or "EUR").strip().upper()
    if rate is None:
        if code != "EUR":
            raise BadInput(f"Give --rate, the EUR value of one {code}, for a value in {code}.")
        rate = Decimal(1)
    return Money(amount=amount, currency=code, eur_rate=rate)


def label(
    level: Releasability | None,
    named: list[str] | None,
    default: Releasability = Releasability.COALITION,
) -> Label:
    """The label of a new record; naming participants implies restricted."""
    if level is None:
        level = Releasability.RESTRICTED if named else default
    return Label.of(level, named or ())


def label_change(level: Releasability | None, named: list[str] | None) -> Label | None:
    """The new label of an updated record, or None to keep the current one."""
    if level is None and not named:
        return None
    return label(level, named)


def date_option(help: str, *names: str) -> Any:
    """An ISO date option."""
    return typer.Option(*names, help=help, parser=parse_date, metavar="YYYY-MM-DD")


def decimal_option(help: str, *names: str, metavar: str = "AMOUNT") -> Any:
    """An exact decimal option."""
    return typer.Option(*names, help=help, parser=parse_decimal, metavar=metavar)


AsJson = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")
]
ExpectedVersion = Annotated[
    int | None,
    typer.Option(
        "--expected-version",
        help="Refuse the change unless the record is still at this version (as last shown).",
        metavar="N",
    ),
]
ReleasabilityOpt = Annotated[
    Releasability | None,
    typer.Option(
        "--releasability",
        help="Who may see the record: public, coalition (members and observers) or restricted.",
    ),
]
ReleasableTo = Annotated[
    list[str] | None,
    typer.Option(
        "--to",
        help="A participant a restricted record is released to (repeatable); implies restricted.",
        metavar="CODE",
    ),
]
Limit = Annotated[
    int | None, typer.Option("--limit", help="Show at most this many.", min=1, metavar="N")
]
