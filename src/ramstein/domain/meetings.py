"""The monthly meeting: schedule, attendance, its agenda, announcements (pledges linked to it),
decisions and the action items carried from one meeting to the next until they are closed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from ramstein.domain.errors import InvalidValue, NotFound
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
AGENDA_OPEN = frozenset({MeetingStatus.SCHEDULED, MeetingStatus.INVITED, MeetingStatus.HELD})


class DecisionKind(StrEnum):
    """A decision records what the meeting agreed; an action item is work someone owes by a
    date, carried to every later agenda until it is closed."""

    DECISION = "decision"
    ACTION = "action"


class DecisionStatus(StrEnum):
    RECORDED = "recorded"
    """A decision: recorded, nothing left to close."""
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


ACTION_OUTCOMES = frozenset({DecisionStatus.DONE, DecisionStatus.DROPPED})


@dataclass(frozen=True, slots=True)
class Decision:
    """A decision or action item of a meeting; `owner` is the participant that carries it."""

    meeting: int
    number: int
    text: str
    label: Label
    owner: str
    kind: DecisionKind = DecisionKind.DECISION
    due_on: date | None = None
    status: DecisionStatus = DecisionStatus.RECORDED
    closed_on: date | None = None
    note: str = ""

    @property
    def key(self) -> str:
        """How it is referred to: `meeting/number`, e.g. `27/3`."""
        return f"{self.meeting}/{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status is DecisionStatus.OPEN


AGENDA_SECTIONS = {
    "priorities": "The recipient's priorities: P1 and P2 gaps",
    "pledges": "Pledges new or changed since the previous meeting",
    "overdue": "Overdue tranches",
    "actions": "Open action items",
}
"""The sections an agenda builds from the data, by key, with their titles; each capability
coalition's report is the section `coalition:<code>`."""

MAX_AGENDA_ITEMS = 60


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    """One item of an agenda: a section built from the data (`priorities`, `pledges`,
    `overdue`, `actions`, `coalition:<code>`), or an item the chair added (`item:<n>`) with
    its own title and text. A built section's `title` may be left empty for its usual one."""

    key: str
    title: str = ""
    text: str = ""

    @property
    def built(self) -> bool:
        return not self.key.startswith("item:")


def default_agenda(coalitions: tuple[str, ...]) -> tuple[AgendaEntry, ...]:
    """The agenda a meeting has until the chair changes it: the priorities, the pledges since
    the previous meeting, the overdue tranches, each coalition's report, the open actions."""
    return (
        AgendaEntry("priorities"),
        AgendaEntry("pledges"),
        AgendaEntry("overdue"),
        *(AgendaEntry(f"coalition:{c}") for c in coalitions),
        AgendaEntry("actions"),
    )


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
    agenda: tuple[AgendaEntry, ...] = ()
    """The agenda as the chair last set it; empty until then (the default one applies)."""
    agenda_version: int = 0


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
class DecisionRecordedV1(Event):
    """A decision as the first schema had it: owned by the meeting's chair, nothing due."""

    number: int
    decision: int
    text: str
    label: Label

    def aggregate_id(self) -> str:
        return str(self.number)


@event("DecisionRecorded", 2, aggregate="meeting")
@dataclass(frozen=True, slots=True)
class DecisionRecorded(Event):
    number: int
    decision: int
    kind: DecisionKind
    text: str
    owner: str
    due_on: date | None
    label: Label

    def aggregate_id(self) -> str:
        return str(self.number)


@event("ActionClosed", aggregate="meeting")
@dataclass(frozen=True, slots=True)
class ActionClosed(Event):
    """An action item of meeting `number` done or dropped on `on`."""

    number: int
    decision: int
    outcome: DecisionStatus
    on: date
    note: str

    def aggregate_id(self) -> str:
        return str(self.number)


@event("AgendaSet", aggregate="meeting")
@dataclass(frozen=True, slots=True)
class AgendaSet(Event):
    """Version `version` of a meeting's agenda: its items in order."""

    number: int
    version: int
    entries: tuple[AgendaEntry, ...]

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


