"""A meeting's agenda, built from the data for a viewer.

The chair decides which items the agenda has and in what order (`meetings.set_agenda`; until
then `domain.meetings.default_agenda`); what each built section says comes from the records
the viewer may see, at the moment it is asked:

- `priorities`: the recipient's P1 and P2 needs still uncovered, from the newest matching plan
  the viewer may see, or, without one, from the pledges of each need's item type, given to
  the needs most urgent first;
- `pledges`: pledges announced or changed since the previous meeting last changed status
  (it was held or closed), by log position; once the meeting is held, only those announced
  before it was;
- `overdue`: tranches whose expected date has passed (as of the meeting, or today if that is
  earlier) and that are not delivered in full, with how many days late;
- `coalition:<code>`: the coalition's area coverage, its new pledges and what it asks for
  (the uncovered P1 and P2 needs of its area);
- `actions`: open action items of earlier meetings, carried until they are closed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain.capabilities import Coalition
from ramstein.domain.catalogue import ItemType
from ramstein.domain.meetings import AGENDA_SECTIONS, Decision, default_agenda
from ramstein.domain.needs import Need, NeedStatus, Priority
from ramstein.domain.pledges import Pledge, PledgeStatus
from ramstein.domain.releasability import Principal
from ramstein.reports import analytics as figures
from ramstein.reports.analytics import AreaCoverage
from ramstein.services import capabilities, catalogue, matching, meetings, needs, pledges
from ramstein.store import rows
from ramstein.store import tables as t

GAP_PRIORITIES = (Priority.P1, Priority.P2)
OPEN_NEEDS = (NeedStatus.OPEN, NeedStatus.PARTLY_COVERED)
CLOSED_PLEDGES = (PledgeStatus.CANCELLED, PledgeStatus.DELIVERED)


@dataclass(frozen=True, slots=True)
class Gap:
    need: int
    item_type: str
    item_name: str
    area: str
    priority: Priority
    needed: int
    covered: int
    gap: int
    needed_by: date


@dataclass(frozen=True, slots=True)
class PledgeChange:
    pledge: int
    donor: str
    item_type: str
    area: str
    quantity: int
    status: PledgeStatus
    announced_on: date
    new: bool
    """Announced since the previous meeting (otherwise changed since)."""


@dataclass(frozen=True, slots=True)
class Overdue:
    pledge: int
    tranche: int
    donor: str
    item_type: str
    quantity: int
    delivered: int
    expected_on: date
    days_late: int


@dataclass(frozen=True, slots=True)
class CoalitionReport:
    code: str
    name: str
    area: str
    leads: tuple[str, ...]
    coverage: AreaCoverage | None
    new_pledges: tuple[PledgeChange, ...]
    asks: tuple[Gap, ...]


@dataclass(frozen=True, slots=True)
class AgendaItem:
    position: int
    key: str
    title: str
    text: str
    gaps: tuple[Gap, ...] = ()
    pledges: tuple[PledgeChange, ...] = ()
    overdue: tuple[Overdue, ...] = ()
    coalition: CoalitionReport | None = None
    actions: tuple[Decision, ...] = ()


@dataclass(frozen=True, slots=True)
class Agenda:
    meeting: int
    held_on: date
    version: int
    """The chair's version of it; 0 while the default agenda applies."""
    as_of: date
    """The day overdue tranches are counted against."""
    previous: int | None
    since_seq: int
    """Pledges changed after this log entry count as new or changed."""
    gaps_from: str
    """Where the gaps come from: a plan, or the pledges' coverage."""
    items: tuple[AgendaItem, ...]


