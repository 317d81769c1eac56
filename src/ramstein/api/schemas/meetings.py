"""Meetings: schedule, attendance, decisions and status; the chair's secretariat keeps them."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from ramstein.api.schemas.common import NO_CONTROL, Code, Day, Labelled, label_fields
from ramstein.domain.meetings import (
    AttendanceLevel,
    Decision,
    Meeting,
    MeetingFormat,
    MeetingStatus,
)
from ramstein.domain.releasability import Releasability

Venue = Annotated[str, StringConstraints(max_length=200, pattern=NO_CONTROL)]


class MeetingCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "held_on": "2027-02-12",
                    "format": "hybrid",
                    "venue": "Ramstein Air Base",
                    "chair": "USA",
                    "co_chairs": ["GBR"],
                }
            ]
        }
    )

    held_on: Day
    format: MeetingFormat
    venue: Venue = ""
    chair: Code
    co_chairs: list[Code] = Field(default_factory=list, max_length=10)
    number: StrictInt | None = Field(default=None, ge=1, le=10**6, description="Default: next.")


class MeetingUpdate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"format": "virtual"}]})

    held_on: Day | None = None
    format: MeetingFormat | None = None
    venue: Venue | None = None
    co_chairs: list[Code] | None = Field(default=None, max_length=10)


class MeetingStatusChange(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "invited"}]})

    status: MeetingStatus


class AttendanceSet(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"level": "minister"}]})

    level: AttendanceLevel


class DecisionCreate(Labelled):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"text": "Form a demining coalition led by LTU and ISL.", "releasability": "public"}
            ]
        }
    )

    text: Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=NO_CONTROL)]


class DecisionPublic(BaseModel):
    number: int
    text: str
    releasability: Releasability
    releasable_to: list[str]


class MeetingPublic(BaseModel):
    number: int
    held_on: date
    format: MeetingFormat
    venue: str
    chair: str
    co_chairs: list[str]
    status: MeetingStatus
    attendance: dict[str, AttendanceLevel]
    decisions: list[DecisionPublic] = Field(description="Those the viewer may see.")
    version: int


def decision_public(d: Decision) -> DecisionPublic:
    return DecisionPublic(number=d.number, text=d.text, **label_fields(d.label))


def public(m: Meeting) -> MeetingPublic:
    return MeetingPublic(
        number=m.number,
        held_on=m.held_on,
        format=m.format,
        venue=m.venue,
        chair=m.chair,
        co_chairs=list(m.co_chairs),
        status=m.status,
        attendance=dict(sorted(m.attendance.items())),
        decisions=[decision_public(d) for d in m.decisions],
        version=m.version,
    )
