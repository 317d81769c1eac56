"""A stored matching plan and what can be read from it, without a database.

A plan keeps the snapshot of its inputs (needs with their area, offers with their donor and
pledge, substitutions, coalitions and their areas), so it can be solved again exactly, compared
with another plan (`match_changes`) and stressed. `services.matching` loads and stores plans;
this module holds their types and reports on one: coverage per need, gaps by area and
coalition, unused offers and overlapping pledges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ramstein.domain.catalogue import Substitution
from ramstein.domain.needs import Priority
from ramstein.matching import model
from ramstein.matching.model import Problem
from ramstein.matching.solve import Allocation, ComponentStats, Plan, PriorityCoverage

EPSILON = 1e-9
"""Coverage differences at or below this are float noise, not a change."""


@dataclass(frozen=True, slots=True)
class NeedInput:
    """A need as a plan used it: open or partly covered, its quantity as stated."""

    id: int
    recipient: str
    item_type: str
    area: str
    quantity: int
    priority: Priority
    needed_by: date


@dataclass(frozen=True, slots=True)
class OfferInput:
    """A pledge tranche not yet delivered, as a plan used it: the units still to come."""

    offer_id: str
    pledge_id: int
    tranche: int
    donor: str
    item_type: str
    quantity: int
    available: date


@dataclass(frozen=True, slots=True)
class Inputs:
    """What a plan was solved from, read in one transaction at log position `log_seq`."""

    log_seq: int
    needs: tuple[NeedInput, ...]
    offers: tuple[OfferInput, ...]
    substitutions: tuple[Substitution, ...]
    coalitions: dict[str, str]
    """Coalition code -> its capability area (a coalition's gaps are its area's gaps)."""


def offer_id(pledge_id: int, tranche: int) -> str:
    return f"{pledge_id}/{tranche}"


@dataclass(frozen=True, slots=True)
class SolverSummary:
    solvers: tuple[str, ...]
    components: int
    statuses: tuple[str, ...]
    max_mip_gap: float
    seconds: float
    component_stats: tuple[ComponentStats, ...] = ()
    """Each component's solver, status and gap; the next run reuses unchanged components."""


def solver_summary(plan: Plan) -> SolverSummary:
    return SolverSummary(
        solvers=plan.solvers,
        components=len(plan.components),
        statuses=tuple(sorted({c.status for c in plan.components})),
        max_mip_gap=max((c.mip_gap for c in plan.components), default=0.0),
        seconds=plan.seconds,
        component_stats=plan.components,
    )


def solver_json(summary: SolverSummary) -> dict[str, Any]:
    return {
        "solvers": list(summary.solvers),
        "components": summary.components,
        "statuses": list(summary.statuses),
        "max_mip_gap": summary.max_mip_gap,
        "seconds": summary.seconds,
        "component_stats": [asdict(c) for c in summary.component_stats],
    }


def solver_from_json(data: Mapping[str, Any]) -> SolverSummary:
    return SolverSummary(
        solvers=tuple(data["solvers"]),
        components=data["components"],
        statuses=tuple(data["statuses"]),
        max_mip_gap=data["max_mip_gap"],
        seconds=data["seconds"],
        component_stats=tuple(ComponentStats(**c) for c in data.get("component_stats", [])),
    )


@dataclass(frozen=True, slots=True)
class PlanInfo:
    """A stored plan's header: who ran it, on which log position, with what settings."""

    id: int
    created_at: datetime
    user: str | None
    participant: str
    log_seq: int
    weights: dict[Priority, float]
    late_penalty: float
    objective: float
    units_allocated: int
    needs: int
    pledges: int
    solver: SolverSummary


@dataclass(frozen=True, slots=True)
class PlanAllocation:
    """Offer units of one tranche sent to one need (`need_units` of the need's own unit)."""

    offer_id: str
    pledge_id: int
    tranche: int
    donor: str
    offer_type: str
    need_id: int
    need_type: str
    quantity: int
    need_units: float


@dataclass(frozen=True, slots=True)
class StoredPlan:
    info: PlanInfo
    inputs: Inputs
    allocations: tuple[PlanAllocation, ...]


# --- the snapshot as JSON ------------------------------------------------------------------


