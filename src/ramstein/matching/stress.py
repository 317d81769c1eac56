"""Stress tests of an optimal plan: what if donors withdraw, cut their offers or deliver late?

Every scenario changes some offers (removed, smaller, later) and re-solves only what it must.
It works on the baseline's arrays: the stressed problem has the same arcs with quantities and
gains that only fall, so a component whose baseline flow stays feasible and keeps its gain is
kept as it was, and the others are solved again from the changed arrays, without rebuilding
the model. Offer quantities cut by a share are floored: `floor(q * (1 - share))` units remain.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from ramstein.domain.needs import Priority
from ramstein.matching.model import (
    GAIN_EPSILON,
    PRIORITIES,
    Arrays,
    FloatArray,
    IntArray,
    Offer,
    Problem,
    build,
)
from ramstein.matching.solve import (
    MIP_TIME_LIMIT,
    WORKERS,
    ComponentStats,
    Part,
    Plan,
    flow_of,
    parts,
    plan_from_flow,
    solve_parts,
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
    stops: tuple[tuple[str, date], ...] = ()
    """(donor, day): that donor's offers available after the day are withdrawn."""


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


def political(stops: Sequence[tuple[str, date]], share: float) -> Scenario:
    """Donors that stop after a day, and a share cut from every offer (either may be empty)."""
    if not 0.0 <= share <= 1.0:
        raise ValueError("The share must lie between 0 and 1.")
    said = [f"{donor} stops after {day.isoformat()}" for donor, day in stops]
    if share:
        said.append(f"cut {share:g} of every offer")
    return Scenario(label="; ".join(said) or "no change", share=share, stops=tuple(stops))


def stressed_offer(offer: Offer, scenario: Scenario) -> Offer | None:
    """The offer as the scenario leaves it, or None when it is withdrawn."""
    if offer.donor in scenario.remove:
        return None
    if any(offer.donor == donor and offer.available > day for donor, day in scenario.stops):
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
    """The baseline problem, its arrays and plan, and what every scenario re-uses from them."""

    problem: Problem
    plan: Plan
    arrays: Arrays
    flow: IntArray
    """The baseline plan's flow on every arc."""
    parts: tuple[Part, ...]
    arc_component: IntArray
    covered: FloatArray
    """The baseline plan's need units covered, per need of `arrays`."""
    donors: tuple[str, ...]
    offer_donor: IntArray
    """Index into `donors` of each offer's donor."""
    serving: dict[int, IntArray]
    """The offer types (codes) that can serve each need type, itself included."""


def baseline(problem: Problem, plan: Plan) -> Baseline:
    arrays = build(problem)
    donors = tuple(sorted({o.donor for o in arrays.offers}))
    donor_index = {d: i for i, d in enumerate(donors)}
    code = {t: i for i, t in enumerate(arrays.types)}
    serving: dict[int, set[int]] = {i: {i} for i in range(len(arrays.types))}
    for s in problem.substitutions:
        serving[code[s.need_type]].add(code[s.offer_type])
    coverage = plan.need_coverage
    return Baseline(
        problem=problem,
        plan=plan,
        arrays=arrays,
        flow=flow_of(arrays, plan),
        parts=tuple(parts(arrays)),
        arc_component=arrays.arc_component,
        covered=np.array([coverage.get(n.need_id, 0.0) for n in arrays.needs], dtype=np.float64),
        donors=donors,
        offer_donor=np.array([donor_index[o.donor] for o in arrays.offers], dtype=np.int64),
        serving={t: np.array(sorted(s), dtype=np.int64) for t, s in serving.items()},
    )


def _donor_mask(base: Baseline, donors: frozenset[str]) -> npt.NDArray[np.bool_]:
    wanted = [i for i, d in enumerate(base.donors) if d in donors]
    return np.isin(base.offer_donor, wanted)


def _stressed_arrays(base: Baseline, scenario: Scenario) -> Arrays:
    """The baseline's arrays with the scenario's quantities and gains (the arcs stay)."""
    a = base.arrays
    qty = a.offer_qty
    if scenario.share:
        qty = np.floor(qty * (1.0 - scenario.share) + 1e-9).astype(np.int64)
    if scenario.remove:
        qty = np.where(_donor_mask(base, scenario.remove), 0, qty)
    for donor, last in scenario.stops:
        after = a.offer_day > last.toordinal()
        qty = np.where(_donor_mask(base, frozenset([donor])) & after, 0, qty)
    gain, day = a.arc_gain, a.offer_day
    if scenario.delay is not None and scenario.delay[1]:
        donor, days = scenario.delay
        day = a.offer_day + np.where(_donor_mask(base, frozenset([donor])), days, 0)
        late = np.maximum(0, day[a.arc_offer] - a.need_day[a.arc_need])
        gain = a.arc_ratio * (a.need_weight[a.arc_need] - base.problem.late_penalty * late)
    return replace(a, offer_qty=qty, offer_day=day, arc_gain=gain)


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
    return np.unique(base.arc_component[hit])


@dataclass(frozen=True, slots=True)
class _Resolved:
    """What a scenario changes in the baseline flow: the components solved again."""

    affected: tuple[int, ...]
    arcs: IntArray
    """The arcs of the re-solved components that the scenario leaves usable."""
    flow: IntArray
    """The new flow on `arcs`."""
    stats: tuple[ComponentStats, ...]


