"""Typing one cell: what spreadsheets produce is read, what is ambiguous is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ramstein.domain.needs import NeedStatus, Priority
from ramstein.domain.pledges import PledgeSource, TrancheSpec
from ramstein.interchange import cells
from ramstein.interchange.cells import MAX_AMOUNT, MAX_QUANTITY, BadCell
from ramstein.interchange.sheets import Cell

EXCEL_EPOCH = date(1899, 12, 30)
"""Excel serial N is this date plus N days (for every date from 1900-03-01 on)."""
PROPERTY = settings(max_examples=100, deadline=None)


def refused(read: Callable[[Cell], object], cell: Cell) -> str:
    with pytest.raises(BadCell) as bad:
        read(cell)
    return bad.value.reason


# --- whole numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    ["1250000", "1,250,000", "1 250 000", "1\u00a0250\u00a0000", " 1250000 ", "1250000.00"]
    + ["+1,250,000", 1250000, 1250000.0],
)
def test_a_whole_number_is_read_with_or_without_thousands_separators(cell: Cell) -> None:
    assert cells.whole(cell) == 1250000


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        (
            "1.250.000",
            "a whole number: write the decimal point as '.', and thousands as ',' or nothing",
        ),
        ("12,5", "a whole number: write the decimal point as '.', and thousands as ',' or nothing"),
        ("1,25,000", "a whole number"),
        ("1.5", "a whole number, not a fraction"),
        (2.5, "a whole number, not a fraction"),
        ("twenty", "a whole number"),
        ("1e6", "a whole number"),
        (True, "a whole number, not a date or a yes/no"),
        (datetime(2027, 3, 31), "a whole number, not a date or a yes/no"),
        (MAX_QUANTITY + 1, "a whole number of at most 1,000,000,000,000"),
        ("1,000,000,000,001", "a whole number of at most 1,000,000,000,000"),
        ("9" * 400, "a whole number of at most 1,000,000,000,000"),
        (float("inf"), "a whole number"),
        (float("nan"), "a whole number"),
    ],
)
def test_a_whole_number_that_is_ambiguous_fractional_or_too_large_is_refused(
    cell: Cell, reason: str
) -> None:
    assert refused(cells.whole, cell) == reason


@PROPERTY
@given(st.integers(-MAX_QUANTITY, MAX_QUANTITY))
def test_whole_numbers_round_trip_through_every_written_form(n: int) -> None:
    grouped = f"{n:,}"
    forms: list[Cell] = [n, str(n), grouped, grouped.replace(",", " "), f"{n}.00", float(n)]

    assert [cells.whole(form) for form in forms] == [n] * len(forms)


@PROPERTY
@given(st.integers(MAX_QUANTITY + 1, 10**30), st.booleans())
def test_whole_numbers_above_the_maximum_are_refused(n: int, grouped: bool) -> None:
    assert "at most" in refused(cells.whole, f"{n:,}" if grouped else str(n))


# --- amounts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("1250000.00", Decimal("1250000.00")),
        ("1,250,000.5", Decimal("1250000.5")),
        ("12 500 000", Decimal("12500000")),
        (1250000.25, Decimal("1250000.25")),
        (0.1 + 0.2, Decimal("0.3")),  # binary noise, not something a person typed
        (12500000, Decimal("12500000")),
    ],
)
def test_an_amount_is_read(cell: Cell, value: Decimal) -> None:
    assert cells.amount(cell) == value


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("1.005", "an amount with at most 2 decimal places"),
        (1234.567, "an amount with at most 2 decimal places"),  # typed into Excel: not rounded
        ("1.250.000,00", "an amount, such as 1250000.00: write the decimal point as '.', and "
         "thousands as ',' or nothing"),
        ("EUR 1,000", "an amount, such as 1250000.00"),
        ("1,000,000,000,000,001", "an amount of at most 1,000,000,000,000,000"),
        (1e16, "an amount of at most 1,000,000,000,000,000"),
        (float("inf"), "an amount, such as 1250000.00"),
        (float("nan"), "an amount, such as 1250000.00"),
    ],
)  # fmt: skip
def test_an_amount_with_too_many_places_or_too_large_is_refused(cell: Cell, reason: str) -> None:
    assert refused(cells.amount, cell) == reason


@PROPERTY
@given(st.decimals(-MAX_AMOUNT, MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False))
def test_amounts_round_trip_through_their_written_forms(value: Decimal) -> None:
    assert cells.amount(format(value, "f")) == value
    assert cells.amount(format(value, ",f")) == value


@PROPERTY
@given(st.decimals(0, 10**12, places=2, allow_nan=False, allow_infinity=False))
def test_amounts_round_trip_through_excel_numbers(value: Decimal) -> None:
    assert cells.amount(float(value)) == value


@PROPERTY
@given(st.decimals(Decimal("0.00000001"), 1000, places=8, allow_nan=False, allow_infinity=False))
def test_exchange_rates_keep_eight_places(rate: Decimal) -> None:
    written = format(rate, "f")
    too_precise = written + "1" if "." in written else written + ".000000001"

    assert cells.amount(written, places=8) == rate
    assert refused(lambda c: cells.amount(c, places=8), too_precise) == (
        "an amount with at most 8 decimal places"
    )


# --- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    ["2026-03-31", " 2026-03-31 ", "2026-03-31T00:00:00", "2026-03-31 10:15:00+02:00"]
    + [datetime(2026, 3, 31), datetime(2026, 3, 31, 14, 30), 46112, 46112.0, "46112"],
)
def test_a_date_is_read_from_iso_text_an_excel_date_or_an_excel_serial(cell: Cell) -> None:
    assert cells.day(cell) == date(2026, 3, 31)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("31/03/2027", "a date as YYYY-MM-DD: day and month in this order are ambiguous"),
        ("03/31/2027", "a date as YYYY-MM-DD: day and month in this order are ambiguous"),
        ("31.03.2027", "a date as YYYY-MM-DD: day and month in this order are ambiguous"),
        ("2027-02-30", "a date that exists, as YYYY-MM-DD"),
        ("2027-03-31 or later", "a date as YYYY-MM-DD"),
        ("March 2027", "a date as YYYY-MM-DD"),
        (46112.5, "a date as YYYY-MM-DD (or an Excel date serial number)"),
        (0, "a date as YYYY-MM-DD (or an Excel date serial number)"),
        (3_000_000, "a date as YYYY-MM-DD (or an Excel date serial number)"),
        (10**400, "a date as YYYY-MM-DD (or an Excel date serial number)"),
        (float("inf"), "a date as YYYY-MM-DD (or an Excel date serial number)"),
        (True, "a date as YYYY-MM-DD"),
    ],
)
def test_a_date_that_is_ambiguous_or_does_not_exist_is_refused(cell: Cell, reason: str) -> None:
    assert refused(cells.day, cell) == reason


@PROPERTY
@given(st.dates(date(1900, 3, 1), date(9999, 12, 31)))
def test_dates_round_trip_in_iso_and_as_excel_serials(day: date) -> None:
    serial = (day - EXCEL_EPOCH).days
    as_datetime = datetime(day.year, day.month, day.day)
    forms: list[Cell] = [day.isoformat(), as_datetime, serial, float(serial)]
    if serial >= 1000:
        forms.append(str(serial))  # serials typed as text have four digits or more

    assert [cells.day(form) for form in forms] == [day] * len(forms)
    assert EXCEL_EPOCH + timedelta(days=serial) == day


# --- choices, codes, years, tranches ----------------------------------------------------


def test_a_choice_is_read_in_any_case_with_spaces_or_hyphens() -> None:
    assert cells.choice(Priority, "p1") is Priority.P1
    assert cells.choice(PledgeSource, " Procurement ") is PledgeSource.PROCUREMENT
    assert cells.choice(NeedStatus, "Partly covered") is NeedStatus.PARTLY_COVERED
    assert cells.choice(NeedStatus, "PARTLY-COVERED") is NeedStatus.PARTLY_COVERED
    assert refused(lambda c: cells.choice(Priority, c), "P5") == "one of P1, P2, P3, P4"


def test_a_code_has_no_spaces() -> None:
    assert cells.code(" 155mm-shell ") == "155mm-shell"
    assert cells.code("deu", upper=True) == "DEU"
    assert refused(cells.code, "155 mm shell") == "a code without spaces"


@pytest.mark.parametrize(
    ("cell", "years"),
    [("2027", (2027,)), (2027, (2027,)), (2027.0, (2027,)), ("2027-2029", (2027, 2028, 2029))]
    + [("2027 \u2013 2028", (2027, 2028))],
)
def test_years_are_one_year_or_a_range(cell: Cell, years: tuple[int, ...]) -> None:
    assert cells.years(cell) == years


@pytest.mark.parametrize("cell", ["27", "2029-2027", "2027-2100", "2027, 2029"])
def test_years_that_are_no_year_or_range_are_refused(cell: Cell) -> None:
    assert refused(cells.years, cell).startswith("a ")


def test_tranches_are_quantities_at_dates() -> None:
    read = cells.tranches("6,000@2027-03-31; 4000 @ 46112;")

    assert read == (TrancheSpec(6000, date(2027, 3, 31)), TrancheSpec(4000, date(2026, 3, 31)))
    assert cells.tranches(None) == ()


@pytest.mark.parametrize("part", ["60 2027-03-31", "sixty@2027-03-31", "60@31/03/2027", "@"])
def test_a_tranche_that_is_not_quantity_at_date_is_refused_quoting_it(part: str) -> None:
    reason = refused(cells.tranches, f"40@2027-01-31; {part}")

    assert reason == f"{part!r} is not quantity@YYYY-MM-DD"


def test_participant_codes_are_split_on_spaces_commas_and_semicolons() -> None:
    assert cells.codes("deu, gbr;POL  nld") == ("DEU", "GBR", "POL", "NLD")
    assert cells.codes(None) == ()


# --- anything at all --------------------------------------------------------------------

READERS: dict[str, Callable[[Cell], object]] = {
    "whole": cells.whole,
    "amount": cells.amount,
    "rate": lambda c: cells.amount(c, places=8),
    "day": cells.day,
    "years": cells.years,
    "tranches": cells.tranches,
    "code": cells.code,
    "priority": lambda c: cells.choice(Priority, c),
}
any_cell = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=40),
    st.integers(),
    st.integers(-(10**400), 10**400),  # an XLSX number cell may hold any digits
    st.floats(),
    st.datetimes(),
    st.text(alphabet="0123456789,. -/+@;:eE", max_size=25),
)


@settings(max_examples=150, deadline=None)
@given(any_cell, st.sampled_from(sorted(READERS)))
def test_any_cell_is_read_or_refused_with_bad_cell_never_another_error(
    cell: Cell, reader: str
) -> None:
    try:
        READERS[reader](cell)
    except BadCell as bad:
        assert bad.reason


@PROPERTY
@given(st.text(alphabet=st.characters(exclude_categories=["Nd"]), min_size=1, max_size=30))
def test_text_without_digits_is_never_a_number_a_date_or_years(garbage: str) -> None:
    for read in (cells.whole, cells.amount, cells.day, cells.years):
        with pytest.raises(BadCell):
            read(garbage)
