"""Exact allocation of offers to needs, one independent component at a time.

Two solvers, each where it is exact:

* A component whose arcs all have ratio 1 is a transportation problem: a min-cost flow
  (source -> offers -> needs -> sink, plus a free source -> sink bypass so sending nothing is
  allowed). Its constraint matrix is totally unimodular, so the optimum is integral and
  OR-Tools' cost-scaling min-cost flow finds it exactly, in integer arithmetic,
  far faster than a general LP. Costs must be integers: gains are scaled by the smallest power
  of ten that makes them whole (x1 when weights and the penalty are integers).
* A component with any other ratio loses total unimodularity (a need row holds r * x), so its
  LP optimum may be fractional while items are indivisible. HiGHS first solves the LP
  relaxation with the simplex method: a basic optimum that is already integral is the integer
  optimum (`highs_lp`). Otherwise HiGHS solves the small integer program (branch and bound on
  that relaxation, `highs_mip`) under a time limit. Gains scaled to whole numbers make every
  plan's objective a multiple of 1/scale, so a proven gap below that step is a proof of
  optimality; a time-limited component records the relative gap HiGHS proved.

Components are independent, so they are solved on a small thread pool: both solvers release
the GIL while they run. Results are placed by component number, so the plan does not depend
on which thread finished first.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import highspy
import numpy as np
from ortools.graph.python import min_cost_flow

from ramstein.domain.needs import Priority
from ramstein.matching.model import (
    PRIORITIES,
    Arrays,
    FloatArray,
    IntArray,
    Need,
    Offer,
    Problem,
    Substitution,
    build,
)

MIP_TIME_LIMIT = 30.0
"""Seconds HiGHS may spend on one non-unit-ratio component before returning its incumbent."""
MAX_SCALE_DIGITS = 6
MIP_OPTIONS: dict[str, bool | float | str] = {
    # These problems have tight LP relaxations and a good start (the rounded-down relaxation):
    # HiGHS's presolve and restarts, sub-MIP and jump heuristics and symmetry detection cost
    # more than they find (together about 2.5x the time on the bench's medium instance).
    "presolve": "off",
    "mip_allow_restart": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_detect_symmetry": False,
}
WORKERS = min(4, os.cpu_count() or 1)
"""Threads solving components at once (HiGHS and OR-Tools release the GIL)."""


class Allocation(NamedTuple):
    """Offer units of one offer sent to one need (a named tuple: plans hold tens of thousands)."""

    offer_id: str
    need_id: str
    quantity: int
    """Offer units sent; the need receives quantity * ratio of its own units."""
    need_units: float


@dataclass(frozen=True, slots=True)
class ComponentStats:
    index: int
    offers: int
    needs: int
    arcs: int
    solver: str
    """`min_cost_flow` (OR-Tools), `highs_lp` (integral LP optimum) or `highs_mip` (HiGHS)."""
    status: str
    objective: float
    mip_gap: float
    """Relative gap to the LP bound; 0 for an optimal component."""
    gain_scale: int
    seconds: float
    reused: bool = False
    """Taken unchanged from a previous plan whose inputs for this component were identical."""


@dataclass(frozen=True, slots=True)
class PriorityCoverage:
    needed: int
    covered: float

    @property
    def share(self) -> float:
        return self.covered / self.needed if self.needed else 1.0


@dataclass(frozen=True, slots=True)
class Plan:
    allocations: tuple[Allocation, ...]
    objective: float
    units_allocated: int
    """Offer units allocated."""
    need_coverage: dict[str, float]
    """Need units covered per need id."""
    priority_coverage: dict[Priority, PriorityCoverage]
    unused_offers: dict[str, int]
    """Offer units left per offer id (offers with nothing left are absent)."""
    components: tuple[ComponentStats, ...] = field(default=())
    seconds: float = 0.0

    @property
    def solvers(self) -> tuple[str, ...]:
        return tuple(sorted({c.solver for c in self.components}))


@dataclass(frozen=True, slots=True)
class Previous:
    """A problem solved before and its plan, to re-solve only the components that changed."""

    problem: Problem
    plan: Plan


def solve(
    problem: Problem,
    *,
    decompose: bool = True,
    time_limit: float = MIP_TIME_LIMIT,
    workers: int = WORKERS,
    previous: Previous | None = None,
) -> Plan:
    """The plan of greatest total gain; with `decompose=False` one model for everything.

    With `previous`, a component whose needs, offers and substitutions are exactly those of a
    component of the previous problem (under the same weights and penalty) keeps its previous
    allocations: the same inputs give the same model, so its optimum is unchanged.
    """
    started = time.perf_counter()
    arrays = build(problem)
    if decompose:
        groups = component_arcs(arrays)
    else:
        groups = [np.arange(len(arrays.arc_offer))] if len(arrays.arc_offer) else []
    kept = (
        _unchanged(problem, arrays, groups, previous) if previous is not None and decompose else {}
    )
    todo = [c for c in range(len(groups)) if c not in kept]
    flow, solved = solve_arcs(
        arrays, [groups[c] for c in todo], indices=todo, time_limit=time_limit, workers=workers
    )
    for c, (old_flow, _) in kept.items():
        flow[groups[c]] = old_flow
    stats = sorted(solved + tuple(stat for _, stat in kept.values()), key=lambda c: c.index)
    return plan_from_flow(arrays, flow, tuple(stats), time.perf_counter() - started)


ComponentKey = tuple[tuple[Need, ...], tuple[Offer, ...], tuple[Substitution, ...]]


def _component_keys(arrays: Arrays, groups: list[IntArray], problem: Problem) -> list[ComponentKey]:
    """Everything a component's model is built from, as a comparable key per component."""
    touching: dict[str, set[Substitution]] = {}
    for s in problem.substitutions:
        touching.setdefault(s.offer_type, set()).add(s)
        touching.setdefault(s.need_type, set()).add(s)
    keys = []
    for arcs in groups:
        needs = tuple(arrays.needs[i] for i in np.unique(arrays.arc_need[arcs]))
        offers = tuple(arrays.offers[i] for i in np.unique(arrays.arc_offer[arcs]))
        types = {n.item_type for n in needs} | {o.item_type for o in offers}
        subs = set().union(*(touching.get(t, set()) for t in types))
        keys.append((needs, offers, tuple(sorted(subs, key=lambda s: (s.offer_type, s.need_type)))))
    return keys


