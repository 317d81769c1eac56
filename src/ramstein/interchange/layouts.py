"""The columns of the import files (needs, pledges, the years of pledges, deliveries and
pooled-fund contributions), found by their header.

A header cell names a column by its name or one of its aliases, in any case, with spaces,
hyphens or underscores (`Item type`, `item-type`, `ITEM_TYPE`). Columns marked `export_only`
are written by `ramstein export` (so an export can be imported again unchanged) and skipped on
import. A second line of HXL hashtags (`#org+funding`, ...) is skipped.

Every row of needs, pledges and deliveries needs a `ref`: the sender's own id of the record,
kept as its external reference, so importing the same file again finds the records it made and
changes nothing. An exported record without one is found by its Ramstein `id`. A row of
pledge years is one year of one pledge (found by the pledge's `pledge_ref` or `pledge_id`, as
a delivery's pledge is); a contribution has no ref of its own and is found by its `id` or by
what it records (`services.imports`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypeVar

from ramstein.domain.errors import InvalidValue
from ramstein.domain.funds import ContributionStatus
from ramstein.domain.needs import NeedStatus, Priority
from ramstein.domain.pledges import Money, PledgeSource, PledgeStatus, TrancheSpec, YearStatus
from ramstein.domain.releasability import Label, Releasability
from ramstein.interchange import cells
from ramstein.interchange.cells import BadCell
from ramstein.interchange.sheets import Cell, FileRefused, Problem, Sheet

REF_LENGTH = 128
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    meaning: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: tuple[str, ...] = ()
    example: str = ""
    export_only: bool = False


def _label_columns() -> tuple[Column, ...]:
    return (
        Column(
            "releasability",
            "Who may see the record: public, coalition (default) or restricted.",
            ("label", "classification", "visibility"),
            choices=tuple(r.value for r in Releasability),
            example="coalition",
        ),
        Column(
            "releasable_to",
            "For restricted records: the participants who may see it, by code.",
            ("restricted_to", "named"),
            example="",
        ),
    )


_ID = Column("id", "Ramstein's number of the record (written by export).", export_only=False)
_REF = Column(
    "ref",
    "Your own id of the record (up to 128 characters), so that a second import updates it.",
    ("external_ref", "reference", "ref_id", "your_ref", "external_id"),
    required=True,
    example="MOD-2027-0042",
)

NEED_COLUMNS: tuple[Column, ...] = (
    _REF,
    _ID,
    Column("recipient", "The recipient's code.", ("recipient_code",), example="UKR"),
    Column(
        "item_type",
        "The catalogue code of the item needed.",
        ("item", "item_code", "item_type_code", "catalogue_code"),
        required=True,
        example="155mm-shell",
    ),
    Column("quantity", "How many units.", ("qty", "units", "number"), True, example="20000"),
    Column(
        "priority",
        "P1 (most urgent) to P4.",
        ("prio", "urgency"),
        True,
        tuple(p.value for p in Priority),
        "P1",
    ),
    Column(
        "needed_by", "The date needed by.", ("due", "due_date", "needed_on"), True, (), "2027-06-30"
    ),
    Column("raised_on", "The date raised (default: the day of the import).", ("raised",)),
    Column("rationale", "Why it is needed.", ("reason", "justification", "notes", "note")),
    Column(
        "status",
        "open (default) or withdrawn; covered and partly covered are computed.",
        ("need_status",),
        choices=tuple(s.value for s in NeedStatus),
    ),
    Column(
        "withdraw_reason",
        "Why the need is withdrawn: required when a row withdraws it.",
        ("withdrawal_reason", "reason_withdrawn", "status_reason"),
    ),
    *_label_columns(),
    Column("version", "The record's version (written by export).", export_only=True),
)

PLEDGE_COLUMNS: tuple[Column, ...] = (
    _REF,
    _ID,
    Column(
        "donor",
        "The donor's code (ISO 3166 alpha-3 for a state); default: the participant importing.",
        ("donor_code", "country", "iso", "participant"),
        example="DEU",
    ),
    Column(
        "item_type",
        "The catalogue code of the item pledged.",
        ("item", "item_code", "item_type_code", "catalogue_code"),
        True,
        example="155mm-shell",
    ),
    Column("quantity", "How many units.", ("qty", "units", "number"), True, example="10000"),
    Column(
        "source",
        "stocks (default), procurement, funding, training or logistics.",
        ("pledge_source", "funding_source"),
        choices=tuple(s.value for s in PledgeSource),
        example="stocks",
    ),
    Column("value", "The value, in `currency`.", ("amount", "value_amount"), example="12500000"),
    Column("currency", "ISO 4217 code of the value (default EUR).", ("ccy",), example="EUR"),
    Column(
        "eur_rate",
        "EUR per unit of `currency` (or give --rate CUR=RATE to the import).",
        ("rate", "exchange_rate", "fx_rate"),
    ),
    Column("value_eur", "The value in EUR (written by export).", ("eur_value",), export_only=True),
    Column("years", "The year or years covered: 2027 or 2027-2029.", ("year",), example="2027"),
    Column(
        "tranches",
        "Deliveries planned: quantity@date; quantity@date.",
        ("schedule", "tranche_schedule"),
        example="6000@2027-03-31; 4000@2027-06-30",
    ),
    Column("meeting", "The meeting number it was announced at.", ("meeting_number",)),
    Column(
        "announced_on",
        "The date announced (default: the meeting's date, or the day of the import).",
        ("announced", "pledged_on", "date"),
    ),
    Column(
        "status",
        "announced (default), committed, contracted or cancelled; delivering and delivered "
        "follow from the deliveries.",
        ("pledge_status",),
        choices=tuple(s.value for s in PledgeStatus),
    ),
    Column("cancel_reason", "Why it was cancelled.", ("reason", "cancellation_reason")),
    *_label_columns(),
    Column("delivered", "Units delivered (written by export).", export_only=True),
    Column("version", "The record's version (written by export).", export_only=True),
)

_PLEDGE_ID = Column("pledge_id", "Ramstein's number of the pledge.", ("pledge",))


def _pledge_ref(what: str) -> Column:
    return Column(
        "pledge_ref",
        f"The `ref` of the pledge {what} (or give `pledge_id`).",
        ("pledge_external_ref", "pledge_reference"),
        example="MOD-2027-0042",
    )


DELIVERY_COLUMNS: tuple[Column, ...] = (
    _REF,
    _ID,
    _pledge_ref("delivered against"),
    _PLEDGE_ID,
    Column("tranche", "The tranche delivered against (default 1).", ("tranche_number",)),
    Column("quantity", "How many units were dispatched.", ("qty", "units"), True, (), "2000"),
    Column(
        "dispatched_on",
        "The date dispatched.",
        ("dispatched", "shipped_on", "date"),
        True,
        (),
        "2027-04-02",
    ),
    Column("note", "A note on the dispatch.", ("notes", "comment")),
    Column(
        "received_quantity",
        "Units received, once the recipient confirms.",
        ("received", "received_qty"),
    ),
    Column("received_on", "The date received.", ("receipt_date",)),
    Column("discrepancy", "What did not arrive, and why (when fewer were received).", ()),
    Column("donor", "The donor (written by export).", export_only=True),
    Column("status", "dispatched or received (written by export).", export_only=True),
    Column("releasability", "The pledge's label (written by export).", export_only=True),
    Column("releasable_to", "The pledge's named participants (export).", export_only=True),
    Column("version", "The record's version (written by export).", export_only=True),
)

PLEDGE_YEAR_COLUMNS: tuple[Column, ...] = (
    _pledge_ref("whose year it is"),
    _PLEDGE_ID,
    Column("donor", "The pledge's donor (written by export).", export_only=True),
    Column(
        "year",
        "A year the pledge covers (one row a year).",
        ("budget_year", "fiscal_year"),
        True,
        example="2027",
    ),
    Column(
        "amount_eur",
        "The year's amount in EUR; required the first time a year is planned (default: as "
        "planned). The years not cancelled may not add up to more than the pledge is worth.",
        ("amount", "eur", "year_amount"),
        example="1500000",
    ),
    Column(
        "status",
        "indicative (default for a new year), committed, delivered or cancelled (default: "
        "as planned).",
        ("year_status",),
        choices=tuple(s.value for s in YearStatus),
        example="committed",
    ),
    Column("releasability", "The pledge's label (written by export).", export_only=True),
    Column("releasable_to", "The pledge's named participants (export).", export_only=True),
)

CONTRIBUTION_COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        "Ramstein's number of the contribution (written by export); without it a row is "
        "found by its fund, contributor, date, amount and currency.",
    ),
    Column(
        "fund",
        "The pooled fund's code (a participant of kind fund).",
        ("fund_code", "pooled_fund"),
        True,
        example="PF",
    ),
    Column(
        "contributor",
        "The code of the state or organisation contributing.",
        ("contributor_code", "donor", "country"),
        True,
        example="DEU",
    ),
    Column(
        "amount",
        "The amount, in `currency` (more than 0).",
        ("value", "value_amount"),
        True,
        example="1000000",
    ),
    Column("currency", "ISO 4217 code of the amount (default EUR).", ("ccy",), example="EUR"),
    Column(
        "eur_rate",
        "EUR per unit of `currency` (or give --rate CUR=RATE to the import).",
        ("rate", "exchange_rate", "fx_rate"),
    ),
    Column("value_eur", "The amount in EUR (written by export).", ("eur_value",), export_only=True),
    Column(
        "on",
        "The date it was pledged to the fund (default: the day of the import).",
        ("pledged_on", "date", "contributed_on"),
        example="2027-01-15",
    ),
    Column(
        "status",
        "pledged (default), paid or cancelled.",
        ("contribution_status",),
        choices=tuple(s.value for s in ContributionStatus),
    ),
    Column(
        "status_on",
        "The date it was paid or cancelled (default: the day of the import).",
        ("paid_on", "cancelled_on", "status_date"),
    ),
    Column(
        "reason",
        "Why it was cancelled: required when a row cancels it.",
        ("cancel_reason", "cancellation_reason"),
    ),
    Column("note", "A note on the contribution.", ("notes", "comment")),
    *_label_columns(),
    Column("version", "The record's version (written by export).", export_only=True),
)


@dataclass(frozen=True, slots=True)
class NeedRow:
    line: int
    ref: str | None
    id: int | None
    recipient: str | None
    item_type: str
    quantity: int
    priority: Priority
    needed_by: date
    raised_on: date | None
    rationale: str
    status: NeedStatus | None
    withdraw_reason: str
    label: Label


@dataclass(frozen=True, slots=True)
class PledgeRow:
    line: int
    ref: str | None
    id: int | None
    donor: str | None
    item_type: str
    quantity: int
    source: PledgeSource
    value: Money | None
    years: tuple[int, ...]
    tranches: tuple[TrancheSpec, ...]
    meeting: int | None
    announced_on: date | None
    status: PledgeStatus | None
    cancel_reason: str
    label: Label


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    line: int
    ref: str | None
    id: int | None
    pledge_ref: str | None
    pledge_id: int | None
    tranche: int
    quantity: int
    dispatched_on: date
    note: str
    received_quantity: int | None
    received_on: date | None
    discrepancy: str


@dataclass(frozen=True, slots=True)
class PledgeYearRow:
    line: int
    pledge_ref: str | None
    pledge_id: int | None
    year: int
    amount_eur: Decimal | None
    status: YearStatus | None


@dataclass(frozen=True, slots=True)
class ContributionRow:
    line: int
    id: int | None
    fund: str
    contributor: str
    amount: Money
    """The amount in its currency, with its rate."""
    on: date | None
    status: ContributionStatus | None
    status_on: date | None
    reason: str
    note: str
    label: Label


ImportRow = NeedRow | PledgeRow | DeliveryRow | PledgeYearRow | ContributionRow


@dataclass(slots=True)
class _Cells:
    """One row's cells by column name, collecting every problem."""

    line: int
    by_name: Mapping[str, Cell]
    problems: list[Problem] = field(default_factory=list)

    def raw(self, name: str) -> Cell:
        return self.by_name.get(name)

    def text(self, name: str) -> str:
        return cells.text(self.by_name.get(name))

    def fail(self, name: str, reason: str) -> None:
        self.problems.append(Problem(self.line, name, self.text(name), reason))

    def get(self, name: str, read: Callable[[Cell], T]) -> T | None:
        """The cell read by `read`; None if it is empty or cannot be read (then noted)."""
        cell = self.by_name.get(name)
        if cells.is_empty(cell):
            return None
        try:
            return read(cell)
        except BadCell as error:
            self.fail(name, error.reason)
            return None

    def need(self, name: str, read: Callable[[Cell], T]) -> T:
        """A required cell; where it is missing or bad the row is dropped, so the placeholder
        returned then is never used."""
        cell = self.by_name.get(name)
        if cells.is_empty(cell):
            self.fail(name, "required")
            return None  # type: ignore[return-value]
        try:
            return read(cell)
        except BadCell as error:
            self.fail(name, error.reason)
            return None  # type: ignore[return-value]


