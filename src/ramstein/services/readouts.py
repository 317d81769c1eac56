"""A meeting's read-out for an audience, built from the log (see `ramstein.reports.readout`).

What each audience gets:

- **public**: the records labelled public, and aggregates over every record (totals, coverage
  by area, pledged and delivered by month) only where the small-cell rule lets them through:
  a figure that includes a non-public record needs at least three donors behind it. A need
  has one recipient behind it, so a figure that includes a non-public need is withheld.
  The long-term figures follow the same rule, each figure shown where it is the figure the
  public records alone give, or where the records behind it pass the small-cell rule: the
  firmly funded need per area and the forecast's coverage need every need behind them to be
  public; the forecast counts, for the donors whose tranches are due in a quarter, all their
  pledges (their delays draw on them); a donor's fair share of the baseline is its own figure,
  so it is shown only where its public records alone give it, as is a donor's delivery record
  (an area's also where the small-cell rule passes); an area's dependence on its largest
  donor needs every pledge of the donors behind it to be public; a year's commitments pass
  the small-cell rule over the pledges in it. A pooled fund is shown as the public may know
  it (`services.funds`): whose share of what it delivered, where releasable.
- **coalition**: what every member may see (public and coalition records).
- **one participant**: what that participant may see (its restricted records, and those
  released to it, included).

Everything comes from the projections at one log position, named in the document with the
log's root, so generating the read-out again at that position gives the same document.
Who may generate which: anyone the public one; a signed-in member the coalition one; the
chair, or the participant itself, a participant's one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain.catalogue import ItemType
from ramstein.domain.deliveries import Delivery
from ramstein.domain.errors import NotFound, NotPermitted
from ramstein.domain.meetings import Decision
from ramstein.domain.needs import Need, NeedStatus
from ramstein.domain.pledges import OPEN_STATUSES, Pledge, PledgeStatus
from ramstein.domain.releasability import (
    PUBLIC_VIEWER,
    SMALL_CELL_MIN_DONORS,
    Contribution,
    Principal,
    Role,
    publishable,
)
from ramstein.ledger.merkle import Frontier
from ramstein.reports import analytics as figures
from ramstein.reports import forecast as forecasts
from ramstein.reports.analytics import Reliability
from ramstein.reports.forecast import LIVE_NEEDS, FirmFunding
from ramstein.reports.readout import (
    Announcement,
    AreaLine,
    Attendee,
    Audience,
    AudienceKind,
    BaselineLine,
    DecisionLine,
    DependenceLine,
    Figure,
    FirmLine,
    ForecastNote,
    MonthLine,
    QuarterLine,
    Readout,
    ReliabilityLine,
    ShareLine,
    Totals,
    YearLine,
)
from ramstein.services import (
    analytics,
    baselines,
    capabilities,
    catalogue,
    chair,
    deliveries,
    funds,
    meetings,
    needs,
    participants,
    pledges,
)
from ramstein.store.tables import log_head

EVERYTHING = Principal(participant=None, roles=frozenset({Role.CHAIR}), user=None)
"""Whom aggregates are first computed for, before the small-cell rule decides what to show."""

COALITION_VIEWER = Principal(participant=None, roles=frozenset({Role.OBSERVER}))
"""A member with no records of its own: it sees public and coalition records."""

MONTHS = 12
"""How many month ends the pledged-and-delivered series covers, up to the meeting."""
FORECAST_QUARTERS = 8
FORECAST_RUNS = 200
"""A read-out's forecast: the eight quarters after the meeting, from 200 seeded runs (the
meeting's number is the seed, so the read-out is the same when generated again)."""


