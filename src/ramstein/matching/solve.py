"""Exact allocation of offers to needs, one independent component at a time.

Two solvers, each where it is exact:

* A component whose arcs all have ratio 1 is a transportation problem: a min-cost flow
  (source -> offers -> needs -> sink, plus a free source -> sink bypass so sending nothing is
  allowed). Its constraint matrix is totally unimodular, so the optimum is integral and
  OR-Tools' cost-scaling min-cost flow finds it exactly, in integer arithmetic,
  far faster than a general LP. Costs must be integers: gains are scaled by the smallest power
  of ten that makes them whole (x1 when weights and the penalty are integers).
* A component with any other ratio loses total unimodularity (a need row holds r * x), so its
  LP optimum may be fractional while items are indivisible. It is solved as a small integer
  program with HiGHS (branch and bound on its LP relaxation), under a time limit; the plan
  records the relative gap to the LP bound that HiGHS proved.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
from ortools.graph.python import min_cost_flow

from ramstein.domain.needs import Priority
from ramstein.matching.model import PRIORITIES, Arrays, FloatArray, IntArray, Problem, build

MIP_TIME_LIMIT = 30.0
"""Seconds HiGHS may spend on one non-unit-ratio component before returning its incumbent."""
MAX_SCALE_DIGITS = 6


@dataclass(frozen=True, slots=True)
class Allocation:
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
    """`min_cost_flow` (OR-Tools) or `highs_mip` (HiGHS)."""
    status: str
    objective: float
    mip_gap: float
    """Relative gap to the LP bound; 0 for an optimal component."""
    gain_scale: int
    seconds: float


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


def solve(problem: Problem, *, decompose: bool = True, time_limit: float = MIP_TIME_LIMIT) -> Plan:
    """The plan of greatest total gain; with `decompose=False` one model for everything."""
    started = time.perf_counter()
    arrays = build(problem)
    flow = np.zeros(len(arrays.arc_offer), dtype=np.int64)
    stats: list[ComponentStats] = []
    if decompose:
        order = np.argsort(arrays.arc_component, kind="stable")
        bounds = np.searchsorted(arrays.arc_component[order], np.arange(arrays.n_components + 1))
        groups = [order[bounds[c] : bounds[c + 1]] for c in range(arrays.n_components)]
    else:
        groups = [np.arange(len(arrays.arc_offer))] if len(arrays.arc_offer) else []
    for index, arcs in enumerate(groups):
        flow[arcs], stat = _solve_component(arrays, arcs, index, time_limit)
        stats.append(stat)
    return plan_from_flow(arrays, flow, tuple(stats), time.perf_counter() - started)


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
    if np.all(ratio == 1.0):
        x, status, scale = _min_cost_flow(arc_o, arc_n, gain, supply, demand)
        solver, gap = "min_cost_flow", 0.0
    else:
        x, status, gap = _mip(arc_o, arc_n, ratio, gain, supply, demand, time_limit)
        solver, scale = "highs_mip", 1
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
    arc_o: IntArray, arc_n: IntArray, gain: FloatArray, supply: IntArray, demand: IntArray
) -> tuple[IntArray, str, int]:
    n_o, n_n = len(supply), len(demand)
    source, sink = n_o + n_n, n_o + n_n + 1
    scale = _integer_scale(gain)
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
    return flows, "optimal", scale


def _mip(
    arc_o: IntArray,
    arc_n: IntArray,
    ratio: FloatArray,
    gain: FloatArray,
    supply: IntArray,
    demand: IntArray,
    time_limit: float,
) -> tuple[IntArray, str, float]:
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
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_arcs
    highs = _quiet_highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", 0)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", 1e-7)
    highs.passModel(lp)
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus()).lower()
    values = np.asarray(highs.getSolution().col_value, dtype=np.float64)
    if len(values) != n_arcs:
        raise RuntimeError(f"HiGHS found no plan: {status}.")
    x = np.round(values).astype(np.int64)
    gap = float(highs.getInfo().mip_gap)
    return x, status, gap if np.isfinite(gap) else 0.0


def _quiet_highs() -> highspy.Highs:
    """A HiGHS instance, without the banner its C++ constructor writes to file descriptor 1.

    `output_flag` can only be set after construction, so the banner would land in the middle
    of a command's output; descriptor 1 is pointed at /dev/null for the constructor alone.
    """
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
    allocations = tuple(
        Allocation(
            offer_id=arrays.offers[int(arrays.arc_offer[a])].offer_id,
            need_id=arrays.needs[int(arrays.arc_need[a])].need_id,
            quantity=int(flow[a]),
            need_units=float(need_units[a]),
        )
        for a in used
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
        need_coverage={n.need_id: float(covered[i]) for i, n in enumerate(arrays.needs)},
        priority_coverage=priority_coverage,
        unused_offers={
            o.offer_id: int(left[i]) for i, o in enumerate(arrays.offers) if left[i] > 0
        },
        components=stats,
        seconds=seconds,
    )
