"""Stress tests of an optimal plan: what if donors withdraw, cut their offers or deliver late?

Every scenario changes some offers (removed, smaller, later) and re-solves only what it must.
The arc set of a stressed problem is a subset of the baseline's (quantities and gains only
fall), so a component of the baseline whose changed offers keep their allocations feasible
and optimal is kept as it was; the others are solved again, together, as one sub-problem.
Offer quantities cut by a share are floored: `floor(q * (1 - share))` units remain.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np

from ramstein.domain.needs import Priority
from ramstein.matching.model import PRIORITIES, Arrays, Offer, Problem, build
from ramstein.matching.solve import MIP_TIME_LIMIT, Plan, PriorityCoverage, solve

TOP_NEEDS = 10


@dataclass(frozen=True, slots=True)
class Scenario:
    label: str
    remove: frozenset[str] = frozenset()
    """Donors withdrawn entirely."""
    share: float = 0.0
    """Share of every offer's quantity withdrawn (floored remainder kept)."""
    delay: tuple[str, int] | None = None
    """(donor, days) by which that donor's offers slip."""


@dataclass(frozen=True, slots=True)
class Capacity:
    donor: str
    offer_units: int
    """Unallocated units of compatible offers left with this donor in the stressed plan."""


@dataclass(frozen=True, slots=True)
class HurtNeed:
    need_id: str
    priority: Priority
    lost_units: float
    lost_weighted: float
    remaining: tuple[Capacity, ...]


@dataclass(frozen=True, slots=True)
class PriorityLoss:
    units: float
    share: float
    """Lost units as a share of the priority's needed units."""


@dataclass(frozen=True, slots=True)
class StressResult:
    scenario: Scenario
    plan: Plan
    objective_lost: float
    coverage_lost: dict[Priority, PriorityLoss]
    hurt: tuple[HurtNeed, ...]
    components_resolved: int


def remove_donors(donors: Sequence[str]) -> Scenario:
    return Scenario(label="remove " + ",".join(sorted(donors)), remove=frozenset(donors))


def cut_share(share: float) -> Scenario:
    if not 0.0 <= share <= 1.0:
        raise ValueError("The share must lie between 0 and 1.")
    return Scenario(label=f"cut {share:g} of every offer", share=share)


def delay_donor(donor: str, days: int) -> Scenario:
    if days < 0:
        raise ValueError("A delay cannot be negative.")
    return Scenario(label=f"delay {donor} by {days} days", delay=(donor, days))


def stressed_offer(offer: Offer, scenario: Scenario) -> Offer | None:
    """The offer as the scenario leaves it, or None when it is withdrawn."""
    if offer.donor in scenario.remove:
        return None
    if scenario.share:
        offer = replace(
            offer, quantity=int(math.floor(offer.quantity * (1.0 - scenario.share) + 1e-9))
        )
    if scenario.delay is not None and offer.donor == scenario.delay[0] and scenario.delay[1]:
        offer = replace(offer, available=offer.available + timedelta(days=scenario.delay[1]))
    return offer


def stressed_problem(problem: Problem, scenario: Scenario) -> Problem:
    offers = [s for o in problem.offers if (s := stressed_offer(o, scenario)) is not None]
    return replace(problem, offers=offers)


@dataclass(frozen=True, slots=True)
class Baseline:
    """The baseline's arrays and plan, with each offer's and need's component (-1: none)."""

    problem: Problem
    plan: Plan
    arrays: Arrays
    offer_component: dict[str, int]
    need_component: dict[str, int]
    sent: dict[str, int]
    """Units allocated per offer id."""
    component_objective: dict[int, float]
    """Baseline objective earned in each component."""


def baseline(problem: Problem, plan: Plan) -> Baseline:
    arrays = build(problem)
    oc = np.full(len(arrays.offers), -1, dtype=np.int64)
    nc = np.full(len(arrays.needs), -1, dtype=np.int64)
    oc[arrays.arc_offer] = arrays.arc_component
    nc[arrays.arc_need] = arrays.arc_component
    sent: dict[str, int] = {}
    for a in plan.allocations:
        sent[a.offer_id] = sent.get(a.offer_id, 0) + a.quantity
    # Arcs are in (offer, need) order, so their keys are sorted and searchable.
    offer_index = {o.offer_id: i for i, o in enumerate(arrays.offers)}
    need_index = {n.need_id: i for i, n in enumerate(arrays.needs)}
    n_needs = max(len(arrays.needs), 1)
    keys = arrays.arc_offer * n_needs + arrays.arc_need
    wanted = np.array(
        [offer_index[a.offer_id] * n_needs + need_index[a.need_id] for a in plan.allocations],
        dtype=np.int64,
    )
    arcs = np.searchsorted(keys, wanted)
    qty = np.array([a.quantity for a in plan.allocations], dtype=np.float64)
    earned = np.bincount(
        arrays.arc_component[arcs],
        weights=qty * arrays.arc_gain[arcs],
        minlength=arrays.n_components,
    )
    return Baseline(
        problem=problem,
        plan=plan,
        arrays=arrays,
        offer_component={o.offer_id: int(oc[i]) for i, o in enumerate(arrays.offers)},
        need_component={n.need_id: int(nc[i]) for i, n in enumerate(arrays.needs)},
        sent=sent,
        component_objective={c: float(v) for c, v in enumerate(earned)},
    )