def inputs_json(inputs: Inputs) -> dict[str, Any]:
    return {
        "needs": [
            {
                "id": n.id,
                "recipient": n.recipient,
                "item_type": n.item_type,
                "area": n.area,
                "quantity": n.quantity,
                "priority": n.priority.value,
                "needed_by": n.needed_by.isoformat(),
            }
            for n in inputs.needs
        ],
        "offers": [
            {
                "pledge_id": o.pledge_id,
                "tranche": o.tranche,
                "donor": o.donor,
                "item_type": o.item_type,
                "quantity": o.quantity,
                "available": o.available.isoformat(),
            }
            for o in inputs.offers
        ],
        # Ratios as decimal text: the float the solver gets is the same on every re-run.
        "substitutions": [
            {"offer_type": s.offer_type, "need_type": s.need_type, "ratio": str(s.ratio)}
            for s in inputs.substitutions
        ],
        "coalitions": dict(sorted(inputs.coalitions.items())),
    }


def inputs_from_json(log_seq: int, data: Mapping[str, Any]) -> Inputs:
    return Inputs(
        log_seq=log_seq,
        needs=tuple(
            NeedInput(
                id=n["id"],
                recipient=n["recipient"],
                item_type=n["item_type"],
                area=n["area"],
                quantity=n["quantity"],
                priority=Priority(n["priority"]),
                needed_by=date.fromisoformat(n["needed_by"]),
            )
            for n in data["needs"]
        ),
        offers=tuple(
            OfferInput(
                offer_id=offer_id(o["pledge_id"], o["tranche"]),
                pledge_id=o["pledge_id"],
                tranche=o["tranche"],
                donor=o["donor"],
                item_type=o["item_type"],
                quantity=o["quantity"],
                available=date.fromisoformat(o["available"]),
            )
            for o in data["offers"]
        ),
        substitutions=tuple(
            Substitution(s["offer_type"], s["need_type"], Decimal(s["ratio"]))
            for s in data["substitutions"]
        ),
        coalitions=dict(data["coalitions"]),
    )


# --- the solver's view ---------------------------------------------------------------------


def problem_of(inputs: Inputs, weights: Mapping[Priority, float], late_penalty: float) -> Problem:
    """The pure matching problem of a snapshot."""
    return Problem(
        needs=[
            model.Need(str(n.id), n.item_type, n.quantity, n.priority, n.needed_by)
            for n in inputs.needs
        ],
        offers=[
            model.Offer(o.offer_id, o.donor, o.item_type, o.quantity, o.available)
            for o in inputs.offers
        ],
        substitutions=[
            model.Substitution(s.offer_type, s.need_type, float(s.ratio))
            for s in inputs.substitutions
        ],
        weights=dict(weights),
        late_penalty=late_penalty,
    )


def coverage(plan: StoredPlan) -> dict[int, float]:
    """Need units covered per need id (every need of the snapshot, zero when none)."""
    out = {n.id: 0.0 for n in plan.inputs.needs}
    for a in plan.allocations:
        out[a.need_id] += a.need_units
    return out


def units_left(plan: StoredPlan) -> dict[str, int]:
    """Offer units left unallocated per offer id (offers with none left are absent)."""
    sent: dict[str, int] = defaultdict(int)
    for a in plan.allocations:
        sent[a.offer_id] += a.quantity
    return {
        o.offer_id: o.quantity - sent[o.offer_id]
        for o in plan.inputs.offers
        if o.quantity > sent[o.offer_id]
    }


def priority_coverage(plan: StoredPlan) -> dict[Priority, PriorityCoverage]:
    covered = coverage(plan)
    needed: dict[Priority, int] = defaultdict(int)
    got: dict[Priority, float] = defaultdict(float)
    for n in plan.inputs.needs:
        needed[n.priority] += n.quantity
        got[n.priority] += covered[n.id]
    return {p: PriorityCoverage(needed=needed[p], covered=got[p]) for p in Priority}


def plan_of(plan: StoredPlan) -> Plan:
    """The solver's plan as stored."""
    covered = coverage(plan)
    return Plan.of_records(
        allocations=(
            Allocation(a.offer_id, str(a.need_id), a.quantity, a.need_units)
            for a in plan.allocations
        ),
        objective=plan.info.objective,
        need_coverage={str(k): v for k, v in covered.items()},
        priority_coverage=priority_coverage(plan),
        unused_offers=units_left(plan),
        components=plan.info.solver.component_stats,
        seconds=plan.info.solver.seconds,
    )


# --- the report ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriorityShare:
    priority: Priority
    needed: int
    covered: float
    gap: float
    share: float


@dataclass(frozen=True, slots=True)
class NeedCoverage:
    need_id: int
    item_type: str
    area: str
    priority: Priority
    needed_by: date
    needed: int
    covered: float
    gap: float


@dataclass(frozen=True, slots=True)
class AreaGap:
    priority: Priority
    area: str
    needed: int
    covered: float
    gap: float


@dataclass(frozen=True, slots=True)
class CoalitionGap:
    priority: Priority
    coalition: str
    area: str
    needed: int
    covered: float
    gap: float


