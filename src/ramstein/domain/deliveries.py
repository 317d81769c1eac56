"""Deliveries against pledge tranches and the recipient's confirmation of receipt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ramstein.domain.decimals import check_quantity
from ramstein.domain.errors import InvalidValue, QuantityExceeded
from ramstein.domain.events import Event
from ramstein.domain.events import event as register_event
from ramstein.domain.pledges import (
    PLEDGE_TRANSITIONS,
    Pledge,
    PledgeStatus,
    PledgeStatusChanged,
)
from ramstein.domain.releasability import Label
from ramstein.domain.transitions import Transitions


class DeliveryStatus(StrEnum):
    DISPATCHED = "dispatched"
    RECEIVED = "received"


DELIVERY_TRANSITIONS = Transitions(
    "delivery",
    {
        DeliveryStatus.DISPATCHED: frozenset({DeliveryStatus.RECEIVED}),
        DeliveryStatus.RECEIVED: frozenset(),
    },
)


@dataclass(frozen=True, slots=True)
class Delivery:
    """A quantity dispatched against one tranche; its label and owner are its pledge's."""

    id: int
    pledge_id: int
    tranche: int
    quantity: int
    dispatched_on: date
    note: str
    status: DeliveryStatus
    donor: str
    label: Label
    received_quantity: int | None = None
    received_on: date | None = None
    discrepancy: str = ""
    external_ref: str | None = None
    version: int = 0

    @property
    def owner(self) -> str:
        return self.donor


@register_event("DeliveryRecorded", aggregate="delivery")
@dataclass(frozen=True, slots=True)
class DeliveryRecordedV1(Event):
    """A delivery as the first schema had it: no external reference."""

    delivery_id: int
    pledge_id: int
    tranche: int
    quantity: int
    dispatched_on: date
    note: str

    def aggregate_id(self) -> str:
        return str(self.delivery_id)


@register_event("DeliveryRecorded", 2, aggregate="delivery")
@dataclass(frozen=True, slots=True)
class DeliveryRecorded(Event):
    """A dispatch; `external_ref` is the sender's own id for it (kept unique), for imports."""

    delivery_id: int
    pledge_id: int
    tranche: int
    quantity: int
    dispatched_on: date
    note: str
    external_ref: str | None

    def aggregate_id(self) -> str:
        return str(self.delivery_id)


@register_event("ReceiptConfirmed", aggregate="delivery")
@dataclass(frozen=True, slots=True)
class ReceiptConfirmed(Event):
    delivery_id: int
    received_quantity: int
    received_on: date
    discrepancy: str

    def aggregate_id(self) -> str:
        return str(self.delivery_id)


def record(
    pledge: Pledge,
    *,
    delivery_id: int,
    tranche: int,
    quantity: int,
    dispatched_on: date,
    note: str = "",
    external_ref: str | None = None,
) -> list[Event]:
    """Record a delivery; moves the pledge to delivering, and to delivered when complete."""
    check_quantity("quantity", quantity, "A delivery's quantity")
    if pledge.status not in (
        PledgeStatus.COMMITTED,
        PledgeStatus.CONTRACTED,
        PledgeStatus.DELIVERING,
    ):
        PLEDGE_TRANSITIONS.check(pledge.status, PledgeStatus.DELIVERING)
    if dispatched_on < pledge.announced_on:
        raise InvalidValue(
            "dispatched_on",
            f"Pledge {pledge.id} was announced on {pledge.announced_on}; a delivery cannot be "
            f"dispatched on {dispatched_on}.",
        )
    t = pledge.tranche(tranche)
    if t.delivered + quantity > t.quantity:
        raise QuantityExceeded(
            f"Tranche {tranche} of pledge {pledge.id} has {t.quantity - t.delivered} of "
            f"{t.quantity} left to deliver; {quantity} is more than that."
        )
    if pledge.delivered + quantity > pledge.quantity:
        raise QuantityExceeded(
            f"Pledge {pledge.id} has {pledge.quantity - pledge.delivered} of {pledge.quantity} "
            f"left to deliver; {quantity} is more than that."
        )
    events: list[Event] = [
        DeliveryRecorded(
            delivery_id=delivery_id,
            pledge_id=pledge.id,
            tranche=tranche,
            quantity=quantity,
            dispatched_on=dispatched_on,
            note=note.strip(),
            external_ref=external_ref,
        )
    ]
    if pledge.status is not PledgeStatus.DELIVERING:
        events.append(
            PledgeStatusChanged(
                pledge_id=pledge.id, status=PledgeStatus.DELIVERING, on=dispatched_on, reason=""
            )
        )
    if pledge.delivered + quantity == pledge.quantity:
        events.append(
            PledgeStatusChanged(
                pledge_id=pledge.id, status=PledgeStatus.DELIVERED, on=dispatched_on, reason=""
            )
        )
    return events


def confirm_receipt(
    delivery: Delivery, *, received_quantity: int, received_on: date, discrepancy: str = ""
) -> ReceiptConfirmed:
    DELIVERY_TRANSITIONS.check(delivery.status, DeliveryStatus.RECEIVED)
    if received_quantity < 0:
        raise InvalidValue(
            "received_quantity", f"A received quantity cannot be negative ({received_quantity})."
        )
    if received_quantity > delivery.quantity:
        raise QuantityExceeded(
            f"Delivery {delivery.id} dispatched {delivery.quantity}; {received_quantity} cannot "
            "have been received. Record the surplus as a separate delivery."
        )
    if received_on < delivery.dispatched_on:
        raise InvalidValue(
            "received_on",
            f"Delivery {delivery.id} was dispatched on {delivery.dispatched_on}; it cannot have "
            f"been received on {received_on}.",
        )
    if received_quantity < delivery.quantity and not discrepancy.strip():
        raise InvalidValue(
            "discrepancy",
            f"{delivery.quantity - received_quantity} of {delivery.quantity} were not received; "
            "describe the discrepancy.",
        )
    return ReceiptConfirmed(
        delivery_id=delivery.id,
        received_quantity=received_quantity,
        received_on=received_on,
        discrepancy=discrepancy.strip(),
    )
