"""The chairmanship: who chairs the coalition from when, and its handovers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ramstein.domain.errors import InvalidValue
from ramstein.domain.events import Event, event
from ramstein.domain.participants import Participant


@dataclass(frozen=True, slots=True)
class ChairTerm:
    """One participant's term as chair; `until` is None for the sitting chair."""

    number: int
    chair: str
    since: date
    until: date | None = None
    note: str = ""


@event("ChairAssumed", aggregate="chair")
@dataclass(frozen=True, slots=True)
class ChairAssumed(Event):
    """The first chair of the coalition takes office."""

    chair: str
    since: date
    note: str

    def aggregate_id(self) -> str:
        return "chair"


@event("ChairHandedOver", aggregate="chair")
@dataclass(frozen=True, slots=True)
class ChairHandedOver(Event):
    outgoing: str
    incoming: str
    on: date
    note: str

    def aggregate_id(self) -> str:
        return "chair"


def assume(
    current: ChairTerm | None, chair: Participant, since: date, note: str = ""
) -> ChairAssumed:
    if current is not None:
        raise InvalidValue(
            "chair",
            f"{current.chair} has chaired since {current.since}; the chair changes hands only by "
            "a handover.",
        )
    chair.require_active("chair the coalition")
    return ChairAssumed(chair=chair.code, since=since, note=note.strip())


def hand_over(
    current: ChairTerm | None, incoming: Participant, on: date, note: str = ""
) -> ChairHandedOver:
    if current is None:
        raise InvalidValue("chair", "Nobody chairs the coalition yet; record the first chair.")
    if incoming.code == current.chair:
        raise InvalidValue("incoming", f"{incoming.code} already chairs the coalition.")
    incoming.require_active("chair the coalition")
    if on < current.since:
        raise InvalidValue(
            "on",
            f"{current.chair} has chaired since {current.since}; a handover cannot precede it.",
        )
    return ChairHandedOver(outgoing=current.chair, incoming=incoming.code, on=on, note=note.strip())
