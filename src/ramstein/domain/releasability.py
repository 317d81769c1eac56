"""Need-to-know: releasability labels, who may see a record, and the small-cell rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from ramstein.domain.errors import InvalidValue

SMALL_CELL_MIN_DONORS = 3
"""An aggregate that includes non-public records is published only above this many donors."""

WITHHELD = "withheld"


class Releasability(StrEnum):
    """How far a record may travel."""

    PUBLIC = "public"
    COALITION = "coalition"
    RESTRICTED = "restricted"


class Role(StrEnum):
    """What a signed-in user may do; see the roles table in the design."""

    CHAIR = "chair"
    RECIPIENT = "recipient"
    DONOR = "donor"
    COALITION_LEAD = "coalition_lead"
    OBSERVER = "observer"
    PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class Label:
    """A record's releasability: its level and, for restricted records, the named participants.

    The record's owner and the chair always see a restricted record; they need not be named.
    """

    level: Releasability = Releasability.COALITION
    named: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.named and self.level is not Releasability.RESTRICTED:
            raise InvalidValue(
                "releasable_to",
                f"Only restricted records name participants; a {self.level.value} record is "
                "already visible to them. Drop the names or make the record restricted.",
            )

    @classmethod
    def of(cls, level: str | Releasability, named: Iterable[str] = ()) -> Label:
        try:
            lvl = Releasability(level)
        except ValueError:
            options = ", ".join(r.value for r in Releasability)
            raise InvalidValue(
                "releasability", f"Releasability {level!r} is unknown; use one of: {options}."
            ) from None
        return cls(lvl, frozenset(named))

    @property
    def is_public(self) -> bool:
        return self.level is Releasability.PUBLIC


PUBLIC_LABEL = Label(Releasability.PUBLIC)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is reading or acting: a participant (None for the anonymous public) and its roles."""

    participant: str | None
    roles: frozenset[Role]
    user: str | None = None

    @property
    def is_public(self) -> bool:
        return not (self.roles - {Role.PUBLIC})

    def has(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)


PUBLIC_VIEWER = Principal(participant=None, roles=frozenset({Role.PUBLIC}))


class Labelled(Protocol):
    """Anything that carries a releasability label and an owning participant."""

    @property
    def label(self) -> Label: ...

    @property
    def owner(self) -> str: ...


def can_see(viewer: Principal, record: Labelled) -> bool:
    """The one rule: may `viewer` read `record`?

    - public records: everyone;
    - coalition records: every signed-in member, observer and the recipient;
    - restricted records: the chair, the record's owner and the participants it names.
    """
    return can_see_label(viewer, record.label, record.owner)


def can_see_label(viewer: Principal, label: Label, owner: str) -> bool:
    """`can_see` for a label and owner given separately (log entries, query filters)."""
    if label.level is Releasability.PUBLIC:
        return True
    if viewer.is_public:
        return False
    if viewer.has(Role.CHAIR):
        return True
    if label.level is Releasability.COALITION:
        return True
    return viewer.participant == owner or viewer.participant in label.named


@dataclass(frozen=True, slots=True)
class Contribution:
    """One record's part in an aggregate figure: who gave it and how it is labelled."""

    donor: str
    label: Label


def publishable(contributions: Iterable[Contribution]) -> bool:
    """The small-cell rule: may an aggregate over these records be shown?

    A figure made only of public records is always shown. A figure that includes any
    non-public record is shown only when at least `SMALL_CELL_MIN_DONORS` distinct donors
    contribute to it, so that no single donor's restricted figure can be read off it.
    """
    items = list(contributions)
    if all(c.label.is_public for c in items):
        return True
    return len({c.donor for c in items}) >= SMALL_CELL_MIN_DONORS