def _ref(c: _Cells) -> str | None:
    ref = c.text("ref") or None
    if ref is not None and len(ref) > REF_LENGTH:
        c.fail("ref", f"at most {REF_LENGTH} characters")
    return ref


def _label(c: _Cells) -> Label:
    named = cells.codes(c.raw("releasable_to"))
    try:
        return Label.of(c.text("releasability").lower() or "coalition", named)
    except InvalidValue as error:
        c.fail("releasability", str(error))
        return Label(Releasability.COALITION)


def _number(what: str, maximum: int) -> Callable[[Cell], int]:
    return lambda x: cells.whole(x, what=what, maximum=maximum)


_record_id = _number("a record number", 2**62)


def _upper_code(cell: Cell) -> str:
    return cells.code(cell, upper=True)


def _money(c: _Cells, rates: Mapping[str, Decimal], column: str = "value") -> Money | None:
    """The money in `column`, `currency` and `eur_rate` (or `rates`); None if there is none
    or it cannot be read (then noted)."""
    value = c.get(column, cells.amount)
    currency = c.text("currency").upper() or "EUR"
    rate = c.get("eur_rate", lambda x: cells.amount(x, places=8))
    if value is None:
        if not c.text(column) and (c.text("currency") or c.text("eur_rate")):
            c.fail(column, "a currency or rate is given without a value")
        return None
    if not re.fullmatch(r"[A-Z]{3}", currency):
        c.fail("currency", "an ISO 4217 code such as EUR or USD")
        return None
    if currency == "EUR":
        if rate is not None and rate != 1:
            c.fail("eur_rate", "a value in EUR has rate 1")
        return Money.eur_amount(value)
    if rate is None and c.text("eur_rate"):
        return None  # the rate given cannot be read, and is reported as such
    rate = rate if rate is not None else rates.get(currency)
    if rate is None:
        c.fail("eur_rate", f"a value in {currency} needs its rate (EUR per {currency})")
        return None
    if rate <= 0:
        c.fail("eur_rate", "a positive rate")
        return None
    return Money(value, currency, rate)


