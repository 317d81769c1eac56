"""Meetings: schedule, revise, move through the lifecycle, attendance, the agenda as the chair
sets it, decisions and action items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import meetings as domain
from ramstein.domain.errors import NotFound
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
from ramstein.domain.permissions import MEMBER_ROLES, require_chair, require_owner_or_chair
from ramstein.domain.releasability import PUBLIC_LABEL, Label, Principal, can_see
from ramstein.services import common, log
from ramstein.services.log import HostSigner
from ramstein.services.paging import Order, PageRequest, apply
from ramstein.store import rows
from ramstein.store import tables as t
from ramstein.store.uow import UnitOfWork


def _load(conn: Connection, number: int) -> Meeting:
    found = rows.meetings(
        conn, conn.execute(sa.select(t.meetings).where(t.meetings.c.number == number)).all()
    )
    return rows.one(found, "meeting", number)  # type: ignore[no-any-return]


def _for_viewer(viewer: Principal, meeting: Meeting) -> Meeting:
    """Meetings are public; their decisions carry their own labels."""
    return replace(meeting, decisions=tuple(d for d in meeting.decisions if can_see(viewer, d)))


def _for_update(
    uow: UnitOfWork, actor: Principal, number: int, doing: str, expected: int | None
) -> Meeting:
    require_chair(actor, doing)
    meeting = _load(uow.conn, number)
    common.check_version("meeting", number, meeting.version, expected)
    return meeting


def schedule_meeting(
    *,
    uow: UnitOfWork,
    actor: Principal,
    held_on: date,
    format: MeetingFormat,
    venue: str = "",
    chair: str,
    co_chairs: list[str] | None = None,
    number: int | None = None,
) -> Meeting:
    require_chair(actor, "schedule meetings")
    last = int(uow.conn.execute(sa.select(sa.func.max(t.meetings.c.number))).scalar() or 0)
    event = domain.schedule(
        number=number if number is not None else last + 1,
        last_number=last,
        held_on=held_on,
        format=format,
        venue=venue,
        chair=common.participant(uow.conn, chair),
        co_chairs=tuple(common.participant(uow.conn, c) for c in co_chairs or []),
    )
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=chair)
    return _load(uow.conn, event.number)


def revise_meeting(
    *,
    uow: UnitOfWork,
    actor: Principal,
    number: int,
    held_on: date | None = None,
    format: MeetingFormat | None = None,
    venue: str | None = None,
    co_chairs: list[str] | None = None,
    expected_version: int | None = None,
) -> Meeting:
    meeting = _for_update(uow, actor, number, "revise meetings", expected_version)
    event = domain.revise(
        meeting,
        held_on=held_on or meeting.held_on,
        format=format or meeting.format,
        venue=venue if venue is not None else meeting.venue,
        co_chairs=None
        if co_chairs is None
        else tuple(common.participant(uow.conn, c) for c in co_chairs),
    )
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=meeting.chair)
    return _load(uow.conn, number)


def change_meeting_status(
    *,
    uow: UnitOfWork,
    actor: Principal,
    number: int,
    status: MeetingStatus,
    expected_version: int | None = None,
    host: HostSigner | None = None,
) -> Meeting:
    """Move a meeting along; closing it signs a checkpoint of the log when `host` is given."""
    meeting = _for_update(uow, actor, number, "run meetings", expected_version)
    uow.append(
        domain.change_status(meeting, status), actor=actor, label=PUBLIC_LABEL, owner=meeting.chair
    )
    if status is MeetingStatus.CLOSED and host is not None:
        log.sign_checkpoint(uow=uow, actor=actor, host=host)
    return _load(uow.conn, number)


def record_attendance(
    *,
    uow: UnitOfWork,
    actor: Principal,
    number: int,
    participant: str,
    level: AttendanceLevel,
    expected_version: int | None = None,
) -> Meeting:
    meeting = _for_update(uow, actor, number, "record attendance", expected_version)
    event = domain.record_attendance(meeting, common.participant(uow.conn, participant), level)
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=meeting.chair)
    return _load(uow.conn, number)


def record_decision(
    *,
    uow: UnitOfWork,
    actor: Principal,
    number: int,
    text: str,
    owner: str | None,
    label: Label,
    kind: DecisionKind = DecisionKind.DECISION,
    due_on: date | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """Record a decision of a held meeting, or an action item (`kind` action, due `due_on`),
    carried by `owner`."""
    meeting = _for_update(uow, actor, number, "record decisions", expected_version)
    for code in label.named:
        common.participant(uow.conn, code)
    event = domain.record_decision(
        meeting,
        text=text,
        label=label,
        owner=None if owner is None else common.participant(uow.conn, owner),
        kind=kind,
        due_on=due_on,
    )
    uow.append(event, actor=actor, label=label, owner=event.owner)
    return _load(uow.conn, number)


def close_action(
    *,
    uow: UnitOfWork,
    actor: Principal,
    number: int,
    decision: int,
    outcome: DecisionStatus,
    note: str = "",
    on: date | None = None,
) -> Decision:
    """Close action item `number/decision` as done or dropped (its owner or the chair)."""
    meeting = _load(uow.conn, number)
    found = _visible_decision(actor, meeting, decision)
    require_owner_or_chair(actor, found.owner, "close its action items", *MEMBER_ROLES)
    event = domain.close_action(meeting, decision, outcome=outcome, on=on or uow.today(), note=note)
    uow.append(event, actor=actor, label=found.label, owner=found.owner)
    return domain.find_decision(_load(uow.conn, number), decision)


def _visible_decision(viewer: Principal, meeting: Meeting, decision: int) -> Decision:
    found = domain.find_decision(meeting, decision)
    if not can_see(viewer, found):
        raise NotFound("decision", found.key)
    return found


def list_actions(
    *,
    conn: Connection,
    viewer: Principal,
    open_only: bool = False,
    before: int | None = None,
    owner: str | None = None,
) -> list[Decision]:
    """Action items the viewer may see, oldest meeting first: only open ones with
    `open_only`, only those of meetings before number `before`, only `owner`'s."""
    d = t.decisions
    q = sa.select(d.c.meeting, d.c.number).where(d.c.kind == DecisionKind.ACTION.value)
    if open_only:
        q = q.where(d.c.status == DecisionStatus.OPEN.value)
    if before is not None:
        q = q.where(d.c.meeting < before)
    if owner is not None:
        q = q.where(d.c.owner == owner)
    wanted = {(m, n) for m, n in conn.execute(q)}
    numbers = sorted({m for m, _ in wanted})
    found = rows.meetings(
        conn, conn.execute(sa.select(t.meetings).where(t.meetings.c.number.in_(numbers))).all()
    )
    return [
        x
        for m in sorted(found, key=lambda m: m.number)
        for x in m.decisions
        if (x.meeting, x.number) in wanted and can_see(viewer, x)
    ]


