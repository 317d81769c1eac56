"""The columns of the import files, found by header, and every row typed or reported."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ramstein.domain.needs import NeedStatus, Priority
from ramstein.domain.pledges import Money, PledgeSource, PledgeStatus, TrancheSpec
from ramstein.domain.releasability import Label, Releasability
from ramstein.interchange.layouts import (
    LAYOUTS,
    BadRows,
    DeliveryRow,
    ImportRow,
    NeedRow,
    PledgeRow,
    normal,
    parse,
)
from ramstein.interchange.sheets import Cell, Problem, Row, Sheet

COALITION = Label(Releasability.COALITION)
NEED = ("N-1", "155mm-shell", "20000", "P1", "2027-06-30")
NEED_ROW = NeedRow(
    line=2,
    ref="N-1",
    id=None,
    recipient=None,
    item_type="155mm-shell",
    quantity=20000,
    priority=Priority.P1,
    needed_by=date(2027, 6, 30),
    raised_on=None,
    rationale="",
    status=None,
    withdraw_reason="",
    label=COALITION,
)


def table(header: Sequence[str], *rows: Sequence[Cell], first_line: int = 2) -> Sheet:
    numbered = (Row(n, tuple(cells)) for n, cells in enumerate(rows, start=first_line))
    return Sheet("file.csv", tuple(header), tuple(numbered))


def read(
    kind: str, header: Sequence[str], *rows: Sequence[Cell], rates: dict[str, Decimal] | None = None
) -> tuple[list[ImportRow], list[Problem]]:
    return parse(LAYOUTS[kind], table(header, *rows), rates=rates)


def header_refusal(kind: str, header: Sequence[str]) -> list[tuple[int, str, str]]:
    with pytest.raises(BadRows) as refused:
        read(kind, header, ["x"] * len(header))
    return [(p.line, p.column, p.reason) for p in refused.value.problems]


def pledge(*cells: Cell, header: Sequence[str], rates: dict[str, Decimal] | None = None) -> object:
    """The one pledge row read, or its problems as (column, value, reason)."""
    rows, problems = read("pledges", header, cells, rates=rates)
    if problems:
        return [(p.column, p.value, p.reason) for p in problems]
    (row,) = rows
    return row


# --- finding the columns ----------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        ("ref", "item_type", "quantity", "priority", "needed_by"),
        ("Ref", "Item type", "Quantity", "Priority", "Needed by"),
        ("EXTERNAL-REF", "ITEM_TYPE", "QTY", "PRIO", "DUE DATE"),
        ("your ref", "catalogue code", "units", "urgency", "needed-on"),
        ("Reference", "Item-Type-Code", "Number", "priority", "Due_date"),
    ],
)
def test_need_columns_are_found_by_name_or_alias_in_any_case_and_spacing(
    header: tuple[str, ...],
) -> None:
    assert read("needs", header, NEED) == ([NEED_ROW], [])


def test_columns_may_come_in_any_order_and_unnamed_columns_are_ignored() -> None:
    header = ("needed_by", "", "priority", "quantity", "item_type", "ref")
    cells = ("2027-06-30", "a note to self", "P1", "20000", "155mm-shell", "N-1")

    assert read("needs", header, cells) == ([NEED_ROW], [])


def test_a_header_with_unknown_doubled_and_missing_columns_is_refused_with_every_problem() -> None:
    problems = header_refusal("needs", ("ref", "item", "Item Type", "qty", "colour"))

    known = (
        "ref, id, recipient, item_type, quantity, priority, needed_by, raised_on, rationale, "
        "status, withdraw_reason, releasability, releasable_to"
    )
    assert problems == [
        (1, "Item Type", "the same column as 'item' (item_type)"),
        (1, "colour", f"not a column of needs; they are: {known}"),
        (1, "needed_by", "this column is required"),
        (1, "priority", "this column is required"),
    ]


@pytest.mark.parametrize(
    ("kind", "header", "required"),
    [
        ("needs", "rationale", ["item_type", "needed_by", "priority", "quantity", "ref"]),
        ("pledges", "cancel_reason", ["item_type", "quantity", "ref"]),
        ("deliveries", "note", ["dispatched_on", "quantity", "ref"]),
    ],
)
def test_a_header_without_the_required_columns_is_refused(
    kind: str, header: str, required: list[str]
) -> None:
    problems = header_refusal(kind, (header,))

    assert [column for _, column, _ in problems] == required


def test_columns_an_export_writes_are_recognised_and_not_read() -> None:
    header = ("ref", "item_type", "quantity", "value_eur", "delivered", "version")

    rows, problems = read("pledges", header, ("P-1", "155mm-shell", "10", "n/a", "?", "seven"))

    assert problems == []
    assert [(r.ref, r.quantity) for r in rows] == [("P-1", 10)]


def test_a_row_of_hxl_hashtags_under_the_header_is_skipped() -> None:
    hashtags = ("#meta+ref", "#item+code", "#indicator+num", "", "#date+due")

    assert read(
        "needs", ("ref", "item_type", "quantity", "priority", "needed_by"), hashtags, NEED
    ) == (
        [dataclasses.replace(NEED_ROW, line=3)],
        [],
    )


# --- typing the rows --------------------------------------------------------------------


def test_every_bad_cell_of_every_row_is_reported_and_good_rows_are_read() -> None:
    header = ("ref", "item_type", "quantity", "priority", "needed_by")

    rows, problems = read(
        "needs",
        header,
        NEED,
        ("N-2", "155mm-shell", "1.250.000", "P9", "31/03/2027"),
        ("N-3", "", "1,250,000", "P2", 46112),
        ("N-4", "fpv-drone", "10000000000000", "P3", "2027-02-30"),
    )

    assert [r.ref for r in rows] == ["N-1"]
    assert [(p.line, p.column, p.value, p.reason) for p in problems] == [
        (3, "quantity", "1.250.000",
         "a whole number: write the decimal point as '.', and thousands as ',' or nothing"),
        (3, "priority", "P9", "one of P1, P2, P3, P4"),
        (3, "needed_by", "31/03/2027",
         "a date as YYYY-MM-DD: day and month in this order are ambiguous"),
        (4, "item_type", "", "required"),
        (5, "quantity", "10000000000000", "a whole number of at most 1,000,000,000,000"),
        (5, "needed_by", "2027-02-30", "a date that exists, as YYYY-MM-DD"),
    ]  # fmt: skip


def test_a_row_with_more_cells_than_the_header_is_reported() -> None:
    rows, problems = read(
        "needs", ("ref", "item_type", "quantity", "priority", "needed_by"), (*NEED, "", "extra")
    )

    assert rows == []
    assert problems == [Problem(2, "", "", "more cells than the header has columns")]


def test_a_ref_longer_than_128_characters_is_reported() -> None:
    header = ("ref", "item_type", "quantity", "priority", "needed_by")

    _, problems = read("needs", header, ("R" * 129, *NEED[1:]))

    assert [(p.column, p.reason) for p in problems] == [("ref", "at most 128 characters")]


def test_a_need_with_all_its_columns_is_read() -> None:
    header = (
        "ref", "id", "recipient", "item_type", "quantity", "priority", "needed_by", "raised_on",
        "rationale", "status", "withdraw_reason", "releasability", "releasable_to",
    )  # fmt: skip
    cells = (
        "N-9", "12", "ukr", "155mm-shell", 500.0, "p2", "2027-06-30", 46112, " counter-battery ",
        "Withdrawn", "covered ", "Restricted", "deu, gbr",
    )  # fmt: skip

    (row,), problems = read("needs", header, cells)

    assert problems == []
    assert row == NeedRow(
        line=2,
        ref="N-9",
        id=12,
        recipient="UKR",
        item_type="155mm-shell",
        quantity=500,
        priority=Priority.P2,
        needed_by=date(2027, 6, 30),
        raised_on=date(2026, 3, 31),
        rationale="counter-battery",
        status=NeedStatus.WITHDRAWN,
        withdraw_reason="covered",
        label=Label(Releasability.RESTRICTED, frozenset({"DEU", "GBR"})),
    )


def test_a_pledge_with_tranches_years_and_status_is_read() -> None:
    header = (
        "Ref",
        "Donor",
        "Item",
        "Qty",
        "Source",
        "Tranches",
        "Year",
        "Meeting",
        "Date",
        "Status",
    )
    cells = ("P-1", "deu", "155mm-shell", "10,000", "Procurement", "6000@2027-03-31; 4000@46477",
             "2027-2028", "31", "2027-01-15", "committed")  # fmt: skip

    row = pledge(*cells, header=header)

    assert row == PledgeRow(
        line=2,
        ref="P-1",
        id=None,
        donor="DEU",
        item_type="155mm-shell",
        quantity=10000,
        source=PledgeSource.PROCUREMENT,
        value=None,
        years=(2027, 2028),
        tranches=(TrancheSpec(6000, date(2027, 3, 31)), TrancheSpec(4000, date(2027, 3, 31))),
        meeting=31,
        announced_on=date(2027, 1, 15),
        status=PledgeStatus.COMMITTED,
        cancel_reason="",
        label=COALITION,
    )


def test_a_bad_tranche_or_releasability_is_reported() -> None:
    header = ("ref", "item_type", "quantity", "tranches", "releasability")

    assert pledge("P-1", "155mm-shell", "10", "60 on 2027-03-31", "secret", header=header) == [
        ("tranches", "60 on 2027-03-31", "'60 on 2027-03-31' is not quantity@YYYY-MM-DD"),
        ("releasability", "secret",
         "Releasability 'secret' is unknown; use one of: public, coalition, restricted."),
    ]  # fmt: skip


# --- money ------------------------------------------------------------------------------

MONEY = ("ref", "item_type", "quantity", "value", "currency", "eur_rate")
USD = {"USD": Decimal("0.92")}


@pytest.mark.parametrize(
    ("value", "currency", "rate", "rates", "money"),
    [
        ("12,500,000", "", "", None, Money.eur_amount(Decimal("12500000"))),
        ("12500000.50", "eur", "1", None, Money.eur_amount(Decimal("12500000.50"))),
        ("1,000,000", "USD", "0.9215", None, Money(Decimal("1000000"), "USD", Decimal("0.9215"))),
        ("1000000", "usd", "", USD, Money(Decimal("1000000"), "USD", Decimal("0.92"))),
        ("1000000", "USD", "0.95", USD, Money(Decimal("1000000"), "USD", Decimal("0.95"))),
        ("", "", "", USD, None),
    ],
    ids=["eur-default", "eur-rate-1", "row-rate", "import-rate", "row-rate-wins", "no-value"],
)
def test_a_value_keeps_its_amount_currency_and_rate(
    value: str, currency: str, rate: str, rates: dict[str, Decimal] | None, money: Money | None
) -> None:
    row = pledge("P-1", "155mm-shell", "10", value, currency, rate, header=MONEY, rates=rates)

    assert isinstance(row, PledgeRow)
    assert row.value == money


@pytest.mark.parametrize(
    ("value", "currency", "rate", "problem"),
    [
        ("1000", "USD", "", ("eur_rate", "", "a value in USD needs its rate (EUR per USD)")),
        ("1000", "EUR", "0.9", ("eur_rate", "0.9", "a value in EUR has rate 1")),
        ("1000", "US$", "1", ("currency", "US$", "an ISO 4217 code such as EUR or USD")),
        ("1000", "USD", "-0.9", ("eur_rate", "-0.9", "a positive rate")),
        ("1000", "USD", "0.123456789",
         ("eur_rate", "0.123456789", "an amount with at most 8 decimal places")),
        ("", "USD", "0.9", ("value", "", "a currency or rate is given without a value")),
        ("1.000.000", "EUR", "", ("value", "1.000.000", "an amount, such as 1250000.00: write "
                                  "the decimal point as '.', and thousands as ',' or nothing")),
    ],
)  # fmt: skip
def test_a_value_without_a_usable_rate_or_currency_is_reported(
    value: str, currency: str, rate: str, problem: tuple[str, str, str]
) -> None:
    assert pledge("P-1", "155mm-shell", "10", value, currency, rate, header=MONEY) == [problem]


# --- deliveries -------------------------------------------------------------------------


def test_a_delivery_is_read_with_tranche_1_by_default() -> None:
    header = ("ref", "pledge_ref", "qty", "shipped_on", "received", "receipt_date", "discrepancy")

    rows, problems = read(
        "deliveries", header, ("D-1", "P-1", "2,000", "2027-04-02", "1990", "2027-04-09", "10 lost")
    )

    assert problems == []
    assert rows == [
        DeliveryRow(
            line=2,
            ref="D-1",
            id=None,
            pledge_ref="P-1",
            pledge_id=None,
            tranche=1,
            quantity=2000,
            dispatched_on=date(2027, 4, 2),
            note="",
            received_quantity=1990,
            received_on=date(2027, 4, 9),
            discrepancy="10 lost",
        )
    ]


def test_a_delivery_against_no_pledge_is_reported() -> None:
    _, problems = read(
        "deliveries", ("ref", "pledge_ref", "quantity", "date"), ("D-1", "", "5", "2027-04-02")
    )

    assert [(p.column, p.reason) for p in problems] == [
        ("pledge_ref", "required (or give pledge_id)")
    ]


# --- any table at all -------------------------------------------------------------------

PLAUSIBLE = st.sampled_from(
    ["", "N-1", "P-1", "155mm-shell", "DEU", "ukr", "20000", "1,250,000", "1.250.000", "-5", "0",
     "P1", "p4", "2027-06-30", "31/03/2027", "46112", "2027-2029", "60@2027-03-31; 40@2027-06-30",
     "USD", "EUR", "0.92", "restricted", "public", "DEU GBR", "committed", "#meta+id", "1e99"]
)  # fmt: skip
FITTING = {
    "ref": ["N-1", "P-1", "D-1", "MOD-2027-0042"],
    "item_type": ["155mm-shell", "fpv-drone"],
    "quantity": ["20000", "1,250,000", "7"],
    "priority": ["P1", "p4"],
    "needed_by": ["2027-06-30", "46112"],
    "raised_on": ["2027-01-01"],
    "donor": ["DEU", "gbr"],
    "source": ["stocks", "Procurement"],
    "value": ["1000", "12,500,000.50"],
    "currency": ["EUR"],
    "eur_rate": ["1"],
    "years": ["2027", "2027-2029"],
    "tranches": ["60@2027-03-31; 40@2027-06-30"],
    "meeting": ["3"],
    "announced_on": ["2027-01-15"],
    "status": ["open", "committed"],
    "releasability": ["public", "coalition"],
    "pledge_ref": ["P-1"],
    "pledge_id": ["4"],
    "tranche": ["2"],
    "dispatched_on": ["2027-04-02"],
    "received_quantity": ["5"],
    "received_on": ["2027-04-09"],
}
"""Cells that suit each column, so that generated rows are often read, not only refused."""


def needed(kind: str) -> set[str]:
    """The columns a row of `kind` cannot do without."""
    return {c.name for c in LAYOUTS[kind].columns if c.required} | {"pledge_ref"}


def cells_under(kind: str, header: str, *, mixed: bool) -> st.SearchStrategy[str]:
    """A cell suiting the column `header` names in layout `kind`; if `mixed`, now and then any
    cell at all."""
    names = {normal(a): c.name for c in LAYOUTS[kind].columns for a in (c.name, *c.aliases)}
    name = names.get(normal(header), "")
    fitting = FITTING.get(name, [])
    suiting = st.sampled_from(fitting if name in needed(kind) and fitting else ["", *fitting])
    if not mixed:
        return suiting
    return st.one_of(suiting, suiting, PLAUSIBLE, st.text(max_size=12))


@st.composite
def headers(draw: st.DrawFn, kind: str) -> list[str]:
    """A header with every column a row needs (by name or alias), others, and now and then a
    column no layout has."""
    columns = LAYOUTS[kind].columns
    wanted = needed(kind)
    chosen = [draw(st.sampled_from((c.name, *c.aliases))) for c in columns if c.name in wanted]
    others = [a for c in columns if c.name not in wanted for a in (c.name, *c.aliases)]
    chosen += draw(st.lists(st.sampled_from(others), max_size=6, unique=True))
    if draw(st.integers(0, 9)) == 0:
        chosen.append(draw(st.text(max_size=8)))
    return draw(st.permutations(chosen))


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(sorted(LAYOUTS)), st.data())
def test_any_table_of_text_parses_or_reports_problems_inside_the_table(
    kind: str, data: st.DataObject
) -> None:
    layout = LAYOUTS[kind]
    header = data.draw(headers(kind), label="header")
    row = st.one_of(
        st.tuples(*(cells_under(kind, h, mixed=False) for h in header)),
        st.tuples(*(cells_under(kind, h, mixed=True) for h in header)),
    )
    extra = st.lists(st.one_of(st.just(""), PLAUSIBLE), max_size=1)  # past the header
    rows = data.draw(st.lists(st.builds(lambda r, x: [*r, *x], row, extra), max_size=5))
    sheet = table(header, *rows, first_line=3)
    lines = {row.line for row in sheet.rows}
    columns = {c.name for c in layout.columns} | set(header) | {""}

    try:
        found, problems = parse(layout, sheet, rates=USD)
    except BadRows as refused:
        assert refused.problems
        assert all(p.line == 1 and p.column in columns for p in refused.problems)
        return

    assert all(p.line in lines and p.column in columns and p.reason for p in problems)
    bad = {p.line for p in problems}
    assert not bad & {r.line for r in found}, "a row is both read and refused"
    assert len(found) == len({r.line for r in found})
    accounted = {r.line for r in found} | bad
    assert lines - {3} <= accounted <= lines, "a row was neither read nor refused"  # 3: HXL?
    required = [c.name for c in layout.columns if c.required and c.name != "ref"]
    assert all(getattr(r, name) is not None for r in found for name in required)
