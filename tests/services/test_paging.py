"""Sorting and keyset pages of the list queries, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from ramstein.domain.errors import InvalidValue
from ramstein.domain.needs import Priority
from ramstein.services import deliveries, needs, pledges
from ramstein.services.deliveries import DELIVERY_ORDERS
from ramstein.services.needs import NEED_ORDERS
from ramstein.services.paging import Order, PageRequest, json_values, typed
from ramstein.services.pledges import PLEDGE_ORDERS
from ramstein.store.engine import Store
from tests import factories as f


def _coalition(store: Store) -> None:
    p = f.setup_coalition(store)
    for i in range(7):
        f.submit_need(
            store,
            p.recipient,
            quantity=100 + (i * 37) % 5,
            priority=list(Priority)[i % 3],
            needed_by=f.BASE + timedelta(days=40 + i % 3),
            label=f.restricted("POL") if i == 3 else f.COALITION_LABEL,
        )
    for i, donor in enumerate(("DEU", "GBR", "POL", "DEU", "NLD", "DEU")):
        pledge = f.announce(
            store, p.donor(donor), quantity=80 + i % 2, announced_on=f.BASE + timedelta(days=i % 3)
        )
        if i % 2 == 0:
            f.move(store, p.donor(donor), pledge.id, f.PledgeStatus.COMMITTED)
            f.deliver(store, p.donor(donor), pledge.id, quantity=10)


LISTS: list[tuple[str, dict[str, Order], Callable[..., list[Any]]]] = [
    ("needs", NEED_ORDERS, needs.list_needs),
    ("pledges", PLEDGE_ORDERS, pledges.list_pledges),
    ("deliveries", DELIVERY_ORDERS, deliveries.list_deliveries),
]


@pytest.mark.parametrize(("name", "orders", "query"), LISTS, ids=[n for n, _, _ in LISTS])
def test_pages_walk_the_whole_list_in_every_order(
    store: Store, name: str, orders: dict[str, Order], query: Callable[..., list[Any]]
) -> None:
    _coalition(store)
    viewer = f.coalition_principals().donor("DEU")  # not named on the restricted need
    with store.read() as conn:
        for sort in orders:
            for reverse in (False, True):
                whole = query(conn=conn, viewer=viewer, page=PageRequest(sort, reverse))
                assert len(whole) >= 3
                keys = [orders[sort].values(r) for r in whole]
                assert keys == sorted(keys, reverse=orders[sort].descending != reverse)
                walked: list[Any] = []
                after = None
                while True:
                    # Through JSON and back, as the API's cursor carries the position.
                    start = tuple(json.loads(json.dumps(json_values(after)))) if after else None
                    chunk = query(
                        conn=conn, viewer=viewer, page=PageRequest(sort, reverse, start, 2)
                    )
                    walked += chunk
                    if len(chunk) < 2:
                        break
                    after = orders[sort].values(chunk[-1])
                assert [orders[sort].values(r) for r in walked] == keys, (name, sort, reverse)


def test_an_order_a_list_does_not_offer_is_refused(store: Store) -> None:
    _coalition(store)
    with store.read() as conn, pytest.raises(InvalidValue, match="urgency"):
        needs.list_needs(conn=conn, viewer=f.HOST, page=PageRequest("colour"))
    with pytest.raises(InvalidValue, match="cursor"):
        typed(NEED_ORDERS["needed_by"], ("2025-01-01",))
    with pytest.raises(InvalidValue, match="cursor"):
        typed(NEED_ORDERS["needed_by"], ("someday", 3))
