"""Meetings: numbering, chairs, venues, attendance, decisions and announcements."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from ramstein.domain import meetings
from ramstein.domain.errors import InactiveParticipant, InvalidValue, NotFound
from ramstein.domain.meetings import (
    AgendaEntry,
    AttendanceLevel,
    Decision,
    DecisionKind,
    DecisionStatus,
    Meeting,
    MeetingFormat,
    MeetingStatus,
)
from ramstein.domain.participants import Participant, ParticipantKind, ParticipantStatus
from ramstein.domain.releasability import Label

DAY = date(2025, 2, 12)
USA = Participant("USA", "United States", ParticipantKind.STATE, ParticipantStatus.MEMBER, DAY)
GBR = Participant("GBR", "United Kingdom", ParticipantKind.STATE, ParticipantStatus.MEMBER, DAY)
GONE = replace(GBR, status=ParticipantStatus.LEFT, left_on=DAY)


def schedule(**overrides: Any) -> meetings.MeetingScheduled:
    args: dict[str, Any] = {
        "number": 26,
        "last_number": 25,
        "held_on": DAY,
        "format": MeetingFormat.IN_PERSON,
        "venue": " Ramstein Air Base ",
        "chair": USA,
        "co_chairs": (GBR,),
    }
    args.update(overrides)
    return meetings.schedule(**args)


def test_schedule() -> None:
    event = schedule()
    assert (event.number, event.venue, event.co_chairs) == (26, "Ramstein Air Base", ("GBR",))
    assert schedule(format=MeetingFormat.VIRTUAL, venue="").venue == "virtual"


@pytest.mark.parametrize(
    ("overrides", "error", "says"),
    [
        ({"number": 28}, InvalidValue, "The next meeting is number 26; got 28"),
        ({"chair": GONE, "co_chairs": ()}, InactiveParticipant, "can no longer chair a meeting"),
        ({"co_chairs": (GONE,)}, InactiveParticipant, "can no longer co-chair a meeting"),
        ({"co_chairs": (USA,)}, InvalidValue, "USA is the chair; it cannot also co-chair"),
        (
            {"venue": "", "format": MeetingFormat.HYBRID},
            InvalidValue,
            "A hybrid meeting needs a venue",
        ),
    ],
)
def test_schedule_refusals(overrides: dict[str, Any], error: type[Exception], says: str) -> None:
    with pytest.raises(error) as caught:
        schedule(**overrides)
    assert says in str(caught.value)


def test_an_in_person_meeting_without_a_venue_is_refused_in_good_english() -> None:
    with pytest.raises(InvalidValue) as caught:
        schedule(venue=" ")
    assert str(caught.value) == "An in-person meeting needs a venue."


def meeting(status: MeetingStatus, decisions: int = 0) -> Meeting:
    return Meeting(
        number=26,
        held_on=DAY,
        format=MeetingFormat.HYBRID,
        venue="Brussels",
        chair="USA",
        co_chairs=(),
        status=status,
        decisions=tuple(Decision(26, n, "x", Label(), "USA") for n in range(1, decisions + 1)),
    )


def test_revise_only_before_the_meeting_is_held() -> None:
    for status in (MeetingStatus.SCHEDULED, MeetingStatus.INVITED):
        event = meetings.revise(
            meeting(status), held_on=DAY, format=MeetingFormat.VIRTUAL, venue="", co_chairs=()
        )
        assert event.venue == "virtual"
    for status in (MeetingStatus.HELD, MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        with pytest.raises(InvalidValue, match=f"Meeting 26 is {status.value}; it can no longer"):
            meetings.revise(
                meeting(status), held_on=DAY, format=MeetingFormat.VIRTUAL, venue="", co_chairs=()
            )
    with pytest.raises(InvalidValue, match="USA is the chair; it cannot also co-chair"):
        meetings.revise(
            meeting(MeetingStatus.SCHEDULED),
            held_on=DAY,
            format=MeetingFormat.VIRTUAL,
            venue="",
            co_chairs=(USA,),
        )
    with pytest.raises(InactiveParticipant, match="United Kingdom \\(GBR\\) left the coalition"):
        meetings.revise(
            meeting(MeetingStatus.SCHEDULED),
            held_on=DAY,
            format=MeetingFormat.VIRTUAL,
            venue="",
            co_chairs=(GONE,),
        )
    kept = meetings.revise(
        replace(meeting(MeetingStatus.INVITED), co_chairs=("GBR",)),
        held_on=DAY,
        format=MeetingFormat.VIRTUAL,
        venue="",
        co_chairs=None,
    )
    assert kept.co_chairs == ("GBR",)


@pytest.mark.parametrize("status", list(MeetingStatus))
def test_attendance_and_announcements_while_invited_or_held(status: MeetingStatus) -> None:
    open_ = status in (MeetingStatus.INVITED, MeetingStatus.HELD)
    if open_:
        event = meetings.record_attendance(meeting(status), GBR, AttendanceLevel.MINISTER)
        assert (event.participant, event.level) == ("GBR", AttendanceLevel.MINISTER)
        meetings.check_announcement(meeting(status))
    else:
        with pytest.raises(InvalidValue, match=f"Meeting 26 is {status.value}; attendance"):
            meetings.record_attendance(meeting(status), GBR, AttendanceLevel.MINISTER)
        with pytest.raises(InvalidValue, match="announcements are taken while it is invited or"):
            meetings.check_announcement(meeting(status))


def test_attendance_of_a_participant_that_left_is_refused() -> None:
    with pytest.raises(InactiveParticipant, match="can no longer attend a meeting"):
        meetings.record_attendance(meeting(MeetingStatus.HELD), GONE, AttendanceLevel.OFFICIAL)


@pytest.mark.parametrize("status", list(MeetingStatus))
def test_decisions_only_while_held_and_numbered_in_order(status: MeetingStatus) -> None:
    if status is MeetingStatus.HELD:
        event = meetings.record_decision(
            meeting(status, decisions=2), text=" x ", label=Label(), owner=GBR
        )
        assert (event.decision, event.text, event.owner) == (3, "x", "GBR")
        with pytest.raises(InvalidValue, match="A decision needs its text"):
            meetings.record_decision(meeting(status), text="  ", label=Label(), owner=GBR)
    else:
        with pytest.raises(InvalidValue, match="decisions are recorded while it is held"):
            meetings.record_decision(meeting(status), text="x", label=Label(), owner=GBR)


def test_a_decision_needs_an_owner_and_an_action_its_due_date() -> None:
    held = meeting(MeetingStatus.HELD)
    with pytest.raises(InvalidValue, match="A decision needs an owner"):
        meetings.record_decision(held, text="x", label=Label(), owner=None)
    with pytest.raises(InactiveParticipant, match="can no longer own a decision"):
        meetings.record_decision(held, text="x", label=Label(), owner=GONE)
    with pytest.raises(InvalidValue, match="An action item needs the date it is due"):
        meetings.record_decision(held, text="x", label=Label(), owner=GBR, kind=DecisionKind.ACTION)
    with pytest.raises(InvalidValue, match="cannot be due"):
        meetings.record_decision(
            held, text="x", label=Label(), owner=GBR, kind=DecisionKind.ACTION,
            due_on=date(2024, 1, 1),
        )  # fmt: skip


def action(
    status: DecisionStatus = DecisionStatus.OPEN, kind: DecisionKind = DecisionKind.ACTION
) -> Meeting:
    m = meeting(MeetingStatus.CLOSED)
    d = Decision(m.number, 1, "Report stocks", Label(), "GBR", kind, date(2026, 1, 1), status)
    return replace(m, decisions=(d,))


def test_an_open_action_closes_once_as_done_or_dropped_with_a_reason() -> None:
    on = date(2026, 1, 5)
    closed = meetings.close_action(action(), 1, outcome=DecisionStatus.DONE, on=on, note="")
    assert (closed.outcome, closed.on) == (DecisionStatus.DONE, on)
    with pytest.raises(InvalidValue, match="Say why the action item is dropped"):
        meetings.close_action(action(), 1, outcome=DecisionStatus.DROPPED, on=on, note=" ")
    with pytest.raises(InvalidValue, match="is already done"):
        meetings.close_action(
            action(DecisionStatus.DONE), 1, outcome=DecisionStatus.DONE, on=on, note=""
        )
    with pytest.raises(InvalidValue, match="is a decision, not an action item"):
        meetings.close_action(
            action(kind=DecisionKind.DECISION), 1, outcome=DecisionStatus.DONE, on=on, note=""
        )
    with pytest.raises(InvalidValue, match="closed as done or dropped"):
        meetings.close_action(action(), 1, outcome=DecisionStatus.OPEN, on=on, note="")
    with pytest.raises(NotFound):
        meetings.close_action(action(), 2, outcome=DecisionStatus.DONE, on=on, note="")


def test_an_agenda_is_versioned_and_its_items_checked() -> None:
    m = meeting(MeetingStatus.SCHEDULED)
    entries = (
        AgendaEntry("priorities"),
        AgendaEntry("item:1", " Winter energy ", " EU brief "),
        AgendaEntry("coalition:iadc"),
    )
    event = meetings.set_agenda(m, entries, version=2, coalitions=frozenset({"iadc"}))
    assert event.version == 3
    assert event.entries[1] == AgendaEntry("item:1", "Winter energy", "EU brief")
    refusals = [
        ((AgendaEntry("priorities"), AgendaEntry("priorities")), "on the agenda twice"),
        ((AgendaEntry("item:1"),), "needs a title"),
        ((AgendaEntry("item:x", "T"),), "an added item is item:<number>"),
        ((AgendaEntry("weather"),), "not an agenda section"),
        ((), "at least one item"),
    ]
    for bad, says in refusals:
        with pytest.raises(InvalidValue, match=says):
            meetings.set_agenda(m, bad, version=0, coalitions=frozenset())
    with pytest.raises(NotFound):
        meetings.set_agenda(
            m, (AgendaEntry("coalition:demining"),), version=0, coalitions=frozenset()
        )
    with pytest.raises(InvalidValue, match="its agenda no longer changes"):
        meetings.set_agenda(
            meeting(MeetingStatus.CLOSED), entries[:1], version=0, coalitions=frozenset()
        )


def test_the_default_agenda_puts_each_coalition_before_the_open_actions() -> None:
    keys = [e.key for e in meetings.default_agenda(("demining", "iadc"))]
    assert keys == [
        "priorities", "pledges", "overdue", "coalition:demining", "coalition:iadc", "actions",
    ]  # fmt: skip
