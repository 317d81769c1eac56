"""The greedy baseline: needs by priority then date, each filled from the earliest offers.

It exists only to be beaten: the exact solver's objective is never below it.
"""

from __future__ import annotations

import numpy as np

from ramstein.matching.model import Problem, build
from ramstein.matching.solve import Plan, plan_from_flow


def greedy(problem: Problem) -> Plan:
    arrays = build(problem)
    flow = np.zeros(len(arrays.arc_offer), dtype=np.int64)
    offer_left = arrays.offer_qty.copy()
    offer_day = np.array([o.available.toordinal() for o in arrays.offers], dtype=np.int64)
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
        arcs = np.flatnonzero(arrays.arc_need == n)
        # Earliest available offer first, then offer id (the canonical index).
        arcs = arcs[np.lexsort((arrays.arc_offer[arcs], offer_day[arrays.arc_offer[arcs]]))]
        for a in arcs:
            o, r = int(arrays.arc_offer[a]), float(arrays.arc_ratio[a])
            take = min(int(offer_left[o]), int(np.floor(left / r + 1e-9)))
            if take > 0:
                flow[a] = take
                offer_left[o] -= take
                left -= take * r
    return plan_from_flow(arrays, flow, (), 0.0)