def audience_viewer(conn: Connection, requester: Principal, audience: Audience) -> Audience:
    """The audience, checked: it exists and `requester` may generate its read-out."""
    if audience.kind is AudienceKind.PUBLIC:
        return audience
    if requester.is_public:
        raise NotPermitted("Only a signed-in member may generate a read-out beyond the public.")
    if audience.kind is AudienceKind.COALITION:
        return audience
    code = audience.participant or ""
    try:
        who = participants.get_participant(conn=conn, viewer=EVERYTHING, code=code)
    except NotFound:
        raise NotFound("audience", f"participant:{code}") from None
    if not requester.has(Role.CHAIR) and requester.participant != who.code:
        raise NotPermitted(
            f"Only the chair or {who.code} itself may generate {who.code}'s read-out."
        )
    return Audience(AudienceKind.PARTICIPANT, who.code, who.name)


def principal_of(conn: Connection, audience: Audience) -> Principal:
    """Whom the audience reads as."""
    if audience.kind is AudienceKind.PUBLIC:
        return PUBLIC_VIEWER
    if audience.kind is AudienceKind.COALITION:
        return COALITION_VIEWER
    term = chair.current_chair(conn=conn)
    roles = {Role.OBSERVER}
    if term is not None and term.chair == audience.participant:
        roles.add(Role.CHAIR)
    return Principal(participant=audience.participant, roles=frozenset(roles))


def build(
    *, conn: Connection, requester: Principal, number: int, audience: Audience, group: str
) -> Readout:
    """The read-out of meeting `number` for `audience`, as `requester` asks for it."""
    audience = audience_viewer(conn, requester, audience)
    viewer = principal_of(conn, audience)
    meeting = meetings.get_meeting(conn=conn, viewer=viewer, number=number)
    names = {p.code: p.name for p in participants.list_participants(conn=conn, viewer=EVERYTHING)}
    items = {i.code: i for i in catalogue.list_items(conn=conn, viewer=EVERYTHING)}
    areas = {a.code: a.name for a in capabilities.list_areas(conn=conn, viewer=EVERYTHING)}
    public = audience.kind is AudienceKind.PUBLIC
    basis = EVERYTHING if public else viewer  # aggregates: over everything, then small-cell
    announced = pledges.list_pledges(conn=conn, viewer=basis, meeting=number)
    shown = sorted((p for p in announced if not public or p.label.is_public), key=lambda p: p.id)
    every = pledges.list_pledges(conn=conn, viewer=basis)
    live_needs = needs.list_needs(conn=conn, viewer=basis, status=tuple(LIVE_NEEDS))
    quarters, forecast_note, dependence = _forecast(
        conn, basis, every, live_needs, items, areas, names, meeting.held_on, number, public
    )
    by_donor, by_area = _reliability(
        conn, basis, every, items, names, areas, meeting.held_on, public
    )
    size, root, at = _position(conn)
    return Readout(
        group=group,
        number=meeting.number,
        held_on=meeting.held_on,
        format=meeting.format.value,
        venue=meeting.venue,
        status=meeting.status.value,
        chair=meeting.chair,
        chair_name=names.get(meeting.chair, meeting.chair),
        co_chairs=tuple((c, names.get(c, c)) for c in meeting.co_chairs),
        audience=audience,
        log_size=size,
        log_root=root,
        as_of=at,
        attendance=tuple(
            Attendee(code, names.get(code, code), level.value)
            for code, level in sorted(meeting.attendance.items())
        ),
        announcements=tuple(_announcement(p, names, items) for p in shown),
        totals=_totals(announced, items, public),
        decisions=tuple(_decision(d, names) for d in meeting.decisions),
        open_actions=tuple(
            _decision(d, names)
            for d in meetings.list_actions(conn=conn, viewer=viewer, open_only=True, before=number)
        ),
        coverage=_coverage(conn, basis, items, areas, public),
        monthly=_monthly(conn, basis, items, meeting.held_on, public),
        firm_funding=_firm_funding(
            conn, basis, every, live_needs, items, areas, meeting.held_on, public
        ),
        forecast=quarters,
        forecast_note=forecast_note,
        dependence=dependence,
        commitments=_commitments(every, items, meeting.held_on, public),
        reliability_donors=by_donor,
        reliability_areas=by_area,
        baseline=_baseline(conn, basis, viewer, names, meeting.held_on.year, public),
        funds=tuple(funds.fund_reports(conn=conn, viewer=viewer)),
    )