def _unchanged(
    new_problem: Problem, arrays: Arrays, groups: list[IntArray], previous: Previous
) -> dict[int, tuple[IntArray, ComponentStats]]:
    """Components identical to one of the previous problem's: their flow and statistics."""
    old_problem = previous.problem
    if (
        dict(old_problem.weights) != dict(new_problem.weights)
        or old_problem.late_penalty != new_problem.late_penalty
    ):
        return {}
    old_arrays = build(old_problem)
    old_groups = component_arcs(old_arrays)
    old_stats = {c.index: c for c in previous.plan.components}
    old_index = {
        key: c for c, key in enumerate(_component_keys(old_arrays, old_groups, old_problem))
    }
    same: dict[int, int] = {}
    for c, key in enumerate(_component_keys(arrays, groups, new_problem)):
        old = old_index.get(key)
        if old is not None and old in old_stats:
            same[c] = old
    offer_ids = {
        arrays.offers[i].offer_id for c in same for i in np.unique(arrays.arc_offer[groups[c]])
    }
    allocations = [a for a in previous.plan.allocations if a.offer_id in offer_ids]
    flow = np.zeros(len(arrays.arc_offer), dtype=np.int64)
    flow[arc_index(arrays, allocations)] = [a.quantity for a in allocations]
    return {
        c: (flow[groups[c]], replace(old_stats[old], index=c, seconds=0.0, reused=True))
        for c, old in same.items()
    }