def _affected(base: Baseline, scenario: Scenario) -> set[int]:
    """Components whose baseline allocations the scenario may make infeasible or suboptimal."""
    out: set[int] = set()
    for offer in base.problem.offers:
        component = base.offer_component[offer.offer_id]
        sent = base.sent.get(offer.offer_id, 0)
        if component < 0 or sent == 0:
            continue  # unused offers only lose options the optimum did not take
        new = stressed_offer(offer, scenario)
        if new is None or new.quantity < sent or new.available != offer.available:
            out.add(component)
    return out


def run(
    problem: Problem,
    plan: Plan,
    scenario: Scenario,
    *,
    base: Baseline | None = None,
    time_limit: float = MIP_TIME_LIMIT,
) -> StressResult:
    """Re-solve the components the scenario touches and report what it costs."""
    base = base or baseline(problem, plan)
    stressed = stressed_problem(problem, scenario)
    affected = _affected(base, scenario)
    sub = Problem(
        needs=[n for n in problem.needs if base.need_component[n.need_id] in affected],
        offers=[o for o in stressed.offers if base.offer_component.get(o.offer_id, -1) in affected],
        substitutions=problem.substitutions,
        weights=problem.weights,
        late_penalty=problem.late_penalty,
    )
    sub_plan = solve(sub, time_limit=time_limit)
    new_plan = _merge(base, stressed, affected, sub_plan)
    return _report(base, scenario, stressed, new_plan, len(affected))


def _merge(base: Baseline, stressed: Problem, affected: set[int], sub_plan: Plan) -> Plan:
    plan = base.plan
    kept = tuple(a for a in plan.allocations if base.offer_component[a.offer_id] not in affected)
    allocations = tuple(sorted(kept + sub_plan.allocations, key=lambda a: (a.offer_id, a.need_id)))
    objective = plan.objective - sum(base.component_objective[c] for c in affected)
    coverage = {n.need_id: 0.0 for n in stressed.needs}
    for a in allocations:
        coverage[a.need_id] += a.need_units
    sent: dict[str, int] = {}
    for a in allocations:
        sent[a.offer_id] = sent.get(a.offer_id, 0) + a.quantity
    priority_coverage = {
        p: PriorityCoverage(
            needed=sum(n.quantity for n in stressed.needs if n.priority == p),
            covered=sum(coverage[n.need_id] for n in stressed.needs if n.priority == p),
        )
        for p in PRIORITIES
    }
    unused = {
        o.offer_id: o.quantity - sent.get(o.offer_id, 0)
        for o in sorted(stressed.offers, key=lambda o: o.offer_id)
        if o.quantity - sent.get(o.offer_id, 0) > 0
    }
    kept_stats = tuple(c for c in plan.components if c.index not in affected)
    return Plan(
        allocations=allocations,
        objective=objective + sub_plan.objective,
        units_allocated=sum(a.quantity for a in allocations),
        need_coverage=coverage,
        priority_coverage=priority_coverage,
        unused_offers=unused,
        components=kept_stats + sub_plan.components,
        seconds=sub_plan.seconds,
    )


def _report(
    base: Baseline, scenario: Scenario, stressed: Problem, plan: Plan, resolved: int
) -> StressResult:
    before = base.plan
    coverage_lost = {
        p: PriorityLoss(
            units=before.priority_coverage[p].covered - plan.priority_coverage[p].covered,
            share=(
                (before.priority_coverage[p].covered - plan.priority_coverage[p].covered)
                / before.priority_coverage[p].needed
                if before.priority_coverage[p].needed
                else 0.0
            ),
        )
        for p in PRIORITIES
    }
    weights = {
        n.need_id: float(base.problem.weights[n.priority]) if n.weight is None else n.weight
        for n in base.problem.needs
    }
    losses = []
    for need in base.problem.needs:
        lost = before.need_coverage.get(need.need_id, 0.0) - plan.need_coverage.get(
            need.need_id, 0.0
        )
        if lost > 1e-9:
            losses.append((lost * weights[need.need_id], lost, need))
    losses.sort(key=lambda t: (-t[0], t[2].need_id))
    serves: dict[str, set[str]] = {}
    for s in base.problem.substitutions:
        serves.setdefault(s.need_type, set()).add(s.offer_type)
    hurt = []
    for weighted, lost, need in losses[:TOP_NEEDS]:
        types = serves.get(need.item_type, set()) | {need.item_type}
        left: dict[str, int] = {}
        for o in stressed.offers:
            units = plan.unused_offers.get(o.offer_id, 0)
            if units and o.item_type in types:
                left[o.donor] = left.get(o.donor, 0) + units
        hurt.append(
            HurtNeed(
                need_id=need.need_id,
                priority=need.priority,
                lost_units=lost,
                lost_weighted=weighted,
                remaining=tuple(Capacity(d, u) for d, u in sorted(left.items())),
            )
        )
    return StressResult(
        scenario=scenario,
        plan=plan,
        objective_lost=before.objective - plan.objective,
        coverage_lost=coverage_lost,
        hurt=tuple(hurt),
        components_resolved=resolved,
    )


def all_donors(problem: Problem, plan: Plan) -> list[StressResult]:
    """Withdraw each donor alone; results ranked by objective lost, largest first."""
    base = baseline(problem, plan)
    donors = sorted({o.donor for o in problem.offers})
    results = [run(problem, plan, remove_donors([d]), base=base) for d in donors]
    return sorted(results, key=lambda r: (-r.objective_lost, r.scenario.label))