def _position(conn: Connection) -> tuple[int, str, str]:
    head = conn.execute(sa.select(log_head.c.size, log_head.c.last_at, log_head.c.frontier)).one()
    frontier = Frontier.from_json(head.size, json.loads(head.frontier))
    return int(head.size), frontier.root().hex(), str(head.last_at)


def _announcement(p: Pledge, names: dict[str, str], items: dict[str, ItemType]) -> Announcement:
    item = items[p.item_type]
    return Announcement(
        pledge=p.id,
        donor=p.donor,
        donor_name=names.get(p.donor, p.donor),
        item=p.item_type,
        item_name=item.name,
        area=item.area,
        quantity=p.quantity,
        unit=item.unit,
        value_eur=figures.pledge_eur(p, items),
        status=p.status.value,
        releasability=p.label.level.value,
    )


def _decision(d: Decision, names: dict[str, str]) -> DecisionLine:
    return DecisionLine(
        meeting=d.meeting,
        number=d.number,
        kind=d.kind.value,
        text=d.text,
        owner=d.owner,
        owner_name=names.get(d.owner, d.owner),
        due_on=d.due_on,
        status=d.status.value,
        releasability=d.label.level.value,
    )


def _shown(value: Decimal, contributions: Iterable[Contribution], public: bool) -> Figure:
    """`value`, or None where the small-cell rule withholds it from the public."""
    if public and not publishable(contributions):
        return None
    return value


def _of(records: Iterable[Pledge | Delivery]) -> list[Contribution]:
    return [Contribution(r.donor, r.label) for r in records]


def _totals(announced: Sequence[Pledge], items: dict[str, ItemType], public: bool) -> Totals:
    live = [p for p in announced if p.status is not PledgeStatus.CANCELLED]
    if public:
        shown = [p for p in live if p.label.is_public]
        count, donors = len(shown), len({p.donor for p in shown})
    else:
        count, donors = len(live), len({p.donor for p in live})
    value = sum((figures.pledge_eur(p, items) for p in live), Decimal(0))
    return Totals(count, donors, _shown(value, _of(live), public))


def _coverage(
    conn: Connection,
    basis: Principal,
    items: dict[str, ItemType],
    areas: dict[str, str],
    public: bool,
) -> tuple[AreaLine, ...]:
    open_needs = needs.list_needs(
        conn=conn, viewer=basis, status=(NeedStatus.OPEN, NeedStatus.PARTLY_COVERED)
    )
    active = [
        p
        for p in pledges.list_pledges(conn=conn, viewer=basis)
        if p.status is not PledgeStatus.CANCELLED
    ]
    lines = []
    for c in figures.area_coverage(open_needs, active, items, sorted(areas)):
        if not c.needed_eur and not c.pledged_eur:
            continue
        in_area = [p for p in active if items[p.item_type].area == c.area]
        delivered = [p for p in in_area if p.delivered]
        needs_public = all(n.label.is_public for n in _area_needs(open_needs, items, c.area))
        needed = c.needed_eur if needs_public or not public else None
        lines.append(
            AreaLine(
                area=c.area,
                name=areas[c.area],
                needed_eur=needed,
                pledged_eur=_shown(c.pledged_eur, _of(in_area), public),
                delivered_eur=_shown(c.delivered_eur, _of(delivered), public),
                coverage=None
                if needed is None
                else _shown(c.pledged_coverage or Decimal(0), _of(in_area), public),
                delivered_share=None
                if needed is None
                else _shown(c.delivered_coverage or Decimal(0), _of(delivered), public),
            )
        )
    return tuple(lines)


def _area_needs(open_needs: Iterable[Need], items: dict[str, ItemType], area: str) -> list[Need]:
    return [n for n in open_needs if n.item_type in items and items[n.item_type].area == area]


