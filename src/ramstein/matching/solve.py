"""Exact allocation of offers to needs, one independent component at a time.

Two solvers, each where it is exact:

* A component whose arcs all have ratio 1 is a transportation problem: a min-cost flow
  (offers -> needs -> sink, plus a free offer -> sink arc so sending nothing is allowed). Its
  constraint matrix is totally unimodular, so the optimum is integral and OR-Tools'
  cost-scaling min-cost flow finds it exactly, in integer arithmetic, several times faster
  than a general LP. Costs must be integers: gains are scaled by the smallest power of ten
  that makes them whole (x1 when weights and the penalty are integers).
* A component with any other ratio loses total unimodularity (a need row holds r * x), so its
  LP optimum may be fractional while items are indivisible. HiGHS first solves the LP
  relaxation with the simplex method; a basic optimum that is already integral is the
  integer optimum (`highs_lp`), and so is the relaxation rounded down and topped up along
  ratio-1 arcs when it comes within one objective step of the LP bound. Otherwise HiGHS
  solves the small integer program (branch and bound on that relaxation, `highs_mip`) under
  a time limit, starting from that rounded plan. The model carries one valid inequality per
  need and non-unit ratio, "at most floor(q / r) offer units at ratio r", which cuts off the
  half-units that make many of these relaxations fractional. Every plan's objective is a
  multiple of the gains' common step, so a proven gap below that step proves optimality; a
  time-limited component records the relative gap HiGHS proved.

HiGHS releases the GIL while it runs and OR-Tools does not, so HiGHS components go to a
small thread pool while this thread solves the min-cost flows. Results are placed by
component number, so the plan does not depend on which thread finished first.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property
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
"""Threads solving HiGHS components at once (HiGHS releases the GIL)."""


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
    """`min_cost_flow` (OR-Tools), `highs_lp` (the LP relaxation proved the plan optimal) or
    `highs_mip` (HiGHS branch and bound)."""
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


@dataclass(frozen=True, eq=False)
class Plan:
    """A matching plan, held as arrays; the record views are built when first read.

    Allocations are in canonical order (offer id, then need id). `offer_ids` and `need_ids`
    name the offers and needs the index arrays point into.
    """

    offer_ids: Sequence[str]
    need_ids: Sequence[str]
    alloc_offer: IntArray
    alloc_need: IntArray
    alloc_quantity: IntArray
    alloc_need_units: FloatArray
    covered: FloatArray
    """Need units covered, per need."""
    left: IntArray
    """Offer units not allocated, per offer."""
    objective: float
    priority_coverage: dict[Priority, PriorityCoverage]
    components: tuple[ComponentStats, ...] = field(default=())
    seconds: float = 0.0

    @property
    def units_allocated(self) -> int:
        """Offer units allocated."""
        return int(self.alloc_quantity.sum())

    @property
    def solvers(self) -> tuple[str, ...]:
        return tuple(sorted({c.solver for c in self.components}))

    @cached_property
    def allocations(self) -> tuple[Allocation, ...]:
        offer_ids, need_ids = self.offer_ids, self.need_ids
        return tuple(
            Allocation(offer_ids[o], need_ids[n], q, u)
            for o, n, q, u in zip(
                self.alloc_offer.tolist(),
                self.alloc_need.tolist(),
                self.alloc_quantity.tolist(),
                self.alloc_need_units.tolist(),
                strict=True,
            )
        )

    @cached_property
    def need_coverage(self) -> dict[str, float]:
        """Need units covered per need id."""
        return dict(zip(self.need_ids, self.covered.tolist(), strict=True))

    @cached_property
    def unused_offers(self) -> dict[str, int]:
        """Offer units left per offer id (offers with nothing left are absent)."""
        ids = self.offer_ids
        return {ids[i]: int(self.left[i]) for i in np.flatnonzero(self.left > 0).tolist()}

    @classmethod
    def of_records(
        cls,
        *,
        allocations: Iterable[Allocation],
        need_coverage: Mapping[str, float],
        unused_offers: Mapping[str, int],
        objective: float,
        priority_coverage: dict[Priority, PriorityCoverage],
        components: tuple[ComponentStats, ...] = (),
        seconds: float = 0.0,
    ) -> Plan:
        """A plan from its records (a stored plan read back)."""
        rows = sorted(allocations)
        offer_ids = tuple(sorted({a.offer_id for a in rows} | set(unused_offers)))
        need_ids = tuple(need_coverage)
        offer_index = {o: i for i, o in enumerate(offer_ids)}
        need_index = {n: i for i, n in enumerate(need_ids)}
        left = np.array([unused_offers.get(o, 0) for o in offer_ids], dtype=np.int64)
        return cls(
            offer_ids=offer_ids,
            need_ids=need_ids,
            alloc_offer=np.array([offer_index[a.offer_id] for a in rows], dtype=np.int64),
            alloc_need=np.array([need_index[a.need_id] for a in rows], dtype=np.int64),
            alloc_quantity=np.array([a.quantity for a in rows], dtype=np.int64),
            alloc_need_units=np.array([a.need_units for a in rows], dtype=np.float64),
            covered=np.array(list(need_coverage.values()), dtype=np.float64),
            left=left,
            objective=objective,
            priority_coverage=priority_coverage,
            components=components,
            seconds=seconds,
        )


@dataclass(frozen=True, slots=True)
class Previous:
    """A problem solved before and its plan, to re-solve only the components that changed."""

    problem: Problem
    plan: Plan


@dataclass(frozen=True, slots=True)
class Part:
    """One component as a model: its arcs, and its offers and needs numbered from 0."""

    index: int
    arcs: IntArray
    offers: IntArray
    needs: IntArray
    arc_o: IntArray
    """Local offer number of each arc."""
    arc_n: IntArray


def _members(component_of: IntArray, n_components: int) -> tuple[IntArray, IntArray, IntArray]:
    """(members sorted by component, each component's start in it, each member's local number)."""
    order = np.argsort(component_of, kind="stable")
    start = np.searchsorted(component_of[order], np.arange(n_components + 1))
    local = np.zeros(len(component_of), dtype=np.int64)
    ranked = order[start[0] :]
    local[ranked] = np.arange(len(ranked)) - (start[component_of[ranked]] - start[0])
    return order, start, local


def parts(arrays: Arrays) -> list[Part]:
    """Every component as a part, in component order."""
    k = arrays.n_components
    offer_order, offer_start, offer_local = _members(arrays.offer_component, k)
    need_order, need_start, need_local = _members(arrays.need_component, k)
    out = []
    for c in range(k):
        ids = np.arange(arrays.component_start[c], arrays.component_start[c + 1])
        out.append(
            Part(
                index=c,
                arcs=ids,
                offers=offer_order[offer_start[c] : offer_start[c + 1]],
                needs=need_order[need_start[c] : need_start[c + 1]],
                arc_o=offer_local[arrays.arc_offer[ids]],
                arc_n=need_local[arrays.arc_need[ids]],
            )
        )
    return out


def whole(arrays: Arrays) -> Part:
    """Every arc as one part (the monolithic model, for comparison)."""
    offers = np.flatnonzero(arrays.offer_component >= 0)
    needs = np.flatnonzero(arrays.need_component >= 0)
    offer_local = np.zeros(len(arrays.offers), dtype=np.int64)
    need_local = np.zeros(len(arrays.needs), dtype=np.int64)
    offer_local[offers] = np.arange(len(offers))
    need_local[needs] = np.arange(len(needs))
    return Part(
        index=0,
        arcs=np.arange(len(arrays.arc_offer)),
        offers=offers,
        needs=needs,
        arc_o=offer_local[arrays.arc_offer],
        arc_n=need_local[arrays.arc_need],
    )


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
    todo = parts(arrays) if decompose else ([whole(arrays)] if len(arrays.arc_offer) else [])
    kept: dict[int, tuple[IntArray, ComponentStats]] = {}
    if previous is not None and decompose:
        kept = _unchanged(problem, arrays, todo, previous)
    flow, solved = solve_parts(
        arrays, [p for p in todo if p.index not in kept], time_limit=time_limit, workers=workers
    )
    for p in todo:
        if p.index in kept:
            flow[p.arcs] = kept[p.index][0]
    stats = sorted(solved + tuple(s for _, s in kept.values()), key=lambda c: c.index)
    return plan_from_flow(arrays, flow, tuple(stats), time.perf_counter() - started)


ComponentKey = tuple[
    tuple[str, ...], tuple[str, ...], tuple[str, ...], bytes, tuple[tuple[str, str, float], ...]
]


def _component_keys(arrays: Arrays, todo: Sequence[Part], problem: Problem) -> list[ComponentKey]:
    """Everything a component's model is built from, as a comparable key per component:
    its needs' and offers' ids, types, quantities, dates and weights, and the substitutions
    touching its types."""
    touching: dict[str, set[Substitution]] = {}
    for s in problem.substitutions:
        touching.setdefault(s.offer_type, set()).add(s)
        touching.setdefault(s.need_type, set()).add(s)
    types = arrays.types
    keys: list[ComponentKey] = []
    for p in todo:
        n, o = p.needs, p.offers
        codes = np.concatenate([arrays.need_type[n], arrays.offer_type[o]]).tolist()
        subs = set().union(*(touching.get(types[t], set()) for t in set(codes)))
        numbers = (
            arrays.need_qty[n],
            arrays.need_weight[n],
            arrays.need_day[n],
            arrays.need_priority[n],
            arrays.offer_qty[o],
            arrays.offer_day[o],
        )
        keys.append(
            (
                tuple(arrays.need_ids[i] for i in n.tolist()),
                tuple(arrays.offer_ids[i] for i in o.tolist()),
                tuple(types[t] for t in codes),
                b"".join(a.tobytes() for a in numbers),
                tuple(sorted((s.offer_type, s.need_type, s.ratio) for s in subs)),
            )
        )
    return keys


def _unchanged(
    new_problem: Problem, arrays: Arrays, todo: Sequence[Part], previous: Previous
) -> dict[int, tuple[IntArray, ComponentStats]]:
    """Components identical to one of the previous problem's: their flow and statistics."""
    old_problem = previous.problem
    if (
        dict(old_problem.weights) != dict(new_problem.weights)
        or old_problem.late_penalty != new_problem.late_penalty
    ):
        return {}
    old_arrays = build(old_problem)
    old_stats = {c.index: c for c in previous.plan.components}
    old_index = {
        key: c for c, key in enumerate(_component_keys(old_arrays, parts(old_arrays), old_problem))
    }
    same: dict[int, int] = {}
    for p, key in zip(todo, _component_keys(arrays, todo, new_problem), strict=True):
        old = old_index.get(key)
        if old is not None and old in old_stats:
            same[p.index] = old
    flow = flow_of(arrays, previous.plan, strict=False)
    by_index = {p.index: p for p in todo}
    return {
        c: (flow[by_index[c].arcs], replace(old_stats[old], index=c, seconds=0.0, reused=True))
        for c, old in same.items()
    }


