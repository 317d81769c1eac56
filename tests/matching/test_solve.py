"""The optimiser: feasible, compatible, never below greedy, and exactly optimal."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ramstein.domain.needs import Priority
from ramstein.matching.greedy import greedy
from ramstein.matching.model import Need, Offer, Problem, Substitution
from ramstein.matching.solve import Allocation, Plan, Previous, solve
from tests.matching.strategies import problems, reference_arcs, reference_optimum

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_feasible(problem: Problem, plan: Plan) -> None:
    arcs = {(o.offer_id, n.need_id): r for o, n, r, _ in reference_arcs(problem)}
    sent: dict[str, int] = defaultdict(int)
    got: dict[str, float] = defaultdict(float)
    for a in plan.allocations:
        assert (a.offer_id, a.need_id) in arcs, f"incompatible or gainless pair {a}"
        assert a.quantity > 0
        sent[a.offer_id] += a.quantity
        got[a.need_id] += a.quantity * arcs[(a.offer_id, a.need_id)]
    for o in problem.offers:
        assert sent[o.offer_id] <= o.quantity
        assert sent[o.offer_id] + plan.unused_offers.get(o.offer_id, 0) == o.quantity
    for n in problem.needs:
        assert got[n.need_id] <= n.quantity + 1e-9
        assert plan.need_coverage[n.need_id] == pytest.approx(got[n.need_id])


@FAST
@given(problems(unit_ratios=True))
def test_unit_ratio_plan_is_feasible_and_equals_the_lp_optimum(problem: Problem) -> None:
    plan = solve(problem)
    assert_feasible(problem, plan)
    # Totally unimodular: the LP relaxation's optimum is the integral optimum, to the unit.
    assert plan.objective == pytest.approx(reference_optimum(problem, integral=False), abs=1e-6)
    assert set(plan.solvers) <= {"min_cost_flow"}


@FAST
@given(problems(unit_ratios=False))
def test_plan_with_ratios_is_feasible_and_equals_the_milp_optimum(problem: Problem) -> None:
    plan = solve(problem)
    assert_feasible(problem, plan)
    assert plan.objective == pytest.approx(reference_optimum(problem, integral=True), abs=1e-6)
    assert all(c.mip_gap <= 1e-9 for c in plan.components)


@FAST
@given(problems(unit_ratios=False))
def test_plan_is_never_below_greedy(problem: Problem) -> None:
    baseline = greedy(problem)
    assert_feasible(problem, baseline)
    assert solve(problem).objective >= baseline.objective - 1e-9


@FAST
@given(problems(unit_ratios=False))
def test_components_give_the_objective_of_one_model(problem: Problem) -> None:
    split = solve(problem)
    whole = solve(problem, decompose=False)
    assert split.objective == pytest.approx(whole.objective, abs=1e-6)
    assert len(whole.components) <= 1


@FAST
@given(problems(unit_ratios=False))
def test_same_inputs_give_the_same_plan_in_any_order(problem: Problem) -> None:
    reversed_problem = Problem(
        needs=list(reversed(problem.needs)),
        offers=list(reversed(problem.offers)),
        substitutions=list(reversed(problem.substitutions)),
        weights=problem.weights,
        late_penalty=problem.late_penalty,
    )
    assert solve(problem).allocations == solve(reversed_problem).allocations


def test_priority_wins_over_lateness_and_substitutes_fill_the_rest() -> None:
    day = date(2026, 3, 1)
    problem = Problem(
        needs=[
            Need("urgent", "shell", 10, Priority.P1, day),
            Need("later", "shell", 10, Priority.P4, day),
        ],
        offers=[
            Offer("o-shell", "DE", "shell", 10, day),
            Offer("o-alt", "FR", "alt-shell", 4, date(2026, 3, 3)),
        ],
        substitutions=[Substitution("alt-shell", "shell", 2.0)],
    )
    plan = solve(problem)
    by_pair = {(a.offer_id, a.need_id): a.quantity for a in plan.allocations}
    # Own type to P1 (gain 100 per unit); substitutes: 4 units x 2 to P1 would exceed it.
    assert plan.need_coverage["urgent"] == 10
    assert sum(by_pair.values()) == 14
    assert plan.objective == pytest.approx(
        sum(
            q * r * (w - late)
            for (q, r, w, late) in [
                (by_pair.get(("o-shell", "urgent"), 0), 1, 100, 0),
                (by_pair.get(("o-shell", "later"), 0), 1, 5, 0),
                (by_pair.get(("o-alt", "urgent"), 0), 2, 100, 2),
                (by_pair.get(("o-alt", "later"), 0), 2, 5, 2),
            ]
        )
    )
    assert plan.priority_coverage[Priority.P1].share == 1.0
    assert set(plan.solvers) <= {"highs_lp", "highs_mip"}


def test_a_fractional_relaxation_goes_to_the_integer_program() -> None:
    # One unit of "big" serves 1.5 units of "small"; a need of 5, 6 big and 1 small on offer.
    # The LP sends 3 big (4.5 units) and half a small; in whole units 3 big alone are best.
    day = date(2026, 3, 1)
    problem = Problem(
        needs=[Need("n", "small", 5, Priority.P2, day)],
        offers=[Offer("big", "DE", "big", 6, day), Offer("small", "FR", "small", 1, day)],
        substitutions=[Substitution("big", "small", 1.5)],
    )
    plan = solve(problem)
    assert plan.solvers == ("highs_mip",)
    assert plan.allocations == (Allocation("big", "n", 3, 4.5),)
    assert plan.objective == 180
    assert plan.components[0].status == "optimal" and plan.components[0].mip_gap == 0.0


def test_half_units_are_cut_off_before_branching() -> None:
    # One unit of "big" serves 2 units of "small": a need of 3 takes at most one "big". The
    # cut "at most floor(3 / 2) big units" makes the relaxation integral, so no MIP is needed.
    day = date(2026, 3, 1)
    problem = Problem(
        needs=[Need("n", "small", 3, Priority.P1, day)],
        offers=[Offer("big-1", "DE", "big", 5, day), Offer("big-2", "FR", "big", 5, day)],
        substitutions=[Substitution("big", "small", 2.0)],
    )
    plan = solve(problem)
    assert plan.solvers == ("highs_lp",)
    assert plan.units_allocated == 1 and plan.need_coverage["n"] == 2
    assert plan.objective == 200


def test_threads_do_not_change_the_plan() -> None:
    problem = Problem(
        needs=[
            Need(f"n{i}", f"t{i % 7}", 5 + i % 3, Priority.P2, date(2026, 3, 1 + i % 20))
            for i in range(60)
        ],
        offers=[Offer(f"o{i}", "DE", f"t{i % 7}", 4, date(2026, 3, 1 + i % 25)) for i in range(60)],
        substitutions=[Substitution("t1", "t2", 0.5), Substitution("t3", "t4", 1.0)],
    )
    one, two = solve(problem, workers=1), solve(problem, workers=2)
    assert len(one.components) > 1
    assert one.allocations == two.allocations and one.objective == two.objective
    assert [c.index for c in one.components] == [c.index for c in two.components]


def test_fractional_weights_are_scaled_to_integers() -> None:
    day = date(2026, 3, 1)
    problem = Problem(
        needs=[
            Need("n1", "x", 3, Priority.P1, day, weight=0.25),
            Need("n2", "x", 3, Priority.P2, day, weight=0.5),
        ],
        offers=[Offer("o1", "DE", "x", 4, day)],
        late_penalty=0.0,
    )
    plan = solve(problem)
    assert plan.objective == pytest.approx(3 * 0.5 + 1 * 0.25)
    assert plan.components[0].gain_scale == 100


def test_nothing_to_match_is_an_empty_plan() -> None:
    plan = solve(Problem(needs=[], offers=[]))
    assert plan.allocations == () and plan.objective == 0 and plan.units_allocated == 0


edits = st.sampled_from(["need_quantity", "need_earlier", "drop_offer", "new_need", "nothing"])


def _edited(problem: Problem, edit: str) -> Problem:
    if edit == "need_quantity" and problem.needs:
        first = problem.needs[0]
        return replace(
            problem, needs=[replace(first, quantity=first.quantity + 3), *problem.needs[1:]]
        )
    if edit == "need_earlier" and problem.needs:
        # Offers become late for it: some of its old allocations are no longer arcs at all.
        first = problem.needs[0]
        earlier = replace(first, needed_by=first.needed_by - timedelta(days=30))
        return replace(problem, needs=[earlier, *problem.needs[1:]])
    if edit == "drop_offer" and problem.offers:
        return replace(problem, offers=list(problem.offers[1:]))
    if edit == "new_need":
        return replace(
            problem, needs=[*problem.needs, Need("n-new", "a", 4, Priority.P1, date(2026, 3, 9))]
        )
    return problem


@FAST
@given(problems(unit_ratios=False), edits)
def test_resolving_from_a_previous_plan_equals_a_fresh_solve(problem: Problem, edit: str) -> None:
    changed = _edited(problem, edit)
    again = solve(changed, previous=Previous(problem, solve(problem)))
    fresh = solve(changed)
    assert again.allocations == fresh.allocations
    assert again.objective == pytest.approx(fresh.objective)
    assert again.need_coverage == fresh.need_coverage


def test_only_the_changed_component_is_solved_again() -> None:
    day = date(2026, 3, 1)
    problem = Problem(
        needs=[
            Need("shells", "shell", 10, Priority.P1, day),
            Need("gens", "gen", 5, Priority.P2, day),
        ],
        offers=[Offer("o1", "DE", "shell", 6, day), Offer("o2", "FR", "gen", 9, day)],
    )
    first = solve(problem)
    changed = replace(problem, needs=[replace(problem.needs[0], quantity=4), problem.needs[1]])
    again = solve(changed, previous=Previous(problem, first))
    reused = {c.index: c.reused for c in again.components}
    assert sorted(reused.values()) == [False, True]
    assert again.need_coverage == {"gens": 5.0, "shells": 4.0}
    # Other weights change every gain: nothing is reused.
    heavier = replace(changed, weights={**problem.weights, Priority.P2: 50})
    assert not any(c.reused for c in solve(heavier, previous=Previous(problem, first)).components)


def test_a_previous_plan_whose_pairs_are_gone_is_solved_afresh() -> None:
    # The P3 need moves a month earlier: the offer is now too late to gain anything there,
    # so the previous allocation to it is no arc of the new model; it is simply dropped.
    day = date(2026, 3, 10)
    problem = Problem(
        needs=[Need("p1", "a", 5, Priority.P1, day), Need("p3", "a", 5, Priority.P3, day)],
        offers=[Offer("o", "DE", "a", 10, day - timedelta(days=5))],
    )
    first = solve(problem)
    assert first.need_coverage == {"p1": 5.0, "p3": 5.0}
    earlier = replace(problem.needs[1], needed_by=day - timedelta(days=30))
    changed = replace(problem, needs=[problem.needs[0], earlier])
    again = solve(changed, previous=Previous(problem, first))
    assert again.need_coverage == {"p1": 5.0, "p3": 0.0}
    assert again.allocations == solve(changed).allocations
