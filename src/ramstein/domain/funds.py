"""Pooled funds: donors contribute money to a fund, and the fund procures packages.

A fund is a participant of kind `fund` (so its managers can sign in and announce for it); a
package is an ordinary pledge whose donor is the fund. A contribution is the money one donor
puts into one fund, with its own lifecycle: `pledged → paid`, or `cancelled` with a reason.
What the fund's packages deliver is attributed back to its contributors pro rata to what
they contributed (`reports.funds`).

A restricted contribution is always released to its fund: the fund must see the money it
manages, so the fund is named on the label whatever the caller names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ramstein.domain.errors import InvalidValue, NotPermitted
from ramstein.domain.events import Event, event
from ramstein.domain.participants import Participant, ParticipantKind
from ramstein.domain.pledges import Money, validate_money
from ramstein.domain.releasability import Label, Releasability
from ramstein.domain.transitions import Transitions

NOTE_LENGTH = 2000


class ContributionStatus(StrEnum):
    PLEDGED = "pledged"
    PAID = "paid"
    CANCELLED = "cancelled"


CONTRIBUTION_TRANSITIONS = Transitions(
    "contribution",
    {
        ContributionStatus.PLEDGED: frozenset(
            {ContributionStatus.PAID, ContributionStatus.CANCELLED}
        ),
        ContributionStatus.PAID: frozenset({ContributionStatus.CANCELLED}),
        ContributionStatus.CANCELLED: frozenset(),
    },
)
"""A paid contribution may still be cancelled (refunded), with a reason."""

COUNTED = frozenset({ContributionStatus.PLEDGED, ContributionStatus.PAID})
"""The contributions that give their contributor a share of the fund."""


@dataclass(frozen=True, slots=True)
class FundContribution:
    """Money one donor puts into one pooled fund."""

    id: int
    fund: str
    contributor: str
    value: Money
    on: date
    """The day it was pledged to the fund."""
    status: ContributionStatus
    status_on: date
    label: Label
    note: str = ""
    reason: str = ""
    version: int = 0

    @property
    def owner(self) -> str:
        return self.contributor

    @property
    def counted(self) -> bool:
        return self.status in COUNTED


@event("ContributionRecorded", aggregate="contribution")
@dataclass(frozen=True, slots=True)
class ContributionRecorded(Event):
    contribution_id: int
    fund: str
    contributor: str
    value: Money
    on: date
    label: Label
    note: str

    def aggregate_id(self) -> str:
        return str(self.contribution_id)


@event("ContributionStatusChanged", aggregate="contribution")
@dataclass(frozen=True, slots=True)
class ContributionStatusChanged(Event):
    contribution_id: int
    status: ContributionStatus
    on: date
    reason: str

    def aggregate_id(self) -> str:
        return str(self.contribution_id)


def fund_label(label: Label, fund: str) -> Label:
    """`label` as a contribution to `fund` carries it: a restricted one names the fund."""
    if label.level is not Releasability.RESTRICTED:
        return label
    return Label(label.level, label.named | {fund})


def require_fund(fund: Participant) -> None:
    if fund.kind is not ParticipantKind.FUND:
        raise InvalidValue(
            "fund",
            f"{fund.name} ({fund.code}) is a {fund.kind.value}, not a pooled fund; register the "
            "fund as a participant of kind 'fund' first.",
        )


def record(
    *,
    contribution_id: int,
    fund: Participant,
    contributor: Participant,
    value: Money,
    on: date,
    label: Label,
    note: str = "",
) -> ContributionRecorded:
    require_fund(fund)
    fund.require_active("receive contributions")
    if contributor.kind in (ParticipantKind.RECIPIENT, ParticipantKind.FUND):
        raise NotPermitted(
            f"{contributor.name} ({contributor.code}) is a {contributor.kind.value}; only states "
            "and organisations contribute to a fund."
        )
    contributor.require_active("contribute to a fund")
    if value.amount <= 0:
        raise InvalidValue("value", f"A contribution is a positive amount (got {value.amount}).")
    if on < fund.joined_on:
        raise InvalidValue(
            "on", f"{fund.code} was set up on {fund.joined_on}; a contribution cannot precede it."
        )
    if len(note) > NOTE_LENGTH:
        raise InvalidValue("note", f"A note has at most {NOTE_LENGTH} characters.")
    return ContributionRecorded(
        contribution_id=contribution_id,
        fund=fund.code,
        contributor=contributor.code,
        value=validate_money(value),
        on=on,
        label=fund_label(label, fund.code),
        note=note.strip(),
    )


def recorded(event: ContributionRecorded) -> FundContribution:
    """The contribution the event records, as the projection stores it (version 1)."""
    return FundContribution(
        id=event.contribution_id,
        fund=event.fund,
        contributor=event.contributor,
        value=event.value,
        on=event.on,
        status=ContributionStatus.PLEDGED,
        status_on=event.on,
        label=event.label,
        note=event.note,
        version=1,
    )


def change_status(
    contribution: FundContribution, status: ContributionStatus, on: date, reason: str = ""
) -> ContributionStatusChanged:
    CONTRIBUTION_TRANSITIONS.check(contribution.status, status)
    if status is ContributionStatus.CANCELLED and not reason.strip():
        raise InvalidValue("reason", "Say why the contribution is cancelled.")
    if on < contribution.on:
        raise InvalidValue(
            "on",
            f"Contribution {contribution.id} was pledged on {contribution.on}; a change cannot "
            "precede it.",
        )
    return ContributionStatusChanged(
        contribution_id=contribution.id, status=status, on=on, reason=reason.strip()
    )