def arc_index(arrays: Arrays, allocations: Sequence[Allocation]) -> IntArray:
    """The arc of each allocation (arcs are sorted by offer, then need)."""
    offer_index = {o.offer_id: i for i, o in enumerate(arrays.offers)}
    need_index = {n.need_id: i for i, n in enumerate(arrays.needs)}
    n_needs = max(len(arrays.needs), 1)
    keys = arrays.arc_offer * n_needs + arrays.arc_need
    wanted = np.array(
        [offer_index[a.offer_id] * n_needs + need_index[a.need_id] for a in allocations],
        dtype=np.int64,
    )
    return np.searchsorted(keys, wanted).astype(np.int64)


def component_arcs(arrays: Arrays) -> list[IntArray]:
    """The arc indices of each component, in component order."""
    order = np.argsort(arrays.arc_component, kind="stable")
    bounds = np.searchsorted(arrays.arc_component[order], np.arange(arrays.n_components + 1))
    return [order[bounds[c] : bounds[c + 1]] for c in range(arrays.n_components)]


def solve_arcs(
    arrays: Arrays,
    groups: list[IntArray],
    *,
    indices: list[int] | None = None,
    time_limit: float = MIP_TIME_LIMIT,
    workers: int = WORKERS,
) -> tuple[IntArray, tuple[ComponentStats, ...]]:
    """Flow on every arc, each group of arcs solved as one independent model.

    `indices` numbers the groups in the statistics (their component numbers by default).
    HiGHS releases the GIL while it solves, so when some group needs it every group goes to a
    thread pool, largest first. OR-Tools' min-cost flow holds the GIL, so groups that all are
    min-cost flows are solved in this thread: threads would only add switching.
    """
    indices = list(range(len(groups))) if indices is None else indices
    flow = np.zeros(len(arrays.arc_offer), dtype=np.int64)
    order = sorted(range(len(groups)), key=lambda g: (-len(groups[g]), g))
    uses_highs = any(np.any(arrays.arc_ratio[arcs] != 1.0) for arcs in groups)

    def one(g: int) -> tuple[IntArray, ComponentStats]:
        return _solve_component(arrays, groups[g], indices[g], time_limit)

    if workers > 1 and uses_highs and len(groups) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = dict(zip(order, pool.map(one, order), strict=True))
    else:
        results = {g: one(g) for g in order}
    for g, arcs in enumerate(groups):
        flow[arcs] = results[g][0]
    return flow, tuple(results[g][1] for g in range(len(groups)))


def _solve_component(
    arrays: Arrays, arcs: IntArray, index: int, time_limit: float
) -> tuple[IntArray, ComponentStats]:
    started = time.perf_counter()
    offers, arc_o = np.unique(arrays.arc_offer[arcs], return_inverse=True)
    needs, arc_n = np.unique(arrays.arc_need[arcs], return_inverse=True)
    arc_o, arc_n = arc_o.reshape(-1), arc_n.reshape(-1)
    ratio = arrays.arc_ratio[arcs]
    gain = arrays.arc_gain[arcs]
    supply = arrays.offer_qty[offers]
    demand = arrays.need_qty[needs]
    scale = _integer_scale(gain)
    if np.all(ratio == 1.0):
        x, status = _min_cost_flow(arc_o, arc_n, gain, supply, demand, scale)
        solver, gap = "min_cost_flow", 0.0
    else:
        x, solver, status, gap = _highs(
            arc_o, arc_n, ratio, gain, supply, demand, scale, time_limit
        )
    return x, ComponentStats(
        index=index,
        offers=len(offers),
        needs=len(needs),
        arcs=len(arcs),
        solver=solver,
        status=status,
        objective=float(np.dot(x, gain)),
        mip_gap=gap,
        gain_scale=scale,
        seconds=time.perf_counter() - started,
    )