def build(
    *,
    conn: Connection,
    viewer: Principal,
    number: int,
    today: date,
    version: int | None = None,
) -> Agenda:
    """The agenda of meeting `number` as `viewer` may see it (version `version` of the
    chair's agenda, or the latest)."""
    meeting = meetings.get_meeting(conn=conn, viewer=viewer, number=number)
    coalitions = {c.code: c for c in capabilities.list_coalitions(conn=conn, viewer=viewer)}
    if version is not None and version != meeting.agenda_version:
        entries = meetings.agenda_version(conn=conn, number=number, version=version)
    else:
        version = meeting.agenda_version
        entries = meeting.agenda or default_agenda(tuple(sorted(coalitions)))
    items = {i.code: i for i in catalogue.list_items(conn=conn, viewer=viewer)}
    as_of = min(meeting.held_on, today)
    previous = number - 1 if number > 1 else None
    since = _since(conn, previous)
    until = _held_at(conn, number)
    visible_needs = needs.list_needs(conn=conn, viewer=viewer, status=OPEN_NEEDS)
    gaps, gaps_from = priority_gaps(conn, viewer, visible_needs, items)
    changed = _changed(conn, viewer, since, until, items)
    all_pledges = pledges.list_pledges(conn=conn, viewer=viewer)
    built: list[AgendaItem] = []
    for position, entry in enumerate(entries, start=1):
        kind, _, code = entry.key.partition(":")
        item = AgendaItem(position, entry.key, entry.title, entry.text)
        if entry.key == "priorities":
            item = _with(item, AGENDA_SECTIONS["priorities"], gaps=tuple(gaps))
        elif entry.key == "pledges":
            label = AGENDA_SECTIONS["pledges"]
            if previous is not None:
                label = f"Pledges new or changed since meeting {previous}"
            item = _with(item, label, pledges=tuple(changed))
        elif entry.key == "overdue":
            item = _with(item, AGENDA_SECTIONS["overdue"], overdue=overdue(all_pledges, as_of))
        elif entry.key == "actions":
            carried = meetings.list_actions(conn=conn, viewer=viewer, open_only=True, before=number)
            item = _with(item, AGENDA_SECTIONS["actions"], actions=tuple(carried))
        elif kind == "coalition":
            found = coalitions.get(code)
            if found is None:  # not visible to this viewer, or since dissolved
                continue
            report = _coalition(found, gaps, changed, visible_needs, all_pledges, items)
            item = _with(item, f"Coalition report: {found.name}", coalition=report)
        built.append(item)
    return Agenda(
        meeting=number,
        held_on=meeting.held_on,
        version=version,
        as_of=as_of,
        previous=previous,
        since_seq=since,
        gaps_from=gaps_from,
        items=tuple(replace(i, position=n) for n, i in enumerate(built, start=1)),
    )


def _with(item: AgendaItem, title: str, **content: object) -> AgendaItem:
    """A built section: its content, and its usual title unless the chair gave another."""
    return replace(item, title=item.title or title, **content)  # type: ignore[arg-type]


def _since(conn: Connection, previous: int | None) -> int:
    """The log entry of the previous meeting's last change of status (0 without one)."""
    if previous is None:
        return 0
    e = t.log_entries
    found = conn.execute(
        sa.select(sa.func.max(e.c.seq)).where(
            e.c.aggregate == "meeting",
            e.c.aggregate_id == str(previous),
            e.c.event_type == "MeetingStatusChanged",
        )
    ).scalar()
    return int(found or 0)


def _held_at(conn: Connection, number: int) -> int | None:
    """The log entry at which meeting `number` was held (None before it is): its agenda
    counts the pledges changed up to then, not those of its own round or after."""
    e = t.log_entries
    found = conn.execute(
        sa.select(sa.func.min(e.c.seq)).where(
            e.c.aggregate == "meeting",
            e.c.aggregate_id == str(number),
            e.c.event_type == "MeetingStatusChanged",
            e.c.payload.like('%"status":"held"%'),
        )
    ).scalar()
    return None if found is None else int(found)


