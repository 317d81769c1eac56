"""The scenario's meetings: attendance, decisions, and the capability coalitions launched.

Attendance levels, decision texts and the coalitions' members are synthetic; the coalitions'
leads are the publicly reported ones.
"""

from __future__ import annotations

import random
from datetime import timedelta
from functools import partial

from ramstein.demo import reference
from ramstein.demo.actors import chair_actor, donor_actor, lead_actor
from ramstein.demo.calendar import ALLIANCE, HANDOVER_AFTER, Calendar, MeetingPlan
from ramstein.demo.commands import close_action, move_meeting
from ramstein.demo.labels import RECIPIENT
from ramstein.demo.lifecycle import PledgePlan
from ramstein.demo.timeline import Phase, Timeline
from ramstein.domain.capabilities import CoalitionRole
from ramstein.domain.meetings import AttendanceLevel, DecisionKind, MeetingFormat, MeetingStatus
from ramstein.domain.participants import ParticipantKind, ParticipantStatus
from ramstein.domain.releasability import Label, Releasability
from ramstein.services import capabilities, meetings
from ramstein.services.log import HostSigner

IN_PERSON_LEVELS = (
    (AttendanceLevel.MINISTER, 0.55),
    (AttendanceLevel.CHIEF_OF_DEFENCE, 0.1),
    (AttendanceLevel.DEPUTY_MINISTER, 0.15),
    (AttendanceLevel.AMBASSADOR, 0.15),
    (AttendanceLevel.SENIOR_OFFICIAL, 0.05),
)
VIRTUAL_LEVELS = (
    (AttendanceLevel.MINISTER, 0.35),
    (AttendanceLevel.DEPUTY_MINISTER, 0.25),
    (AttendanceLevel.AMBASSADOR, 0.1),
    (AttendanceLevel.SENIOR_OFFICIAL, 0.2),
    (AttendanceLevel.OFFICIAL, 0.1),
)
PUBLIC_DECISIONS = (
    "Welcomed {n} new pledges, above all for {area}.",
    "Agreed to put {area} first on the agenda of the next meeting.",
    "Took note of the recipient's updated priorities; {area} remains the most urgent.",
)
COALITION_DECISIONS = (
    "Asked the capability coalitions to report delivery shortfalls by the next meeting.",
    "Agreed to share maintenance and spare-parts plans for donated systems among members.",
    "Agreed a common template for reporting deliveries and receipts.",
)
RESTRICTED_DECISIONS = (
    "Agreed to accelerate deliveries of {item} from {donors} ahead of {season}.",
    "Agreed that {donors} pool their orders of {item} to shorten delivery times.",
)


