"""Field types every schema shares: codes, bounded text, quantities, labels and references."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, StrictInt, StringConstraints

from ramstein.domain.decimals import MAX_QUANTITY
from ramstein.domain.releasability import Label, Releasability

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
Code = Annotated[
    str,
    StringConstraints(pattern=CODE_PATTERN),
    Field(description="A participant, area, coalition or item code.", examples=["DEU"]),
]
"""A code: letters, digits, `._-`, at most 64 characters."""

NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""No control characters but tab and line breaks (PostgreSQL refuses NUL in text)."""
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
"""No control characters at all: a unit, a key."""


Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_CONTROL)]
Note = Annotated[str, StringConstraints(max_length=2000, pattern=NO_CONTROL)]
Quantity = Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY, description="Whole items.")]
"""Bodies take whole numbers as JSON numbers only: no true for 1, no "12", no 12.0."""
RecordId = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]


def iso_date(value: object) -> object:
    """Let a date through as ISO 8601 text only (pydantic would read 0 as 1970-01-01)."""
    if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.match(value)):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
Day = Annotated[date, BeforeValidator(iso_date), Field(ge=date(1900, 1, 1), le=date(2999, 12, 31))]
"""A calendar date, as ISO 8601 text (not a timestamp, not a datetime)."""
ExternalRef = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=NO_CONTROL),
    Field(description="The record's id in the system it was imported from."),
]


class Labelled(BaseModel):
    """Releasability, as a request gives it."""

    releasability: Releasability = Field(
        default=Releasability.COALITION,
        description="public, coalition (members and observers) or restricted (named "
        "participants; the owner and the chair always see it).",
    )
    releasable_to: list[Code] = Field(
        default_factory=list,
        max_length=100,
        description="For a restricted record: the participants it is released to.",
    )

    def label(self) -> Label:
        return Label.of(self.releasability, self.releasable_to)


def label_fields(label: Label) -> dict[str, object]:
    """A record's label as its public form shows it."""
    return {"releasability": label.level, "releasable_to": sorted(label.named)}


def listed(values: Iterable[str] | None) -> list[str] | None:
    return list(values) if values else None


def label_change(level: Releasability | None, named: list[str] | None) -> Label | None:
    """A new label from an update, or None to keep the record's.

    `releasability` and `releasable_to` change together: names alone make the record
    restricted to them; a level alone releases it to no one by name.
    """
    if level is None and named is None:
        return None
    return Label.of(level or Releasability.RESTRICTED, named or ())
