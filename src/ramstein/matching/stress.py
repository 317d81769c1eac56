"""Stress tests of an optimal plan: what if donors withdraw, cut their offers or deliver late?

Every scenario changes some offers (removed, smaller, later) and re-solves only what it must.
It works on the baseline's arrays: the stressed problem has the same arcs with quantities and
gains that only fall, so a component whose baseline flow stays feasible and keeps its gain is
kept as it was, and the others are solved again from the changed arrays, without rebuilding
the model. Offer quantities cut by a share are floored: `floor(q * (1 - share))` units remain.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from ramstein.domain.needs import Priority
from ramstein.matching.model import (
    GAIN_EPSILON,
    PRIORITIES,
    Arrays,
    IntArray,
    Offer,
    Problem,
    build,
)
from ramstein.matching.solve import (
    MIP_TIME_LIMIT,
    Plan,
    arc_index,
    component_arcs,
    plan_from_flow,
    solve_arcs,
)

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
    """The baseline problem, its arrays and plan, and its flow on every arc."""

    problem: Problem
    plan: Plan
    arrays: Arrays
    flow: IntArray
    groups: list[IntArray]
    """The arcs of each component."""
    offer_day: IntArray
    need_day: IntArray
    offer_donor: npt.NDArray[np.str_]


def baseline(problem: Problem, plan: Plan) -> Baseline:
    arrays = build(problem)
    flow = np.zeros(len(arrays.arc_offer), dtype=np.int64)
    flow[arc_index(arrays, plan.allocations)] = [a.quantity for a in plan.allocations]
    return Baseline(
        problem=problem,
        plan=plan,
        arrays=arrays,
        flow=flow,
        groups=component_arcs(arrays),
        offer_day=np.array([o.available.toordinal() for o in arrays.offers], dtype=np.int64),
        need_day=np.array([n.needed_by.toordinal() for n in arrays.needs], dtype=np.int64),
        offer_donor=np.array([o.donor for o in arrays.offers], dtype=np.str_),
    )


def _stressed_arrays(base: Baseline, scenario: Scenario) -> Arrays:
    """The baseline's arrays with the scenario's quantities and gains (the arcs stay)."""
    a = base.arrays
    qty = a.offer_qty.copy()
    if scenario.share:
        qty = np.floor(qty * (1.0 - scenario.share) + 1e-9).astype(np.int64)
    if scenario.remove:
        qty[np.isin(base.offer_donor, sorted(scenario.remove))] = 0
    gain = a.arc_gain
    if scenario.delay is not None and scenario.delay[1]:
        day = base.offer_day + np.where(base.offer_donor == scenario.delay[0], scenario.delay[1], 0)
        late = np.maximum(0, day[a.arc_offer] - base.need_day[a.arc_need])
        gain = a.arc_ratio * (a.need_weight[a.arc_need] - base.problem.late_penalty * late)
    return replace(a, offer_qty=qty, arc_gain=gain)


def _affected(base: Baseline, stressed: Arrays) -> IntArray:
    """Components whose baseline flow the scenario makes infeasible or may make suboptimal.

    Quantities and gains only fall, so a component keeps its optimum unless an offer it uses
    lost units it sent or an arc it uses lost gain; unused offers only lose options the
    optimum did not take.
    """
    a = base.arrays
    sent = np.bincount(a.arc_offer, weights=base.flow, minlength=len(a.offers))
    short = stressed.offer_qty < sent
    hit = (base.flow > 0) & (short[a.arc_offer] | (stressed.arc_gain != a.arc_gain))
    return np.unique(a.arc_component[hit])


def run(
    problem: Problem,
    plan: Plan,
    scenario: Scenario,
    *,
    base: Baseline | None = None,
    time_limit: float = MIP_TIME_LIMIT,
) -> StressResult:
    """Re-solve the components the scenario touches and report what it costs."""
    started = time.perf_counter()
    base = base or baseline(problem, plan)
    stressed = _stressed_arrays(base, scenario)
    affected = [int(c) for c in _affected(base, stressed)]
    useful = (stressed.arc_gain > GAIN_EPSILON) & (stressed.offer_qty[stressed.arc_offer] > 0)
    groups = [base.groups[c][useful[base.groups[c]]] for c in affected]
    flow = base.flow.copy()
    for c in affected:
        flow[base.groups[c]] = 0
    new_flow, new_stats = solve_arcs(stressed, groups, indices=affected, time_limit=time_limit)
    for arcs in groups:
        flow[arcs] = new_flow[arcs]
    kept = tuple(c for c in plan.components if c.index not in set(affected))
    stats = tuple(sorted(kept + new_stats, key=lambda c: c.index))
    new_plan = plan_from_flow(stressed, flow, stats, time.perf_counter() - started)
    return _report(base, scenario, stressed, new_plan, len(affected))


def _report(
    base: Baseline, scenario: Scenario, stressed: Arrays, plan: Plan, resolved: int
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
    offers = {o.offer_id: o for o in stressed.offers}
    serves: dict[str, set[str]] = {}
    for s in base.problem.substitutions:
        serves.setdefault(s.need_type, set()).add(s.offer_type)
    hurt = []
    for weighted, lost, need in losses[:TOP_NEEDS]:
        types = serves.get(need.item_type, set()) | {need.item_type}
        left: dict[str, int] = {}
        for offer_id, units in plan.unused_offers.items():
            o = offers[offer_id]
            if o.item_type in types:
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