def _monthly(
    conn: Connection,
    basis: Principal,
    items: dict[str, ItemType],
    held_on: date,
    public: bool,
) -> tuple[MonthLine, ...]:
    start = date(held_on.year - 1, held_on.month, 1)
    days = [d for d in figures.month_ends(start, held_on) if d < held_on] + [held_on]
    active = [
        p
        for p in pledges.list_pledges(conn=conn, viewer=basis)
        if p.status is not PledgeStatus.CANCELLED
    ]
    by_id = {p.id: p for p in active}
    sent = [d for d in deliveries.list_deliveries(conn=conn, viewer=basis) if d.pledge_id in by_id]
    lines = []
    for day in days:
        pledged = [p for p in active if p.announced_on <= day]
        delivered = [d for d in sent if d.dispatched_on <= day]
        lines.append(
            MonthLine(
                month_end=day,
                pledged_eur=_shown(
                    sum((figures.pledge_eur(p, items) for p in pledged), Decimal(0)),
                    _of(pledged),
                    public,
                ),
                delivered_eur=_shown(
                    sum(
                        (_delivered_eur(d, by_id[d.pledge_id], items) for d in delivered),
                        Decimal(0),
                    ),
                    _of(delivered),
                    public,
                ),
            )
        )
    return tuple(lines)


def _delivered_eur(d: Delivery, pledge: Pledge, items: dict[str, ItemType]) -> Decimal:
    value = figures.pledge_eur(pledge, items)
    return (value * d.quantity / pledge.quantity).quantize(Decimal("0.01"))


# --- long-term support: firm funding, the forecast, the baseline's year, pooled funds -------


def _released(value: Decimal, public_value: Decimal | None, behind_ok: bool) -> Figure:
    """A figure over every record as the public may see it: shown where the records behind
    it pass (`behind_ok`) or where the public records alone give the same figure."""
    return value if behind_ok or value == public_value else None


def _firm_funding(
    conn: Connection,
    basis: Principal,
    every: Sequence[Pledge],
    live_needs: Sequence[Need],
    items: dict[str, ItemType],
    areas: dict[str, str],
    held_on: date,
    public: bool,
) -> tuple[FirmLine, ...]:
    rows = analytics.firm_funding(conn=conn, viewer=basis, as_of=held_on)
    seen: dict[str, FirmFunding] = {}
    if public:
        seen = {
            r.area: r
            for r in analytics.firm_funding(conn=conn, viewer=PUBLIC_VIEWER, as_of=held_on)
        }
    until = forecasts.a_year_after(held_on)
    due = [n for n in live_needs if n.needed_by <= until]
    wanted = {n.item_type for n in due}
    labels = {p.id: p.label for p in every}
    coming = [
        a
        for a in forecasts.arrivals(every, items, held_on)
        if a.expected_on <= until and a.item_type in wanted
    ]
    lines = []
    for r in rows:
        if not (r.needed_eur or r.firm_eur or r.announced_eur):
            continue
        needed: Figure = r.needed_eur
        firm: Figure = r.firm_eur
        announced: Figure = r.announced_eur
        if public:
            p = seen.get(r.area, FirmFunding(r.area, Decimal(0), Decimal(0), Decimal(0), None))
            needs_public = all(n.label.is_public for n in due if items[n.item_type].area == r.area)
            mine = [a for a in coming if a.area == r.area]

            def behind(firm_only: bool, mine: list[forecasts.Arrival] = mine) -> bool:
                return publishable(
                    Contribution(a.donor, labels[a.pledge_id])
                    for a in mine
                    if a.firm or not firm_only
                )

            needed = _released(r.needed_eur, p.needed_eur, needs_public)
            firm = _released(r.firm_eur, p.firm_eur, needs_public and behind(True))
            announced = _released(r.announced_eur, p.announced_eur, needs_public and behind(False))
        lines.append(
            FirmLine(
                area=r.area,
                name=areas.get(r.area, r.area),
                needed_eur=needed,
                firm_eur=firm,
                announced_eur=announced,
                firm_share=r.firm_share if needed is not None and firm is not None else None,
            )
        )
    return tuple(lines)


