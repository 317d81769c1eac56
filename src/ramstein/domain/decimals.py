"""Exact decimal fields: each has a fixed number of places, so every database stores it alike."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ramstein.domain.errors import InvalidValue

MAX_PLACES = 8
"""The store keeps 8 decimal places; no field may carry more."""


def check_places(field: str, value: Decimal, places: int) -> Decimal:
    """Return `value` if it has at most `places` decimal places, else refuse it."""
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
    return value


def plain(value: Decimal) -> Decimal:
    """The value without trailing zeros and without exponent notation (10, not 1E+1)."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal
