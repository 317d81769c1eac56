"""What changes a matching plan: another plan compared with it, or a stress scenario.

`compare` reports the objective, coverage and allocations that changed between two stored
plans and the inputs behind them (needs, offers, substitutions, coalitions, settings);
`stress_detail` adds to a pure stress result the coverage lost by area and coalition.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ramstein.domain.needs import Priority
from ramstein.matching.stress import Capacity, StressResult
from ramstein.services.match_plans import EPSILON, StoredPlan, coverage, priority_coverage

# --- two plans compared --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AllocationChange:
    offer_id: str
    need_id: int
    before: int
    after: int


@dataclass(frozen=True, slots=True)
class AllocationDiff:
    added: tuple[AllocationChange, ...]
    removed: tuple[AllocationChange, ...]
    changed: tuple[AllocationChange, ...]

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True, slots=True)
class PriorityChange:
    priority: Priority
    needed_before: int
    needed_after: int
    covered_before: float
    covered_after: float


@dataclass(frozen=True, slots=True)
class CoverageChange:
    need_id: int
    before: float
    after: float
    delta: float


class InputKind(StrEnum):
    """What an input change is about, in the order a comparison lists them."""

    SETTING = "setting"
    NEED = "need"
    OFFER = "offer"
    SUBSTITUTION = "substitution"
    COALITION = "coalition"


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class InputChange:
    """A need, offer, substitution or setting added, removed or changed between two plans."""

    kind: InputKind
    key: str
    change: Change
    fields: dict[str, tuple[object, object]]
    """For a change: each field that differs, as (before, after)."""


@dataclass(frozen=True, slots=True)
class PlanDiff:
    before: int
    after: int
    log_seq_before: int
    log_seq_after: int
    objective_before: float
    objective_after: float
    objective_delta: float
    priorities: tuple[PriorityChange, ...]
    allocations: AllocationDiff
    needs: tuple[CoverageChange, ...]
    inputs: tuple[InputChange, ...]


def allocation_diff(
    before: Iterable[tuple[str, int, int]], after: Iterable[tuple[str, int, int]]
) -> AllocationDiff:
    """Allocations, each (offer id, need id, offer units), added, removed or changed."""
    a = {(o, n): q for o, n, q in before}
    b = {(o, n): q for o, n, q in after}

    def rows(keys: Iterable[tuple[str, int]]) -> tuple[AllocationChange, ...]:
        return tuple(
            AllocationChange(o, n, a.get((o, n), 0), b.get((o, n), 0))
            for o, n in sorted(keys, key=lambda k: (_offer_order(k[0]), k[1]))
        )

    return AllocationDiff(
        added=rows(b.keys() - a.keys()),
        removed=rows(a.keys() - b.keys()),
        changed=rows(k for k in a.keys() & b.keys() if a[k] != b[k]),
    )


def _offer_order(offer: str) -> tuple[int, ...]:
    return tuple(int(part) for part in offer.split("/"))


def allocation_keys(plan: StoredPlan) -> list[tuple[str, int, int]]:
    return [(a.offer_id, a.need_id, a.quantity) for a in plan.allocations]


def compare(a: StoredPlan, b: StoredPlan) -> PlanDiff:
    """What changed from plan `a` to plan `b`: results and inputs."""
    prio_a, prio_b = priority_coverage(a), priority_coverage(b)
    cov_a, cov_b = coverage(a), coverage(b)
    needs = []
    for need_id in sorted(cov_a.keys() | cov_b.keys()):
        x, y = cov_a.get(need_id, 0.0), cov_b.get(need_id, 0.0)
        if abs(y - x) > EPSILON:
            needs.append(CoverageChange(need_id, x, y, y - x))
    return PlanDiff(
        before=a.info.id,
        after=b.info.id,
        log_seq_before=a.info.log_seq,
        log_seq_after=b.info.log_seq,
        objective_before=a.info.objective,
        objective_after=b.info.objective,
        objective_delta=b.info.objective - a.info.objective,
        priorities=tuple(
            PriorityChange(
                p, prio_a[p].needed, prio_b[p].needed, prio_a[p].covered, prio_b[p].covered
            )
            for p in Priority
        ),
        allocations=allocation_diff(allocation_keys(a), allocation_keys(b)),
        needs=tuple(needs),
        inputs=_input_changes(a, b),
    )


def _records(plan: StoredPlan) -> dict[tuple[InputKind, str], dict[str, object]]:
    """Every input of a plan as (kind, key) -> fields, so two snapshots compare field by field."""
    out: dict[tuple[InputKind, str], dict[str, object]] = {}
    for n in plan.inputs.needs:
        out[InputKind.NEED, str(n.id)] = {
            "recipient": n.recipient,
            "item_type": n.item_type,
            "area": n.area,
            "quantity": n.quantity,
            "priority": n.priority,
            "needed_by": n.needed_by,
        }
    for o in plan.inputs.offers:
        out[InputKind.OFFER, o.offer_id] = {
            "donor": o.donor,
            "item_type": o.item_type,
            "quantity": o.quantity,
            "available": o.available,
        }
    for s in plan.inputs.substitutions:
        out[InputKind.SUBSTITUTION, f"{s.offer_type}->{s.need_type}"] = {"ratio": s.ratio}
    for code, area in plan.inputs.coalitions.items():
        out[InputKind.COALITION, code] = {"area": area}
    out[InputKind.SETTING, "late_penalty"] = {"value": plan.info.late_penalty}
    for p, w in plan.info.weights.items():
        out[InputKind.SETTING, f"weight {p.value}"] = {"value": w}
    return out


KIND_ORDER = {kind: i for i, kind in enumerate(InputKind)}


def _input_changes(a: StoredPlan, b: StoredPlan) -> tuple[InputChange, ...]:
    ra, rb = _records(a), _records(b)
    out = []
    for key in ra.keys() | rb.keys():
        if key not in rb:
            out.append(InputChange(key[0], key[1], Change.REMOVED, {}))
        elif key not in ra:
            out.append(InputChange(key[0], key[1], Change.ADDED, {}))
        else:
            fields = {f: (ra[key][f], rb[key][f]) for f in ra[key] if ra[key][f] != rb[key][f]}
            if fields:
                out.append(InputChange(key[0], key[1], Change.CHANGED, fields))
    return tuple(sorted(out, key=lambda c: (KIND_ORDER[c.kind], _natural(c.key))))


def _natural(key: str) -> tuple[tuple[int, str], ...]:
    """Numbers in a key compare as numbers: offer 2/1 before 10/1."""
    return tuple((int(p), "") if p.isdigit() else (0, p) for p in key.split("/"))


# --- stress by area and coalition ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaLoss:
    """Need units a scenario costs one priority in one area (negative: it gained)."""

    priority: Priority
    area: str
    needed: int
    lost_units: float
    share: float


@dataclass(frozen=True, slots=True)
class CoalitionLoss:
    priority: Priority
    coalition: str
    area: str
    needed: int
    lost_units: float
    share: float


@dataclass(frozen=True, slots=True)
class HurtNeed:
    need_id: int
    item_type: str
    area: str
    priority: Priority
    lost_units: float
    lost_weighted: float
    remaining: tuple[Capacity, ...]
    """Unallocated units of compatible offers left with each other donor under the scenario."""


@dataclass(frozen=True, slots=True)
class PlanStress:
    plan_id: int
    baseline_objective: float
    result: StressResult
    by_area: tuple[AreaLoss, ...]
    by_coalition: tuple[CoalitionLoss, ...]
    hurt: tuple[HurtNeed, ...]


def stress_detail(plan: StoredPlan, result: StressResult) -> PlanStress:
    """The pure stress result with its losses by area and coalition, and its hurt needs named."""
    before = coverage(plan)
    after = result.plan.need_coverage
    needed: dict[tuple[Priority, str], int] = defaultdict(int)
    lost: dict[tuple[Priority, str], float] = defaultdict(float)
    for n in plan.inputs.needs:
        needed[n.priority, n.area] += n.quantity
        lost[n.priority, n.area] += before[n.id] - after.get(str(n.id), 0.0)
    by_area = tuple(
        sorted(
            (
                AreaLoss(p, a, needed[p, a], units, units / needed[p, a] if needed[p, a] else 0.0)
                for (p, a), units in lost.items()
                if abs(units) > EPSILON
            ),
            key=lambda r: (r.priority, -r.lost_units, r.area),
        )
    )
    by_coalition = tuple(
        sorted(
            (
                CoalitionLoss(r.priority, code, r.area, r.needed, r.lost_units, r.share)
                for r in by_area
                for code, area in plan.inputs.coalitions.items()
                if area == r.area
            ),
            key=lambda r: (r.priority, -r.lost_units, r.coalition),
        )
    )
    needs = {str(n.id): n for n in plan.inputs.needs}
    hurt = tuple(
        HurtNeed(
            need_id=needs[h.need_id].id,
            item_type=needs[h.need_id].item_type,
            area=needs[h.need_id].area,
            priority=h.priority,
            lost_units=h.lost_units,
            lost_weighted=h.lost_weighted,
            remaining=h.remaining,
        )
        for h in result.hurt
    )
    return PlanStress(plan.info.id, plan.info.objective, result, by_area, by_coalition, hurt)
