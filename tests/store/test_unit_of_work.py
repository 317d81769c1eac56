"""The log and its projections commit together: sequence, versions, atomicity."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from ramstein.domain.errors import StaleVersion
from ramstein.domain.needs import NeedSubmitted, Priority
from ramstein.domain.pledges import PledgeSource, PledgeStatus
from ramstein.services import maintenance, pledges
from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests import factories as f
from tests.factories import BASE, CLOCK


def log_seqs(store: Store) -> list[int]:
    with store.read() as conn:
        return list(conn.scalars(sa.select(t.log_entries.c.seq).order_by(t.log_entries.c.seq)))


def count(store: Store, table: sa.Table) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


class Boom(Exception):
    pass


def test_an_exception_inside_a_unit_of_work_leaves_no_entry_and_no_row(store: Store) -> None:
    c = f.setup_coalition(store)
    before = f.snapshot(store)
    with pytest.raises(Boom), store.write(clock=CLOCK) as uow:
        pledge = pledges.announce_pledge(
            uow=uow,
            actor=c.donor("DEU"),
            donor="DEU",
            item_type=f.SHELL,
            quantity=10,
            value=None,
            source=PledgeSource.STOCKS,
            announced_on=BASE,
            label=f.restricted("GBR"),
        )
        # Inside the transaction the entry and the rows are there...
        assert uow.conn.execute(sa.select(t.pledges.c.id)).scalars().all() == [pledge.id]
        assert uow.size == before.log_size + 1
        raise Boom
    # ...and after it nothing is: no entry, no pledge, no tranche, no grant, same head.
    assert f.snapshot(store) == before
    assert log_seqs(store) == list(range(1, before.log_size + 1))
    assert count(store, t.pledges) == count(store, t.record_grants) == 0
    assert count(store, t.pledge_history) == 0


def test_a_projection_that_fails_takes_its_log_entry_with_it(store: Store) -> None:
    f.setup_coalition(store)
    before = f.snapshot(store)
    # An event the domain would never emit: its item type does not exist, so projecting it
    # breaks a foreign key after the entry was inserted.
    bogus = NeedSubmitted(
        need_id=1,
        recipient="UKR",
        item_type="no-such-item",
        quantity=1,
        priority=Priority.P1,
        needed_by=BASE,
        raised_on=BASE,
        rationale="",
        label=f.COALITION_LABEL,
        external_ref=None,
    )
    with pytest.raises(sa.exc.IntegrityError), store.write(clock=CLOCK) as uow:
        uow.append(bogus, actor=f.HOST, label=f.COALITION_LABEL, owner="UKR")
    assert f.snapshot(store) == before
    assert count(store, t.needs) == 0


def test_sequence_numbers_run_from_one_without_gaps(store: Store) -> None:
    c = f.setup_coalition(store)
    deu = c.donor("DEU")
    for _ in range(3):
        f.announce(store, deu)
    with pytest.raises(Boom), store.write(clock=CLOCK) as uow:
        pledges.change_pledge_status(
            uow=uow, actor=deu, pledge_id=1, status=PledgeStatus.COMMITTED, on=BASE
        )
        raise Boom  # a rolled-back command must not burn a sequence number
    with store.write(clock=CLOCK) as uow:  # several events in one unit of work
        for pledge_id in (1, 2, 3):
            pledges.change_pledge_status(
                uow=uow, actor=deu, pledge_id=pledge_id, status=PledgeStatus.COMMITTED, on=BASE
            )
    f.deliver(store, deu, 1, quantity=10)  # one command, two events
    seqs = log_seqs(store)
    assert seqs == list(range(1, len(seqs) + 1))
    assert maintenance.status(store=store).log_size == len(seqs)
    with store.read() as conn:
        assert conn.scalar(sa.select(sa.func.max(t.pledge_history.c.seq))) == len(seqs)


def test_entries_record_time_actor_and_label(store: Store) -> None:
    c = f.setup_coalition(store)
    f.announce(store, c.donor("DEU"), label=f.restricted("UKR", "GBR"))
    with store.read() as conn:
        last = conn.execute(sa.select(t.log_entries).order_by(t.log_entries.c.seq.desc())).first()
        times = conn.scalars(sa.select(t.log_entries.c.at).order_by(t.log_entries.c.seq)).all()
    assert last is not None
    assert (last.event_type, last.actor, last.actor_user) == ("PledgeAnnounced", "DEU", "deu")
    assert (last.releasability, last.owner, last.releasable_to) == (
        "restricted",
        "DEU",
        '["GBR", "UKR"]',
    )
    assert last.at == "2025-03-01T09:00:00.000000Z"
    assert times == sorted(times)
    status = maintenance.status(store=store)
    assert status.last_entry_at == last.at


def test_versions_increase_with_each_change(store: Store) -> None:
    c = f.setup_coalition(store)
    deu = c.donor("DEU")
    pledge = f.announce(store, deu)
    seen = [pledge.version]
    for status in (PledgeStatus.COMMITTED, PledgeStatus.CONTRACTED):
        seen.append(f.move(store, deu, pledge.id, status).version)
    with store.write(clock=CLOCK) as uow:
        seen.append(
            pledges.schedule_tranche(
                uow=uow, actor=deu, pledge_id=pledge.id, quantity=5, expected_on=date(2025, 9, 1)
            ).version
        )
    assert seen == [1, 2, 3, 4]
    with store.read() as conn:
        row = conn.execute(sa.select(t.pledges).where(t.pledges.c.id == pledge.id)).one()
    assert (row.version, row.created_seq) == (4, 16)
    assert row.updated_seq == maintenance.status(store=store).log_size


def test_a_stale_expected_version_writes_nothing(store: Store) -> None:
    c = f.setup_coalition(store)
    deu = c.donor("DEU")
    pledge = f.announce(store, deu)
    f.move(store, deu, pledge.id, PledgeStatus.COMMITTED)
    err = f.refuse(
        store,
        StaleVersion,
        lambda uow: pledges.change_pledge_status(
            uow=uow,
            actor=deu,
            pledge_id=pledge.id,
            status=PledgeStatus.CONTRACTED,
            expected_version=1,
        ),
    )
    assert (err.expected, err.current) == (1, 2)
    with store.write(clock=CLOCK) as uow:
        done = pledges.change_pledge_status(
            uow=uow,
            actor=deu,
            pledge_id=pledge.id,
            status=PledgeStatus.CONTRACTED,
            expected_version=2,
        )
    assert (done.status, done.version) == (PledgeStatus.CONTRACTED, 3)


def test_the_position_moves_with_every_commit_of_any_connection(
    store: Store, database_url: str
) -> None:
    c = f.setup_coalition(store)
    before = store.position()
    assert before is not None and store.position() == before  # reading does not move it
    other = Store(database_url, migrate=False)
    try:
        f.submit_need(other, c.recipient)
    finally:
        other.dispose()
    assert store.position() != before
