"""Exact decimal fields: each has a fixed number of places, so every database stores it alike."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ramstein.domain.errors import InvalidValue

MAX_PLACES = 8
"""The store keeps 8 decimal places; no field may carry more."""

MAX_QUANTITY = 10**12
"""No item quantity is larger: well inside what canonical JSON encodes exactly (2**53)."""

MAX_AMOUNT = Decimal(10) ** 15
"""No money amount, rate or ratio is this large: every database stores the digits exactly."""


def check_quantity(field: str, quantity: int, what: str) -> int:
    """A whole, positive number of items, within the bound every layer can carry exactly."""
    if quantity <= 0:
        raise InvalidValue(field, f"{what} must be positive (got {quantity}).")
    if quantity > MAX_QUANTITY:
        raise InvalidValue(field, f"{what} cannot exceed {MAX_QUANTITY:,} (got {quantity:,}).")
    return quantity


def check_places(field: str, value: Decimal, places: int) -> Decimal:
    """Return `value` if it has at most `places` decimal places and is below `MAX_AMOUNT`."""
    try:
        exponent = value.as_tuple().exponent
        finite = value.is_finite()
    except (AttributeError, InvalidOperation):
        raise InvalidValue(field, f"{value!r} is not a decimal number.") from None
    if not finite:
        raise InvalidValue(field, f"{value} is not a finite number.")
    if isinstance(exponent, int) and -exponent > places:
        raise InvalidValue(
            field, f"{value} has more than {places} decimal places; round it to {places}."
        )
    if abs(value) >= MAX_AMOUNT:
        raise InvalidValue(field, f"{value} is too large; amounts stay below {MAX_AMOUNT:,}.")
    return value


def plain(value: Decimal) -> Decimal:
    """The value without trailing zeros and without exponent notation (10, not 1E+1)."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal
