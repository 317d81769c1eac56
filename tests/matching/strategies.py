"""Small random matching problems for property tests, and an independent reference model."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from ramstein.domain.needs import Priority
from ramstein.matching.model import Need, Offer, Problem, Substitution

TYPES = ("a", "b", "c", "d")
DAY0 = date(2026, 3, 1)


@st.composite
def problems(draw: st.DrawFn, *, unit_ratios: bool) -> Problem:
    needs = [
        Need(
            need_id=f"n{i}",
            item_type=draw(st.sampled_from(TYPES)),
            quantity=draw(st.integers(1, 8)),
            priority=draw(st.sampled_from(list(Priority))),
            needed_by=DAY0 + timedelta(days=draw(st.integers(0, 20))),
            weight=draw(st.one_of(st.none(), st.integers(0, 60).map(float))),
        )
        for i in range(draw(st.integers(0, 6)))
    ]
    offers = [
        Offer(
            offer_id=f"o{i}",
            donor=draw(st.sampled_from(["DE", "FR", "PL"])),
            item_type=draw(st.sampled_from(TYPES)),
            quantity=draw(st.integers(1, 8)),
            available=DAY0 + timedelta(days=draw(st.integers(0, 40))),
        )
        for i in range(draw(st.integers(0, 6)))
    ]
    ratios = st.just(1.0) if unit_ratios else st.sampled_from([0.5, 1.0, 2.0, 3.0])
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(TYPES), st.sampled_from(TYPES)).filter(
                lambda p: p[0] != p[1]
            ),
            max_size=4,
            unique=True,
        )
    )
    subs = [Substitution(a, b, draw(ratios)) for a, b in pairs]
    return Problem(
        needs=needs,
        offers=offers,
        substitutions=subs,
        late_penalty=draw(st.sampled_from([0.0, 1.0, 3.0])),
    )


def reference_arcs(problem: Problem) -> list[tuple[Offer, Need, float, float]]:
    """Compatible pairs with positive gain, found by a plain double loop (no NumPy)."""
    ratio = {(s.offer_type, s.need_type): s.ratio for s in problem.substitutions}
    arcs = []
    for o in problem.offers:
        for n in problem.needs:
            r = 1.0 if o.item_type == n.item_type else ratio.get((o.item_type, n.item_type))
            if r is None:
                continue
            w = problem.weights[n.priority] if n.weight is None else n.weight
            late = max(0, (o.available - n.needed_by).days)
            gain = r * (w - problem.late_penalty * late)
            if gain > 1e-9:
                arcs.append((o, n, r, gain))
    return arcs


def reference_optimum(problem: Problem, *, integral: bool) -> float:
    """The optimum by scipy (HiGHS behind linprog / milp), built independently of the model."""
    arcs = reference_arcs(problem)
    if not arcs:
        return 0.0
    offers = {o.offer_id: i for i, o in enumerate(problem.offers)}
    needs = {n.need_id: i for i, n in enumerate(problem.needs)}
    a = np.zeros((len(offers) + len(needs), len(arcs)))
    for j, (o, n, r, _) in enumerate(arcs):
        a[offers[o.offer_id], j] = 1.0
        a[len(offers) + needs[n.need_id], j] = r
    upper = [o.quantity for o in problem.offers] + [n.quantity for n in problem.needs]
    c = -np.array([g for *_, g in arcs])
    if integral:
        result = milp(
            c,
            constraints=LinearConstraint(a, -np.inf, upper),
            integrality=np.ones(len(arcs)),
            bounds=Bounds(0, np.inf),
            options={"mip_rel_gap": 0.0},
        )
    else:
        result = linprog(c, A_ub=a, b_ub=upper, bounds=(0, None), method="highs")
    assert result.status == 0, result.message
    return float(-result.fun)