def _forecast(
    conn: Connection,
    basis: Principal,
    every: Sequence[Pledge],
    live_needs: Sequence[Need],
    items: dict[str, ItemType],
    areas: dict[str, str],
    names: dict[str, str],
    held_on: date,
    number: int,
    public: bool,
) -> tuple[tuple[QuarterLine, ...], ForecastNote, tuple[DependenceLine, ...]]:
    result, dependence = forecasts.forecast_and_dependence(
        analytics.records(conn, basis),
        as_of=held_on,
        quarters=FORECAST_QUARTERS,
        runs=FORECAST_RUNS,
        seed=number,
    )
    coming = forecasts.arrivals(every, items, held_on)
    horizon = result.quarters[-1].ends_on
    needs_public = not public or all(n.label.is_public for n in live_needs)
    lines = []
    for q in result.quarters:
        donors = {a.donor for a in coming if a.expected_on <= q.ends_on}
        ok = not public or publishable(_of(p for p in every if p.donor in donors))

        def shown(value: Decimal, ok: bool = ok) -> Figure:
            return value if ok else None

        lines.append(
            QuarterLine(
                quarter=q.quarter,
                ends_on=q.ends_on,
                planned_eur=shown(q.planned_eur),
                expected_eur=shown(q.expected_eur),
                low_eur=shown(q.low_eur),
                high_eur=shown(q.high_eur),
                coverage_expected=q.coverage_expected if ok and needs_public else None,
            )
        )
    unscheduled = [p for p in every if p.status in OPEN_STATUSES and p.quantity > p.scheduled]
    note = ForecastNote(
        runs=result.runs,
        seed=result.seed,
        unscheduled_eur=_shown(result.unscheduled_eur, _of(unscheduled), public),
        coverage_withheld=not needs_public
        and any(q.coverage_expected is not None for q in result.quarters),
    )
    # An area's dependence names one donor's share of it: for the public, only where every
    # pledge of every donor behind it (their delays draw on them all) is public.
    dependent = []
    for d in dependence:
        if not d.expected_eur:
            continue
        donors = {a.donor for a in coming if a.area == d.area and a.expected_on <= horizon}
        ok = not public or all(p.label.is_public for p in every if p.donor in donors)
        top = d.top_donor or ""
        dependent.append(
            DependenceLine(
                d.area, areas.get(d.area, d.area), names.get(top, top), d if ok else None
            )
        )
    return tuple(lines), note, tuple(dependent)


COMMITMENT_YEARS = 5
"""A read-out's multi-year commitments: the meeting's year and up to four after it."""


def _commitments(
    every: Sequence[Pledge], items: dict[str, ItemType], held_on: date, public: bool
) -> tuple[YearLine, ...]:
    """Per year from the meeting's to the last a live pledge covers (five at most). For the
    public, a year is shown where the pledges in it pass the small-cell rule, or where the
    public pledges alone give the same figures."""
    years = figures.years_ahead(every, held_on.year, COMMITMENT_YEARS)
    found = figures.commitments_by_year(every, items, years)
    if not public:
        return tuple(YearLine(y.year, y) for y in found)
    of_public = figures.commitments_by_year([p for p in every if p.label.is_public], items, years)
    lines = []
    for y, seen in zip(found, of_public, strict=True):
        behind = _of(figures.year_pledges(every, y.year, items))
        lines.append(YearLine(y.year, y if y == seen or publishable(behind) else None))
    return tuple(lines)


