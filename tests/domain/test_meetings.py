"""Meetings: numbering, chairs, venues, attendance, decisions and announcements."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from ramstein.domain import meetings
from ramstein.domain.errors import InactiveParticipant, InvalidValue
from ramstein.domain.meetings import (
    AttendanceLevel,
    Decision,
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
        event = meetings.record_decision(meeting(status, decisions=2), text=" x ", label=Label())
        assert (event.decision, event.text) == (3, "x")
        with pytest.raises(InvalidValue, match="A decision needs its text"):
            meetings.record_decision(meeting(status), text="  ", label=Label())
    else:
        with pytest.raises(InvalidValue, match="decisions are recorded while it is held"):
            meetings.record_decision(meeting(status), text="x", label=Label())
