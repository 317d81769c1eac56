"""The meeting calendar and the chair: about two years of monthly meetings from April 2022.

The first meeting is the real one (Ramstein Air Base, 26 April 2022); later dates are
synthetic, one a month, alternating in person at Ramstein Air Base and virtual. The United
States chairs until it hands the chair to NATO after meeting `HANDOVER_AFTER`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from ramstein.domain.meetings import MeetingFormat

FIRST_MEETING = date(2022, 4, 26)
SETUP_ON = date(2022, 4, 19)
"""The host sets the coalition up a week before the first meeting."""
MEETINGS = 24
HANDOVER_AFTER = 18
"""The last meeting the lead nation chairs; the alliance chairs from the next one."""
VENUE = "Ramstein Air Base, Germany"
LEAD_NATION = "USA"
ALLIANCE = "NATO"


@dataclass(frozen=True, slots=True)
class MeetingPlan:
    number: int
    held_on: date
    format: MeetingFormat
    venue: str
    chair: str
    co_chairs: tuple[str, ...]
    scheduled_on: date
    invited_on: date
    closed_on: date

    @property
    def month(self) -> tuple[int, int]:
        return (self.held_on.year, self.held_on.month)


@dataclass(frozen=True, slots=True)
class Calendar:
    meetings: tuple[MeetingPlan, ...]
    handover_on: date
    end: date
    """The scenario's last day: the end of the last meeting's month."""

    def chair_on(self, day: date) -> str:
        """Who chairs on `day` (the lead nation before the handover, the alliance from it)."""
        return LEAD_NATION if day < self.handover_on else ALLIANCE

    def meeting_in(self, month: tuple[int, int]) -> MeetingPlan:
        """The first meeting held in `month`, or the first one after it."""
        for m in self.meetings:
            if m.month >= month:
                return m
        return self.meetings[-1]

    def previous(self, meeting: MeetingPlan) -> MeetingPlan | None:
        return self.meetings[meeting.number - 2] if meeting.number > 1 else None


def _meeting_day(rng: random.Random, year: int, month: int) -> date:
    """A Tuesday, Wednesday or Thursday in the middle of the month (before Christmas)."""
    day = date(year, month, rng.randint(5, 14) if month == 12 else rng.randint(10, 24))
    while day.weekday() not in (1, 2, 3):
        day += timedelta(days=1)
    return day


def plan_calendar(rng: random.Random) -> Calendar:
    days = [FIRST_MEETING]
    year, month = FIRST_MEETING.year, FIRST_MEETING.month
    for _ in range(MEETINGS - 1):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        days.append(_meeting_day(rng, year, month))
    handover_on = days[HANDOVER_AFTER - 1] + timedelta(days=7)
    meetings: list[MeetingPlan] = []
    for number, held_on in enumerate(days, start=1):
        in_person = number % 2 == 1
        chair = LEAD_NATION if number <= HANDOVER_AFTER else ALLIANCE
        # The outgoing chair co-chairs the alliance's first meeting, to carry the group over.
        co_chairs = (LEAD_NATION,) if number == HANDOVER_AFTER + 1 else ()
        if number == 1:
            scheduled_on, invited_on = SETUP_ON, SETUP_ON + timedelta(days=1)
        else:
            after = meetings[-1].closed_on + timedelta(days=1)
            if number == HANDOVER_AFTER + 1:
                after = handover_on + timedelta(days=1)
            scheduled_on = max(after, held_on - timedelta(days=28))
            invited_on = max(scheduled_on, held_on - timedelta(days=12))
        meetings.append(
            MeetingPlan(
                number=number,
                held_on=held_on,
                format=MeetingFormat.IN_PERSON if in_person else MeetingFormat.VIRTUAL,
                venue=VENUE if in_person else "",
                chair=chair,
                co_chairs=co_chairs,
                scheduled_on=scheduled_on,
                invited_on=invited_on,
                closed_on=held_on + timedelta(days=2),
            )
        )
    last = days[-1]
    next_month = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    return Calendar(tuple(meetings), handover_on, next_month - timedelta(days=1))
