"""Participants: the states and organisations that take part, and the recipient."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from ramstein.domain.decimals import check_places
from ramstein.domain.errors import InactiveParticipant, InvalidValue
from ramstein.domain.events import Event, event
from ramstein.domain.transitions import Transitions

CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_-]{1,15}$")


class ParticipantKind(StrEnum):
    STATE = "state"
    ORGANISATION = "organisation"
    RECIPIENT = "recipient"
    FUND = "fund"
    """A pooled fund: donors contribute to it and it pledges the packages it procures."""


class ParticipantStatus(StrEnum):
    MEMBER = "member"
    OBSERVER = "observer"
    LEFT = "left"


PARTICIPANT_TRANSITIONS = Transitions(
    "participant",
    {
        ParticipantStatus.MEMBER: frozenset({ParticipantStatus.OBSERVER, ParticipantStatus.LEFT}),
        ParticipantStatus.OBSERVER: frozenset({ParticipantStatus.MEMBER, ParticipantStatus.LEFT}),
        ParticipantStatus.LEFT: frozenset({ParticipantStatus.MEMBER, ParticipantStatus.OBSERVER}),
    },
)


@dataclass(frozen=True, slots=True)
class Participant:
    """A state (ISO 3166-1 alpha-3 code), an organisation or a pooled fund (short code), or
    the recipient."""

    code: str
    name: str
    kind: ParticipantKind
    status: ParticipantStatus
    joined_on: date
    left_on: date | None = None
    gdp_eur_bn: Decimal | None = None
    version: int = 0

    @property
    def is_active(self) -> bool:
        return self.status is not ParticipantStatus.LEFT

    def require_active(self, doing: str) -> None:
        if not self.is_active:
            raise InactiveParticipant(
                f"{self.name} ({self.code}) left the coalition on {self.left_on}; it can no "
                f"longer {doing}. Record it as a member again first if it has rejoined."
            )


def validate_code(code: str) -> str:
    if not CODE_PATTERN.match(code):
        raise InvalidValue(
            "code",
            f"Participant code {code!r} is not valid; use ISO 3166-1 alpha-3 for states (e.g. "
            "DEU) or a short upper-case code for organisations (e.g. NATO).",
        )
    return code


def validate_gdp(gdp: Decimal | None) -> Decimal | None:
    if gdp is None:
        return None
    check_places("gdp_eur_bn", gdp, 6)
    if gdp < 0:
        raise InvalidValue("gdp_eur_bn", f"GDP cannot be negative (got {gdp}).")
    return gdp


@event("ParticipantRegistered", aggregate="participant")
@dataclass(frozen=True, slots=True)
class ParticipantRegistered(Event):
    code: str
    name: str
    kind: ParticipantKind
    status: ParticipantStatus
    joined_on: date
    gdp_eur_bn: Decimal | None

    def aggregate_id(self) -> str:
        return self.code


@event("ParticipantRevised", aggregate="participant")
@dataclass(frozen=True, slots=True)
class ParticipantRevised(Event):
    code: str
    name: str
    gdp_eur_bn: Decimal | None

    def aggregate_id(self) -> str:
        return self.code


@event("ParticipantStatusChanged", aggregate="participant")
@dataclass(frozen=True, slots=True)
class ParticipantStatusChanged(Event):
    code: str
    status: ParticipantStatus
    on: date

    def aggregate_id(self) -> str:
        return self.code


def register(
    *,
    code: str,
    name: str,
    kind: ParticipantKind,
    status: ParticipantStatus,
    joined_on: date,
    gdp_eur_bn: Decimal | None,
) -> ParticipantRegistered:
    if not name.strip():
        raise InvalidValue("name", "A participant needs a name.")
    if status is ParticipantStatus.LEFT:
        raise InvalidValue("status", "A participant cannot join with status 'left'.")
    return ParticipantRegistered(
        code=validate_code(code),
        name=name.strip(),
        kind=kind,
        status=status,
        joined_on=joined_on,
        gdp_eur_bn=validate_gdp(gdp_eur_bn),
    )


def revise(
    participant: Participant, *, name: str, gdp_eur_bn: Decimal | None
) -> ParticipantRevised:
    if not name.strip():
        raise InvalidValue("name", "A participant needs a name.")
    return ParticipantRevised(
        code=participant.code, name=name.strip(), gdp_eur_bn=validate_gdp(gdp_eur_bn)
    )


def change_status(
    participant: Participant, status: ParticipantStatus, on: date
) -> ParticipantStatusChanged:
    PARTICIPANT_TRANSITIONS.check(participant.status, status)
    if on < participant.joined_on:
        raise InvalidValue(
            "on",
            f"{participant.code} joined on {participant.joined_on}; a change cannot precede it.",
        )
    return ParticipantStatusChanged(code=participant.code, status=status, on=on)
