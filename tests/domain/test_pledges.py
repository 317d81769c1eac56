"""Pledge commands: what is refused, with which error, and what the sentence says."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ramstein.domain import pledges
from ramstein.domain.errors import (
    DomainError,
    IllegalTransition,
    InactiveParticipant,
    InvalidValue,
    NotPermitted,
    QuantityExceeded,
)
from ramstein.domain.participants import Participant, ParticipantKind, ParticipantStatus
from ramstein.domain.pledges import (
    Money,
    Pledge,
    PledgeSource,
    PledgeStatus,
    Tranche,
    TrancheSpec,
    YearPlan,
    YearStatus,
)
from ramstein.domain.releasability import Label, Releasability

DAY = date(2025, 1, 15)
GERMANY = Participant("DEU", "Germany", ParticipantKind.STATE, ParticipantStatus.MEMBER, DAY)
UKRAINE = Participant("UKR", "Ukraine", ParticipantKind.RECIPIENT, ParticipantStatus.MEMBER, DAY)


def announce(**overrides: Any) -> pledges.PledgeAnnounced:
    args: dict[str, Any] = {
        "pledge_id": 1,
        "donor": GERMANY,
        "item_type": "155mm-shell",
        "quantity": 100,
        "value": Money.eur_amount(Decimal("320000.00")),
        "source": PledgeSource.STOCKS,
        "years": (2025,),
        "meeting": None,
        "announced_on": DAY,
        "tranches": (TrancheSpec(60, DAY + timedelta(days=30)),),
        "label": Label(),
    }
    args.update(overrides)
    return pledges.announce(**args)


def pledge(status: PledgeStatus = PledgeStatus.COMMITTED, **overrides: Any) -> Pledge:
    base = Pledge(
        id=4,
        donor="DEU",
        item_type="155mm-shell",
        quantity=100,
        value=None,
        source=PledgeSource.STOCKS,
        years=(2025,),
        meeting=None,
        announced_on=DAY,
        status=status,
        label=Label(),
        tranches=(
            Tranche(4, 1, 60, DAY + timedelta(days=30), DAY + timedelta(days=30), delivered=25),
            Tranche(4, 2, 20, DAY + timedelta(days=60), DAY + timedelta(days=60)),
        ),
    )
    return replace(base, **overrides)


def test_a_valid_announcement_carries_its_terms() -> None:
    event = announce(years=(2026, 2025))
    assert (event.pledge_id, event.donor, event.quantity) == (1, "DEU", 100)
    assert event.years == (2025, 2026)


def refused(error: type[DomainError], says: str, fn: Any, *args: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(error) as caught:
        fn(*args, **kwargs)
    assert says in str(caught.value), str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("overrides", "error", "says"),
    [
        ({"donor": UKRAINE}, NotPermitted, "Ukraine (UKR) is the recipient; it cannot pledge"),
        (
            {"donor": replace(GERMANY, status=ParticipantStatus.LEFT, left_on=date(2024, 9, 1))},
            InactiveParticipant,
            "Germany (DEU) left the coalition on 2024-09-01; it can no longer pledge",
        ),
        ({"quantity": 0}, InvalidValue, "A pledge's quantity must be positive (got 0)"),
        ({"quantity": -5}, InvalidValue, "A pledge's quantity must be positive (got -5)"),
        (
            {"tranches": (TrancheSpec(0, DAY),)},
            InvalidValue,
            "A tranche's quantity must be positive (got 0)",
        ),
        (
            {"tranches": (TrancheSpec(10, DAY - timedelta(days=1)),)},
            InvalidValue,
            "cannot be expected on 2025-01-14, before the pledge was announced on 2025-01-15",
        ),
        (
            {"tranches": (TrancheSpec(60, DAY), TrancheSpec(41, DAY))},
            QuantityExceeded,
            "The tranches add up to 101, more than the 100 pledged",
        ),
        ({"years": ()}, InvalidValue, "A pledge covers at least one year"),
        ({"years": (2025, 2027)}, InvalidValue, "must be consecutive (got (2025, 2027))"),
        (
            {"years": (2023, 2024)},
            InvalidValue,
            "A pledge announced in 2025 cannot cover only earlier years",
        ),
        (
            {"value": Money(Decimal("1.001"), "EUR", Decimal(1))},
            InvalidValue,
            "1.001 has more than 2 decimal places",
        ),
    ],
)
def test_announce_refusals(overrides: dict[str, Any], error: type[DomainError], says: str) -> None:
    refused(error, says, announce, **overrides)


def test_revise_refusals() -> None:
    p = pledge()
    terms = {"value": None, "source": PledgeSource.STOCKS, "years": (2025,), "label": Label()}
    refused(
        InvalidValue, "quantity must be positive (got 0)", pledges.revise, p, quantity=0, **terms
    )
    refused(
        QuantityExceeded,
        "Pledge 4 has 80 scheduled in tranches; reduce its tranches before cutting the pledge "
        "to 79",
        pledges.revise,
        p,
        quantity=79,
        **terms,
    )
    for closed in (PledgeStatus.DELIVERED, PledgeStatus.CANCELLED):
        refused(
            InvalidValue,
            f"Pledge 4 is {closed.value}; its terms cannot change",
            pledges.revise,
            pledge(closed),
            quantity=100,
            **terms,
        )
    restricted = Label(Releasability.RESTRICTED, frozenset({"GBR"}))
    event = pledges.revise(p, **{**terms, "label": restricted}, quantity=80)
    assert (event.quantity, event.label) == (80, restricted)


def test_change_status_refusals() -> None:
    refused(
        InvalidValue,
        "Say why the pledge is cancelled",
        pledges.change_status,
        pledge(),
        PledgeStatus.CANCELLED,
        DAY,
        reason="  ",
    )
    refused(
        QuantityExceeded,
        "Pledge 4 has delivered 25 of 100; record the remaining deliveries",
        pledges.change_status,
        pledge(PledgeStatus.DELIVERING),
        PledgeStatus.DELIVERED,
        DAY,
    )
    refused(
        InvalidValue,
        "Pledge 4 was announced on 2025-01-15; a change cannot precede it",
        pledges.change_status,
        pledge(),
        PledgeStatus.CONTRACTED,
        DAY - timedelta(days=1),
    )
    event = pledges.change_status(pledge(), PledgeStatus.CANCELLED, DAY, reason=" budget ")
    assert (event.status, event.reason) == (PledgeStatus.CANCELLED, "budget")


def test_schedule_tranche() -> None:
    event = pledges.schedule_tranche(pledge(), quantity=20, expected_on=DAY)
    assert (event.number, event.quantity) == (3, 20)
    refused(
        QuantityExceeded,
        "Pledge 4 has 20 of 100 left to schedule; a tranche of 21 is too large",
        pledges.schedule_tranche,
        pledge(),
        quantity=21,
        expected_on=DAY,
    )
    refused(
        InvalidValue,
        "A tranche's quantity must be positive (got -1)",
        pledges.schedule_tranche,
        pledge(),
        quantity=-1,
        expected_on=DAY,
    )
    refused(
        InvalidValue,
        "Pledge 4 is cancelled; its tranches cannot change",
        pledges.schedule_tranche,
        pledge(PledgeStatus.CANCELLED),
        quantity=1,
        expected_on=DAY,
    )


def test_revise_tranche() -> None:
    event = pledges.revise_tranche(pledge(), 1, quantity=80, expected_on=DAY)
    assert (event.number, event.quantity) == (1, 80)
    refused(
        InvalidValue,
        "Pledge 4 has no tranche 9; its tranches are: 1, 2",
        pledges.revise_tranche,
        pledge(),
        9,
        quantity=1,
        expected_on=DAY,
    )
    refused(
        QuantityExceeded,
        "Tranche 1 of pledge 4 has already delivered 25; it cannot shrink to 24",
        pledges.revise_tranche,
        pledge(),
        1,
        quantity=24,
        expected_on=DAY,
    )
    refused(
        QuantityExceeded,
        "The tranches of pledge 4 would add up to more than the 100 pledged",
        pledges.revise_tranche,
        pledge(),
        1,
        quantity=81,
        expected_on=DAY,
    )
    refused(
        InvalidValue,
        "Pledge 4 is delivered; its tranches cannot change",
        pledges.revise_tranche,
        pledge(PledgeStatus.DELIVERED),
        1,
        quantity=60,
        expected_on=DAY,
    )


def test_a_pledge_without_tranches_says_so() -> None:
    refused(
        InvalidValue,
        "Pledge 4 has no tranche 1; its tranches are: none",
        pledge(tranches=()).tranche,
        1,
    )


def test_scheduled_and_delivered_add_up_the_tranches() -> None:
    p = pledge()
    assert (p.scheduled, p.delivered, p.owner) == (80, 25, "DEU")


MULTI = (2025, 2026, 2027)


def test_a_year_is_planned_then_committed_then_delivered() -> None:
    p = pledge(years=MULTI)
    first = pledges.plan_year(
        p, Decimal(900), year=2026, amount_eur=Decimal("300.50"), status=YearStatus.INDICATIVE
    )
    assert (first.year, first.amount_eur, first.status) == (2026, Decimal("300.50"), "indicative")
    planned = replace(p, year_plans=(YearPlan(2026, Decimal("300.50"), YearStatus.INDICATIVE),))
    for status in (YearStatus.COMMITTED, YearStatus.CANCELLED):
        assert (
            pledges.plan_year(
                planned, Decimal(900), year=2026, amount_eur=Decimal(300), status=status
            ).status
            is status
        )
    assert planned.units_by_year() == {2025: 80, 2026: 0, 2027: 0}  # its tranches' units


@pytest.mark.parametrize(
    ("year", "amount", "status", "before", "error", "says"),
    [
        (2028, "10", YearStatus.INDICATIVE, None, InvalidValue, "covers 2025-2027, not 2028"),
        (2026, "-1", YearStatus.INDICATIVE, None, InvalidValue, "cannot be negative"),
        (2026, "0.001", YearStatus.INDICATIVE, None, InvalidValue, "more than 2 decimal places"),
        (2026, "10", YearStatus.DELIVERED, None, InvalidValue, "first planned as indicative"),
        (2026, "601", YearStatus.COMMITTED, None, QuantityExceeded, "more than the EUR 900"),
        (2025, "10", YearStatus.DELIVERED, YearStatus.INDICATIVE, IllegalTransition, "indicative"),
        (2025, "10", YearStatus.COMMITTED, YearStatus.CANCELLED, InvalidValue, "cannot change"),
    ],
)
def test_plan_year_refusals(
    year: int,
    amount: str,
    status: YearStatus,
    before: YearStatus | None,
    error: type[DomainError],
    says: str,
) -> None:
    plans = [YearPlan(2027, Decimal(300), YearStatus.COMMITTED)]
    if before is not None:
        plans.append(YearPlan(2025, Decimal(100), before))
    p = pledge(years=MULTI, year_plans=tuple(sorted(plans, key=lambda y: y.year)))
    with pytest.raises(error, match=says):
        pledges.plan_year(p, Decimal(900), year=year, amount_eur=Decimal(amount), status=status)


def test_a_cancelled_year_no_longer_counts_against_the_pledges_worth() -> None:
    p = pledge(years=MULTI, year_plans=(YearPlan(2025, Decimal(800), YearStatus.CANCELLED),))
    pledges.plan_year(
        p, Decimal(900), year=2026, amount_eur=Decimal(900), status=YearStatus.COMMITTED
    )
    with pytest.raises(InvalidValue, match="is cancelled"):
        pledges.plan_year(
            p, Decimal(900), year=2025, amount_eur=Decimal(1), status=YearStatus.CANCELLED
        )


def test_a_pledge_keeps_covering_the_years_it_has_amounts_for() -> None:
    p = pledge(years=MULTI, year_plans=(YearPlan(2027, Decimal(5), YearStatus.INDICATIVE),))
    with pytest.raises(InvalidValue, match="has amounts planned for 2027"):
        pledges.revise(
            p,
            quantity=100,
            value=None,
            source=PledgeSource.STOCKS,
            years=(2025, 2026),
            label=Label(),
        )
    cancelled = replace(p, year_plans=(YearPlan(2027, Decimal(5), YearStatus.CANCELLED),))
    assert pledges.revise(
        cancelled,
        quantity=100,
        value=None,
        source=PledgeSource.STOCKS,
        years=(2025, 2026),
        label=Label(),
    ).years == (2025, 2026)


def test_a_closed_pledge_plans_no_year() -> None:
    with pytest.raises(InvalidValue, match="its years cannot change"):
        pledges.plan_year(
            pledge(PledgeStatus.CANCELLED, years=MULTI), Decimal(900), year=2025,
            amount_eur=Decimal(1), status=YearStatus.INDICATIVE,
        )  # fmt: skip
