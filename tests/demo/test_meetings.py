"""The demo's meetings and its chair: monthly, alternating formats, handed to the alliance."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ramstein.domain.meetings import MeetingFormat, MeetingStatus
from ramstein.domain.releasability import Principal
from ramstein.services import chair, meetings, pledges
from ramstein.store import tables as t
from ramstein.store.engine import Store


def test_about_two_dozen_monthly_meetings_alternating_format(
    demo_store: Store, chair_viewer: Principal
) -> None:
    with demo_store.read() as conn:
        held = meetings.list_meetings(conn=conn, viewer=chair_viewer)
    assert 20 <= len(held) <= 28
    assert held[0].held_on == date(2022, 4, 26)
    assert [m.number for m in held] == list(range(1, len(held) + 1))
    for earlier, later in zip(held, held[1:], strict=False):
        assert earlier.format is not later.format
        assert 14 <= (later.held_on - earlier.held_on).days <= 50
    for m in held:
        assert m.status is MeetingStatus.CLOSED
        if m.format is MeetingFormat.IN_PERSON:
            assert m.venue.startswith("Ramstein Air Base")
        assert m.decisions, f"meeting {m.number} records no decision"


def test_most_members_attend_at_stated_levels(demo_store: Store, chair_viewer: Principal) -> None:
    with demo_store.read() as conn:
        held = meetings.list_meetings(conn=conn, viewer=chair_viewer)
    for m in held:
        assert len(m.attendance) >= 40
        assert "UKR" in m.attendance and m.chair in m.attendance
    levels = {level for m in held for level in m.attendance.values()}
    assert len(levels) >= 4


def test_the_chair_passes_from_the_lead_nation_to_the_alliance(
    demo_store: Store, chair_viewer: Principal
) -> None:
    with demo_store.read() as conn:
        terms = chair.chair_history(conn=conn, viewer=chair_viewer)
        held = meetings.list_meetings(conn=conn, viewer=chair_viewer)
    assert [term.chair for term in terms] == ["USA", "NATO"]
    handover = terms[1].since
    assert terms[0].until == handover
    chairs = [m.chair for m in held]
    assert chairs[0] == "USA" and chairs[-1] == "NATO"
    for m in held:
        assert m.chair == ("USA" if m.held_on < handover else "NATO")


def test_after_the_handover_the_alliance_runs_the_meetings(demo_store: Store) -> None:
    log = t.log_entries
    with demo_store.read() as conn:
        handed = conn.execute(
            sa.select(log.c.seq, log.c.actor).where(log.c.event_type == "ChairHandedOver")
        ).one()
        actors = conn.execute(
            sa.select(log.c.seq, log.c.actor).where(
                log.c.event_type.in_(
                    ["MeetingScheduled", "MeetingStatusChanged", "DecisionRecorded"]
                )
            )
        ).all()
    assert handed.actor == "USA"
    assert {a.actor for a in actors if a.seq < handed.seq} == {"USA"}
    assert {a.actor for a in actors if a.seq > handed.seq} == {"NATO"}


def test_pledges_announced_at_a_meeting_are_linked_to_it(
    demo_store: Store, chair_viewer: Principal
) -> None:
    with demo_store.read() as conn:
        held = {m.number: m for m in meetings.list_meetings(conn=conn, viewer=chair_viewer)}
        everything = pledges.list_pledges(conn=conn, viewer=chair_viewer)
    linked = [p for p in everything if p.meeting is not None]
    assert len(linked) > len(everything) / 2
    assert len(linked) < len(everything)
    for p in linked:
        assert p.announced_on == held[p.meeting].held_on  # type: ignore[index]
