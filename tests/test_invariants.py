"""Random command sequences through the services never break the coalition's invariants.

A Hypothesis state machine announces pledges, schedules and revises tranches, moves pledges
and needs through their lifecycles (legally or not), records deliveries and confirms
receipts (within their limits or beyond them). For every command the model predicts whether
it must succeed or be refused; a refusal must be typed and change nothing. After every step:

- delivered <= pledged, per pledge and per tranche, and each tranche's delivered count is the
  sum of its deliveries;
- received <= dispatched for every delivery;
- every consecutive pair in a pledge's status history is a legal transition;
- the log is gapless, and (every few steps and at teardown) a rebuild from the log
  reproduces the projections exactly.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from ramstein.domain.deliveries import DeliveryStatus
from ramstein.domain.errors import (
    DomainError,
    IllegalTransition,
    InvalidValue,
    QuantityExceeded,
)
from ramstein.domain.needs import NEED_TRANSITIONS, NeedStatus, Priority
from ramstein.domain.pledges import (
    OPEN_STATUSES,
    PLEDGE_TRANSITIONS,
    Pledge,
    PledgeSource,
    PledgeStatus,
    TrancheSpec,
)
from ramstein.domain.releasability import Label, Principal, can_see
from ramstein.services import deliveries, maintenance, needs, pledges
from ramstein.store import tables as t
from ramstein.store.digest import state_digest
from ramstein.store.engine import Store
from ramstein.store.uow import UnitOfWork
from tests import factories as f
from tests.factories import BASE, CLOCK, SHELL

DAY = timedelta(days=1)
DELIVERABLE = {PledgeStatus.COMMITTED, PledgeStatus.CONTRACTED, PledgeStatus.DELIVERING}
REBUILD_EVERY = 8
LABELS = [f.COALITION_LABEL, f.PUBLIC, f.restricted("UKR"), f.restricted()]


class Coalition(RuleBasedStateMachine):
    """One fresh SQLite store per example, copied from a set-up template."""

    template: Path

    pledge_ids = Bundle("pledges")
    delivery_ids = Bundle("deliveries")
    need_ids = Bundle("needs")

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="ramstein-sm-"))
        shutil.copy(self.template, self.dir / "db.sqlite")
        self.store = Store(f"sqlite:///{self.dir / 'db.sqlite'}", migrate=False)
        self.c = f.coalition_principals()
        self.steps = 0

    def teardown(self) -> None:
        try:
            report = maintenance.rebuild(store=self.store)
            assert report.identical, "rebuilding from the log changed the state"
        finally:
            self.store.dispose()
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- helpers ------------------------------------------------------------------------

    def state(self) -> tuple[int, str]:
        with self.store.read() as conn:
            size = conn.scalar(sa.select(t.log_head.c.size))
            return int(size or 0), state_digest(conn)

    def run(
        self,
        name: str,
        command: Callable[[UnitOfWork], Any],
        *,
        legal: bool,
        error: type[DomainError],
    ) -> Any:
        """Run `command`; it must succeed if `legal`, else raise `error` and change nothing."""
        event(f"{name}: {'legal' if legal else error.__name__}")
        before = self.state()
        try:
            with self.store.write(clock=CLOCK) as uow:
                result = command(uow)
        except DomainError as refused:
            assert not legal, f"a legal command was refused: {refused}"
            assert isinstance(refused, error), f"expected {error.__name__}, got {refused!r}"
            assert str(refused).strip(), "a refusal must say what is wrong"
            assert self.state() == before, "a refused command changed the log or the state"
            return refused
        assert legal, f"an illegal command was accepted; expected {error.__name__}"
        return result

    def pledge(self, pledge_id: int) -> Pledge:
        with self.store.read() as conn:
            return pledges.get_pledge(conn=conn, viewer=self.c.chair, pledge_id=pledge_id)

    def actor_for(self, pledge: Pledge, as_chair: bool) -> Principal:
        return self.c.chair if as_chair else self.c.donor(pledge.donor)

    # --- rules --------------------------------------------------------------------------

    @initialize(target=pledge_ids)
    def committed_pledges(self) -> Any:
        """Two committed pledges with tranches, so deliveries start from the first step."""
        made = []
        for donor, splits in (("DEU", (10, 8)), ("GBR", (12,))):
            pledge = f.announce(
                self.store,
                self.c.donor(donor),
                quantity=sum(splits) + 2,
                tranches=[(q, BASE + 30 * DAY) for q in splits],
            )
            made.append(f.move(self.store, self.c.donor(donor), pledge.id, PledgeStatus.COMMITTED))
        return multiple(*(p.id for p in made))

    @rule(pledge_id=pledge_ids)
    def advance_pledge(self, pledge_id: int) -> None:
        """Move a pledge one step along its lifecycle, never to cancelled."""
        p = self.pledge(pledge_id)
        onward = [s for s in PledgeStatus if PLEDGE_TRANSITIONS.is_allowed(p.status, s)]
        onward = [s for s in onward if s is not PledgeStatus.CANCELLED]
        if not onward:
            return
        status = onward[0]
        complete = status is not PledgeStatus.DELIVERED or p.delivered == p.quantity
        self.run(
            "advance_pledge",
            lambda uow: pledges.change_pledge_status(
                uow=uow,
                actor=self.c.donor(p.donor),
                pledge_id=p.id,
                status=status,
                on=BASE + 10 * DAY,
            ),
            legal=complete,
            error=QuantityExceeded,
        )

    @rule(
        target=pledge_ids,
        donor=st.sampled_from(f.DONORS),
        quantity=st.integers(1, 50),
        splits=st.lists(st.integers(1, 20), max_size=3),
        label=st.sampled_from(LABELS),
    )
    def announce(self, donor: str, quantity: int, splits: list[int], label: Label) -> Any:
        legal = sum(splits) <= quantity
        result = self.run(
            "announce_pledge",
            lambda uow: pledges.announce_pledge(
                uow=uow,
                actor=self.c.donor(donor),
                donor=donor,
                item_type=SHELL,
                quantity=quantity,
                value=None,
                source=PledgeSource.STOCKS,
                announced_on=BASE,
                tranches=[TrancheSpec(q, BASE + 30 * DAY) for q in splits],
                label=label,
            ),
            legal=legal,
            error=QuantityExceeded,
        )
        return result.id if legal else multiple()

    @rule(pledge_id=pledge_ids, quantity=st.integers(1, 60), as_chair=st.booleans())
    def revise_quantity(self, pledge_id: int, quantity: int, as_chair: bool) -> None:
        p = self.pledge(pledge_id)
        is_open = p.status in OPEN_STATUSES
        self.run(
            "revise_pledge",
            lambda uow: pledges.revise_pledge(
                uow=uow, actor=self.actor_for(p, as_chair), pledge_id=p.id, quantity=quantity
            ),
            legal=is_open and quantity >= p.scheduled,
            error=QuantityExceeded if is_open else InvalidValue,
        )

    @rule(pledge_id=pledge_ids, quantity=st.integers(1, 30))
    def schedule_tranche(self, pledge_id: int, quantity: int) -> None:
        p = self.pledge(pledge_id)
        is_open = p.status in OPEN_STATUSES
        self.run(
            "schedule_tranche",
            lambda uow: pledges.schedule_tranche(
                uow=uow,
                actor=self.c.donor(p.donor),
                pledge_id=p.id,
                quantity=quantity,
                expected_on=BASE + 60 * DAY,
            ),
            legal=is_open and p.scheduled + quantity <= p.quantity,
            error=QuantityExceeded if is_open else InvalidValue,
        )

    @rule(pledge_id=pledge_ids, number=st.integers(1, 3), quantity=st.integers(1, 30))
    def revise_tranche(self, pledge_id: int, number: int, quantity: int) -> None:
        p = self.pledge(pledge_id)
        tranche = next((x for x in p.tranches if x.number == number), None)
        is_open = p.status in OPEN_STATUSES
        fits = (
            tranche is not None
            and quantity >= tranche.delivered
            and p.scheduled - tranche.quantity + quantity <= p.quantity
        )
        self.run(
            "revise_tranche",
            lambda uow: pledges.revise_tranche(
                uow=uow,
                actor=self.c.donor(p.donor),
                pledge_id=p.id,
                number=number,
                quantity=quantity,
            ),
            legal=is_open and fits,
            error=QuantityExceeded if is_open and tranche is not None else InvalidValue,
        )

    @rule(pledge_id=pledge_ids, status=st.sampled_from(list(PledgeStatus)), as_chair=st.booleans())
    def change_pledge_status(self, pledge_id: int, status: PledgeStatus, as_chair: bool) -> None:
        p = self.pledge(pledge_id)
        allowed = PLEDGE_TRANSITIONS.is_allowed(p.status, status)
        complete = status is not PledgeStatus.DELIVERED or p.delivered == p.quantity
        self.run(
            "change_pledge_status",
            lambda uow: pledges.change_pledge_status(
                uow=uow,
                actor=self.actor_for(p, as_chair),
                pledge_id=p.id,
                status=status,
                on=BASE + 10 * DAY,
                reason="budget cut" if status is PledgeStatus.CANCELLED else "",
            ),
            legal=allowed and complete,
            error=IllegalTransition if not allowed else QuantityExceeded,
        )

    def _tranche_room(self, p: Pledge, number: int) -> tuple[int, int]:
        """(tranche number, room left in it), choosing among the pledge's tranches."""
        if not p.tranches:
            return number, 0
        tranche = p.tranches[(number - 1) % len(p.tranches)]
        return tranche.number, tranche.quantity - tranche.delivered

    def _deliver(self, name: str, p: Pledge, number: int, quantity: int, fits: bool) -> Any:
        if p.status not in DELIVERABLE:
            legal, error = False, IllegalTransition
        elif not p.tranches:
            legal, error = False, InvalidValue
        else:
            legal, error = fits, QuantityExceeded
        result = self.run(
            name,
            lambda uow: deliveries.record_delivery(
                uow=uow,
                actor=self.c.donor(p.donor),
                pledge_id=p.id,
                tranche=number,
                quantity=quantity,
                dispatched_on=BASE + 40 * DAY,
            ),
            legal=legal,
            error=error,
        )
        return result.id if legal else multiple()

    @rule(
        target=delivery_ids,
        pledge_id=pledge_ids,
        number=st.integers(1, 3),
        share=st.integers(1, 100),
    )
    def record_delivery(self, pledge_id: int, number: int, share: int) -> Any:
        """A delivery of up to what is left in the tranche (one unit if nothing is left)."""
        p = self.pledge(pledge_id)
        number, room = self._tranche_room(p, number)
        quantity = max(1, room * share // 100)
        return self._deliver("record_delivery", p, number, quantity, fits=quantity <= room)

    @rule(pledge_id=pledge_ids, number=st.integers(1, 3), extra=st.integers(1, 5))
    def record_oversized_delivery(self, pledge_id: int, number: int, extra: int) -> None:
        p = self.pledge(pledge_id)
        number, room = self._tranche_room(p, number)
        self._deliver("record_oversized_delivery", p, number, room + extra, fits=False)

    @rule(delivery_id=delivery_ids, short=st.integers(0, 3))
    def confirm_receipt(self, delivery_id: int, short: int) -> None:
        with self.store.read() as conn:
            d = deliveries.get_delivery(conn=conn, viewer=self.c.chair, delivery_id=delivery_id)
        received = max(0, d.quantity - short)
        # The recipient confirms what it may see; the chair confirms the rest.
        actor = self.c.recipient if can_see(self.c.recipient, d) else self.c.chair
        self.run(
            "confirm_receipt",
            lambda uow: deliveries.confirm_receipt(
                uow=uow,
                actor=actor,
                delivery_id=d.id,
                received_quantity=received,
                received_on=BASE + 50 * DAY,
                discrepancy="short" if received < d.quantity else "",
            ),
            legal=d.status is DeliveryStatus.DISPATCHED,
            error=IllegalTransition,
        )

    @rule(delivery_id=delivery_ids, extra=st.integers(1, 3))
    def confirm_oversized_receipt(self, delivery_id: int, extra: int) -> None:
        with self.store.read() as conn:
            d = deliveries.get_delivery(conn=conn, viewer=self.c.chair, delivery_id=delivery_id)
        self.run(
            "confirm_oversized_receipt",
            lambda uow: deliveries.confirm_receipt(
                uow=uow,
                actor=self.c.chair,
                delivery_id=d.id,
                received_quantity=d.quantity + extra,
                received_on=BASE + 50 * DAY,
            ),
            legal=False,
            error=QuantityExceeded if d.status is DeliveryStatus.DISPATCHED else IllegalTransition,
        )

    @rule(
        target=need_ids,
        quantity=st.integers(-2, 50),
        needed_in=st.integers(-5, 60),
        priority=st.sampled_from(list(Priority)),
    )
    def submit_need(self, quantity: int, needed_in: int, priority: Priority) -> Any:
        legal = quantity > 0 and needed_in >= 0
        result = self.run(
            "submit_need",
            lambda uow: needs.submit_need(
                uow=uow,
                actor=self.c.recipient,
                recipient=f.RECIPIENT,
                item_type=SHELL,
                quantity=quantity,
                priority=priority,
                needed_by=BASE + needed_in * DAY,
                raised_on=BASE,
                label=f.COALITION_LABEL,
            ),
            legal=legal,
            error=InvalidValue,
        )
        return result.id if legal else multiple()

    @rule(need_id=need_ids, status=st.sampled_from(list(NeedStatus)))
    def change_need_status(self, need_id: int, status: NeedStatus) -> None:
        with self.store.read() as conn:
            n = needs.get_need(conn=conn, viewer=self.c.recipient, need_id=need_id)
        self.run(
            "change_need_status",
            lambda uow: needs.change_need_status(
                uow=uow, actor=self.c.recipient, need_id=n.id, status=status, reason="met"
            ),
            legal=NEED_TRANSITIONS.is_allowed(n.status, status),
            error=IllegalTransition,
        )

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def quantities_stay_within_their_parents(self) -> None:
        with self.store.read() as conn:
            pledged = {r.id: r for r in conn.execute(sa.select(t.pledges))}
            trs = conn.execute(sa.select(t.tranches)).all()
            dls = conn.execute(sa.select(t.deliveries)).all()
        per_tranche: dict[tuple[int, int], int] = defaultdict(int)
        for d in dls:
            per_tranche[(d.pledge_id, d.tranche)] += d.quantity
            if d.received_quantity is not None:
                assert 0 <= d.received_quantity <= d.quantity, f"delivery {d.id} over-received"
        scheduled: dict[int, int] = defaultdict(int)
        delivered: dict[int, int] = defaultdict(int)
        for tr in trs:
            assert 0 <= tr.delivered <= tr.quantity, f"tranche {tr.pledge_id}/{tr.number}"
            assert tr.delivered == per_tranche[(tr.pledge_id, tr.number)]
            scheduled[tr.pledge_id] += tr.quantity
            delivered[tr.pledge_id] += tr.delivered
        assert set(per_tranche) <= {(tr.pledge_id, tr.number) for tr in trs}
        for pid, p in pledged.items():
            assert delivered[pid] <= scheduled[pid] <= p.quantity, f"pledge {pid}"
            if p.status == PledgeStatus.DELIVERED:
                assert delivered[pid] == p.quantity, f"pledge {pid} delivered short"

    @invariant()
    def status_histories_are_legal_paths(self) -> None:
        with self.store.read() as conn:
            current = dict(conn.execute(sa.select(t.pledges.c.id, t.pledges.c.status)).all())
            steps = conn.execute(
                sa.select(t.pledge_history).order_by(
                    t.pledge_history.c.pledge_id, t.pledge_history.c.seq
                )
            ).all()
        paths: dict[int, list[PledgeStatus]] = defaultdict(list)
        for step in steps:
            paths[step.pledge_id].append(PledgeStatus(step.status))
        assert set(paths) == set(current)
        for pid, path in paths.items():
            assert path[0] is PledgeStatus.ANNOUNCED
            for a, b in zip(path, path[1:], strict=False):
                assert PLEDGE_TRANSITIONS.is_allowed(a, b), f"pledge {pid}: {a} -> {b}"
            assert path[-1] == current[pid]

    @invariant()
    def every_few_steps_a_rebuild_reproduces_the_state(self) -> None:
        self.steps += 1
        if self.steps % REBUILD_EVERY == 0:
            report = maintenance.rebuild(store=self.store)
            assert report.identical, "rebuilding from the log changed the state"

    @invariant()
    def the_log_is_gapless(self) -> None:
        with self.store.read() as conn:
            size = conn.scalar(sa.select(t.log_head.c.size))
            seqs = conn.scalars(sa.select(t.log_entries.c.seq).order_by(t.log_entries.c.seq)).all()
        assert seqs == list(range(1, (size or 0) + 1))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A migrated SQLite file holding the factory coalition, copied for every example."""
    path = tmp_path_factory.mktemp("coalition") / "template.sqlite"
    store = Store(f"sqlite:///{path}")
    f.setup_coalition(store)
    store.dispose()  # closes the last connection, which folds the WAL into the file
    assert not path.with_name(path.name + "-wal").exists()
    yield path


@pytest.mark.slow
def test_random_command_sequences_keep_the_invariants(template: Path) -> None:
    Coalition.template = template
    run_state_machine_as_test(
        Coalition,
        settings=settings(
            max_examples=30,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
