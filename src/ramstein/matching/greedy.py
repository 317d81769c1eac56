"""The greedy baseline: needs by priority then date, each filled from the earliest offers.

It exists only to be beaten: the exact solver's objective is never below it.
"""

from __future__ import annotations

import math

import numpy as np

from ramstein.matching.model import Problem, build
from ramstein.matching.solve import Plan, plan_from_flow


def greedy(problem: Problem) -> Plan:
    arrays = build(problem)
    flow = np.zeros(len(arrays.arc_offer), dtype=np.int64)
    offer_left = arrays.offer_qty.tolist()
    # Each need's arcs, earliest available offer first, then offer id (the canonical index).
    order = np.lexsort((arrays.arc_offer, arrays.offer_day[arrays.arc_offer], arrays.arc_need))
    bounds = np.searchsorted(arrays.arc_need[order], np.arange(len(arrays.needs) + 1)).tolist()
    arc_offer = arrays.arc_offer[order].tolist()
    arc_ratio = arrays.arc_ratio[order].tolist()
    need_order = sorted(
        range(len(arrays.needs)),
        key=lambda i: (
            arrays.needs[i].priority,
            arrays.needs[i].needed_by,
            arrays.needs[i].need_id,
        ),
    )
    for n in need_order:
        left = float(arrays.need_qty[n])
        for k in range(bounds[n], bounds[n + 1]):
            o, r = arc_offer[k], arc_ratio[k]
            take = min(offer_left[o], math.floor(left / r + 1e-9))
            if take > 0:
                flow[order[k]] = take
                offer_left[o] -= take
                left -= take * r
            if left < 1e-9:
                break
    return plan_from_flow(arrays, flow, (), 0.0)
