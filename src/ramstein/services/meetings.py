"""Meetings: schedule, revise, move through the lifecycle, attendance and decisions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import meetings as domain
from ramstein.domain.errors import NotFound
from ramstein.domain.meetings import AttendanceLevel, Meeting, MeetingFormat, MeetingStatus
from ramstein.domain.permissions import require_chair
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
    label: Label,
    expected_version: int | None = None,
) -> Meeting:
    meeting = _for_update(uow, actor, number, "record decisions", expected_version)
    for code in label.named:
        common.participant(uow.conn, code)
    event = domain.record_decision(meeting, text=text, label=label)
    uow.append(event, actor=actor, label=label, owner=meeting.chair)
    return _load(uow.conn, number)


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