def _need(c: _Cells, rates: Mapping[str, Decimal]) -> NeedRow:
    return NeedRow(
        line=c.line,
        ref=_ref(c),
        id=c.get("id", _record_id),
        recipient=c.get("recipient", _upper_code),
        item_type=c.need("item_type", cells.code),
        quantity=c.need("quantity", cells.whole),
        priority=c.need("priority", lambda x: cells.choice(Priority, x)),
        needed_by=c.need("needed_by", cells.day),
        raised_on=c.get("raised_on", cells.day),
        rationale=c.text("rationale"),
        status=c.get("status", lambda x: cells.choice(NeedStatus, x)),
        withdraw_reason=c.text("withdraw_reason"),
        label=_label(c),
    )


def _pledge(c: _Cells, rates: Mapping[str, Decimal]) -> PledgeRow:
    return PledgeRow(
        line=c.line,
        ref=_ref(c),
        id=c.get("id", _record_id),
        donor=c.get("donor", _upper_code),
        item_type=c.need("item_type", cells.code),
        quantity=c.need("quantity", cells.whole),
        source=c.get("source", lambda x: cells.choice(PledgeSource, x)) or PledgeSource.STOCKS,
        value=_money(c, rates),
        years=c.get("years", cells.years) or (),
        tranches=c.get("tranches", cells.tranches) or (),
        meeting=c.get("meeting", _number("a meeting number", 10**6)),
        announced_on=c.get("announced_on", cells.day),
        status=c.get("status", lambda x: cells.choice(PledgeStatus, x)),
        cancel_reason=c.text("cancel_reason"),
        label=_label(c),
    )