def _reliability(
    conn: Connection,
    basis: Principal,
    every: Sequence[Pledge],
    items: dict[str, ItemType],
    names: dict[str, str],
    areas: dict[str, str],
    held_on: date,
    public: bool,
) -> tuple[tuple[ReliabilityLine, ...], tuple[ReliabilityLine, ...]]:
    """Per donor and per area, how the tranches due by the meeting kept their dates. For the
    public, a donor's line is its own figure, shown where its public records alone give it;
    an area's also where the records behind it pass the small-cell rule."""
    report = analytics.reliability(conn=conn, viewer=basis, as_of=held_on)
    seen_donors: dict[str, Reliability] = {}
    seen_areas: dict[str, Reliability] = {}
    behind: dict[str, list[Contribution]] = {}
    if public:
        of_public = analytics.reliability(conn=conn, viewer=PUBLIC_VIEWER, as_of=held_on)
        seen_donors = {r.key: r for r in of_public.donors}
        seen_areas = {r.key: r for r in of_public.areas}
        sent = deliveries.list_deliveries(conn=conn, viewer=basis)
        for pledge, _, _ in figures.tranche_slips(every, sent, held_on):
            area = items[pledge.item_type].area
            behind.setdefault(area, []).append(Contribution(pledge.donor, pledge.label))
        by_pledge = {p.id: items[p.item_type].area for p in every}
        for d in sent:
            if d.pledge_id in by_pledge:
                behind.setdefault(by_pledge[d.pledge_id], []).append(Contribution(d.donor, d.label))

    def donor_line(r: Reliability) -> ReliabilityLine:
        ok = not public or seen_donors.get(r.key) == r
        return ReliabilityLine(r.key, names.get(r.key, r.key), r if ok else None)

    def area_line(r: Reliability) -> ReliabilityLine:
        ok = not public or seen_areas.get(r.key) == r or publishable(behind.get(r.key, []))
        return ReliabilityLine(r.key, areas.get(r.key, r.key), r if ok else None)

    return (
        tuple(donor_line(r) for r in report.donors),
        tuple(area_line(r) for r in report.areas),
    )


def _baseline(
    conn: Connection,
    basis: Principal,
    viewer: Principal,
    names: dict[str, str],
    year: int,
    public: bool,
) -> BaselineLine | None:
    """The year of the agreed baseline that covers it (the first by code), if one does."""
    agreed = next(
        (b for b in baselines.list_baselines(conn=conn, viewer=viewer) if year in b.years), None
    )
    if agreed is None:
        return None
    report = baselines.report_of(conn=conn, viewer=basis, baseline=agreed, years=[year])
    counted = report.years[0]
    total: Figure = counted.counted_eur
    seen = {}
    if public:
        of_public = baselines.report_of(
            conn=conn, viewer=PUBLIC_VIEWER, baseline=agreed, years=[year]
        ).years[0]
        seen = {d.donor: d for d in of_public.donors}
        behind = sum(1 for d in counted.donors if d.counted_eur) >= SMALL_CELL_MIN_DONORS
        total = _released(counted.counted_eur, of_public.counted_eur, behind)
    donors = []
    for d in counted.donors:
        own = not public or (
            d.donor in seen
            and (seen[d.donor].counted_eur, seen[d.donor].pooled_eur)
            == (d.counted_eur, d.pooled_eur)
        )
        donors.append(
            ShareLine(
                donor=d.donor,
                name=names.get(d.donor, d.donor),
                gdp_share=d.gdp_share,
                target_eur=d.target_eur,
                counted_eur=d.counted_eur if own else None,
                pooled_eur=d.pooled_eur if own else None,
                attainment=d.attainment if own else None,
                gap_eur=d.gap_eur if own else None,
            )
        )
    return BaselineLine(
        code=agreed.code,
        name=agreed.name,
        annual_eur=agreed.annual_eur,
        first_year=agreed.first_year,
        last_year=agreed.last_year,
        rules=agreed.rules.describe(),
        year=year,
        counted_eur=total,
        attainment=counted.attainment if total is not None else None,
        gap_eur=counted.gap_eur if total is not None else None,
        donors=tuple(donors),
        withheld_funds=counted.withheld_funds,
    )
