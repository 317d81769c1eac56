"""Concurrent writers on both databases: a gapless log, no lost update, and on SQLite the
group commit that lets writers queued together share one transaction."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from ramstein.domain.errors import IllegalTransition, QuantityExceeded
from ramstein.domain.pledges import PledgeSource, PledgeStatus, TrancheSpec
from ramstein.services import deliveries, log, maintenance, pledges
from ramstein.store import engine
from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests import factories as f
from tests.conftest import new_postgres_database
from tests.factories import BASE, CLOCK
from tests.pgserver import PostgresServer

THREADS = 4


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def pg_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store that several threads write to at once, on each database kind."""
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'ramstein.sqlite'}")
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        s = Store(new_postgres_database(server), pool_size=THREADS, max_overflow=2)
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


def test_writers_queued_together_share_one_commit_and_a_refusal_only_takes_back_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'ramstein.sqlite'}")
    c = f.setup_coalition(store)
    before = f.snapshot(store)
    commits: list[int] = []
    finish = engine._Group.finish

    def counted(group: engine._Group) -> None:
        commits.append(group.members)
        finish(group)

    monkeypatch.setattr(engine._Group, "finish", counted)
    monkeypatch.setattr(engine, "GROUP_WINDOW", 60.0)  # however slowly the threads start
    deu = c.donor("DEU")
    queued = threading.Event()

    def announce(quantity: int, tranche: int = 0) -> int:
        with store.write(clock=CLOCK) as uow:
            if quantity == 1:  # the first writer holds its turn until three more are queued
                while store._turns.waiting() < 3:
                    time.sleep(0.001)
                queued.set()
            return pledges.announce_pledge(
                uow=uow,
                actor=deu,
                donor="DEU",
                item_type=f.SHELL,
                quantity=quantity,
                value=None,
                source=PledgeSource.STOCKS,
                announced_on=BASE,
                tranches=[TrancheSpec(tranche, BASE + timedelta(days=30))] if tranche else [],
                label=f.COALITION_LABEL,
            ).id

    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(announce, 1)
        time.sleep(0.05)
        rest = [pool.submit(announce, 2), pool.submit(announce, 3, 5)]
        rest.append(pool.submit(announce, 4))
        assert queued.wait(timeout=30)
        made = [first.result(timeout=30), rest[0].result(timeout=30), rest[2].result(timeout=30)]
        with pytest.raises(QuantityExceeded):  # refused once it had taken the next pledge id
            rest[1].result(timeout=30)
    assert commits == [3]  # four commands, one refused, one commit
    assert sorted(made) == list(range(min(made), min(made) + 3))  # it gave the id back
    with store.read() as conn:
        quantities = dict(conn.execute(sa.select(t.pledges.c.id, t.pledges.c.quantity)).all())
        seqs = conn.scalars(sa.select(t.log_entries.c.seq).order_by(t.log_entries.c.seq)).all()
    assert sorted(quantities[i] for i in made) == [1, 2, 4]
    assert seqs == list(range(1, before.log_size + 4))
    assert maintenance.rebuild(store=store).identical
    log.verify(store=store)  # the Merkle tree over the group's entries is the one recorded
    store.dispose()