def _pledge_of(c: _Cells) -> tuple[str | None, int | None]:
    """The pledge a row names: by its `pledge_ref`, or by its `pledge_id`."""
    pledge_ref = c.text("pledge_ref") or None
    pledge_id = c.get("pledge_id", _record_id)
    if pledge_ref is None and pledge_id is None and cells.is_empty(c.raw("pledge_id")):
        c.fail("pledge_ref", "required (or give pledge_id)")
    return pledge_ref, pledge_id


def _delivery(c: _Cells, rates: Mapping[str, Decimal]) -> DeliveryRow:
    pledge_ref, pledge_id = _pledge_of(c)
    return DeliveryRow(
        line=c.line,
        ref=_ref(c),
        id=c.get("id", _record_id),
        pledge_ref=pledge_ref,
        pledge_id=pledge_id,
        tranche=c.get("tranche", _number("a tranche number", 10**4)) or 1,
        quantity=c.need("quantity", cells.whole),
        dispatched_on=c.need("dispatched_on", cells.day),
        note=c.text("note"),
        received_quantity=c.get("received_quantity", cells.whole),
        received_on=c.get("received_on", cells.day),
        discrepancy=c.text("discrepancy"),
    )


def _year(cell: Cell) -> int:
    year = cells.whole(cell, what="a year such as 2027", maximum=9999)
    if year < 1000:
        raise BadCell("a year such as 2027")
    return year


