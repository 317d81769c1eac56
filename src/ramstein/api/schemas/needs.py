"""The recipient's needs."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from ramstein.api.schemas.common import (
    Code,
    Day,
    ExternalRef,
    Labelled,
    Note,
    Quantity,
    label_fields,
)
from ramstein.domain.needs import Need, NeedStatus, Priority
from ramstein.domain.releasability import Releasability


class NeedCreate(Labelled):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "recipient": "UKR",
                    "item_type": "155mm-shell",
                    "quantity": 20000,
                    "priority": "P1",
                    "needed_by": "2027-03-31",
                    "rationale": "Counter-battery fire on the southern front",
                    "releasability": "coalition",
                }
            ]
        }
    )

    recipient: Code
    item_type: Code
    quantity: Quantity
    priority: Priority
    needed_by: Day
    raised_on: Day | None = Field(default=None, description="Default: today.")
    rationale: Note = ""
    external_ref: ExternalRef | None = None


class NeedUpdate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"quantity": 15000, "priority": "P2"}]}
    )

    quantity: Quantity | None = None
    priority: Priority | None = None
    needed_by: Day | None = None
    rationale: Note | None = None
    releasability: Releasability | None = None
    releasable_to: list[Code] | None = Field(default=None, max_length=100)


class NeedStatusChange(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "partly_covered", "reason": "First batch in"}]}
    )

    status: NeedStatus
    reason: Note = ""


class NeedPublic(BaseModel):
    id: int
    recipient: str
    item_type: str
    quantity: int
    priority: Priority
    needed_by: date
    raised_on: date
    rationale: str
    status: NeedStatus
    releasability: Releasability
    releasable_to: list[str]
    external_ref: str | None
    version: int


def public(n: Need) -> NeedPublic:
    return NeedPublic(
        id=n.id,
        recipient=n.recipient,
        item_type=n.item_type,
        quantity=n.quantity,
        priority=n.priority,
        needed_by=n.needed_by,
        raised_on=n.raised_on,
        rationale=n.rationale,
        status=n.status,
        external_ref=n.external_ref,
        version=n.version,
        **label_fields(n.label),
    )