def flow_of(arrays: Arrays, plan: Plan, *, strict: bool = True) -> IntArray:
    """A plan's allocations as flow on `arrays`' arcs.

    Allocations of offers or needs that `arrays` does not hold are dropped. An allocation
    between known records that no arc joins is an error, or with `strict=False` dropped too
    (a previous plan whose inputs have changed since).
    """
    offer_index = {o: i for i, o in enumerate(arrays.offer_ids)}
    need_index = {n: i for i, n in enumerate(arrays.need_ids)}
    o_map = np.array([offer_index.get(o, -1) for o in plan.offer_ids], dtype=np.int64)
    n_map = np.array([need_index.get(n, -1) for n in plan.need_ids], dtype=np.int64)
    flow = np.zeros(len(arrays.arc_offer), dtype=np.int64)
    if len(plan.alloc_offer) == 0 or len(arrays.arc_offer) == 0:
        return flow
    o, n = o_map[plan.alloc_offer], n_map[plan.alloc_need]
    known = np.flatnonzero((o >= 0) & (n >= 0))
    width = max(len(arrays.needs), 1)
    keys = arrays.arc_offer * width + arrays.arc_need
    order = np.argsort(keys, kind="stable")
    wanted = o[known] * width + n[known]
    at = np.minimum(np.searchsorted(keys[order], wanted), len(order) - 1)
    found = keys[order[at]] == wanted
    if strict and not found.all():
        raise ValueError("The plan allocates between an offer and a need that no arc joins.")
    flow[order[at[found]]] = plan.alloc_quantity[known[found]]
    return flow