def _pledge_year(c: _Cells, rates: Mapping[str, Decimal]) -> PledgeYearRow:
    pledge_ref, pledge_id = _pledge_of(c)
    return PledgeYearRow(
        line=c.line,
        pledge_ref=pledge_ref,
        pledge_id=pledge_id,
        year=c.need("year", _year),
        amount_eur=c.get("amount_eur", cells.amount),
        status=c.get("status", lambda x: cells.choice(YearStatus, x)),
    )


def _contribution(c: _Cells, rates: Mapping[str, Decimal]) -> ContributionRow:
    amount = None
    if cells.is_empty(c.raw("amount")):
        c.fail("amount", "required")
    else:
        amount = _money(c, rates, "amount")
    return ContributionRow(
        line=c.line,
        id=c.get("id", _record_id),
        fund=c.need("fund", _upper_code),
        contributor=c.need("contributor", _upper_code),
        amount=amount,  # type: ignore[arg-type]  # None only in a row that is refused
        on=c.get("on", cells.day),
        status=c.get("status", lambda x: cells.choice(ContributionStatus, x)),
        status_on=c.get("status_on", cells.day),
        reason=c.text("reason"),
        note=c.text("note"),
        label=_label(c),
    )


@dataclass(frozen=True, slots=True)
class Layout:
    kind: str
    """needs, pledges, pledge-years, deliveries or contributions: also the sheet a workbook
    keeps them in."""
    columns: tuple[Column, ...]
    parse: Callable[[_Cells, Mapping[str, Decimal]], ImportRow]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


