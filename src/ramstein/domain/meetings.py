"""The monthly meeting: schedule, attendance, announcements (pledges linked to it), decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from ramstein.domain.errors import InvalidValue
from ramstein.domain.events import Event, event
from ramstein.domain.participants import Participant
from ramstein.domain.releasability import Label
from ramstein.domain.transitions import Transitions


class MeetingFormat(StrEnum):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"
    HYBRID = "hybrid"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    INVITED = "invited"
    HELD = "held"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AttendanceLevel(StrEnum):
    """The level at which a participant was represented."""

    MINISTER = "minister"
    DEPUTY_MINISTER = "deputy_minister"
    CHIEF_OF_DEFENCE = "chief_of_defence"
    AMBASSADOR = "ambassador"
    SENIOR_OFFICIAL = "senior_official"
    OFFICIAL = "official"


MEETING_TRANSITIONS = Transitions(
    "meeting",
    {
        MeetingStatus.SCHEDULED: frozenset({MeetingStatus.INVITED, MeetingStatus.CANCELLED}),
        MeetingStatus.INVITED: frozenset({MeetingStatus.HELD, MeetingStatus.CANCELLED}),
        MeetingStatus.HELD: frozenset({MeetingStatus.CLOSED}),
        MeetingStatus.CLOSED: frozenset(),
        MeetingStatus.CANCELLED: frozenset(),
    },
)

ATTENDANCE_OPEN = frozenset({MeetingStatus.INVITED, MeetingStatus.HELD})


@dataclass(frozen=True, slots=True)
class Decision:
    """A decision recorded at a meeting; the meeting's chair owns it."""

    meeting: int
    number: int
    text: str
    label: Label
    owner: str


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting of the coalition."""

    number: int
    held_on: date
    format: MeetingFormat
    venue: str
    chair: str
    co_chairs: tuple[str, ...]
    status: MeetingStatus
    attendance: dict[str, AttendanceLevel] = field(default_factory=dict)
    decisions: tuple[Decision, ...] = ()
    version: int = 0


@event("MeetingScheduled", aggregate="meeting")
@dataclass(frozen=True, slots=True)
class MeetingScheduled(Event):
    number: int
    held_on: date
    format: MeetingFormat
    venue: str
    chair: str
    co_chairs: tuple[str, ...]

    def aggregate_id(self) -> str:
        return str(self.number)


@event("MeetingRevised", aggregate="meeting")
@dataclass(frozen=True, slots=True)
class MeetingRevised(Event):
    number: int
    held_on: date
    format: MeetingFormat
    venue: str
    co_chairs: tuple[str, ...]

    def aggregate_id(self) -> str:
        return str(self.number)


@event("MeetingStatusChanged", aggregate="meeting")
@dataclass(frozen=True, slots=True)
class MeetingStatusChanged(Event):
    number: int
    status: MeetingStatus

    def aggregate_id(self) -> str:
        return str(self.number)


@event("AttendanceRecorded", aggregate="meeting")
@dataclass(frozen=True, slots=True)
class AttendanceRecorded(Event):
    number: int
    participant: str
    level: AttendanceLevel

    def aggregate_id(self) -> str:
        return str(self.number)


@event("DecisionRecorded", aggregate="meeting")
@dataclass(frozen=True, slots=True)
class DecisionRecorded(Event):
    number: int
    decision: int
    text: str
    label: Label

    def aggregate_id(self) -> str:
        return str(self.number)


def _check_format(format: MeetingFormat, venue: str) -> str:
    venue = venue.strip()
    if format is not MeetingFormat.VIRTUAL and not venue:
        kind = "An in-person" if format is MeetingFormat.IN_PERSON else "A hybrid"
        raise InvalidValue("venue", f"{kind} meeting needs a venue.")
    return venue or "virtual"


def schedule(
    *,
    number: int,
    last_number: int,
    held_on: date,
    format: MeetingFormat,
    venue: str,
    chair: Participant,
    co_chairs: tuple[Participant, ...],
) -> MeetingScheduled:
    if number != last_number + 1:
        raise InvalidValue("number", f"The next meeting is number {last_number + 1}; got {number}.")
    chair.require_active("chair a meeting")
    for c in co_chairs:
        c.require_active("co-chair a meeting")
    if chair.code in {c.code for c in co_chairs}:
        raise InvalidValue("co_chairs", f"{chair.code} is the chair; it cannot also co-chair.")
    return MeetingScheduled(
        number=number,
        held_on=held_on,
        format=format,
        venue=_check_format(format, venue),
        chair=chair.code,
        co_chairs=tuple(c.code for c in co_chairs),
    )


def revise(
    meeting: Meeting,
    *,
    held_on: date,
    format: MeetingFormat,
    venue: str,
    co_chairs: tuple[Participant, ...] | None,
) -> MeetingRevised:
    """Move or reshape a meeting; `co_chairs` None keeps the current ones."""
    if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.INVITED):
        raise InvalidValue(
            "status", f"Meeting {meeting.number} is {meeting.status.value}; it can no longer move."
        )
    if co_chairs is None:
        codes = meeting.co_chairs
    else:
        for c in co_chairs:
            c.require_active("co-chair a meeting")
        codes = tuple(c.code for c in co_chairs)
    if meeting.chair in codes:
        raise InvalidValue("co_chairs", f"{meeting.chair} is the chair; it cannot also co-chair.")
    return MeetingRevised(
        number=meeting.number,
        held_on=held_on,
        format=format,
        venue=_check_format(format, venue),
        co_chairs=codes,
    )


def change_status(meeting: Meeting, status: MeetingStatus) -> MeetingStatusChanged:
    MEETING_TRANSITIONS.check(meeting.status, status)
    return MeetingStatusChanged(number=meeting.number, status=status)


def record_attendance(
    meeting: Meeting, participant: Participant, level: AttendanceLevel
) -> AttendanceRecorded:
    if meeting.status not in ATTENDANCE_OPEN:
        raise InvalidValue(
            "status",
            f"Meeting {meeting.number} is {meeting.status.value}; attendance is recorded once "
            "invitations are out and until the meeting closes.",
        )
    participant.require_active("attend a meeting")
    return AttendanceRecorded(number=meeting.number, participant=participant.code, level=level)


def record_decision(meeting: Meeting, *, text: str, label: Label) -> DecisionRecorded:
    if meeting.status is not MeetingStatus.HELD:
        raise InvalidValue(
            "status",
            f"Meeting {meeting.number} is {meeting.status.value}; decisions are recorded while "
            "it is held.",
        )
    if not text.strip():
        raise InvalidValue("text", "A decision needs its text.")
    return DecisionRecorded(
        number=meeting.number, decision=len(meeting.decisions) + 1, text=text.strip(), label=label
    )


def check_announcement(meeting: Meeting) -> None:
    """A pledge may be linked to a meeting only while the meeting is open for announcements."""
    if meeting.status not in ATTENDANCE_OPEN:
        raise InvalidValue(
            "meeting",
            f"Meeting {meeting.number} is {meeting.status.value}; announcements are taken while "
            "it is invited or held.",
        )
