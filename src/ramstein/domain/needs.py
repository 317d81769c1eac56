"""The recipient's prioritised needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ramstein.domain.decimals import check_quantity
from ramstein.domain.errors import InvalidValue, NotPermitted
from ramstein.domain.events import Event, event
from ramstein.domain.participants import Participant, ParticipantKind
from ramstein.domain.releasability import Label
from ramstein.domain.transitions import Transitions


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


PRIORITY_WEIGHTS: dict[Priority, int] = {
    Priority.P1: 100,
    Priority.P2: 40,
    Priority.P3: 15,
    Priority.P4: 5,
}
"""Default weights used by matching; a coalition may configure its own."""


class NeedStatus(StrEnum):
    OPEN = "open"
    PARTLY_COVERED = "partly_covered"
    COVERED = "covered"
    WITHDRAWN = "withdrawn"


NEED_TRANSITIONS = Transitions(
    "need",
    {
        NeedStatus.OPEN: frozenset(
            {NeedStatus.PARTLY_COVERED, NeedStatus.COVERED, NeedStatus.WITHDRAWN}
        ),
        NeedStatus.PARTLY_COVERED: frozenset(
            {NeedStatus.OPEN, NeedStatus.COVERED, NeedStatus.WITHDRAWN}
        ),
        NeedStatus.COVERED: frozenset(
            {NeedStatus.OPEN, NeedStatus.PARTLY_COVERED, NeedStatus.WITHDRAWN}
        ),
        NeedStatus.WITHDRAWN: frozenset(),
    },
)


@dataclass(frozen=True, slots=True)
class Need:
    """A quantity of an item type the recipient needs by a date, at a priority."""

    id: int
    recipient: str
    item_type: str
    quantity: int
    priority: Priority
    needed_by: date
    raised_on: date
    rationale: str
    status: NeedStatus
    label: Label
    external_ref: str | None = None
    version: int = 0

    @property
    def owner(self) -> str:
        return self.recipient


@event("NeedSubmitted", aggregate="need")
@dataclass(frozen=True, slots=True)
class NeedSubmitted(Event):
    need_id: int
    recipient: str
    item_type: str
    quantity: int
    priority: Priority
    needed_by: date
    raised_on: date
    rationale: str
    label: Label
    external_ref: str | None

    def aggregate_id(self) -> str:
        return str(self.need_id)


@event("NeedRevised", aggregate="need")
@dataclass(frozen=True, slots=True)
class NeedRevised(Event):
    need_id: int
    quantity: int
    priority: Priority
    needed_by: date
    rationale: str
    label: Label

    def aggregate_id(self) -> str:
        return str(self.need_id)


@event("NeedStatusChanged", aggregate="need")
@dataclass(frozen=True, slots=True)
class NeedStatusChanged(Event):
    need_id: int
    status: NeedStatus
    reason: str

    def aggregate_id(self) -> str:
        return str(self.need_id)


def _check(quantity: int, needed_by: date, raised_on: date) -> None:
    check_quantity("quantity", quantity, "A need's quantity")
    if needed_by < raised_on:
        raise InvalidValue(
            "needed_by",
            f"A need cannot be needed by {needed_by}, before it was raised on {raised_on}.",
        )


def submit(
    *,
    need_id: int,
    recipient: Participant,
    item_type: str,
    quantity: int,
    priority: Priority,
    needed_by: date,
    raised_on: date,
    rationale: str,
    label: Label,
    external_ref: str | None = None,
) -> NeedSubmitted:
    if recipient.kind is not ParticipantKind.RECIPIENT:
        raise NotPermitted(
            f"{recipient.name} ({recipient.code}) is not a recipient; only a recipient "
            "submits needs."
        )
    recipient.require_active("submit needs")
    _check(quantity, needed_by, raised_on)
    return NeedSubmitted(
        need_id=need_id,
        recipient=recipient.code,
        item_type=item_type,
        quantity=quantity,
        priority=priority,
        needed_by=needed_by,
        raised_on=raised_on,
        rationale=rationale.strip(),
        label=label,
        external_ref=external_ref,
    )


def revise(
    need: Need,
    *,
    quantity: int,
    priority: Priority,
    needed_by: date,
    rationale: str,
    label: Label,
) -> NeedRevised:
    if need.status is NeedStatus.WITHDRAWN:
        raise InvalidValue("status", f"Need {need.id} was withdrawn; submit a new need instead.")
    _check(quantity, needed_by, need.raised_on)
    return NeedRevised(
        need_id=need.id,
        quantity=quantity,
        priority=priority,
        needed_by=needed_by,
        rationale=rationale.strip(),
        label=label,
    )


def change_status(need: Need, status: NeedStatus, reason: str = "") -> NeedStatusChanged:
    NEED_TRANSITIONS.check(need.status, status)
    if status is NeedStatus.WITHDRAWN and not reason.strip():
        raise InvalidValue("reason", "Say why the need is withdrawn.")
    return NeedStatusChanged(need_id=need.id, status=status, reason=reason.strip())