LAYOUTS: dict[str, Layout] = {
    "needs": Layout("needs", NEED_COLUMNS, _need),
    "pledges": Layout("pledges", PLEDGE_COLUMNS, _pledge),
    "pledge-years": Layout("pledge-years", PLEDGE_YEAR_COLUMNS, _pledge_year),
    "deliveries": Layout("deliveries", DELIVERY_COLUMNS, _delivery),
    "contributions": Layout("contributions", CONTRIBUTION_COLUMNS, _contribution),
}
"""Every import, by kind; a file of pledge years (or deliveries) names pledges, so it is
imported after the pledges it names."""


def normal(header: str) -> str:
    """A header as the column finder compares it: lower case, words joined by '_'."""
    return re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")


class BadRows(FileRefused):
    """Rows that cannot be imported."""

    def __init__(self, name: str, problems: Sequence[Problem]) -> None:
        lines = len({p.line for p in problems})
        super().__init__(name, problems, f"{lines} bad row(s)")


def parse(
    layout: Layout, sheet: Sheet, *, rates: Mapping[str, Decimal] | None = None
) -> tuple[list[ImportRow], list[Problem]]:
    """Every readable row of `sheet` typed by `layout`, and the problems of the others.

    A header that does not fit the layout (unknown, doubled or missing columns) raises
    `BadRows` at once: no row can be read without it."""
    columns = _find_columns(layout, sheet)
    rates = rates or {}
    rows = sheet.rows
    if rows and all(cells.is_empty(c) or cells.text(c).startswith("#") for c in rows[0].cells):
        rows = rows[1:]  # HXL hashtags
    found: list[ImportRow] = []
    problems: list[Problem] = []
    for row in rows:
        if len(row.cells) > len(sheet.header) and any(
            not cells.is_empty(c) for c in row.cells[len(sheet.header) :]
        ):
            problems.append(Problem(row.line, "", "", "more cells than the header has columns"))
            continue
        by_name = {
            name: row.cells[index] if index < len(row.cells) else None
            for index, name in columns.items()
        }
        c = _Cells(row.line, by_name)
        parsed = layout.parse(c, rates)
        if c.problems:
            problems += c.problems
        else:
            found.append(parsed)
    return found, problems


def cell_text(layout: Layout, sheet: Sheet) -> Callable[[int, str], str]:
    """A reader of the text of the cell at (line, column name) of `sheet`; '' for none."""
    positions = {name: index for index, name in _find_columns(layout, sheet).items()}
    by_line = {row.line: row.cells for row in sheet.rows}

    def text(line: int, name: str) -> str:
        row, index = by_line.get(line, ()), positions.get(name)
        return cells.text(row[index]) if index is not None and index < len(row) else ""

    return text


def present_columns(layout: Layout, header: Sequence[str]) -> frozenset[str]:
    """The layout's column names `header` has (by name or alias)."""
    names = {normal(a): c.name for c in layout.columns for a in (c.name, *c.aliases)}
    return frozenset(names[normal(h)] for h in header if normal(h) in names)


def _find_columns(layout: Layout, sheet: Sheet) -> dict[int, str]:
    """Header position → column name; `BadRows` for unknown, doubled or missing columns."""
    names: dict[str, str] = {}
    for column in layout.columns:
        for alias in (column.name, *column.aliases):
            names.setdefault(normal(alias), column.name)
    found: dict[int, str] = {}
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for index, header in enumerate(sheet.header):
        if not header:
            continue
        name = names.get(normal(header))
        if name is None:
            known = ", ".join(c.name for c in layout.columns if not c.export_only)
            problems.append(
                Problem(1, header, "", f"not a column of {layout.kind}; they are: {known}")
            )
            continue
        if name in seen:
            problems.append(Problem(1, header, "", f"the same column as {seen[name]!r} ({name})"))
            continue
        seen[name] = header
        if not layout.column(name).export_only:
            found[index] = name
    for column in layout.columns:
        if column.required and column.name not in seen:
            problems.append(Problem(1, column.name, "", "this column is required"))
    if problems:
        raise BadRows(sheet.name, problems)
    return found
