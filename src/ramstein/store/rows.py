"""Load domain objects from projection rows: the one place rows become the model."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ramstein.domain.baselines import CENT, Baseline, CountingRules, PooledRule
from ramstein.domain.capabilities import CapabilityArea, Coalition, CoalitionRole
from ramstein.domain.catalogue import ItemType, Substitution
from ramstein.domain.chair import ChairTerm
from ramstein.domain.deliveries import Delivery, DeliveryStatus
from ramstein.domain.errors import NotFound
from ramstein.domain.funds import ContributionStatus, FundContribution
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
from ramstein.domain.needs import Need, NeedStatus, Priority
from ramstein.domain.participants import Participant, ParticipantKind, ParticipantStatus
from ramstein.domain.pledges import (
    Money,
    Pledge,
    PledgeSource,
    PledgeStatus,
    Tranche,
    YearPlan,
    YearStatus,
)
from ramstein.domain.releasability import Label, Releasability
from ramstein.store import tables as t


def grants_for(conn: Connection, kind: str, ids: Iterable[str]) -> dict[str, frozenset[str]]:
    g = t.record_grants
    out: dict[str, set[str]] = defaultdict(set)
    ids = list(ids)
    for chunk in range(0, len(ids), 500):
        for row in conn.execute(
            sa.select(g.c.record_id, g.c.participant).where(
                g.c.record_kind == kind, g.c.record_id.in_(ids[chunk : chunk + 500])
            )
        ):
            out[row.record_id].add(row.participant)
    return {k: frozenset(v) for k, v in out.items()}


def _label(level: str, named: frozenset[str] | None) -> Label:
    return Label(Releasability(level), named or frozenset())


def participant(row: Row[Any]) -> Participant:
    return Participant(
        code=row.code,
        name=row.name,
        kind=ParticipantKind(row.kind),
        status=ParticipantStatus(row.status),
        joined_on=row.joined_on,
        left_on=row.left_on,
        gdp_eur_bn=row.gdp_eur_bn,
        version=row.version,
    )


def area(row: Row[Any]) -> CapabilityArea:
    return CapabilityArea(
        code=row.code, name=row.name, description=row.description, version=row.version
    )


def baseline(row: Row[Any]) -> Baseline:
    return Baseline(
        code=row.code,
        name=row.name,
        annual_eur=row.annual_eur.quantize(CENT),
        first_year=row.first_year,
        last_year=row.last_year,
        rules=CountingRules(
            sources=frozenset(PledgeSource(s) for s in row.sources),
            areas=frozenset(row.areas),
            pooled=PooledRule(row.pooled),
        ),
        note=row.note,
        version=row.version,
    )


def coalitions(conn: Connection, rows: Sequence[Row[Any]]) -> list[Coalition]:
    m = t.coalition_members
    members: dict[str, dict[str, CoalitionRole]] = defaultdict(dict)
    codes = [r.code for r in rows]
    for row in conn.execute(sa.select(m).where(m.c.coalition.in_(codes))):
        members[row.coalition][row.participant] = CoalitionRole(row.role)
    return [
        Coalition(
            code=r.code, name=r.name, area=r.area, members=dict(members[r.code]), version=r.version
        )
        for r in rows
    ]


def item(row: Row[Any]) -> ItemType:
    return ItemType(
        code=row.code,
        name=row.name,
        area=row.area,
        unit=row.unit,
        unit_value_eur=row.unit_value_eur,
        version=row.version,
    )


def substitution(row: Row[Any]) -> Substitution:
    return Substitution(offer_type=row.offer_type, need_type=row.need_type, ratio=row.ratio)


def needs(conn: Connection, rows: Sequence[Row[Any]]) -> list[Need]:
    named = grants_for(conn, "need", (str(r.id) for r in rows if r.releasability == "restricted"))
    return [
        Need(
            id=r.id,
            recipient=r.recipient,
            item_type=r.item_type,
            quantity=r.quantity,
            priority=Priority(r.priority),
            needed_by=r.needed_by,
            raised_on=r.raised_on,
            rationale=r.rationale,
            status=NeedStatus(r.status),
            label=_label(r.releasability, named.get(str(r.id))),
            external_ref=r.external_ref,
            version=r.version,
        )
        for r in rows
    ]


def _of_pledges(
    conn: Connection, table: sa.Table, ids: Sequence[int], order: str
) -> Iterator[Row[Any]]:
    """The rows of a pledge's child `table` for every pledge of `ids`, 500 pledges a query."""
    for chunk in range(0, len(ids), 500):
        yield from conn.execute(
            sa.select(table)
            .where(table.c.pledge_id.in_(ids[chunk : chunk + 500]))
            .order_by(table.c.pledge_id, table.c[order])
        )