def solve_parts(
    arrays: Arrays,
    todo: Sequence[Part],
    *,
    time_limit: float = MIP_TIME_LIMIT,
    workers: int = WORKERS,
) -> tuple[IntArray, tuple[ComponentStats, ...]]:
    """Flow on every arc, each part solved as one independent model.

    HiGHS parts go to a thread pool, largest first, while this thread solves the min-cost
    flows (OR-Tools holds the GIL, so threads would only add switching for those).
    """
    flow = np.zeros(len(arrays.arc_offer), dtype=np.int64)
    unit = [bool(np.all(arrays.arc_ratio[p.arcs] == 1.0)) for p in todo]
    highs = sorted(
        (p for p, u in zip(todo, unit, strict=True) if not u), key=lambda p: -len(p.arcs)
    )
    results: dict[int, tuple[IntArray, ComponentStats]] = {}
    pending: list[tuple[Part, Future[tuple[IntArray, ComponentStats]]]] = []
    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 and len(highs) > 1 else None
    try:
        if pool is not None:
            pending = [(p, pool.submit(_solve_part, arrays, p, time_limit)) for p in highs]
        else:
            results.update((p.index, _solve_part(arrays, p, time_limit)) for p in highs)
        for p, u in zip(todo, unit, strict=True):
            if u:
                results[p.index] = _solve_part(arrays, p, time_limit)
        results.update((p.index, f.result()) for p, f in pending)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    for p in todo:
        flow[p.arcs] = results[p.index][0]
    return flow, tuple(results[p.index][1] for p in todo)


