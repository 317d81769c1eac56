"""Deliveries against tranches and the recipient's receipt, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from ramstein.domain import deliveries
from ramstein.domain.deliveries import Delivery, DeliveryRecorded, DeliveryStatus
from ramstein.domain.errors import IllegalTransition, InvalidValue, QuantityExceeded
from ramstein.domain.pledges import Pledge, PledgeSource, PledgeStatus, PledgeStatusChanged, Tranche
from ramstein.domain.releasability import Label

DAY = date(2025, 1, 15)
LATER = DAY + timedelta(days=40)


def pledge(status: PledgeStatus = PledgeStatus.COMMITTED, delivered: int = 0) -> Pledge:
    return Pledge(
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
            Tranche(4, 1, 60, DAY, DAY, delivered=delivered),
            Tranche(4, 2, 40, DAY, DAY),
        ),
    )


def statuses(events: list[object]) -> list[PledgeStatus]:
    return [e.status for e in events if isinstance(e, PledgeStatusChanged)]


@pytest.mark.parametrize(
    "status", [PledgeStatus.COMMITTED, PledgeStatus.CONTRACTED, PledgeStatus.DELIVERING]
)
def test_a_first_delivery_moves_the_pledge_to_delivering(status: PledgeStatus) -> None:
    events = deliveries.record(
        pledge(status), delivery_id=9, tranche=1, quantity=10, dispatched_on=LATER, note=" rail "
    )
    assert isinstance(events[0], DeliveryRecorded)
    assert (events[0].delivery_id, events[0].quantity, events[0].note) == (9, 10, "rail")
    expected = [] if status is PledgeStatus.DELIVERING else [PledgeStatus.DELIVERING]
    assert statuses(events) == expected


def test_the_delivery_that_completes_the_pledge_also_marks_it_delivered() -> None:
    almost = replace(
        pledge(PledgeStatus.COMMITTED),
        tranches=(Tranche(4, 1, 60, DAY, DAY, delivered=60), Tranche(4, 2, 40, DAY, DAY)),
    )
    events = deliveries.record(almost, delivery_id=9, tranche=2, quantity=40, dispatched_on=LATER)
    assert statuses(events) == [PledgeStatus.DELIVERING, PledgeStatus.DELIVERED]


@pytest.mark.parametrize(
    "status", [PledgeStatus.ANNOUNCED, PledgeStatus.DELIVERED, PledgeStatus.CANCELLED]
)
def test_no_delivery_against_a_pledge_that_cannot_be_delivering(status: PledgeStatus) -> None:
    with pytest.raises(IllegalTransition) as caught:
        deliveries.record(pledge(status), delivery_id=1, tranche=1, quantity=1, dispatched_on=LATER)
    assert f"A pledge that is {status.value} cannot become delivering" in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "error", "says"),
    [
        ({"quantity": 0}, InvalidValue, "A delivery's quantity must be positive (got 0)"),
        ({"quantity": -3}, InvalidValue, "A delivery's quantity must be positive (got -3)"),
        (
            {"dispatched_on": DAY - timedelta(days=1)},
            InvalidValue,
            "Pledge 4 was announced on 2025-01-15; a delivery cannot be dispatched on 2025-01-14",
        ),
        ({"tranche": 3}, InvalidValue, "Pledge 4 has no tranche 3; its tranches are: 1, 2"),
        (
            {"quantity": 36},
            QuantityExceeded,
            "Tranche 1 of pledge 4 has 35 of 60 left to deliver; 36 is more than that",
        ),
    ],
)
def test_record_refusals(kwargs: dict[str, object], error: type[Exception], says: str) -> None:
    args: dict[str, object] = {
        "delivery_id": 1,
        "tranche": 1,
        "quantity": 5,
        "dispatched_on": LATER,
    }
    args.update(kwargs)
    with pytest.raises(error) as caught:
        deliveries.record(pledge(delivered=25), **args)  # type: ignore[arg-type]
    assert says in str(caught.value)


def delivery(status: DeliveryStatus = DeliveryStatus.DISPATCHED) -> Delivery:
    return Delivery(
        id=9,
        pledge_id=4,
        tranche=1,
        quantity=30,
        dispatched_on=LATER,
        note="",
        status=status,
        donor="DEU",
        label=Label(),
    )


def test_a_full_receipt_needs_no_discrepancy_note() -> None:
    event = deliveries.confirm_receipt(delivery(), received_quantity=30, received_on=LATER)
    assert (event.delivery_id, event.received_quantity, event.discrepancy) == (9, 30, "")


def test_a_short_receipt_keeps_its_discrepancy_note() -> None:
    event = deliveries.confirm_receipt(
        delivery(), received_quantity=28, received_on=LATER, discrepancy=" 2 damaged "
    )
    assert (event.received_quantity, event.discrepancy) == (28, "2 damaged")


@pytest.mark.parametrize(
    ("kwargs", "error", "says"),
    [
        (
            {"received_quantity": 31},
            QuantityExceeded,
            "Delivery 9 dispatched 30; 31 cannot have been received",
        ),
        ({"received_quantity": -1}, InvalidValue, "cannot be negative (-1)"),
        (
            {"received_on": LATER - timedelta(days=1)},
            InvalidValue,
            "Delivery 9 was dispatched on 2025-02-24; it cannot have been received on 2025-02-23",
        ),
        (
            {"received_quantity": 27},
            InvalidValue,
            "3 of 30 were not received; describe the discrepancy",
        ),
    ],
)
def test_receipt_refusals(kwargs: dict[str, object], error: type[Exception], says: str) -> None:
    args: dict[str, object] = {"received_quantity": 30, "received_on": LATER}
    args.update(kwargs)
    with pytest.raises(error) as caught:
        deliveries.confirm_receipt(delivery(), **args)  # type: ignore[arg-type]
    assert says in str(caught.value)


def test_a_receipt_is_confirmed_once() -> None:
    with pytest.raises(IllegalTransition, match="none \\(it is final\\)"):
        deliveries.confirm_receipt(
            delivery(DeliveryStatus.RECEIVED), received_quantity=30, received_on=LATER
        )