def pledges(conn: Connection, rows: Sequence[Row[Any]]) -> list[Pledge]:
    ids = [r.id for r in rows]
    named = grants_for(conn, "pledge", (str(r.id) for r in rows if r.releasability == "restricted"))
    by_pledge: dict[int, list[Tranche]] = defaultdict(list)
    for row in _of_pledges(conn, t.tranches, ids, "number"):
        by_pledge[row.pledge_id].append(
            Tranche(
                pledge_id=row.pledge_id,
                number=row.number,
                quantity=row.quantity,
                expected_on=row.expected_on,
                promised_on=row.promised_on,
                delivered=row.delivered,
            )
        )
    plans: dict[int, list[YearPlan]] = defaultdict(list)
    for row in _of_pledges(conn, t.pledge_years, ids, "year"):
        plans[row.pledge_id].append(
            YearPlan(year=row.year, amount_eur=row.amount_eur, status=YearStatus(row.status))
        )
    return [
        Pledge(
            id=r.id,
            donor=r.donor,
            item_type=r.item_type,
            quantity=r.quantity,
            value=None
            if r.value_amount is None
            else Money(amount=r.value_amount, currency=r.currency, eur_rate=r.eur_rate),
            source=PledgeSource(r.source),
            years=tuple(range(r.first_year, r.last_year + 1)),
            meeting=r.meeting,
            announced_on=r.announced_on,
            status=PledgeStatus(r.status),
            label=_label(r.releasability, named.get(str(r.id))),
            tranches=tuple(by_pledge[r.id]),
            cancel_reason=r.cancel_reason,
            external_ref=r.external_ref,
            version=r.version,
            year_plans=tuple(plans[r.id]),
        )
        for r in rows
    ]


def contributions(conn: Connection, rows: Sequence[Row[Any]]) -> list[FundContribution]:
    named = grants_for(
        conn, "contribution", (str(r.id) for r in rows if r.releasability == "restricted")
    )
    return [
        FundContribution(
            id=r.id,
            fund=r.fund,
            contributor=r.contributor,
            value=Money(amount=r.value_amount, currency=r.currency, eur_rate=r.eur_rate),
            on=r.on,
            status=ContributionStatus(r.status),
            status_on=r.status_on,
            label=_label(r.releasability, named.get(str(r.id))),
            note=r.note,
            reason=r.reason,
            version=r.version,
        )
        for r in rows
    ]


DELIVERY_COLUMNS = (
    *t.deliveries.c,
    t.pledges.c.donor,
    t.pledges.c.releasability,
)


def deliveries(conn: Connection, rows: Sequence[Row[Any]]) -> list[Delivery]:
    """Rows selected with `DELIVERY_COLUMNS` (a delivery carries its pledge's label)."""
    named = grants_for(
        conn, "pledge", (str(r.pledge_id) for r in rows if r.releasability == "restricted")
    )
    return [
        Delivery(
            id=r.id,
            pledge_id=r.pledge_id,
            tranche=r.tranche,
            quantity=r.quantity,
            dispatched_on=r.dispatched_on,
            note=r.note,
            status=DeliveryStatus(r.status),
            donor=r.donor,
            label=_label(r.releasability, named.get(str(r.pledge_id))),
            received_quantity=r.received_quantity,
            received_on=r.received_on,
            discrepancy=r.discrepancy,
            external_ref=r.external_ref,
            version=r.version,
        )
        for r in rows
    ]


def meetings(conn: Connection, rows: Sequence[Row[Any]]) -> list[Meeting]:
    numbers = [r.number for r in rows]
    a, d = t.meeting_attendance, t.decisions
    attendance: dict[int, dict[str, AttendanceLevel]] = defaultdict(dict)
    for row in conn.execute(sa.select(a).where(a.c.meeting.in_(numbers)).order_by(a.c.participant)):
        attendance[row.meeting][row.participant] = AttendanceLevel(row.level)
    drows = conn.execute(
        sa.select(d).where(d.c.meeting.in_(numbers)).order_by(d.c.meeting, d.c.number)
    ).all()
    named = grants_for(
        conn,
        "decision",
        (f"{r.meeting}/{r.number}" for r in drows if r.releasability == "restricted"),
    )
    decided: dict[int, list[Decision]] = defaultdict(list)
    for r in drows:
        decided[r.meeting].append(
            Decision(
                meeting=r.meeting,
                number=r.number,
                text=r.text,
                label=_label(r.releasability, named.get(f"{r.meeting}/{r.number}")),
                owner=r.owner,
                kind=DecisionKind(r.kind),
                due_on=r.due_on,
                status=DecisionStatus(r.status),
                closed_on=r.closed_on,
                note=r.note,
            )
        )
    v = t.agenda_versions
    latest = (
        sa.select(v.c.meeting, sa.func.max(v.c.version).label("version"))
        .where(v.c.meeting.in_(numbers))
        .group_by(v.c.meeting)
        .subquery()
    )
    agendas: dict[int, tuple[int, tuple[AgendaEntry, ...]]] = {}
    for row in conn.execute(
        sa.select(v).join(
            latest, sa.and_(v.c.meeting == latest.c.meeting, v.c.version == latest.c.version)
        )
    ):
        agendas[row.meeting] = (row.version, agenda_entries(row.entries))
    return [
        Meeting(
            number=r.number,
            held_on=r.held_on,
            format=MeetingFormat(r.format),
            venue=r.venue,
            chair=r.chair,
            co_chairs=tuple(r.co_chairs),
            status=MeetingStatus(r.status),
            attendance=attendance[r.number],
            decisions=tuple(decided[r.number]),
            version=r.version,
            agenda=agendas.get(r.number, (0, ()))[1],
            agenda_version=agendas.get(r.number, (0, ()))[0],
        )
        for r in rows
    ]


def agenda_entries(stored: Sequence[dict[str, str]]) -> tuple[AgendaEntry, ...]:
    return tuple(AgendaEntry(e["key"], e["title"], e["text"]) for e in stored)


def chair_term(row: Row[Any]) -> ChairTerm:
    return ChairTerm(
        number=row.number, chair=row.chair, since=row.since, until=row.until, note=row.note
    )


def one(items: Sequence[Any], kind: str, key: object) -> Any:
    if not items:
        raise NotFound(kind, key)
    return items[0]
