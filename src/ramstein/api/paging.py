"""Cursor pagination and sorting on every list: `?sort=-needed_by&limit=50&cursor=...`.

A page is `{"items": [...], "next_cursor": "..."}`; `next_cursor` is null on the last page.
The cursor is opaque to clients: the sort it belongs to and where the next page starts (a
keyset, so records added meanwhile never shift a page). It carries no record and nothing a
viewer may not see: a page is always read through the viewer's releasability filter.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from ramstein.domain.errors import InvalidValue
from ramstein.services.paging import Order, PageRequest, json_values

T = TypeVar("T")
R = TypeVar("R")

MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


@dataclass(frozen=True, slots=True)
class PageParams:
    sort: str | None
    cursor: str | None
    limit: int


async def page_params(
    sort: Annotated[
        str | None,
        Query(
            max_length=40,
            pattern=r"^-?[a-z_]+$",
            description="An order this list offers; `-` in front reverses it.",
        ),
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=2000, description="`next_cursor` of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Records per page.")] = 100,
) -> PageParams:
    return PageParams(sort=sort, cursor=cursor, limit=limit)


Paging = Annotated[PageParams, Depends(page_params)]


def _sort(params: PageParams) -> tuple[str | None, bool]:
    """The order a request names (None for the list's default) and whether it is reversed."""
    if not params.sort:
        return None, False
    return params.sort.removeprefix("-"), params.sort.startswith("-")


def _encode(sort: str | None, reverse: bool, after: list[object]) -> str:
    data = json.dumps({"sort": sort, "reverse": reverse, "after": after}).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _decode(cursor: str) -> tuple[str | None, bool, tuple[object, ...]]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=="))
        return data["sort"], bool(data["reverse"]), tuple(data["after"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise InvalidValue("query.cursor", "The cursor is not one this API gave out.") from None


def request(params: PageParams, orders: Mapping[str, Order]) -> PageRequest:
    """What to ask the service for: one record more than the page, to know if there is more.

    The service refuses a sort the list does not offer.
    """
    name, reverse = _sort(params)
    after = None
    if params.cursor:
        cursor_sort, cursor_reverse, after = _decode(params.cursor)
        if (cursor_sort, cursor_reverse) != (name, reverse):
            raise InvalidValue(
                "query.cursor", "The cursor belongs to another sort; start again without it."
            )
    return PageRequest(sort=name, reverse=reverse, after=after, limit=params.limit + 1)


def page(
    found: Sequence[R],
    params: PageParams,
    orders: Mapping[str, Order],
    default: str,
    convert: Callable[[R], T],
) -> Page[T]:
    """The page of `found` (the service's answer to `request`), converted, with its cursor."""
    items = list(found[: params.limit])
    cursor = None
    if len(found) > params.limit and items:
        name, reverse = _sort(params)
        after = json_values(orders[name or default].values(items[-1]))
        cursor = _encode(name, reverse, after)
    return Page[T](items=[convert(i) for i in items], next_cursor=cursor)


def page_of_list(
    items: Sequence[R],
    params: PageParams,
    *,
    key: Callable[[R], tuple[int, ...]],
    convert: Callable[[R], T],
) -> Page[T]:
    """A page of a list held in memory (a stored plan's parts), in its one order by `key`."""
    if params.sort:
        raise InvalidValue("query.sort", "This list has one order; leave out sort.")
    ordered = sorted(items, key=key)
    keys = [key(i) for i in ordered]
    start = 0
    if params.cursor:
        try:
            after = tuple(int(str(v)) for v in _decode(params.cursor)[2])
            start = bisect.bisect_right(keys, after)
        except (ValueError, TypeError):
            raise InvalidValue("query.cursor", "The cursor is not one this API gave out.") from None
    chunk = ordered[start : start + params.limit]
    cursor = None
    if start + params.limit < len(ordered) and chunk:
        cursor = _encode(None, False, list(keys[start + len(chunk) - 1]))
    return Page[T](items=[convert(i) for i in chunk], next_cursor=cursor)
