"""Concurrent writers on PostgreSQL: a gapless log and no lost update."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from ramstein.domain.errors import IllegalTransition, QuantityExceeded
from ramstein.domain.pledges import PledgeSource, PledgeStatus
from ramstein.services import deliveries, maintenance, pledges
from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests import factories as f
from tests.conftest import new_postgres_database
from tests.factories import BASE, CLOCK
from tests.pgserver import PostgresServer

pytestmark = pytest.mark.postgres

THREADS = 4


@pytest.fixture
def pg_store(postgres: PostgresServer) -> Iterator[Store]:
    s = Store(new_postgres_database(postgres), pool_size=THREADS, max_overflow=2)
    yield s
    s.dispose()


def run_together(work: Callable[[int], list[object]]) -> list[object]:
    """Run `work(i)` in THREADS threads released at the same moment; collect their results."""
    start = threading.Barrier(THREADS)

    def worker(i: int) -> list[object]:
        start.wait(timeout=30)
        return work(i)

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(worker, i) for i in range(THREADS)]
        return [r for fut in futures for r in fut.result(timeout=120)]


def test_concurrent_appends_give_a_gapless_log(pg_store: Store) -> None:
    c = f.setup_coalition(pg_store)
    start = maintenance.status(store=pg_store).log_size
    donors = list(c.donors.values())
    per_thread = 15

    def work(i: int) -> list[object]:
        made = []
        for n in range(per_thread):
            with pg_store.write(clock=CLOCK) as uow:
                made.append(
                    pledges.announce_pledge(
                        uow=uow,
                        actor=donors[i],
                        donor=donors[i].participant or "",
                        item_type=f.SHELL,
                        quantity=n + 1,
                        value=None,
                        source=PledgeSource.STOCKS,
                        announced_on=BASE,
                        label=f.COALITION_LABEL,
                    ).id
                )
        return made

    ids = run_together(work)
    total = THREADS * per_thread
    assert sorted(ids) == list(range(1, total + 1))  # every writer got its own pledge id
    with pg_store.read() as conn:
        seqs = conn.scalars(sa.select(t.log_entries.c.seq).order_by(t.log_entries.c.seq)).all()
        created = conn.scalars(sa.select(t.pledges.c.created_seq)).all()
    assert seqs == list(range(1, start + total + 1))
    assert sorted(created) == list(range(start + 1, start + total + 1))
    assert maintenance.status(store=pg_store).log_size == start + total
    assert maintenance.rebuild(store=pg_store).identical


def test_concurrent_deliveries_never_lose_an_update_or_overdeliver(pg_store: Store) -> None:
    c = f.setup_coalition(pg_store)
    deu = c.donor("DEU")
    pledge_id = f.announce(pg_store, deu, quantity=30, tranches=[(30, BASE)]).id
    f.move(pg_store, deu, pledge_id, PledgeStatus.COMMITTED)
    attempts = 12  # per thread: 48 attempts of one unit against 30 pledged

    def work(_: int) -> list[object]:
        outcomes: list[object] = []
        for _n in range(attempts):
            try:
                with pg_store.write(clock=CLOCK) as uow:
                    deliveries.record_delivery(
                        uow=uow, actor=deu, pledge_id=pledge_id, tranche=1, quantity=1
                    )
                outcomes.append("delivered")
            except (QuantityExceeded, IllegalTransition):
                # Too much for what is left, or the pledge is already delivered.
                outcomes.append("refused")
        return outcomes

    outcomes = run_together(work)
    assert outcomes.count("delivered") == 30
    assert outcomes.count("refused") == THREADS * attempts - 30
    with pg_store.read() as conn:
        pledge = pledges.get_pledge(conn=conn, viewer=deu, pledge_id=pledge_id)
        recorded = conn.scalar(sa.select(sa.func.sum(t.deliveries.c.quantity)))
        history = [s.status for s in pledges.pledge_history(conn=conn, viewer=deu, pledge_id=1)]
    assert pledge.delivered == recorded == 30
    assert pledge.version == 2 + 30 + 2  # announce, commit, 30 deliveries, delivering, delivered
    assert history == [
        PledgeStatus.ANNOUNCED,
        PledgeStatus.COMMITTED,
        PledgeStatus.DELIVERING,
        PledgeStatus.DELIVERED,
    ]
    assert maintenance.rebuild(store=pg_store).identical
