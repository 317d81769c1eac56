"""Money in EUR (rounded half-even to the cent) and exact decimal fields."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ramstein.domain.decimals import MAX_PLACES, check_places, plain
from ramstein.domain.errors import InvalidValue
from ramstein.domain.pledges import Money, validate_money


@pytest.mark.parametrize(
    ("amount", "currency", "rate", "eur"),
    [
        ("10.01", "USD", "0.5", "5.00"),  # 5.005: half to even, down
        ("10.03", "USD", "0.5", "5.02"),  # 5.015: half to even, up
        ("10.05", "USD", "0.5", "5.02"),  # 5.025: half to even, down
        ("1000000.00", "USD", "0.92345678", "923456.78"),
        ("0.01", "GBP", "1.16", "0.01"),
        ("1250.5", "EUR", "1", "1250.50"),
        ("0", "NOK", "0.086", "0.00"),
    ],
)
def test_eur_value_is_rounded_half_even_to_the_cent(
    amount: str, currency: str, rate: str, eur: str
) -> None:
    money = Money(Decimal(amount), currency, Decimal(rate))
    assert money.eur == Decimal(eur)
    assert str(money.eur) == eur  # always two places, never exponent notation


def test_a_eur_amount_is_its_own_value() -> None:
    money = Money.eur_amount(Decimal("42.10"))
    assert (money.currency, money.eur_rate, money.eur) == ("EUR", Decimal(1), Decimal("42.10"))


@given(
    amount=st.decimals(min_value=0, max_value=10**12, places=2),
    rate=st.decimals(min_value=Decimal("0.00000001"), max_value=1000, places=8),
)
def test_eur_value_is_within_half_a_cent_of_the_exact_product(
    amount: Decimal, rate: Decimal
) -> None:
    eur = Money(amount, "USD", rate).eur
    assert eur.as_tuple().exponent == -2
    assert abs(eur - amount * rate) <= Decimal("0.005")


@pytest.mark.parametrize(
    ("money", "field", "says"),
    [
        (Money(Decimal("10.005"), "USD", Decimal("0.9")), "value", "more than 2 decimal places"),
        (Money(Decimal("-1"), "USD", Decimal("0.9")), "value", "cannot be negative (-1)"),
        (Money(Decimal("1"), "usd", Decimal("0.9")), "currency", "'usd' is not an ISO 4217"),
        (Money(Decimal("1"), "DOLLAR", Decimal("0.9")), "currency", "'DOLLAR' is not an ISO"),
        (Money(Decimal("1"), "USD", Decimal("0")), "eur_rate", "must be positive (0)"),
        (Money(Decimal("1"), "USD", Decimal("-0.5")), "eur_rate", "must be positive (-0.5)"),
        (Money(Decimal("1"), "USD", Decimal("1E-9")), "eur_rate", "more than 8 decimal places"),
        (Money(Decimal("1"), "EUR", Decimal("0.9")), "eur_rate", "A value in EUR has rate 1"),
    ],
)
def test_invalid_money_is_refused_with_the_reason(money: Money, field: str, says: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        validate_money(money)
    assert caught.value.field == field
    assert says in str(caught.value)


def test_valid_money_passes_unchanged() -> None:
    money = Money(Decimal("99.99"), "USD", Decimal("0.91234567"))
    assert validate_money(money) is money


@pytest.mark.parametrize(
    ("value", "places"),
    [("1", 0), ("1.5", 1), ("1.25", 2), ("100", 2), ("1E+3", 0), ("0.12345678", MAX_PLACES)],
)
def test_check_places_accepts_up_to_the_limit(value: str, places: int) -> None:
    assert check_places("ratio", Decimal(value), places) == Decimal(value)


@pytest.mark.parametrize(
    ("value", "places"),
    [("1.5", 0), ("1.125", 2), ("1.000", 2), ("0.123456789", MAX_PLACES)],
)
def test_check_places_refuses_more_places_naming_the_value_and_the_limit(
    value: str, places: int
) -> None:
    with pytest.raises(InvalidValue) as caught:
        check_places("ratio", Decimal(value), places)
    assert caught.value.field == "ratio"
    assert str(caught.value) == (
        f"{value} has more than {places} decimal places; round it to {places}."
    )


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_check_places_refuses_non_finite_numbers(value: Decimal) -> None:
    with pytest.raises(InvalidValue, match="is not a finite number"):
        check_places("gdp_eur_bn", value, 6)


def test_check_places_refuses_a_float() -> None:
    with pytest.raises(InvalidValue, match=r"0\.1 is not a decimal number"):
        check_places("gdp_eur_bn", 0.1, 6)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("10", "10"), ("1E+1", "10"), ("1.500", "1.5"), ("0.00", "0"), ("2.50E+3", "2500")],
)
def test_plain_drops_trailing_zeros_without_exponent(value: str, shown: str) -> None:
    assert str(plain(Decimal(value))) == shown