def record_decision(
    meeting: Meeting,
    *,
    text: str,
    label: Label,
    owner: Participant | None,
    kind: DecisionKind = DecisionKind.DECISION,
    due_on: date | None = None,
) -> DecisionRecorded:
    """A decision (or, with a due date, an action item) of a held meeting, carried by `owner`."""
    if meeting.status is not MeetingStatus.HELD:
        raise InvalidValue(
            "status",
            f"Meeting {meeting.number} is {meeting.status.value}; decisions are recorded while "
            "it is held.",
        )
    if not text.strip():
        raise InvalidValue("text", "A decision needs its text.")
    if owner is None:
        raise InvalidValue("owner", "A decision needs an owner: the participant that carries it.")
    owner.require_active("own a decision")
    if kind is DecisionKind.ACTION and due_on is None:
        raise InvalidValue("due_on", "An action item needs the date it is due.")
    if due_on is not None and due_on < meeting.held_on:
        raise InvalidValue(
            "due_on", f"It cannot be due ({due_on}) before the meeting ({meeting.held_on})."
        )
    return DecisionRecorded(
        number=meeting.number,
        decision=len(meeting.decisions) + 1,
        kind=kind,
        text=text.strip(),
        owner=owner.code,
        due_on=due_on,
        label=label,
    )


def find_decision(meeting: Meeting, number: int) -> Decision:
    for d in meeting.decisions:
        if d.number == number:
            return d
    raise NotFound("decision", f"{meeting.number}/{number}")


def close_action(
    meeting: Meeting, decision: int, *, outcome: DecisionStatus, on: date, note: str
) -> ActionClosed:
    """Close an open action item as done or dropped (a dropped one says why)."""
    found = find_decision(meeting, decision)
    if found.kind is not DecisionKind.ACTION:
        raise InvalidValue("decision", f"{found.key} is a decision, not an action item to close.")
    if not found.is_open:
        raise InvalidValue("decision", f"Action item {found.key} is already {found.status.value}.")
    if outcome not in ACTION_OUTCOMES:
        raise InvalidValue("outcome", "An action item is closed as done or dropped.")
    if outcome is DecisionStatus.DROPPED and not note.strip():
        raise InvalidValue("note", "Say why the action item is dropped.")
    if on < meeting.held_on:
        raise InvalidValue(
            "on", f"It cannot close ({on}) before the meeting that set it ({meeting.held_on})."
        )
    return ActionClosed(
        number=meeting.number, decision=decision, outcome=outcome, on=on, note=note.strip()
    )


def set_agenda(
    meeting: Meeting,
    entries: tuple[AgendaEntry, ...],
    *,
    version: int,
    coalitions: frozenset[str],
) -> AgendaSet:
    """The next version of a meeting's agenda, after `version` (0 for none yet)."""
    if meeting.status not in AGENDA_OPEN:
        raise InvalidValue(
            "status",
            f"Meeting {meeting.number} is {meeting.status.value}; its agenda no longer changes.",
        )
    if not entries:
        raise InvalidValue("entries", "An agenda needs at least one item.")
    if len(entries) > MAX_AGENDA_ITEMS:
        raise InvalidValue("entries", f"An agenda holds at most {MAX_AGENDA_ITEMS} items.")
    seen: set[str] = set()
    cleaned = []
    for n, e in enumerate(entries, start=1):
        key = e.key.strip()
        if key in seen:
            raise InvalidValue(f"entries.{n}.key", f"{key} is on the agenda twice.")
        seen.add(key)
        kind, _, code = key.partition(":")
        if key.startswith("item:"):
            if not code.isdigit() or int(code) < 1:
                raise InvalidValue(f"entries.{n}.key", f"{key}: an added item is item:<number>.")
            if not e.title.strip():
                raise InvalidValue(f"entries.{n}.title", f"Item {key} needs a title.")
        elif kind == "coalition":
            if code not in coalitions:
                raise NotFound("coalition", code)
        elif key not in AGENDA_SECTIONS:
            raise InvalidValue(
                f"entries.{n}.key",
                f"{key} is not an agenda section: say one of {', '.join(AGENDA_SECTIONS)}, "
                "coalition:<code> or item:<number>.",
            )
        cleaned.append(AgendaEntry(key, e.title.strip(), e.text.strip()))
    return AgendaSet(number=meeting.number, version=version + 1, entries=tuple(cleaned))


def check_announcement(meeting: Meeting) -> None:
    """A pledge may be linked to a meeting only while the meeting is open for announcements."""
    if meeting.status not in ATTENDANCE_OPEN:
        raise InvalidValue(
            "meeting",
            f"Meeting {meeting.number} is {meeting.status.value}; announcements are taken while "
            "it is invited or held.",
        )
