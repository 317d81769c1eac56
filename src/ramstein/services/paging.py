"""Sorting and keyset pagination for the list queries.

Each list names the orders it may be sorted in; an order is a tuple of columns ending in the
record's unique key, so it is total and a page can start right after the last record seen
(a keyset, not an offset: records added meanwhile never shift a page). The same values are
read off a record to say where the next page starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa

from ramstein.domain.errors import InvalidValue

T = TypeVar("T")
Q = TypeVar("Q", bound=sa.Select[Any])


@dataclass(frozen=True, slots=True)
class Order:
    """One way to sort a list: columns, unique key last, and the same values off a record."""

    columns: tuple[sa.ColumnElement[Any], ...]
    values: Callable[[Any], tuple[object, ...]]
    descending: bool = False
    """The order's natural direction; a request may reverse it."""


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which order, which direction, where to start and how many records."""

    sort: str | None = None
    """A name from the list's orders; None for the list's default."""
    reverse: bool = False
    """Against the order's natural direction."""
    after: tuple[object, ...] | None = None
    """The order's values of the last record of the previous page."""
    limit: int | None = None


def apply(q: Q, orders: Mapping[str, Order], default: str, page: PageRequest | None) -> Q:
    """`q` sorted and cut to the requested page (an unknown sort is refused)."""
    page = page or PageRequest()
    name = page.sort or default
    order = orders.get(name)
    if order is None:
        raise InvalidValue(
            "sort", f"Sort by {name!r} is not offered here; use one of: {', '.join(orders)}."
        )
    descending = order.descending != page.reverse
    q = q.order_by(*(c.desc() if descending else c.asc() for c in order.columns))
    if page.after is not None:
        after = typed(order, page.after)
        left, right = sa.tuple_(*order.columns), sa.tuple_(*(sa.literal(v) for v in after))
        q = q.where(left < right if descending else left > right)
    if page.limit is not None:
        q = q.limit(page.limit)
    return q


def typed(order: Order, values: tuple[object, ...]) -> tuple[object, ...]:
    """Cursor values (as JSON gives them back) in the columns' Python types."""
    stale = InvalidValue("cursor", "The cursor does not belong to this order; start again.")
    if len(values) != len(order.columns):
        raise stale
    out: list[object] = []
    for column, value in zip(order.columns, values, strict=True):
        kind = column.type
        if isinstance(kind, sa.Date) and isinstance(value, str):
            try:
                out.append(date.fromisoformat(value))
            except ValueError:
                raise stale from None
        elif _fits(kind, value):
            out.append(value)
        else:
            raise stale
    return tuple(out)


def _fits(kind: sa.types.TypeEngine[Any], value: object) -> bool:
    if isinstance(kind, sa.Date):
        return isinstance(value, date)
    if isinstance(kind, sa.Integer):
        return type(value) is int
    return isinstance(kind, sa.String) and isinstance(value, str)


def json_values(values: tuple[object, ...]) -> list[object]:
    """An order's values as JSON can carry them (dates as ISO 8601)."""
    return [v.isoformat() if isinstance(v, date) else v for v in values]