@dataclass(frozen=True, slots=True)
class Model:
    """One component's numbers, numbered locally: what a solver needs and nothing else."""

    arc_o: IntArray
    arc_n: IntArray
    ratio: FloatArray
    gain: FloatArray
    """Gain per offer unit on each arc."""
    supply: IntArray
    """Units of each offer."""
    demand: IntArray
    """Units each need asks for."""
    scale: int
    """Power of ten that makes every gain whole."""

    def sent(self, x: IntArray) -> FloatArray:
        """Offer units sent from each offer by flow `x`."""
        return np.bincount(self.arc_o, weights=x, minlength=len(self.supply)).astype(np.float64)

    def received(self, x: IntArray) -> FloatArray:
        """Need units each need receives from flow `x`."""
        got = np.bincount(self.arc_n, weights=x * self.ratio, minlength=len(self.demand))
        return got.astype(np.float64)


def _solve_part(arrays: Arrays, part: Part, time_limit: float) -> tuple[IntArray, ComponentStats]:
    started = time.perf_counter()
    gain = arrays.arc_gain[part.arcs]
    model = Model(
        arc_o=part.arc_o,
        arc_n=part.arc_n,
        ratio=arrays.arc_ratio[part.arcs],
        gain=gain,
        supply=arrays.offer_qty[part.offers],
        demand=arrays.need_qty[part.needs],
        scale=_integer_scale(gain),
    )
    x: IntArray | None = None
    if np.all(model.ratio == 1.0):
        x = _min_cost_flow(model)
        solver, status, gap = "min_cost_flow", "optimal", 0.0
    if x is None:  # a non-unit ratio, or costs too large for integer min-cost flow
        x, solver, status, gap = _highs(model, time_limit)
    return x, ComponentStats(
        index=part.index,
        offers=len(part.offers),
        needs=len(part.needs),
        arcs=len(part.arcs),
        solver=solver,
        status=status,
        objective=float(np.dot(x, gain)),
        mip_gap=gap,
        gain_scale=model.scale,
        seconds=time.perf_counter() - started,
    )


def _integer_scale(gain: FloatArray) -> int:
    """The smallest power of ten (up to 10^6) that makes every gain whole."""
    for digits in range(MAX_SCALE_DIGITS + 1):
        scaled = gain * 10**digits
        if np.all(np.abs(scaled - np.round(scaled)) < 1e-6):
            return int(10**digits)
    return int(10**MAX_SCALE_DIGITS)  # beyond six decimals, gains are rounded to 1e-6


