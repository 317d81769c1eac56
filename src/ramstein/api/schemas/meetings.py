"""Meetings: schedule, attendance, decisions and status; the chair's secretariat keeps them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from ramstein.api.schemas.analytics import AreaCoveragePublic
from ramstein.api.schemas.common import NO_CONTROL, Code, Day, Labelled, Note, label_fields
from ramstein.api.schemas.pledges import ANNOUNCEMENT_EXAMPLE, AnnouncementCreate
from ramstein.domain.meetings import (
    MAX_AGENDA_ITEMS,
    AgendaEntry,
    AttendanceLevel,
    Decision,
    DecisionKind,
    DecisionStatus,
    Meeting,
    MeetingFormat,
    MeetingStatus,
)
from ramstein.domain.needs import Priority
from ramstein.domain.pledges import PledgeStatus
from ramstein.domain.releasability import Releasability
from ramstein.services.agenda import Agenda
from ramstein.services.rounds import MAX_ROUND

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
                {
                    "text": "Ask the defence industry for its 155 mm production capacity.",
                    "owner": "DEU",
                    "releasability": "public",
                },
                {
                    "text": "Report the air-defence interceptor stocks available for transfer.",
                    "kind": "action",
                    "owner": "DEU",
                    "due_on": "2027-03-15",
                    "releasability": "coalition",
                },
            ]
        }
    )

    text: Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=NO_CONTROL)]
    owner: Code = Field(description="The participant that carries it out.")
    kind: DecisionKind = DecisionKind.DECISION
    due_on: Day | None = Field(default=None, description="Required for an action item.")


class ActionClose(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"outcome": "done", "note": "Stocks reported."}]}
    )

    outcome: Literal[DecisionStatus.DONE, DecisionStatus.DROPPED]
    note: Note = ""
    on: Day | None = Field(default=None, description="Default: today.")


class DecisionPublic(BaseModel):
    meeting: int
    number: int
    kind: DecisionKind
    text: str
    owner: str
    due_on: date | None
    status: DecisionStatus
    closed_on: date | None
    note: str
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
    agenda_version: int = Field(description="The chair's version of the agenda; 0: the default.")
    version: int


def decision_public(d: Decision) -> DecisionPublic:
    return DecisionPublic(
        meeting=d.meeting,
        number=d.number,
        kind=d.kind,
        text=d.text,
        owner=d.owner,
        due_on=d.due_on,
        status=d.status,
        closed_on=d.closed_on,
        note=d.note,
        **label_fields(d.label),
    )


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
        agenda_version=m.agenda_version,
        version=m.version,
    )


class RoundCreate(BaseModel):
    """An announcement round: every pledge becomes one linked to the meeting, or none does."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"announcements": [ANNOUNCEMENT_EXAMPLE]}]}
    )

    announcements: list[AnnouncementCreate] = Field(min_length=1, max_length=MAX_ROUND)


AgendaKey = Annotated[
    str,
    StringConstraints(min_length=1, max_length=80, pattern=r"^[a-z]+(:[A-Za-z0-9._-]+)?$"),
    Field(
        description="priorities, pledges, overdue, actions, coalition:<code>, or item:<n> "
        "for an item of the chair's own.",
        examples=["priorities", "coalition:iadc", "item:1"],
    ),
]


class AgendaEntryIn(BaseModel):
    key: AgendaKey
    title: Annotated[str, StringConstraints(max_length=300, pattern=NO_CONTROL)] = ""
    text: Annotated[str, StringConstraints(max_length=4000, pattern=NO_CONTROL)] = ""

    def entry(self) -> AgendaEntry:
        return AgendaEntry(self.key, self.title, self.text)


class AgendaSet(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "entries": [
                        {"key": "priorities"},
                        {"key": "item:1", "title": "Winter energy support", "text": "EU brief"},
                        {"key": "pledges"},
                        {"key": "actions"},
                    ]
                }
            ]
        }
    )

    entries: list[AgendaEntryIn] = Field(min_length=1, max_length=MAX_AGENDA_ITEMS)


class GapPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    need: int
    item_type: str
    item_name: str
    area: str
    priority: Priority
    needed: int
    covered: int
    gap: int
    needed_by: date


class PledgeChangePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    pledge: int
    donor: str
    item_type: str
    area: str
    quantity: int
    status: PledgeStatus
    announced_on: date
    new: bool


class OverduePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    pledge: int
    tranche: int
    donor: str
    item_type: str
    quantity: int
    delivered: int
    expected_on: date
    days_late: int


class CoalitionReportPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    area: str
    leads: list[str]
    coverage: AreaCoveragePublic | None
    new_pledges: list[PledgeChangePublic]
    asks: list[GapPublic]


class AgendaItemPublic(BaseModel):
    position: int
    key: str
    title: str
    text: str
    gaps: list[GapPublic]
    pledges: list[PledgeChangePublic]
    overdue: list[OverduePublic]
    coalition: CoalitionReportPublic | None
    actions: list[DecisionPublic]


class AgendaPublic(BaseModel):
    meeting: int
    held_on: date
    version: int = Field(description="The chair's version of the agenda; 0: the default one.")
    as_of: date
    previous: int | None
    since_seq: int
    gaps_from: str
    items: list[AgendaItemPublic]


def agenda_public(a: Agenda) -> AgendaPublic:
    return AgendaPublic(
        meeting=a.meeting,
        held_on=a.held_on,
        version=a.version,
        as_of=a.as_of,
        previous=a.previous,
        since_seq=a.since_seq,
        gaps_from=a.gaps_from,
        items=[
            AgendaItemPublic(
                position=i.position,
                key=i.key,
                title=i.title,
                text=i.text,
                gaps=[GapPublic.model_validate(g) for g in i.gaps],
                pledges=[PledgeChangePublic.model_validate(p) for p in i.pledges],
                overdue=[OverduePublic.model_validate(o) for o in i.overdue],
                coalition=None
                if i.coalition is None
                else CoalitionReportPublic.model_validate(i.coalition),
                actions=[decision_public(d) for d in i.actions],
            )
            for i in a.items
        ],
    )