def _integer_scale(gain: FloatArray) -> int:
    """The smallest power of ten (up to 10^6) that makes every gain whole."""
    for digits in range(MAX_SCALE_DIGITS + 1):
        scaled = gain * 10**digits
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return int(10**digits)
    return int(10**MAX_SCALE_DIGITS)  # beyond six decimals, gains are rounded to 1e-6


def _min_cost_flow(
    arc_o: IntArray,
    arc_n: IntArray,
    gain: FloatArray,
    supply: IntArray,
    demand: IntArray,
    scale: int,
) -> tuple[IntArray, str]:
    n_o, n_n = len(supply), len(demand)
    source, sink = n_o + n_n, n_o + n_n + 1
    cost = -np.round(gain * scale).astype(np.int64)
    cap = np.minimum(supply[arc_o], demand[arc_n])
    total = int(supply.sum())
    tails = np.concatenate([arc_o, np.full(n_o, source), n_o + np.arange(n_n), [source]])
    heads = np.concatenate([n_o + arc_n, np.arange(n_o), np.full(n_n, sink), [sink]])
    caps = np.concatenate([cap, supply, demand, [total]])
    costs = np.concatenate([cost, np.zeros(n_o + n_n + 1, dtype=np.int64)])
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64), costs
    )
    supplies = np.zeros(n_o + n_n + 2, dtype=np.int64)
    supplies[source], supplies[sink] = total, -total
    smcf.set_nodes_supplies(np.arange(n_o + n_n + 2, dtype=np.int32), supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"Min-cost flow failed with status {status}.")
    flows = np.asarray(smcf.flows(np.arange(len(arc_o), dtype=np.int32)), dtype=np.int64)
    return flows, "optimal"


def _highs(
    arc_o: IntArray,
    arc_n: IntArray,
    ratio: FloatArray,
    gain: FloatArray,
    supply: IntArray,
    demand: IntArray,
    scale: int,
    time_limit: float,
) -> tuple[IntArray, str, str, float]:
    """(flow, solver, status, gap): the LP relaxation when its optimum is integral, else the MIP."""
    n_arcs, n_o, n_n = len(arc_o), len(supply), len(demand)
    lp = highspy.HighsLp()
    lp.num_col_ = n_arcs
    lp.num_row_ = n_o + n_n
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = gain
    lp.col_lower_ = np.zeros(n_arcs)
    lp.col_upper_ = np.minimum(supply[arc_o], np.floor(demand[arc_n] / ratio + 1e-9)).astype(
        np.float64
    )
    lp.row_lower_ = np.full(n_o + n_n, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate([supply, demand]).astype(np.float64)
    # Each column has two entries: 1 in its offer's row, the ratio in its need's row.
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, 2 * n_arcs + 1, 2, dtype=np.int32)
    lp.a_matrix_.index_ = np.column_stack([arc_o, n_o + arc_n]).reshape(-1).astype(np.int32)
    lp.a_matrix_.value_ = np.column_stack([np.ones(n_arcs), ratio]).reshape(-1)
    highs = _quiet_highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", 0)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("solver", "simplex")  # a basic (vertex) optimum, integral or not
    highs.passModel(lp)
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus()).lower()
    if status != "optimal":
        raise RuntimeError(f"HiGHS could not solve the LP relaxation: {status}.")
    x = _integral(highs, arc_o, arc_n, ratio, supply, demand)
    if x is not None:
        return x, "highs_lp", status, 0.0
    # Rounding the relaxation down keeps every row feasible: the MIP's first incumbent, and
    # the plan if the time limit passes before HiGHS finds a better one.
    lp_values = np.asarray(highs.getSolution().col_value, dtype=np.float64)
    start = np.floor(lp_values + 1e-9)
    bound = float(np.dot(lp_values, gain))
    # Objectives are multiples of 1/scale: a gap below that step proves optimality.
    step = 1.0 / scale if scale < 10**MAX_SCALE_DIGITS else 0.0
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", max(step * 0.5, 1e-7))
    for option, value in MIP_OPTIONS.items():
        highs.setOptionValue(option, value)
    highs.changeColsIntegrality(
        n_arcs,
        np.arange(n_arcs, dtype=np.int32),
        np.full(n_arcs, highspy.HighsVarType.kInteger, dtype=np.uint8),
    )
    solution = highspy.HighsSolution()
    solution.col_value = start
    highs.setSolution(solution)
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus()).lower()
    x = _integral(highs, arc_o, arc_n, ratio, supply, demand)
    if x is None:
        x = start.astype(np.int64)
    objective = float(np.dot(x, gain))
    gap = (bound - objective) / abs(bound) if status != "optimal" and bound else 0.0
    return x, "highs_mip", status, max(gap, 0.0)