def _min_cost_flow(m: Model) -> IntArray | None:
    """The optimal flow, or None when OR-Tools refuses the costs (too large a range)."""
    n_o, n_n = len(m.supply), len(m.demand)
    sink = n_o + n_n
    tails = np.concatenate([m.arc_o, np.arange(n_o), n_o + np.arange(n_n)]).astype(np.int32)
    heads = np.concatenate([n_o + m.arc_n, np.full(n_o + n_n, sink)]).astype(np.int32)
    caps = np.concatenate([np.minimum(m.supply[m.arc_o], m.demand[m.arc_n]), m.supply, m.demand])
    costs = np.zeros(len(tails), dtype=np.int64)
    costs[: len(m.arc_o)] = -np.round(m.gain * m.scale).astype(np.int64)
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps.astype(np.int64), costs)
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_o] = m.supply
    supplies[sink] = -int(m.supply.sum())
    smcf.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = smcf.solve()
    if status == smcf.BAD_COST_RANGE:
        return None
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"Min-cost flow failed with status {status}.")
    return np.asarray(smcf.flows(np.arange(len(m.arc_o), dtype=np.int32)), dtype=np.int64)


def _highs(m: Model, time_limit: float) -> tuple[IntArray, str, str, float]:
    """(flow, solver, status, gap): by the LP relaxation where it proves a plan optimal, else
    by the MIP."""
    n_arcs, n_o, n_n = len(m.arc_o), len(m.supply), len(m.demand)
    cap = np.floor(m.demand[m.arc_n] / m.ratio + 1e-9)
    # Valid inequalities: at most floor(q / r) offer units reach a need at ratio r, where
    # q / r is not whole (elsewhere the need row already says it) and two or more arcs share it.
    _, ratio_class = np.unique(m.ratio, return_inverse=True)
    fractional = np.abs(m.demand[m.arc_n] / m.ratio - cap) > 1e-9
    keyed = np.flatnonzero(fractional)
    _, class_of, class_size = np.unique(
        m.arc_n[keyed] * (ratio_class.max() + 1) + ratio_class.reshape(-1)[keyed],
        return_inverse=True,
        return_counts=True,
    )
    shared = class_size[class_of.reshape(-1)] > 1
    cut_arcs = keyed[shared]
    cut_rows = np.unique(class_of.reshape(-1)[shared], return_inverse=True)[1].reshape(-1)
    n_cuts = int(cut_rows.max()) + 1 if len(cut_rows) else 0
    cut_rhs = np.zeros(n_cuts)
    cut_rhs[cut_rows] = cap[cut_arcs]

    # Each column: 1 in its offer's row, the ratio in its need's row, 1 in its cut row if any.
    count = np.full(n_arcs, 2, dtype=np.int64)
    count[cut_arcs] = 3
    start = np.concatenate([[0], np.cumsum(count)]).astype(np.int32)
    index = np.empty(int(start[-1]), dtype=np.int32)
    value = np.ones(int(start[-1]), dtype=np.float64)
    index[start[:-1]] = m.arc_o
    index[start[:-1] + 1] = n_o + m.arc_n
    value[start[:-1] + 1] = m.ratio
    index[start[cut_arcs] + 2] = n_o + n_n + cut_rows

    lp = highspy.HighsLp()
    lp.num_col_ = n_arcs
    lp.num_row_ = n_o + n_n + n_cuts
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = m.gain
    lp.col_lower_ = np.zeros(n_arcs)
    lp.col_upper_ = np.minimum(m.supply[m.arc_o], cap).astype(np.float64)
    lp.row_lower_ = np.full(n_o + n_n + n_cuts, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate([m.supply, m.demand, cut_rhs]).astype(np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    highs = _quiet_highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", 0)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("presolve", "off")
    highs.setOptionValue("solver", "simplex")  # a basic (vertex) optimum, integral or not
    highs.passModel(lp)
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus()).lower()
    if status != "optimal":
        raise RuntimeError(f"HiGHS could not solve the LP relaxation: {status}.")
    x = _integral(highs, m)
    if x is not None:
        return x, "highs_lp", status, 0.0
    # The relaxation rounded down, its leftovers filled along ratio-1 arcs: when that is within
    # one objective step of the LP bound it is optimal; otherwise it starts the MIP, and is
    # the plan if the time limit passes before HiGHS finds a better one.
    bound = float(highs.getInfo().objective_function_value)
    step = _objective_step(m)
    rounded = _rounded(np.asarray(highs.getSolution().col_value), m)
    if float(np.dot(rounded, m.gain)) >= bound - step * (1 - 1e-6):
        return rounded, "highs_lp", "optimal", 0.0
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", step * (1 - 1e-6))
    for option, setting in MIP_OPTIONS.items():
        highs.setOptionValue(option, setting)
    highs.changeColsIntegrality(
        n_arcs,
        np.arange(n_arcs, dtype=np.int32),
        np.full(n_arcs, highspy.HighsVarType.kInteger, dtype=np.uint8),
    )
    solution = highspy.HighsSolution()
    solution.col_value = rounded.astype(np.float64)
    highs.setSolution(solution)
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus()).lower()
    x = _integral(highs, m)
    if x is None or float(np.dot(x, m.gain)) < float(np.dot(rounded, m.gain)):
        x = rounded
    objective = float(np.dot(x, m.gain))
    bound = float(highs.getInfo().mip_dual_bound)
    gap = 0.0
    if status != "optimal" and math.isfinite(bound) and bound:
        gap = max((bound - objective) / abs(bound), 0.0)
    return x, "highs_mip", status, gap


