"""Multi-year pledges: each year's amount and status, kept by the donor (or the chair), read
back on both databases, and counted year by year towards fair shares."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from ramstein.domain.errors import InvalidValue, NotPermitted, QuantityExceeded
from ramstein.domain.pledges import Pledge, YearPlan, YearStatus
from ramstein.domain.releasability import Principal
from ramstein.services import analytics, participants, pledges
from ramstein.store.engine import Store
from tests import factories as f
from tests.factories import CLOCK, Principals, refuse


def _three_years(store: Store, coalition: Principals) -> Pledge:
    """DEU: 100 shells (3,200 EUR each: EUR 320,000) over 2025-2027."""
    made = f.announce(store, coalition.donor("DEU"), quantity=100)
    with store.write(clock=CLOCK) as uow:
        return pledges.revise_pledge(
            uow=uow, actor=coalition.donor("DEU"), pledge_id=made.id, years=[2025, 2026, 2027]
        )


def _plan(store: Store, actor: Principal, pledge_id: int, year: int, **kw: Any) -> Pledge:
    with store.write(clock=CLOCK) as uow:
        return pledges.plan_year(uow=uow, actor=actor, pledge_id=pledge_id, year=year, **kw)


def test_the_donor_plans_its_years_and_everyone_who_sees_the_pledge_reads_them(
    store: Store, coalition: Principals
) -> None:
    p = _three_years(store, coalition)
    deu = coalition.donor("DEU")

    _plan(store, deu, p.id, 2025, amount_eur=Decimal("200000.00"), status=YearStatus.COMMITTED)
    _plan(store, deu, p.id, 2026, amount_eur=Decimal("80000.25"))  # indicative by default
    after = _plan(store, coalition.chair, p.id, 2025, status=YearStatus.DELIVERED)

    assert after.year_plans == (
        YearPlan(2025, Decimal("200000.00"), YearStatus.DELIVERED),
        YearPlan(2026, Decimal("80000.25"), YearStatus.INDICATIVE),
    )
    assert after.version == p.version + 3
    with store.read() as conn:
        seen = pledges.get_pledge(conn=conn, viewer=coalition.observer, pledge_id=p.id)
    assert seen.year_plans == after.year_plans


def test_plans_that_cannot_stand_are_refused_and_write_nothing(
    store: Store, coalition: Principals
) -> None:
    p = _three_years(store, coalition)
    deu, gbr = coalition.donor("DEU"), coalition.donor("GBR")

    def plan(actor: Principal, **kw: Any) -> Any:
        return lambda uow: pledges.plan_year(uow=uow, actor=actor, pledge_id=p.id, **kw)

    refuse(store, NotPermitted, plan(gbr, year=2025, amount_eur=Decimal(1)))
    err = refuse(store, InvalidValue, plan(deu, year=2026))
    assert "Give the amount for 2026" in str(err)
    refuse(store, QuantityExceeded, plan(deu, year=2026, amount_eur=Decimal("320000.01")))


@pytest.mark.parametrize(
    ("plans", "counted_2026"),
    [
        ([], Decimal("106666.67")),  # no plan: a third of EUR 320,000
        ([(2026, "200000", YearStatus.COMMITTED)], Decimal("200000.00")),
        ([(2025, "20000", YearStatus.COMMITTED)], Decimal("150000.00")),  # the rest, halved
        ([(2026, "200000", YearStatus.CANCELLED)], Decimal(0)),
    ],
)
def test_a_planned_year_counts_its_own_amount_towards_the_fair_share(
    store: Store,
    coalition: Principals,
    plans: list[tuple[int, str, YearStatus]],
    counted_2026: Decimal,
) -> None:
    p = _three_years(store, coalition)
    with store.write(clock=CLOCK) as uow:
        participants.revise_participant(
            uow=uow, actor=coalition.chair, code="DEU", gdp_eur_bn=Decimal(4000)
        )
    for year, amount, status in plans:
        if status is YearStatus.CANCELLED:  # a year is planned before it can be cancelled
            _plan(store, coalition.chair, p.id, year, amount_eur=Decimal(amount))
        _plan(store, coalition.chair, p.id, year, amount_eur=Decimal(amount), status=status)

    with store.read() as conn:
        shares = analytics.fair_share(conn=conn, viewer=coalition.chair, year=2026)

    assert next(s for s in shares if s.donor == "DEU").counted_eur == counted_2026