def set_agenda(
    *,
    uow: UnitOfWork,
    actor: Principal,
    number: int,
    entries: Sequence[AgendaEntry],
    expected_version: int | None = None,
) -> Meeting:
    """Set the meeting's agenda to `entries`, in order: the next version of it.

    `expected_version` is the agenda's version the change was based on (0 before the first).
    """
    require_chair(actor, "set agendas")
    meeting = _load(uow.conn, number)
    common.check_version("agenda", number, meeting.agenda_version, expected_version)
    coalitions = frozenset(uow.conn.scalars(sa.select(t.coalitions.c.code)))
    event = domain.set_agenda(
        meeting, tuple(entries), version=meeting.agenda_version, coalitions=coalitions
    )
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=meeting.chair)
    return _load(uow.conn, number)


def agenda_version(*, conn: Connection, number: int, version: int) -> tuple[AgendaEntry, ...]:
    """Version `version` of the meeting's agenda as the chair set it."""
    v = t.agenda_versions
    found = conn.execute(
        sa.select(v.c.entries).where(v.c.meeting == number, v.c.version == version)
    ).scalar()
    if found is None:
        raise NotFound("agenda version", f"{number}/{version}")
    return rows.agenda_entries(found)


MEETING_ORDERS = {
    "number": Order((t.meetings.c.number,), lambda x: (x.number,)),
    "held_on": Order((t.meetings.c.held_on, t.meetings.c.number), lambda x: (x.held_on, x.number)),
}


def get_meeting(*, conn: Connection, viewer: Principal, number: int) -> Meeting:
    try:
        return _for_viewer(viewer, _load(conn, number))
    except NotFound:
        raise NotFound("meeting", number) from None


def list_meetings(
    *,
    conn: Connection,
    viewer: Principal,
    status: MeetingStatus | None = None,
    held_from: date | None = None,
    held_until: date | None = None,
    page: PageRequest | None = None,
) -> list[Meeting]:
    m = t.meetings
    q = apply(sa.select(m), MEETING_ORDERS, "number", page)
    if status is not None:
        q = q.where(m.c.status == status.value)
    if held_from is not None:
        q = q.where(m.c.held_on >= held_from)
    if held_until is not None:
        q = q.where(m.c.held_on <= held_until)
    return [_for_viewer(viewer, mt) for mt in rows.meetings(conn, conn.execute(q).all())]