def _rounded(values: FloatArray, m: Model) -> IntArray:
    """A feasible integral plan near the relaxation `values`: rounded down, then the units
    left on offers sent to the room left in needs along ratio-1 arcs, by min-cost flow."""
    x = np.floor(values + 1e-9).astype(np.int64)
    unit = np.flatnonzero(m.ratio == 1.0)
    if len(unit) == 0:
        return x
    residual = Model(
        arc_o=m.arc_o[unit],
        arc_n=m.arc_n[unit],
        ratio=m.ratio[unit],
        gain=m.gain[unit],
        supply=m.supply - m.sent(x).astype(np.int64),
        demand=np.floor(m.demand - m.received(x) + 1e-9).astype(np.int64),
        scale=m.scale,
    )
    fill = _min_cost_flow(residual)
    if fill is not None:
        x[unit] += fill
    return x


def _objective_step(m: Model) -> float:
    """The largest step every plan's objective is a multiple of (the gains' common divisor).

    An incumbent within less than one step of the bound is optimal. Gains rounded at the
    scale limit have no exact step; a tiny one keeps the proof conservative there.
    """
    if m.scale >= 10**MAX_SCALE_DIGITS or len(m.gain) == 0:
        return 1e-7
    whole = np.abs(np.round(m.gain * m.scale).astype(np.int64))
    return max(int(np.gcd.reduce(whole)), 1) / m.scale


def _integral(highs: highspy.Highs, m: Model) -> IntArray | None:
    """HiGHS's solution rounded to whole units, if it is integral and feasible as rounded."""
    values = np.asarray(highs.getSolution().col_value, dtype=np.float64)
    if len(values) != len(m.arc_o):
        return None
    x = np.round(values).astype(np.int64)
    if np.any(np.abs(values - x) > 1e-6) or np.any(x < 0):
        return None
    if np.any(m.sent(x) > m.supply) or np.any(m.received(x) > m.demand + 1e-9):
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
    used = used[np.lexsort((arrays.arc_need[used], arrays.arc_offer[used]))]
    quantity = flow[used]
    need_units = quantity * arrays.arc_ratio[used]
    covered = np.bincount(
        arrays.arc_need[used], weights=need_units, minlength=len(arrays.needs)
    ).astype(np.float64)
    sent = np.bincount(arrays.arc_offer[used], weights=quantity, minlength=len(arrays.offers))
    needed = np.bincount(arrays.need_priority, weights=arrays.need_qty, minlength=len(PRIORITIES))
    got = np.bincount(arrays.need_priority, weights=covered, minlength=len(PRIORITIES))
    return Plan(
        offer_ids=arrays.offer_ids,
        need_ids=arrays.need_ids,
        alloc_offer=arrays.arc_offer[used],
        alloc_need=arrays.arc_need[used],
        alloc_quantity=quantity,
        alloc_need_units=need_units,
        covered=covered,
        left=arrays.offer_qty - sent.astype(np.int64),
        objective=float(np.dot(flow[used], arrays.arc_gain[used])),
        priority_coverage={
            p: PriorityCoverage(needed=int(needed[i]), covered=float(got[i]))
            for i, p in enumerate(PRIORITIES)
        },
        components=stats,
        seconds=seconds,
    )
