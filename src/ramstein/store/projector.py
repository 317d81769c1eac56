"""Applies events to the projection tables; the only writer of projections.

Every handler depends on the event and its sequence number only, so replaying the log into
empty tables reproduces them exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import baselines as bl
from ramstein.domain import capabilities as cap
from ramstein.domain import catalogue as cat
from ramstein.domain import chair as ch
from ramstein.domain import deliveries as dl
from ramstein.domain import funds as fd
from ramstein.domain import hosting as hs
from ramstein.domain import meetings as mt
from ramstein.domain import needs as nd
from ramstein.domain import participants as pt
from ramstein.domain import pledges as pl
from ramstein.domain import sources as src
from ramstein.domain.events import Event
from ramstein.domain.releasability import Label
from ramstein.store import tables as t
from ramstein.store.bulk import insert_many

E = TypeVar("E", bound=Event)
Handler = Callable[[Connection, int, Any], None]
BulkHandler = Callable[[Connection, Sequence[tuple[int, Any]]], None]
HANDLERS: dict[type[Event], Handler] = {}
BULK_HANDLERS: dict[type[Event], BulkHandler] = {}


def handles(kind: type[E]) -> Callable[[Callable[[Connection, int, E], None]], Handler]:
    def register(fn: Callable[[Connection, int, E], None]) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def handles_many(
    kind: type[E],
) -> Callable[[Callable[[Connection, Sequence[tuple[int, E]]], None]], BulkHandler]:
    """Register a handler of a run of events of one kind, in one statement per table; the
    single event is a run of one, so both paths are the same code."""

    def register(fn: Callable[[Connection, Sequence[tuple[int, E]]], None]) -> BulkHandler:
        BULK_HANDLERS[kind] = fn
        HANDLERS[kind] = lambda conn, seq, event: fn(conn, [(seq, event)])
        return fn

    return register


def apply(conn: Connection, seq: int, event: Event) -> None:
    try:
        handler = HANDLERS[type(event)]
    except KeyError:
        raise RuntimeError(f"no projection for event {event.event_name}") from None
    handler(conn, seq, event)


def apply_many(conn: Connection, events: Sequence[tuple[int, Event]]) -> None:
    """Apply events in order; each run of one kind with a bulk handler goes at once."""
    start = 0
    while start < len(events):
        kind = type(events[start][1])
        bulk = BULK_HANDLERS.get(kind)
        end = start + 1
        if bulk is None:
            apply(conn, *events[start])
        else:
            while end < len(events) and type(events[end][1]) is kind:
                end += 1
            bulk(conn, events[start:end])
        start = end


def _bump(conn: Connection, table: sa.Table, key: dict[str, Any], seq: int, **values: Any) -> None:
    """Set `values` on the row of `table` whose columns equal `key`, and move its version
    on; the statement is built once per table, key and columns set (a replay runs it for
    most events of the log, and building it each time was a third of the replay)."""
    shape = (table.name, tuple(key), tuple(values))
    statement = _BUMPS.get(shape)
    if statement is None:
        statement = _BUMPS[shape] = (
            table.update()
            .where(*(table.c[k] == sa.bindparam(f"key_{k}") for k in key))
            .values(
                version=table.c.version + 1,
                updated_seq=sa.bindparam("bump_seq"),
                **{k: sa.bindparam(f"set_{k}") for k in values},
            )
        )
    params = {f"key_{k}": v for k, v in key.items()} | {f"set_{k}": v for k, v in values.items()}
    params["bump_seq"] = seq
    if conn.execute(statement, params).rowcount != 1:
        raise RuntimeError(f"projection row missing in {table.name}")


_BUMPS: dict[tuple[str, tuple[str, ...], tuple[str, ...]], sa.Update] = {}


def _set_grants(
    conn: Connection, kind: str, record_id: str, label: Label, *, new: bool = False
) -> None:
    """Record whom a restricted record is released to; a `new` record has no grants yet."""
    grants = t.record_grants
    if not new:
        conn.execute(
            grants.delete().where(grants.c.record_kind == kind, grants.c.record_id == record_id)
        )
    if label.named:
        conn.execute(
            grants.insert(),
            [
                {"record_kind": kind, "record_id": record_id, "participant": p}
                for p in sorted(label.named)
            ],
        )


# --- participants, areas, coalitions, catalogue ------------------------------------------


@handles(pt.ParticipantRegistered)
def _participant_registered(conn: Connection, seq: int, e: pt.ParticipantRegistered) -> None:
    conn.execute(
        t.participants.insert(),
        dict(
            code=e.code,
            name=e.name,
            kind=e.kind.value,
            status=e.status.value,
            joined_on=e.joined_on,
            left_on=None,
            gdp_eur_bn=e.gdp_eur_bn,
            version=1,
            updated_seq=seq,
        ),
    )


@handles(pt.ParticipantRevised)
def _participant_revised(conn: Connection, seq: int, e: pt.ParticipantRevised) -> None:
    _bump(
        conn,
        t.participants,
        {"code": e.code},
        seq,
        name=e.name,
        gdp_eur_bn=e.gdp_eur_bn,
    )


@handles(pt.ParticipantStatusChanged)
def _participant_status(conn: Connection, seq: int, e: pt.ParticipantStatusChanged) -> None:
    left_on = e.on if e.status is pt.ParticipantStatus.LEFT else None
    _bump(
        conn,
        t.participants,
        {"code": e.code},
        seq,
        status=e.status.value,
        left_on=left_on,
    )


@handles(cap.CapabilityAreaDefined)
def _area_defined(conn: Connection, seq: int, e: cap.CapabilityAreaDefined) -> None:
    conn.execute(
        t.capability_areas.insert(),
        dict(code=e.code, name=e.name, description=e.description, version=1, updated_seq=seq),
    )


@handles(cap.CapabilityAreaRevised)
def _area_revised(conn: Connection, seq: int, e: cap.CapabilityAreaRevised) -> None:
    _bump(
        conn,
        t.capability_areas,
        {"code": e.code},
        seq,
        name=e.name,
        description=e.description,
    )


@handles(cap.CoalitionFormed)
def _coalition_formed(conn: Connection, seq: int, e: cap.CoalitionFormed) -> None:
    conn.execute(
        t.coalitions.insert(),
        dict(code=e.code, name=e.name, area=e.area, version=1, updated_seq=seq),
    )
    rows = [{"coalition": e.code, "participant": p, "role": "lead"} for p in e.leads]
    rows += [{"coalition": e.code, "participant": p, "role": "member"} for p in e.members]
    conn.execute(t.coalition_members.insert(), rows)


@handles(cap.CoalitionRevised)
def _coalition_revised(conn: Connection, seq: int, e: cap.CoalitionRevised) -> None:
    _bump(conn, t.coalitions, {"code": e.code}, seq, name=e.name, area=e.area)


@handles(cap.CoalitionMembershipChanged)
def _coalition_membership(conn: Connection, seq: int, e: cap.CoalitionMembershipChanged) -> None:
    m = t.coalition_members
    conn.execute(m.delete().where(m.c.coalition == e.code, m.c.participant == e.participant))
    if e.role is not None:
        conn.execute(
            m.insert(), dict(coalition=e.code, participant=e.participant, role=e.role.value)
        )
    _bump(conn, t.coalitions, {"code": e.code}, seq)


@handles(cat.ItemTypeDefined)
def _item_defined(conn: Connection, seq: int, e: cat.ItemTypeDefined) -> None:
    conn.execute(
        t.item_types.insert(),
        dict(
            code=e.code,
            name=e.name,
            area=e.area,
            unit=e.unit,
            unit_value_eur=e.unit_value_eur,
            version=1,
            updated_seq=seq,
        ),
    )


@handles(cat.ItemTypeRevised)
def _item_revised(conn: Connection, seq: int, e: cat.ItemTypeRevised) -> None:
    _bump(
        conn,
        t.item_types,
        {"code": e.code},
        seq,
        name=e.name,
        area=e.area,
        unit=e.unit,
        unit_value_eur=e.unit_value_eur,
    )


@handles(cat.SubstitutionSet)
def _substitution(conn: Connection, seq: int, e: cat.SubstitutionSet) -> None:
    s = t.substitutions
    conn.execute(s.delete().where(s.c.offer_type == e.offer_type, s.c.need_type == e.need_type))
    if e.ratio is not None:
        conn.execute(
            s.insert(), dict(offer_type=e.offer_type, need_type=e.need_type, ratio=e.ratio)
        )


# --- needs --------------------------------------------------------------------------------


@handles(nd.NeedSubmitted)
def _need_submitted(conn: Connection, seq: int, e: nd.NeedSubmitted) -> None:
    conn.execute(
        t.needs.insert(),
        dict(
            id=e.need_id,
            recipient=e.recipient,
            item_type=e.item_type,
            quantity=e.quantity,
            priority=e.priority.value,
            needed_by=e.needed_by,
            raised_on=e.raised_on,
            rationale=e.rationale,
            status=nd.NeedStatus.OPEN.value,
            releasability=e.label.level.value,
            external_ref=e.external_ref,
            version=1,
            created_seq=seq,
            updated_seq=seq,
        ),
    )
    _set_grants(conn, "need", str(e.need_id), e.label, new=True)


@handles(nd.NeedRevised)
def _need_revised(conn: Connection, seq: int, e: nd.NeedRevised) -> None:
    _bump(
        conn,
        t.needs,
        {"id": e.need_id},
        seq,
        quantity=e.quantity,
        priority=e.priority.value,
        needed_by=e.needed_by,
        rationale=e.rationale,
        releasability=e.label.level.value,
    )
    _set_grants(conn, "need", str(e.need_id), e.label)


@handles(nd.NeedStatusChanged)
def _need_status(conn: Connection, seq: int, e: nd.NeedStatusChanged) -> None:
    _bump(conn, t.needs, {"id": e.need_id}, seq, status=e.status.value)


# --- pledges, tranches, deliveries --------------------------------------------------------


def _money(value: pl.Money | None) -> dict[str, Any]:
    if value is None:
        return {"value_amount": None, "currency": None, "eur_rate": None, "value_eur": None}
    return {
        "value_amount": value.amount,
        "currency": value.currency,
        "eur_rate": value.eur_rate,
        "value_eur": value.eur,
    }


@handles_many(pl.PledgeAnnounced)
def _pledges_announced(conn: Connection, events: Sequence[tuple[int, pl.PledgeAnnounced]]) -> None:
    insert_many(
        conn,
        t.pledges,
        [
            dict(
                id=e.pledge_id,
                donor=e.donor,
                item_type=e.item_type,
                quantity=e.quantity,
                **_money(e.value),
                source=e.source.value,
                first_year=e.years[0],
                last_year=e.years[-1],
                meeting=e.meeting,
                announced_on=e.announced_on,
                status=pl.PledgeStatus.ANNOUNCED.value,
                status_on=e.announced_on,
                cancel_reason="",
                releasability=e.label.level.value,
                external_ref=e.external_ref,
                version=1,
                created_seq=seq,
                updated_seq=seq,
            )
            for seq, e in events
        ],
    )
    tranches = [
        {
            "pledge_id": e.pledge_id,
            "number": n,
            "quantity": spec.quantity,
            "expected_on": spec.expected_on,
            "promised_on": spec.expected_on,
            "delivered": 0,
        }
        for _, e in events
        for n, spec in enumerate(e.tranches, start=1)
    ]
    insert_many(conn, t.tranches, tranches)
    insert_many(
        conn,
        t.pledge_history,
        [
            dict(pledge_id=e.pledge_id, seq=seq, status="announced", on=e.announced_on, reason="")
            for seq, e in events
        ],
    )
    grants = [
        {"record_kind": "pledge", "record_id": str(e.pledge_id), "participant": p}
        for _, e in events
        for p in sorted(e.label.named)
    ]
    insert_many(conn, t.record_grants, grants)


@handles(pl.PledgeRevised)
def _pledge_revised(conn: Connection, seq: int, e: pl.PledgeRevised) -> None:
    _bump(
        conn,
        t.pledges,
        {"id": e.pledge_id},
        seq,
        quantity=e.quantity,
        **_money(e.value),
        source=e.source.value,
        first_year=e.years[0],
        last_year=e.years[-1],
        releasability=e.label.level.value,
    )
    _set_grants(conn, "pledge", str(e.pledge_id), e.label)


@handles(pl.PledgeStatusChanged)
def _pledge_status(conn: Connection, seq: int, e: pl.PledgeStatusChanged) -> None:
    values: dict[str, Any] = {"status": e.status.value, "status_on": e.on}
    if e.status is pl.PledgeStatus.CANCELLED:
        values["cancel_reason"] = e.reason
    _bump(conn, t.pledges, {"id": e.pledge_id}, seq, **values)
    conn.execute(
        t.pledge_history.insert(),
        dict(pledge_id=e.pledge_id, seq=seq, status=e.status.value, on=e.on, reason=e.reason),
    )


@handles(pl.TrancheScheduled)
def _tranche_scheduled(conn: Connection, seq: int, e: pl.TrancheScheduled) -> None:
    conn.execute(
        t.tranches.insert(),
        dict(
            pledge_id=e.pledge_id,
            number=e.number,
            quantity=e.quantity,
            expected_on=e.expected_on,
            promised_on=e.expected_on,
            delivered=0,
        ),
    )
    _bump(conn, t.pledges, {"id": e.pledge_id}, seq)


@handles(pl.TrancheRevised)
def _tranche_revised(conn: Connection, seq: int, e: pl.TrancheRevised) -> None:
    tr = t.tranches
    conn.execute(
        tr.update()
        .where(tr.c.pledge_id == e.pledge_id, tr.c.number == e.number)
        .values(quantity=e.quantity, expected_on=e.expected_on)
    )
    _bump(conn, t.pledges, {"id": e.pledge_id}, seq)


@handles(pl.PledgeYearPlanned)
def _pledge_year_planned(conn: Connection, seq: int, e: pl.PledgeYearPlanned) -> None:
    y = t.pledge_years
    values = {"amount_eur": e.amount_eur, "status": e.status.value, "updated_seq": seq}
    changed = conn.execute(
        y.update().where(y.c.pledge_id == e.pledge_id, y.c.year == e.year).values(**values)
    )
    if not changed.rowcount:
        conn.execute(y.insert(), dict(pledge_id=e.pledge_id, year=e.year, **values))
    _bump(conn, t.pledges, {"id": e.pledge_id}, seq)


@handles(dl.DeliveryRecordedV1)
def _delivery_recorded_v1(conn: Connection, seq: int, e: dl.DeliveryRecordedV1) -> None:
    _insert_delivery(conn, seq, e, None)


@handles(dl.DeliveryRecorded)
def _delivery_recorded(conn: Connection, seq: int, e: dl.DeliveryRecorded) -> None:
    _insert_delivery(conn, seq, e, e.external_ref)


def _insert_delivery(
    conn: Connection,
    seq: int,
    e: dl.DeliveryRecorded | dl.DeliveryRecordedV1,
    external_ref: str | None,
) -> None:
    conn.execute(
        t.deliveries.insert(),
        dict(
            id=e.delivery_id,
            pledge_id=e.pledge_id,
            tranche=e.tranche,
            quantity=e.quantity,
            dispatched_on=e.dispatched_on,
            note=e.note,
            status=dl.DeliveryStatus.DISPATCHED.value,
            received_quantity=None,
            received_on=None,
            discrepancy="",
            external_ref=external_ref,
            version=1,
            created_seq=seq,
            updated_seq=seq,
        ),
    )
    tr = t.tranches
    conn.execute(
        tr.update()
        .where(tr.c.pledge_id == e.pledge_id, tr.c.number == e.tranche)
        .values(delivered=tr.c.delivered + e.quantity)
    )
    _bump(conn, t.pledges, {"id": e.pledge_id}, seq)


@handles(dl.ReceiptConfirmed)
def _receipt(conn: Connection, seq: int, e: dl.ReceiptConfirmed) -> None:
    _bump(
        conn,
        t.deliveries,
        {"id": e.delivery_id},
        seq,
        status=dl.DeliveryStatus.RECEIVED.value,
        received_quantity=e.received_quantity,
        received_on=e.received_on,
        discrepancy=e.discrepancy,
    )


# --- pooled funds -------------------------------------------------------------------------


@handles(fd.ContributionRecorded)
def _contribution_recorded(conn: Connection, seq: int, e: fd.ContributionRecorded) -> None:
    conn.execute(
        t.fund_contributions.insert(),
        dict(
            id=e.contribution_id,
            fund=e.fund,
            contributor=e.contributor,
            **_money(e.value),
            on=e.on,
            status=fd.ContributionStatus.PLEDGED.value,
            status_on=e.on,
            reason="",
            note=e.note,
            releasability=e.label.level.value,
            version=1,
            created_seq=seq,
            updated_seq=seq,
        ),
    )
    _set_grants(conn, "contribution", str(e.contribution_id), e.label, new=True)


@handles(fd.ContributionStatusChanged)
def _contribution_status(conn: Connection, seq: int, e: fd.ContributionStatusChanged) -> None:
    _bump(
        conn,
        t.fund_contributions,
        {"id": e.contribution_id},
        seq,
        status=e.status.value,
        status_on=e.on,
        reason=e.reason,
    )


def _baseline_terms(e: bl.BaselineAgreed | bl.BaselineRevised) -> dict[str, Any]:
    return dict(
        name=e.name,
        annual_eur=e.annual_eur,
        first_year=e.first_year,
        last_year=e.last_year,
        sources=sorted(s.value for s in e.sources),
        areas=sorted(e.areas),
        pooled=e.pooled.value,
        note=e.note,
    )


@handles(bl.BaselineAgreed)
def _baseline_agreed(conn: Connection, seq: int, e: bl.BaselineAgreed) -> None:
    conn.execute(
        t.baselines.insert(), dict(code=e.code, **_baseline_terms(e), version=1, updated_seq=seq)
    )


@handles(bl.BaselineRevised)
def _baseline_revised(conn: Connection, seq: int, e: bl.BaselineRevised) -> None:
    _bump(conn, t.baselines, {"code": e.code}, seq, **_baseline_terms(e))


# --- meetings and the chair ---------------------------------------------------------------


@handles(mt.MeetingScheduled)
def _meeting_scheduled(conn: Connection, seq: int, e: mt.MeetingScheduled) -> None:
    conn.execute(
        t.meetings.insert(),
        dict(
            number=e.number,
            held_on=e.held_on,
            format=e.format.value,
            venue=e.venue,
            chair=e.chair,
            co_chairs=list(e.co_chairs),
            status=mt.MeetingStatus.SCHEDULED.value,
            version=1,
            updated_seq=seq,
        ),
    )


@handles(mt.MeetingRevised)
def _meeting_revised(conn: Connection, seq: int, e: mt.MeetingRevised) -> None:
    _bump(
        conn,
        t.meetings,
        {"number": e.number},
        seq,
        held_on=e.held_on,
        format=e.format.value,
        venue=e.venue,
        co_chairs=list(e.co_chairs),
    )


@handles(mt.MeetingStatusChanged)
def _meeting_status(conn: Connection, seq: int, e: mt.MeetingStatusChanged) -> None:
    _bump(conn, t.meetings, {"number": e.number}, seq, status=e.status.value)


@handles(mt.AttendanceRecorded)
def _attendance(conn: Connection, seq: int, e: mt.AttendanceRecorded) -> None:
    a = t.meeting_attendance
    conn.execute(a.delete().where(a.c.meeting == e.number, a.c.participant == e.participant))
    conn.execute(a.insert(), dict(meeting=e.number, participant=e.participant, level=e.level.value))
    _bump(conn, t.meetings, {"number": e.number}, seq)


def _insert_decision(
    conn: Connection, seq: int, number: int, decision: int, values: dict[str, object], label: Label
) -> None:
    conn.execute(
        t.decisions.insert(),
        dict(meeting=number, number=decision, releasability=label.level.value, **values),
    )
    _set_grants(conn, "decision", f"{number}/{decision}", label, new=True)
    _bump(conn, t.meetings, {"number": number}, seq)


@handles(mt.DecisionRecordedV1)
def _decision_v1(conn: Connection, seq: int, e: mt.DecisionRecordedV1) -> None:
    chair = conn.execute(
        sa.select(t.meetings.c.chair).where(t.meetings.c.number == e.number)
    ).scalar_one()
    _insert_decision(conn, seq, e.number, e.decision, dict(text=e.text, owner=chair), e.label)


@handles(mt.DecisionRecorded)
def _decision(conn: Connection, seq: int, e: mt.DecisionRecorded) -> None:
    action = e.kind is mt.DecisionKind.ACTION
    status = mt.DecisionStatus.OPEN if action else mt.DecisionStatus.RECORDED
    _insert_decision(
        conn,
        seq,
        e.number,
        e.decision,
        dict(text=e.text, owner=e.owner, kind=e.kind.value, due_on=e.due_on, status=status.value),
        e.label,
    )


@handles(mt.ActionClosed)
def _action_closed(conn: Connection, seq: int, e: mt.ActionClosed) -> None:
    d = t.decisions
    conn.execute(
        d.update()
        .where(d.c.meeting == e.number, d.c.number == e.decision)
        .values(status=e.outcome.value, closed_on=e.on, note=e.note)
    )
    _bump(conn, t.meetings, {"number": e.number}, seq)


@handles(mt.AgendaSet)
def _agenda_set(conn: Connection, seq: int, e: mt.AgendaSet) -> None:
    conn.execute(
        t.agenda_versions.insert(),
        dict(
            meeting=e.number,
            version=e.version,
            entries=[{"key": x.key, "title": x.title, "text": x.text} for x in e.entries],
            seq=seq,
        ),
    )
    _bump(conn, t.meetings, {"number": e.number}, seq)


@handles(ch.ChairAssumed)
def _chair_assumed(conn: Connection, seq: int, e: ch.ChairAssumed) -> None:
    conn.execute(
        t.chair_terms.insert(),
        dict(number=1, chair=e.chair, since=e.since, until=None, note=e.note),
    )


@handles(ch.ChairHandedOver)
def _chair_handed_over(conn: Connection, seq: int, e: ch.ChairHandedOver) -> None:
    terms = t.chair_terms
    last = conn.execute(sa.select(sa.func.max(terms.c.number))).scalar_one()
    conn.execute(terms.update().where(terms.c.number == last).values(until=e.on))
    conn.execute(
        terms.insert(), dict(number=last + 1, chair=e.incoming, since=e.on, until=None, note=e.note)
    )


# --- hosting the log ----------------------------------------------------------------------


@handles(hs.HostKeyIntroduced)
def _host_key(conn: Connection, seq: int, e: hs.HostKeyIntroduced) -> None:
    last = conn.execute(sa.select(sa.func.max(t.host_keys.c.number))).scalar()
    conn.execute(
        t.host_keys.insert(),
        dict(
            number=(last or 0) + 1,
            origin=e.origin,
            key=e.key,
            since_seq=seq,
            participant=e.participant,
        ),
    )


@handles(hs.WitnessSet)
def _witness(conn: Connection, seq: int, e: hs.WitnessSet) -> None:
    w = t.witnesses
    conn.execute(w.delete().where(w.c.participant == e.participant))
    if e.key is not None:
        conn.execute(w.insert(), dict(participant=e.participant, key=e.key))


@handles(hs.WitnessQuorumSet)
def _quorum(conn: Connection, seq: int, e: hs.WitnessQuorumSet) -> None:
    conn.execute(t.witness_policy.delete())
    conn.execute(t.witness_policy.insert(), dict(id=1, quorum=e.quorum))


# --- outside sources ----------------------------------------------------------------------


@handles(src.SourceRecorded)
def _source_recorded(conn: Connection, seq: int, e: src.SourceRecorded) -> None:
    s, d, f = t.sources, t.source_donors, t.source_figures
    key = sa.and_(s.c.source == e.source, s.c.release == e.release)
    values = dict(
        period=e.period,
        published_on=e.published_on,
        label=e.label,
        citation=e.citation,
    )
    if conn.execute(sa.select(s.c.version).where(key)).first() is None:
        conn.execute(
            s.insert(),
            dict(source=e.source, release=e.release, version=1, updated_seq=seq, **values),
        )
    else:
        for child in (f, d):
            conn.execute(
                child.delete().where(child.c.source == e.source, child.c.release == e.release)
            )
        _bump(conn, s, {"source": e.source, "release": e.release}, seq, **values)
    if e.donors:
        conn.execute(
            d.insert(),
            [
                {
                    "source": e.source,
                    "release": e.release,
                    "code": donor.code,
                    "position": n,
                    "name": donor.name,
                }
                for n, donor in enumerate(e.donors, start=1)
            ],
        )
    if e.figures:
        conn.execute(
            f.insert(),
            [
                {
                    "source": e.source,
                    "release": e.release,
                    "position": n,
                    "file": x.file,
                    "line": x.line,
                    "donor": x.donor,
                    "period": x.period,
                    "category": x.category,
                    "item": x.item,
                    "figure": x.figure,
                    "value": str(x.value),
                }
                for n, x in enumerate(e.figures, start=1)
            ],
        )
