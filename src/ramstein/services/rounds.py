"""The announcement round: what each member reads out at a meeting, captured in one batch.

A round is a list of announcements, each of which becomes a pledge linked to the meeting, all
in one transaction: one refused announcement means none is written, and the refusal names
the announcement. A round comes from the API as JSON, or from a CSV file (`parse_csv`) for the
CLI and the web form, whose columns are:

    donor, item_type, quantity[, source][, value, currency, eur_rate][, years][, tranches]
    [, releasability][, releasable_to][, external_ref]

`source` is stocks (default), procurement, funding, training or logistics; `value` is in
`currency` (EUR by default; another currency needs its `eur_rate`, EUR per unit);
`years` is `2027` or `2027-2029`; `tranches` is `60@2027-03-31; 40@2027-06-30`
(quantity@expected date); `releasability` is public, coalition (default) or restricted,
with `releasable_to` naming participants separated by spaces.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from ramstein.domain.errors import DomainError, InvalidValue
from ramstein.domain.pledges import Money, Pledge, PledgeSource, TrancheSpec
from ramstein.domain.releasability import Label, Principal, Releasability
from ramstein.services import meetings, pledges
from ramstein.store.uow import UnitOfWork

MAX_ROUND = 500
"""The most announcements one round takes at once."""

COLUMNS = (
    "donor",
    "item_type",
    "quantity",
    "source",
    "value",
    "currency",
    "eur_rate",
    "years",
    "tranches",
    "releasability",
    "releasable_to",
    "external_ref",
)
REQUIRED = ("donor", "item_type", "quantity")

Fail = Callable[[str, str], None]
"""Reports a cell that cannot be read: its column and why."""


@dataclass(frozen=True, slots=True)
class Announcement:
    """One member's announcement: a pledge to be, with its terms."""

    donor: str
    item_type: str
    quantity: int
    source: PledgeSource = PledgeSource.STOCKS
    value: Money | None = None
    years: tuple[int, ...] = ()
    tranches: tuple[TrancheSpec, ...] = ()
    label: Label = Label(Releasability.COALITION)
    external_ref: str | None = None


def announce_round(
    *, uow: UnitOfWork, actor: Principal, number: int, announcements: Sequence[Announcement]
) -> list[Pledge]:
    """Announce every pledge of the round at meeting `number`, in order, or none of them;
    each is announced on the meeting's date."""
    held_on = meetings.get_meeting(conn=uow.conn, viewer=actor, number=number).held_on
    if not announcements:
        raise InvalidValue("announcements", "A round needs at least one announcement.")
    if len(announcements) > MAX_ROUND:
        raise InvalidValue("announcements", f"A round takes at most {MAX_ROUND} announcements.")
    made = []
    for n, a in enumerate(announcements, start=1):
        try:
            made.append(
                pledges.announce_pledge(
                    uow=uow,
                    actor=actor,
                    donor=a.donor,
                    item_type=a.item_type,
                    quantity=a.quantity,
                    value=a.value,
                    source=a.source,
                    years=a.years or None,
                    meeting=number,
                    announced_on=held_on,
                    tranches=a.tranches,
                    label=a.label,
                    external_ref=a.external_ref,
                )
            )
        except DomainError as error:
            raise RoundRefused(n, a, error) from error
    return made


class RoundRefused(InvalidValue):
    """One announcement of a round was refused, so the round was: nothing is written."""

    def __init__(self, position: int, announcement: Announcement, error: DomainError) -> None:
        super().__init__(
            f"announcements.{position}",
            f"Announcement {position} ({announcement.donor}, {announcement.item_type}) was "
            f"refused, so no announcement of the round was recorded: {error}",
        )
        self.position = position
        self.error = error


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        shown = f" ({self.value!r})" if self.value else ""
        return f"{where}{shown}: {self.reason}"


class BadRound(InvalidValue):
    """A round's CSV has rows that cannot be read; every one of them is listed."""

    def __init__(self, rows: Sequence[BadRow]) -> None:
        listed = "; ".join(str(r) for r in rows[:20])
        more = f" (and {len(rows) - 20} more)" if len(rows) > 20 else ""
        super().__init__("file", f"{len(rows)} bad row(s), nothing recorded: {listed}{more}")
        self.rows = tuple(rows)


