"""Deliveries against pledge tranches, and the recipient's receipt."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from ramstein.api.schemas.common import (
    Day,
    ExternalRef,
    Note,
    Quantity,
    RecordId,
    label_fields,
)
from ramstein.domain.deliveries import Delivery, DeliveryStatus
from ramstein.domain.releasability import Releasability


class DeliveryCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"pledge_id": 1, "tranche": 1, "quantity": 200, "dispatched_on": "2027-01-10"}
            ]
        }
    )

    pledge_id: RecordId
    tranche: StrictInt = Field(ge=1, le=10**4)
    quantity: Quantity
    dispatched_on: Day | None = None
    note: Note = ""
    external_ref: ExternalRef | None = None


class ReceiptCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"received_quantity": 40, "received_on": "2027-01-20"}]}
    )

    received_quantity: StrictInt = Field(ge=0, le=10**12)
    received_on: Day | None = None
    discrepancy: Note = Field(default="", description="Required when fewer units arrived.")


class DeliveryPublic(BaseModel):
    id: int
    pledge_id: int
    tranche: int
    donor: str
    quantity: int
    dispatched_on: date
    note: str
    status: DeliveryStatus
    received_quantity: int | None
    received_on: date | None
    discrepancy: str
    external_ref: str | None
    releasability: Releasability = Field(description="The pledge's.")
    releasable_to: list[str]
    version: int


def public(d: Delivery) -> DeliveryPublic:
    return DeliveryPublic(
        id=d.id,
        pledge_id=d.pledge_id,
        tranche=d.tranche,
        donor=d.donor,
        quantity=d.quantity,
        dispatched_on=d.dispatched_on,
        note=d.note,
        status=d.status,
        received_quantity=d.received_quantity,
        received_on=d.received_on,
        discrepancy=d.discrepancy,
        external_ref=d.external_ref,
        version=d.version,
        **label_fields(d.label),
    )