def _integral(
    highs: highspy.Highs,
    arc_o: IntArray,
    arc_n: IntArray,
    ratio: FloatArray,
    supply: IntArray,
    demand: IntArray,
) -> IntArray | None:
    """HiGHS's solution rounded to whole units, if it is integral and feasible as rounded."""
    values = np.asarray(highs.getSolution().col_value, dtype=np.float64)
    if len(values) != len(arc_o):
        return None
    x = np.round(values).astype(np.int64)
    if np.any(np.abs(values - x) > 1e-6) or np.any(x < 0):
        return None
    sent = np.bincount(arc_o, weights=x, minlength=len(supply))
    got = np.bincount(arc_n, weights=x * ratio, minlength=len(demand))
    if np.any(sent > supply) or np.any(got > demand + 1e-9):
        return None
    return x


def _quiet_highs() -> highspy.Highs:
    """A HiGHS instance, without the banner its C++ constructor writes to file descriptor 1.

    `output_flag` can only be set after construction, so the banner would land in the middle
    of a command's output; descriptor 1 is pointed at /dev/null for the constructor alone.
    """
    with _HIGHS_LOCK:  # descriptor 1 is process-wide: one constructor at a time
        return _construct_highs()


_HIGHS_LOCK = threading.Lock()


def _construct_highs() -> highspy.Highs:
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highs = highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return highs


def plan_from_flow(
    arrays: Arrays, flow: IntArray, stats: tuple[ComponentStats, ...], seconds: float
) -> Plan:
    used = np.flatnonzero(flow > 0)
    need_units = flow * arrays.arc_ratio
    offer_ids = [o.offer_id for o in arrays.offers]
    need_ids = [n.need_id for n in arrays.needs]
    allocations = tuple(
        Allocation(offer_ids[o], need_ids[n], q, u)
        for o, n, q, u in zip(
            arrays.arc_offer[used].tolist(),
            arrays.arc_need[used].tolist(),
            flow[used].tolist(),
            need_units[used].tolist(),
            strict=True,
        )
    )
    covered = np.bincount(arrays.arc_need, weights=need_units, minlength=len(arrays.needs))
    sent = np.bincount(arrays.arc_offer, weights=flow, minlength=len(arrays.offers))
    left = arrays.offer_qty - sent.astype(np.int64)
    priority_coverage = {
        p: PriorityCoverage(
            needed=int(arrays.need_qty[arrays.need_priority == i].sum()),
            covered=float(covered[arrays.need_priority == i].sum()),
        )
        for i, p in enumerate(PRIORITIES)
    }
    return Plan(
        allocations=allocations,
        objective=float(np.dot(flow, arrays.arc_gain)),
        units_allocated=int(flow.sum()),
        need_coverage=dict(zip(need_ids, covered.tolist(), strict=True)),
        priority_coverage=priority_coverage,
        unused_offers={offer_ids[i]: int(left[i]) for i in np.flatnonzero(left > 0).tolist()},
        components=stats,
        seconds=seconds,
    )
