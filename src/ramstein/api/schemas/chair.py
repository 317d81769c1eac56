"""Chairmanship: who chairs the coalition from when, and handovers."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ramstein.api.schemas.common import ONE_LINE, Code, Day, Note
from ramstein.domain.chair import ChairTerm


class HandoverCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"incoming": "NATO", "note": "Alliance takes the chair"}]}
    )

    incoming: Code
    on: Day | None = None
    note: Note = ""
    new_host_key: (
        Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=ONE_LINE)] | None
    ) = Field(
        default=None,
        description="The incoming host's public key (C2SP vkey); the log is handed over too.",
    )


class ChairTermPublic(BaseModel):
    number: int
    chair: str
    since: date
    until: date | None
    note: str


def public(t: ChairTerm) -> ChairTermPublic:
    return ChairTermPublic(
        number=t.number, chair=t.chair, since=t.since, until=t.until, note=t.note
    )