def parse_csv(text: str) -> list[Announcement]:
    """The announcements of a CSV round; every unreadable cell is reported, with its line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if not header:
        raise BadRound([BadRow(1, "", "", "the file is empty; the first line names columns")])
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing:
        problems = [BadRow(1, h, "", "not a column of a round") for h in unknown]
        problems += [BadRow(1, c, "", "this column is required") for c in missing]
        raise BadRound(problems)
    reader.fieldnames = header
    found: list[Announcement] = []
    bad: list[BadRow] = []
    for row in reader:
        line = reader.line_num
        cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not any(cells.values()):
            continue
        if None in row:
            bad.append(BadRow(line, "", "", "more cells than columns"))
            continue
        errors: list[BadRow] = []
        parsed = _announcement(cells, line, errors)
        bad += errors
        if parsed is not None and not errors:
            found.append(parsed)
    if bad:
        raise BadRound(bad)
    if not found:
        raise BadRound([BadRow(2, "", "", "the file has no announcements")])
    return found


def _announcement(cells: dict[str, str], line: int, errors: list[BadRow]) -> Announcement | None:
    def fail(column: str, reason: str) -> None:
        errors.append(BadRow(line, column, cells.get(column, ""), reason))

    for column in REQUIRED:
        if not cells.get(column):
            fail(column, "required")
    quantity = _int(cells.get("quantity", ""))
    if cells.get("quantity") and quantity is None:
        fail("quantity", "a whole number")
    source = PledgeSource.STOCKS
    if cells.get("source"):
        try:
            source = PledgeSource(cells["source"].lower())
        except ValueError:
            fail("source", "one of " + ", ".join(s.value for s in PledgeSource))
    value = _money(cells, fail)
    years = _years(cells.get("years", ""), fail)
    tranches = _tranches(cells.get("tranches", ""), fail)
    label = Label(Releasability.COALITION)
    named = tuple(cells.get("releasable_to", "").replace(",", " ").split())
    try:
        label = Label.of(cells.get("releasability") or "coalition", named)
    except InvalidValue as error:
        fail("releasability", str(error))
    if errors or quantity is None:
        return None
    return Announcement(
        donor=cells["donor"].upper(),
        item_type=cells["item_type"],
        quantity=quantity,
        source=source,
        value=value,
        years=years,
        tranches=tranches,
        label=label,
        external_ref=cells.get("external_ref") or None,
    )


def _int(text: str) -> int | None:
    try:
        return int(text.replace("_", "").replace(",", ""))
    except ValueError:
        return None


def _money(cells: dict[str, str], fail: Fail) -> Money | None:
    if not cells.get("value"):
        if cells.get("currency") or cells.get("eur_rate"):
            fail("value", "a currency or rate is given without a value")
        return None
    try:
        amount = Decimal(cells["value"].replace(",", ""))
    except InvalidOperation:
        fail("value", "an amount, such as 1250000.00")
        return None
    currency = (cells.get("currency") or "EUR").upper()
    if currency == "EUR" and not cells.get("eur_rate"):
        return Money.eur_amount(amount)
    try:
        rate = Decimal(cells.get("eur_rate", ""))
    except InvalidOperation:
        fail("eur_rate", f"a value in {currency} needs its rate (EUR per {currency})")
        return None
    return Money(amount, currency, rate)


def _years(text: str, fail: Fail) -> tuple[int, ...]:
    if not text:
        return ()
    first, _, last = text.partition("-")
    start, end = _int(first), _int(last or first)
    if start is None or end is None or end < start:
        fail("years", "a year (2027) or a range of years (2027-2029)")
        return ()
    return tuple(range(start, end + 1))


def _tranches(text: str, fail: Fail) -> tuple[TrancheSpec, ...]:
    found = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        quantity, _, on = part.partition("@")
        count = _int(quantity.strip())
        try:
            day = date.fromisoformat(on.strip())
        except ValueError:
            day = None
        if count is None or day is None:
            fail("tranches", f"{part!r} is not quantity@YYYY-MM-DD")
            continue
        found.append(TrancheSpec(count, day))
    return tuple(found)