@dataclass(frozen=True, slots=True)
class UnusedOffer:
    offer_id: str
    pledge_id: int
    donor: str
    item_type: str
    available: date
    units_left: int


@dataclass(frozen=True, slots=True)
class Overlap:
    """Pledges of exactly a need's item type that together exceed the open needs of it."""

    item_type: str
    area: str
    pledges: tuple[int, ...]
    offered: int
    needed: int
    excess: int


@dataclass(frozen=True, slots=True)
class PlanReport:
    plan: PlanInfo
    priorities: tuple[PriorityShare, ...]
    needs: tuple[NeedCoverage, ...]
    area_gaps: tuple[AreaGap, ...]
    """Gaps per priority and area, P1 first, then the largest gap."""
    coalition_gaps: tuple[CoalitionGap, ...]
    unused: tuple[UnusedOffer, ...]
    overlaps: tuple[Overlap, ...]


def report(plan: StoredPlan) -> PlanReport:
    """Coverage per need, gaps by area and coalition, unused offers and overlap warnings."""
    covered = coverage(plan)
    needs = tuple(
        NeedCoverage(
            need_id=n.id,
            item_type=n.item_type,
            area=n.area,
            priority=n.priority,
            needed_by=n.needed_by,
            needed=n.quantity,
            covered=covered[n.id],
            gap=max(0.0, n.quantity - covered[n.id]),
        )
        for n in sorted(plan.inputs.needs, key=lambda n: (n.priority, n.needed_by, n.id))
    )
    shares = tuple(
        PriorityShare(p, c.needed, c.covered, max(0.0, c.needed - c.covered), c.share)
        for p, c in priority_coverage(plan).items()
    )
    area_gaps = _area_gaps(needs)
    left = units_left(plan)
    unused = tuple(
        UnusedOffer(o.offer_id, o.pledge_id, o.donor, o.item_type, o.available, left[o.offer_id])
        for o in sorted(plan.inputs.offers, key=lambda o: (o.pledge_id, o.tranche))
        if o.offer_id in left
    )
    return PlanReport(
        plan=plan.info,
        priorities=shares,
        needs=needs,
        area_gaps=area_gaps,
        coalition_gaps=_coalition_gaps(area_gaps, plan.inputs.coalitions),
        unused=unused,
        overlaps=overlaps(plan.inputs),
    )


def _area_gaps(needs: Iterable[NeedCoverage]) -> tuple[AreaGap, ...]:
    needed: dict[tuple[Priority, str], int] = defaultdict(int)
    covered: dict[tuple[Priority, str], float] = defaultdict(float)
    gap: dict[tuple[Priority, str], float] = defaultdict(float)
    for n in needs:
        key = (n.priority, n.area)
        needed[key] += n.needed
        covered[key] += n.covered
        gap[key] += n.gap  # the sum of the needs' gaps, so the two views always agree
    rows = [AreaGap(p, a, needed[p, a], covered[p, a], gap[p, a]) for p, a in gap]
    return tuple(
        sorted((r for r in rows if r.gap > EPSILON), key=lambda r: (r.priority, -r.gap, r.area))
    )


def _coalition_gaps(
    area_gaps: Iterable[AreaGap], coalitions: Mapping[str, str]
) -> tuple[CoalitionGap, ...]:
    rows = [
        CoalitionGap(g.priority, code, g.area, g.needed, g.covered, g.gap)
        for g in area_gaps
        for code, area in coalitions.items()
        if area == g.area
    ]
    return tuple(sorted(rows, key=lambda r: (r.priority, -r.gap, r.coalition)))


def overlaps(inputs: Inputs) -> tuple[Overlap, ...]:
    """For each item type needed, the pledges of exactly that type when two or more of them
    offer more units than the open needs of it ask for (pledges do not name a need, so this is
    where duplicated pledges show; one pledge larger than the need is not an overlap)."""
    needed: dict[str, int] = defaultdict(int)
    area: dict[str, str] = {}
    for n in inputs.needs:
        needed[n.item_type] += n.quantity
        area[n.item_type] = n.area
    offered: dict[str, int] = defaultdict(int)
    pledges: dict[str, set[int]] = defaultdict(set)
    for o in inputs.offers:
        if o.item_type in needed:
            offered[o.item_type] += o.quantity
            pledges[o.item_type].add(o.pledge_id)
    return tuple(
        Overlap(
            item_type=item,
            area=area[item],
            pledges=tuple(sorted(pledges[item])),
            offered=offered[item],
            needed=needed[item],
            excess=offered[item] - needed[item],
        )
        for item in sorted(offered)
        if offered[item] > needed[item] and len(pledges[item]) > 1
    )
