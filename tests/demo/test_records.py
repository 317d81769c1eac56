"""The demo's needs, pledges and deliveries: volumes, lifecycles and releasability."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from ramstein.demo import kiel, reference
from ramstein.demo.actors import RECIPIENT_ACTOR
from ramstein.demo.build import DemoSummary
from ramstein.domain.deliveries import Delivery, DeliveryStatus
from ramstein.domain.needs import Need, NeedStatus, Priority
from ramstein.domain.participants import ParticipantKind
from ramstein.domain.pledges import Pledge, PledgeStatus, YearStatus
from ramstein.domain.releasability import PUBLIC_VIEWER, Principal, Releasability
from ramstein.services import deliveries, meetings, needs, pledges
from ramstein.store.engine import Store


@pytest.fixture(scope="module")
def all_needs(demo_store: Store, chair_viewer: Principal) -> list[Need]:
    with demo_store.read() as conn:
        return needs.list_needs(conn=conn, viewer=chair_viewer)


@pytest.fixture(scope="module")
def all_pledges(demo_store: Store, chair_viewer: Principal) -> list[Pledge]:
    with demo_store.read() as conn:
        return pledges.list_pledges(conn=conn, viewer=chair_viewer)


@pytest.fixture(scope="module")
def all_deliveries(demo_store: Store, chair_viewer: Principal) -> list[Delivery]:
    with demo_store.read() as conn:
        return deliveries.list_deliveries(conn=conn, viewer=chair_viewer)


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    for rank, i in enumerate(order):
        ranks[i] = float(rank)
    return ranks


def _spearman(a: list[float], b: list[float]) -> float:
    ra, rb = _ranks(a), _ranks(b)
    n = len(a)
    return 1 - 6 * sum((x - y) ** 2 for x, y in zip(ra, rb, strict=True)) / (n * (n * n - 1))


def test_about_300_needs_across_areas_and_priorities(all_needs: list[Need]) -> None:
    assert 255 <= len(all_needs) <= 345
    assert {n.priority for n in all_needs} == set(Priority)
    areas = {it.code: it.area for it in reference.items()}
    assert len({areas[n.item_type] for n in all_needs}) >= 10
    statuses = Counter(n.status for n in all_needs)
    assert set(statuses) == set(NeedStatus)
    assert statuses[NeedStatus.WITHDRAWN] < len(all_needs) / 10


def test_about_2000_pledges_in_every_lifecycle_state(all_pledges: list[Pledge]) -> None:
    assert 1700 <= len(all_pledges) <= 2300
    statuses = Counter(p.status for p in all_pledges)
    assert set(statuses) == set(PledgeStatus)
    assert statuses[PledgeStatus.CANCELLED] < len(all_pledges) / 10
    for p in all_pledges:
        if p.status is PledgeStatus.CANCELLED:
            assert p.cancel_reason
    assert any(len(p.years) > 1 for p in all_pledges)
    assert sum(1 for p in all_pledges if len(p.years) == 1) > len(all_pledges) / 2


def test_pledged_totals_rank_donors_like_the_tracker(all_pledges: list[Pledge]) -> None:
    funds = {p.code for p in reference.participants() if p.kind is ParticipantKind.FUND}
    pledged: dict[str, Decimal] = defaultdict(Decimal)
    for p in all_pledges:
        assert p.value is not None
        if p.donor not in funds:  # a fund's packages are paid by its donors, not the Tracker's
            pledged[p.donor] += p.value.eur
    last = max(p.announced_on for p in all_pledges)
    tracker = {d: kiel.military_total(d, (2022, 1), (last.year, last.month)) for d in pledged}
    donors = sorted(pledged)
    rho = _spearman([float(pledged[d]) for d in donors], [float(tracker[d]) for d in donors])
    assert rho > 0.9
    ranked = sorted(donors, key=lambda d: -pledged[d])
    assert ranked[:2] == ["USA", "DEU"]
    assert set(ranked[:5]) == set(sorted(donors, key=lambda d: -tracker[d])[:5])


def test_multi_year_pledges_plan_their_years(all_pledges: list[Pledge]) -> None:
    several = [p for p in all_pledges if len(p.years) > 1]
    planned = [p for p in several if p.year_plans]
    assert not any(p.year_plans for p in all_pledges if len(p.years) == 1)
    assert 0.2 * len(several) <= len(planned) <= 0.7 * len(several)
    statuses = Counter(y.status for p in planned for y in p.year_plans)
    assert statuses[YearStatus.COMMITTED] > statuses[YearStatus.INDICATIVE] > 0
    assert 0 < statuses[YearStatus.CANCELLED] < statuses[YearStatus.INDICATIVE]
    for p in planned:
        assert p.value is not None
        assert [y.year for y in p.year_plans] == list(p.years)  # every year, in order
        assert p.year_plans[0].status is YearStatus.COMMITTED  # the year it starts is firm
        assert all(y.amount_eur > 0 for y in p.year_plans)
        kept = [y.amount_eur for y in p.year_plans if y.status is not YearStatus.CANCELLED]
        assert sum(kept, Decimal(0)) <= p.value.eur
    # A donor cuts a later year: the pledge goes on with the years it keeps.
    cut = [p for p in planned if any(y.status is YearStatus.CANCELLED for y in p.year_plans)]
    assert any(p.status is not PledgeStatus.CANCELLED for p in cut)


def test_heavy_weapons_follow_the_trackers_list(all_pledges: list[Pledge]) -> None:
    heavy = {it.code for it in reference.items() if it.heavy}
    listed: dict[str, set[str]] = defaultdict(set)
    for w in kiel.heavy_weapons():
        listed[w.donor].add(reference.item_for_weapon(w.name))
    for p in all_pledges:
        if p.item_type in heavy and p.donor in listed:
            assert p.item_type in listed[p.donor], (p.donor, p.item_type)
    assert any(p.donor == "POL" and p.item_type == "t72-tank" for p in all_pledges)


def test_some_donors_pledge_in_their_own_currency(all_pledges: list[Pledge]) -> None:
    foreign = [p for p in all_pledges if p.value is not None and p.value.currency != "EUR"]
    assert {p.value.currency for p in foreign} >= {"USD", "GBP"}  # type: ignore[union-attr]
    for p in foreign:
        assert p.value is not None
        assert p.value.eur == (p.value.amount * p.value.eur_rate).quantize(Decimal("0.01"))


def test_a_third_of_needs_and_pledges_are_restricted(
    demo_summary: DemoSummary, all_needs: list[Need], all_pledges: list[Pledge]
) -> None:
    assert 0.25 <= demo_summary.restricted_share <= 0.40
    for records in (all_needs, all_pledges):
        levels = Counter(r.label.level for r in records)
        assert set(levels) == set(Releasability)
        assert 0.2 <= levels[Releasability.RESTRICTED] / len(records) <= 0.45
    restricted = [p for p in all_pledges if p.label.level is Releasability.RESTRICTED]
    assert any("UKR" in p.label.named for p in restricted)
    assert any("UKR" not in p.label.named for p in restricted)


def test_the_recipient_sees_pledges_except_those_restricted_away_from_it(
    demo_store: Store, all_pledges: list[Pledge]
) -> None:
    with demo_store.read() as conn:
        seen = {p.id for p in pledges.list_pledges(conn=conn, viewer=RECIPIENT_ACTOR)}
    hidden = {
        p.id
        for p in all_pledges
        if p.label.level is Releasability.RESTRICTED and "UKR" not in p.label.named
    }
    assert hidden and seen == {p.id for p in all_pledges} - hidden


def test_deliveries_never_exceed_pledges(
    all_pledges: list[Pledge], all_deliveries: list[Delivery]
) -> None:
    dispatched: dict[tuple[int, int], int] = defaultdict(int)
    for d in all_deliveries:
        dispatched[(d.pledge_id, d.tranche)] += d.quantity
        if d.received_quantity is not None:
            assert d.received_quantity <= d.quantity
    for p in all_pledges:
        assert p.scheduled <= p.quantity
        assert p.delivered <= p.quantity
        for t in p.tranches:
            assert t.delivered == dispatched[(p.id, t.number)] <= t.quantity
        if p.status is PledgeStatus.DELIVERED:
            assert p.delivered == p.quantity


def test_some_tranches_are_late_and_some_receipts_short(
    all_pledges: list[Pledge], all_deliveries: list[Delivery]
) -> None:
    expected = {(p.id, t.number): t for p in all_pledges for t in p.tranches}
    late = [
        d
        for d in all_deliveries
        if d.dispatched_on > expected[(d.pledge_id, d.tranche)].expected_on
    ]
    slipped = [t for t in expected.values() if t.expected_on > t.promised_on]
    assert len(late) > 20 and len(slipped) > 20
    received = [d for d in all_deliveries if d.status is DeliveryStatus.RECEIVED]
    assert len(received) > len(all_deliveries) * 0.8
    short = [d for d in received if d.received_quantity < d.quantity]  # type: ignore[operator]
    assert 0 < len(short) < len(received) / 10
    assert all(d.discrepancy for d in short)


def test_restricted_decisions_are_hidden_from_the_public(
    demo_store: Store, chair_viewer: Principal
) -> None:
    with demo_store.read() as conn:
        full = meetings.list_meetings(conn=conn, viewer=chair_viewer)
        public = meetings.list_meetings(conn=conn, viewer=PUBLIC_VIEWER)
    levels = Counter(d.label.level for m in full for d in m.decisions)
    assert set(levels) == set(Releasability)
    shown = sum(len(m.decisions) for m in public)
    assert shown == levels[Releasability.PUBLIC]
