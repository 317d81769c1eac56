"""Capability areas (data, not code) and the capability coalitions that lead them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from ramstein.domain.errors import InvalidValue
from ramstein.domain.events import Event, event

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


def validate_slug(field: str, value: str) -> str:
    if not SLUG.match(value):
        raise InvalidValue(
            field,
            f"{value!r} is not a valid code; use 2-40 lower-case letters, digits or '-', "
            "starting with a letter (e.g. air-defence).",
        )
    return value


@dataclass(frozen=True, slots=True)
class CapabilityArea:
    """A field of support (air defence, demining, medical, energy, ...)."""

    code: str
    name: str
    description: str = ""
    version: int = 0


class CoalitionRole(StrEnum):
    LEAD = "lead"
    MEMBER = "member"


@dataclass(frozen=True, slots=True)
class Coalition:
    """A capability coalition: an area, its lead participants and its members."""

    code: str
    name: str
    area: str
    members: dict[str, CoalitionRole]
    version: int = 0

    @property
    def leads(self) -> frozenset[str]:
        return frozenset(p for p, r in self.members.items() if r is CoalitionRole.LEAD)


@event("CapabilityAreaDefined", aggregate="area")
@dataclass(frozen=True, slots=True)
class CapabilityAreaDefined(Event):
    code: str
    name: str
    description: str

    def aggregate_id(self) -> str:
        return self.code


@event("CapabilityAreaRevised", aggregate="area")
@dataclass(frozen=True, slots=True)
class CapabilityAreaRevised(Event):
    code: str
    name: str
    description: str

    def aggregate_id(self) -> str:
        return self.code


@event("CoalitionFormed", aggregate="coalition")
@dataclass(frozen=True, slots=True)
class CoalitionFormed(Event):
    code: str
    name: str
    area: str
    leads: tuple[str, ...]
    members: tuple[str, ...]

    def aggregate_id(self) -> str:
        return self.code


@event("CoalitionRevised", aggregate="coalition")
@dataclass(frozen=True, slots=True)
class CoalitionRevised(Event):
    code: str
    name: str
    area: str

    def aggregate_id(self) -> str:
        return self.code


@event("CoalitionMembershipChanged", aggregate="coalition")
@dataclass(frozen=True, slots=True)
class CoalitionMembershipChanged(Event):
    """A participant joins (as lead or member), changes role, or leaves (role None)."""

    code: str
    participant: str
    role: CoalitionRole | None

    def aggregate_id(self) -> str:
        return self.code


def define_area(*, code: str, name: str, description: str = "") -> CapabilityAreaDefined:
    if not name.strip():
        raise InvalidValue("name", "A capability area needs a name.")
    return CapabilityAreaDefined(
        code=validate_slug("code", code), name=name.strip(), description=description.strip()
    )


def form_coalition(
    *, code: str, name: str, area: str, leads: list[str], members: list[str]
) -> CoalitionFormed:
    if not name.strip():
        raise InvalidValue("name", "A coalition needs a name.")
    if not leads:
        raise InvalidValue("leads", "A capability coalition needs at least one lead participant.")
    both = set(leads) & set(members)
    if both:
        raise InvalidValue(
            "members", f"{', '.join(sorted(both))} cannot be listed as both lead and member."
        )
    return CoalitionFormed(
        code=validate_slug("code", code),
        name=name.strip(),
        area=area,
        leads=tuple(sorted(set(leads))),
        members=tuple(sorted(set(members))),
    )


def revise_coalition(coalition: Coalition, *, name: str, area: str) -> CoalitionRevised:
    if not name.strip():
        raise InvalidValue("name", "A coalition needs a name.")
    return CoalitionRevised(code=coalition.code, name=name.strip(), area=area)


def change_membership(
    coalition: Coalition, participant: str, role: CoalitionRole | None
) -> CoalitionMembershipChanged:
    current = coalition.members.get(participant)
    if current == role:
        state = role.value if role else "not a member"
        raise InvalidValue("role", f"{participant} is already {state} of {coalition.code}.")
    if (
        current is CoalitionRole.LEAD
        and role is not CoalitionRole.LEAD
        and len(coalition.leads) == 1
    ):
        raise InvalidValue(
            "role",
            f"{participant} is the only lead of {coalition.code}; name another lead first.",
        )
    return CoalitionMembershipChanged(code=coalition.code, participant=participant, role=role)