def _resolve(
    base: Baseline, scenario: Scenario, *, time_limit: float, workers: int = WORKERS
) -> _Resolved:
    stressed = _stressed_arrays(base, scenario)
    affected = tuple(_affected(base, stressed).tolist())
    useful = (stressed.arc_gain > GAIN_EPSILON) & (stressed.offer_qty[stressed.arc_offer] > 0)
    todo = []
    for c in affected:
        p = base.parts[c]
        keep = useful[p.arcs]
        todo.append(replace(p, arcs=p.arcs[keep], arc_o=p.arc_o[keep], arc_n=p.arc_n[keep]))
    flow, stats = solve_parts(stressed, todo, time_limit=time_limit, workers=workers)
    arcs = np.concatenate([p.arcs for p in todo]) if todo else np.zeros(0, dtype=np.int64)
    return _Resolved(affected, arcs, flow[arcs], stats)


def _finish(
    base: Baseline, scenario: Scenario, resolved: _Resolved, started: float
) -> StressResult:
    stressed = _stressed_arrays(base, scenario)
    flow = base.flow.copy()
    for c in resolved.affected:
        flow[base.parts[c].arcs] = 0
    flow[resolved.arcs] = resolved.flow
    hit = set(resolved.affected)
    kept = tuple(c for c in base.plan.components if c.index not in hit)
    stats = tuple(sorted(kept + resolved.stats, key=lambda c: c.index))
    plan = plan_from_flow(stressed, flow, stats, time.perf_counter() - started)
    return _report(base, scenario, stressed, plan, len(resolved.affected))


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
    return _finish(base, scenario, _resolve(base, scenario, time_limit=time_limit), started)


def _report(
    base: Baseline, scenario: Scenario, stressed: Arrays, plan: Plan, resolved: int
) -> StressResult:
    before = base.plan.priority_coverage
    after = plan.priority_coverage
    coverage_lost = {
        p: PriorityLoss(
            units=before[p].covered - after[p].covered,
            share=(before[p].covered - after[p].covered) / before[p].needed
            if before[p].needed
            else 0.0,
        )
        for p in PRIORITIES
    }
    a = base.arrays
    lost = base.covered - plan.covered
    weighted = lost * a.need_weight
    hurt_needs = np.flatnonzero(lost > 1e-9)
    # Largest weighted loss first; needs are in id order, so ties fall to the smaller id.
    hurt_needs = hurt_needs[np.argsort(-weighted[hurt_needs], kind="stable")][:TOP_NEEDS]
    hurt = []
    for n in hurt_needs.tolist():
        compatible = np.isin(stressed.offer_type, base.serving[int(a.need_type[n])])
        spare = compatible & (plan.left > 0)
        units = np.bincount(
            base.offer_donor[spare], weights=plan.left[spare], minlength=len(base.donors)
        )
        hurt.append(
            HurtNeed(
                need_id=a.needs[n].need_id,
                priority=a.needs[n].priority,
                lost_units=float(lost[n]),
                lost_weighted=float(weighted[n]),
                remaining=tuple(
                    Capacity(base.donors[d], int(units[d])) for d in np.flatnonzero(units > 0)
                ),
            )
        )
    return StressResult(
        scenario=scenario,
        plan=plan,
        objective_lost=base.plan.objective - plan.objective,
        coverage_lost=coverage_lost,
        hurt=tuple(hurt),
        components_resolved=resolved,
    )


PARALLEL_WORK = 2_000_000
"""Arcs times scenarios above which `all_donors` spreads the withdrawals over processes."""


def all_donors(
    problem: Problem,
    plan: Plan,
    *,
    processes: int | None = None,
    time_limit: float = MIP_TIME_LIMIT,
) -> list[StressResult]:
    """Withdraw each donor alone; results ranked by objective lost, largest first.

    The withdrawals are independent, and OR-Tools holds the GIL, so a large problem's are
    spread over one process per core (`processes`, by default when the work is large enough
    to repay starting them). Each process rebuilds the same baseline from the same inputs,
    so the results are the same with any number of processes.
    """
    started = time.perf_counter()
    base = baseline(problem, plan)
    scenarios = [remove_donors([d]) for d in base.donors]
    if processes is None:
        big = len(base.arrays.arc_offer) * len(scenarios) >= PARALLEL_WORK
        processes = min(os.cpu_count() or 1, len(scenarios)) if big else 1
    if processes > 1:
        # Fork shares the baseline for free, but forking a threaded process (a web server) can
        # deadlock the child: there, fresh interpreters are started instead.
        method = "fork" if threading.active_count() == 1 and os.name == "posix" else "spawn"
        with ProcessPoolExecutor(
            max_workers=processes,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=(problem, plan, time_limit),
        ) as pool:
            changes = list(pool.map(_worker_resolve, scenarios))
    else:
        changes = [_resolve(base, s, time_limit=time_limit) for s in scenarios]
    results = [_finish(base, s, c, started) for s, c in zip(scenarios, changes, strict=True)]
    return sorted(results, key=lambda r: (-r.objective_lost, r.scenario.label))


_WORKER: dict[str, object] = {}
"""The baseline of a worker process of `all_donors`."""


def _start_worker(problem: Problem, plan: Plan, time_limit: float) -> None:
    _WORKER["base"] = baseline(problem, plan)
    _WORKER["time_limit"] = time_limit


def _worker_resolve(scenario: Scenario) -> _Resolved:
    base = _WORKER["base"]
    time_limit = _WORKER["time_limit"]
    assert isinstance(base, Baseline) and isinstance(time_limit, float)
    # One process per core already: HiGHS components are solved in this thread.
    return _resolve(base, scenario, time_limit=time_limit, workers=1)