def priority_gaps(
    conn: Connection, viewer: Principal, open_needs: Sequence[Need], items: dict[str, ItemType]
) -> tuple[list[Gap], str]:
    """The P1 and P2 gaps among `open_needs`, and where they come from."""
    latest = matching.list_plans(conn=conn, viewer=viewer, limit=1)
    if latest:
        plan = matching.get_plan(conn=conn, viewer=viewer, plan_id=latest[0].id)
        report = matching.report(plan)
        found = [
            Gap(
                need=n.need_id,
                item_type=n.item_type,
                item_name=items[n.item_type].name if n.item_type in items else n.item_type,
                area=n.area,
                priority=n.priority,
                needed=n.needed,
                covered=round(n.covered),
                gap=round(n.gap),
                needed_by=n.needed_by,
            )
            for n in report.needs
            if n.priority in GAP_PRIORITIES and round(n.gap) > 0
        ]
        return found, f"matching plan {plan.info.id} (the log at entry {plan.info.log_seq})"
    return coverage_gaps(open_needs, pledges.list_pledges(conn=conn, viewer=viewer), items), (
        "the pledges of each item type, given to the most urgent needs first (no matching plan yet)"
    )


def coverage_gaps(
    open_needs: Iterable[Need], active: Iterable[Pledge], items: dict[str, ItemType]
) -> list[Gap]:
    """P1 and P2 gaps without a plan: each item type's pledged units, less what was
    delivered of them, go to its needs in order of priority, date needed and number."""
    pool: dict[str, int] = defaultdict(int)
    for p in active:
        if p.status is not PledgeStatus.CANCELLED:
            pool[p.item_type] += p.quantity
    found = []
    for n in sorted(open_needs, key=lambda n: (n.priority, n.needed_by, n.id)):
        covered = min(n.quantity, pool[n.item_type])
        pool[n.item_type] -= covered
        if n.priority in GAP_PRIORITIES and covered < n.quantity:
            item = items.get(n.item_type)
            found.append(
                Gap(
                    need=n.id,
                    item_type=n.item_type,
                    item_name=item.name if item else n.item_type,
                    area=item.area if item else "",
                    priority=n.priority,
                    needed=n.quantity,
                    covered=covered,
                    gap=n.quantity - covered,
                    needed_by=n.needed_by,
                )
            )
    return found


def _changed(
    conn: Connection,
    viewer: Principal,
    since: int,
    until: int | None,
    items: dict[str, ItemType],
) -> list[PledgeChange]:
    p = t.pledges
    q = sa.select(p).where(pledges.visible_pledges(viewer), p.c.updated_seq > since)
    if until is not None:
        q = q.where(p.c.created_seq < until)
    found = conn.execute(q.order_by(p.c.id)).all()
    created = {r.id: r.created_seq > since for r in found}
    return [
        PledgeChange(
            pledge=x.id,
            donor=x.donor,
            item_type=x.item_type,
            area=items[x.item_type].area if x.item_type in items else "",
            quantity=x.quantity,
            status=x.status,
            announced_on=x.announced_on,
            new=created[x.id],
        )
        for x in rows.pledges(conn, found)
    ]


def overdue(active: Iterable[Pledge], as_of: date) -> tuple[Overdue, ...]:
    """Tranches expected before `as_of` and not delivered in full, the latest first."""
    found = [
        Overdue(
            pledge=p.id,
            tranche=tr.number,
            donor=p.donor,
            item_type=p.item_type,
            quantity=tr.quantity,
            delivered=tr.delivered,
            expected_on=tr.expected_on,
            days_late=(as_of - tr.expected_on).days,
        )
        for p in active
        if p.status not in CLOSED_PLEDGES
        for tr in p.tranches
        if tr.expected_on < as_of and tr.delivered < tr.quantity
    ]
    return tuple(sorted(found, key=lambda o: (-o.days_late, o.pledge, o.tranche)))


def _coalition(
    coalition: Coalition,
    gaps: Sequence[Gap],
    changed: Sequence[PledgeChange],
    open_needs: Sequence[Need],
    active: Sequence[Pledge],
    items: dict[str, ItemType],
) -> CoalitionReport:
    area = coalition.area
    in_area = [n for n in open_needs if n.item_type in items and items[n.item_type].area == area]
    coverage = figures.area_coverage(in_area, active, items, [area])
    return CoalitionReport(
        code=coalition.code,
        name=coalition.name,
        area=area,
        leads=tuple(sorted(coalition.leads)),
        coverage=coverage[0] if coverage else None,
        new_pledges=tuple(c for c in changed if c.area == area and c.new),
        asks=tuple(g for g in gaps if g.area == area),
    )