class MeetingWriter:
    """Adds each meeting's lifecycle, attendance, decisions and coalition launches."""

    def __init__(
        self,
        rng: random.Random,
        calendar: Calendar,
        timeline: Timeline,
        hosts: dict[str, HostSigner],
    ) -> None:
        self.rng = rng
        self.hosts = hosts
        self.calendar = calendar
        self.add = timeline.add
        self.items = {it.code: it for it in reference.items()}
        self.names = {p.code: p.name for p in reference.participants()}
        self.funds = {p.code for p in reference.participants() if p.kind is ParticipantKind.FUND}

    def meetings(self) -> None:
        rng = self.rng
        specs = reference.participants()
        for m in self.calendar.meetings:
            actor = chair_actor(m.chair)
            self.add(
                m.scheduled_on,
                Phase.MEETING,
                partial(
                    meetings.schedule_meeting,
                    actor=actor,
                    held_on=m.held_on,
                    format=m.format,
                    venue=m.venue,
                    chair=m.chair,
                    co_chairs=list(m.co_chairs),
                ),
            )
            move = partial(move_meeting, actor, m.number)
            self.add(m.invited_on, Phase.MEETING, partial(move, MeetingStatus.INVITED))
            self.add(m.held_on, Phase.MEETING, partial(move, MeetingStatus.HELD))
            levels = IN_PERSON_LEVELS if m.format is MeetingFormat.IN_PERSON else VIRTUAL_LEVELS
            for spec in specs:
                if spec.joined_on > m.held_on or spec.code in self.funds:
                    continue  # a pooled fund is represented by the donors that pay into it
                if spec.code in (m.chair, RECIPIENT):
                    level, chance = AttendanceLevel.MINISTER, 1.0
                elif spec.kind is ParticipantKind.ORGANISATION:
                    level, chance = AttendanceLevel.SENIOR_OFFICIAL, 0.8
                else:
                    level = rng.choices([lv for lv, _ in levels], [w for _, w in levels])[0]
                    chance = 0.9 if spec.status is ParticipantStatus.MEMBER else 0.6
                if spec.status is ParticipantStatus.OBSERVER:
                    level = AttendanceLevel.OFFICIAL
                if rng.random() < chance:
                    # The secretariat records attendance at the end of the meeting day.
                    self.add(
                        m.held_on,
                        Phase.ATTENDANCE,
                        partial(
                            meetings.record_attendance,
                            actor=actor,
                            number=m.number,
                            participant=spec.code,
                            level=level,
                        ),
                    )
            # Closing a meeting signs a checkpoint with the key of the host in office.
            self.add(
                m.closed_on,
                Phase.MEETING,
                partial(move, MeetingStatus.CLOSED, host=self.hosts[m.chair]),
            )

    def decisions(self, pledges: list[PledgePlan]) -> None:
        rng = self.rng
        areas = {a.code: a.name.lower() for a in reference.areas()}
        for m in self.calendar.meetings:
            actor = chair_actor(m.chair)
            texts: list[tuple[str, Label, str]] = []  # text, label, owner
            if m.number == 1:
                texts.append(
                    (
                        "Established the contact group to coordinate military support to "
                        "Ukraine; it will meet monthly, in person or virtually.",
                        Label(Releasability.PUBLIC),
                        m.chair,
                    )
                )
            announced = [p for p in pledges if p.meeting == m.number]
            if announced:
                by_area: dict[str, int] = {}
                for p in announced:
                    by_area[p.area] = by_area.get(p.area, 0) + 1
                top = max(sorted(by_area), key=lambda a: by_area[a])
                text = rng.choice(PUBLIC_DECISIONS).format(n=len(announced), area=areas[top])
                texts.append((text, Label(Releasability.PUBLIC), m.chair))
            if m.number == HANDOVER_AFTER:
                texts.append(
                    (
                        f"Agreed that {self.names[ALLIANCE]} takes over the chair of the group "
                        f"on {self.calendar.handover_on.isoformat()}, so that support stays "
                        "predictable and long-term.",
                        Label(Releasability.PUBLIC),
                        m.chair,
                    )
                )
            if rng.random() < 0.35:
                texts.append(
                    (rng.choice(COALITION_DECISIONS), Label(Releasability.COALITION), m.chair)
                )
            if announced and rng.random() < 0.6:
                p = rng.choice(announced)
                others = sorted({q.donor for q in announced if q.item == p.item} | {p.donor})
                donors = [self.names[d] for d in others[:3]]
                season = "winter" if m.held_on.month in range(6, 12) else "the spring"
                text = rng.choice(RESTRICTED_DECISIONS).format(
                    item=self.items[p.item].name, donors=" and ".join(donors), season=season
                )
                named = frozenset({RECIPIENT, *others[:3]}) - {m.chair, p.donor}
                self._action(m, text, Label(Releasability.RESTRICTED, named), p.donor)
            for text, label, owner in texts:
                self.add(
                    m.held_on,
                    Phase.DECIDE,
                    partial(
                        meetings.record_decision,
                        actor=actor,
                        number=m.number,
                        text=text,
                        owner=owner,
                        label=label,
                    ),
                )

    def _action(self, m: MeetingPlan, text: str, label: Label, owner: str) -> None:
        """An action item for `owner`, due by the next meeting; most are done by then, and
        the owner closes them as the next meeting opens."""
        following = [f for f in self.calendar.meetings if f.number > m.number]
        due = following[0].held_on if following else m.held_on + timedelta(days=30)
        self.add(
            m.held_on,
            Phase.DECIDE,
            partial(
                meetings.record_decision,
                actor=chair_actor(m.chair),
                number=m.number,
                text=text,
                owner=owner,
                kind=DecisionKind.ACTION,
                due_on=due,
                label=label,
            ),
        )
        if following and following[0].held_on <= self.calendar.end and self.rng.random() < 0.7:
            self.add(
                following[0].held_on,
                Phase.MEETING,
                partial(
                    close_action,
                    actor=donor_actor(owner),
                    number=m.number,
                    text=text,
                    on=following[0].held_on,
                ),
            )

    # --- capability coalitions -----------------------------------------------------------

    def coalitions(self, pledges: list[PledgePlan]) -> None:
        rng = self.rng
        for spec in reference.coalitions():
            m = self.calendar.meeting_in(spec.formed_in)
            value: dict[str, float] = {}
            for p in pledges:
                if p.area == spec.area and p.announced_on <= m.held_on:
                    value[p.donor] = value.get(p.donor, 0.0) + float(p.eur)
            givers = [
                d
                for d in sorted(value, key=lambda d: (-value[d], d))
                if d not in spec.leads and d not in self.funds
            ]
            size = rng.randint(5, 12)
            members, later = givers[:size], givers[size:]
            self.add(
                m.held_on,
                Phase.DECIDE,
                partial(
                    capabilities.form_coalition,
                    actor=chair_actor(m.chair),
                    code=spec.code,
                    name=spec.name,
                    area=spec.area,
                    leads=list(spec.leads),
                    members=members,
                ),
            )
            leads = ", ".join(self.names[c] for c in spec.leads)
            self.add(
                m.held_on,
                Phase.DECIDE,
                partial(
                    meetings.record_decision,
                    actor=chair_actor(m.chair),
                    number=m.number,
                    text=f"Launched the {spec.name}, led by {leads}.",
                    owner=spec.leads[0],
                    label=Label(Releasability.COALITION),
                ),
            )
            # A lead later admits donors that joined the effort after the launch.
            following = [f for f in self.calendar.meetings if f.number > m.number][:2]
            for f in following:
                for code in later[: rng.randint(0, 2)]:
                    self.add(
                        f.held_on,
                        Phase.DECIDE,
                        partial(
                            capabilities.change_coalition_membership,
                            actor=lead_actor(spec.leads[0]),
                            code=spec.code,
                            participant=code,
                            role=CoalitionRole.MEMBER,
                        ),
                    )
                    later.remove(code)
