"""Stress scenarios: withdrawals never help, idle donors change nothing, local equals full."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ramstein.cli.main import app
from ramstein.domain.needs import Priority
from ramstein.matching.model import Need, Offer, Problem, Substitution
from ramstein.matching.solve import solve
from ramstein.matching.stress import (
    Scenario,
    all_donors,
    cut_share,
    delay_donor,
    political,
    remove_donors,
    run,
    stressed_problem,
)
from tests.matching.strategies import DAY0, problems
from tests.matching.test_files import write

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DONORS = ("DE", "FR", "PL")

scenarios = st.one_of(
    st.sampled_from(DONORS).map(lambda d: remove_donors([d])),
    st.lists(st.sampled_from(DONORS), min_size=1, unique=True).map(remove_donors),
    st.sampled_from([0.1, 0.25, 0.5, 1.0]).map(cut_share),
    st.tuples(st.sampled_from(DONORS), st.integers(0, 15)).map(lambda t: delay_donor(*t)),
    st.tuples(
        st.lists(
            st.tuples(
                st.sampled_from(DONORS), st.integers(-1, 41).map(lambda d: DAY0 + timedelta(d))
            ),
            max_size=3,
        ),
        st.sampled_from([0.0, 0.15, 0.5]),
    ).map(lambda t: political(*t)),
)


@FAST
@given(problems(unit_ratios=False), st.sampled_from(DONORS))
def test_removing_a_donor_never_increases_the_objective(problem: Problem, donor: str) -> None:
    plan = solve(problem)
    result = run(problem, plan, remove_donors([donor]))
    assert result.plan.objective <= plan.objective + 1e-9
    assert result.objective_lost >= -1e-9
    assert all(
        a.offer_id not in {o.offer_id for o in problem.offers if o.donor == donor}
        for a in result.plan.allocations
    )


@FAST
@given(problems(unit_ratios=False), scenarios)
def test_component_local_resolve_equals_a_full_resolve(
    problem: Problem, scenario: Scenario
) -> None:
    plan = solve(problem)
    local = run(problem, plan, scenario)
    full = solve(stressed_problem(problem, scenario))
    assert local.plan.objective == pytest.approx(full.objective, abs=1e-6)
    stressed = stressed_problem(problem, scenario)
    quantity = {o.offer_id: o.quantity for o in stressed.offers}
    sent: dict[str, int] = {}
    for a in local.plan.allocations:
        sent[a.offer_id] = sent.get(a.offer_id, 0) + a.quantity
    for offer_id, units in sent.items():
        assert units + local.plan.unused_offers.get(offer_id, 0) == quantity[offer_id]
    for need in stressed.needs:
        assert local.plan.need_coverage[need.need_id] <= need.quantity + 1e-9


@FAST
@given(problems(unit_ratios=False), scenarios)
def test_no_scenario_increases_the_objective(problem: Problem, scenario: Scenario) -> None:
    plan = solve(problem)
    assert run(problem, plan, scenario).objective_lost >= -1e-9


def test_a_donor_that_stops_keeps_only_the_offers_available_by_its_last_day() -> None:
    needs = [Need("n1", "shell", 10, Priority.P1, date(2026, 9, 1))]
    offers = [
        Offer("early", "DE", "shell", 4, date(2026, 5, 1)),
        Offer("late", "DE", "shell", 4, date(2026, 8, 1)),
        Offer("other", "FR", "shell", 2, date(2026, 8, 1)),
    ]
    problem = Problem(needs, offers)
    plan = solve(problem)
    assert plan.need_coverage["n1"] == 10
    scenario = political([("DE", date(2026, 6, 30))], 0.0)
    assert scenario.label == "DE stops after 2026-06-30"
    result = run(problem, plan, scenario)
    assert result.plan.need_coverage["n1"] == 6  # the late 4 are gone; FR's 2 stay
    assert {a.offer_id for a in result.plan.allocations} == {"early", "other"}
    assert result.coverage_lost[Priority.P1].units == 4
    cut = run(problem, plan, political([("DE", date(2026, 6, 30))], 0.5))
    assert cut.plan.need_coverage["n1"] == 3  # floor(4 × 0.5) + floor(2 × 0.5)
    assert cut.scenario.label == "DE stops after 2026-06-30; cut 0.5 of every offer"
    with pytest.raises(ValueError, match="between 0 and 1"):
        political([], 1.5)


@FAST
@given(problems(unit_ratios=False))
def test_removing_a_donor_with_no_allocations_changes_nothing(problem: Problem) -> None:
    plan = solve(problem)
    used = {a.offer_id for a in plan.allocations}
    idle = [
        d for d in DONORS if not any(o.donor == d and o.offer_id in used for o in problem.offers)
    ]
    for donor in idle:
        result = run(problem, plan, remove_donors([donor]))
        assert result.objective_lost == 0
        assert result.plan.allocations == plan.allocations
        assert result.plan.need_coverage == plan.need_coverage
        assert result.hurt == ()
        assert result.components_resolved == 0


@FAST
@given(problems(unit_ratios=False))
def test_all_donors_ranking_is_sorted(problem: Problem) -> None:
    plan = solve(problem)
    ranking = all_donors(problem, plan)
    assert len(ranking) == len({o.donor for o in problem.offers})
    lost = [r.objective_lost for r in ranking]
    assert lost == sorted(lost, reverse=True)


def test_withdrawals_in_worker_processes_equal_withdrawals_in_this_one() -> None:
    problem = Problem(
        needs=[
            Need(f"n{i}", f"t{i % 5}", 3 + i % 4, list(Priority)[i % 4], date(2026, 3, 1 + i % 9))
            for i in range(40)
        ],
        offers=[
            Offer(f"o{i}", DONORS[i % 3], f"t{i % 6}", 2 + i % 3, date(2026, 3, 1 + i % 13))
            for i in range(40)
        ],
        substitutions=[Substitution("t5", "t0", 2.0), Substitution("t1", "t2", 1.0)],
    )
    plan = solve(problem)
    here = all_donors(problem, plan, processes=1)
    there = all_donors(problem, plan, processes=2)
    assert [r.scenario for r in here] == [r.scenario for r in there]
    for a, b in zip(here, there, strict=True):
        assert a.plan.allocations == b.plan.allocations
        assert a.objective_lost == b.objective_lost and a.hurt == b.hurt
    assert here[0].objective_lost > 0


def test_withdrawal_reports_losses_and_remaining_capacity() -> None:
    day = date(2026, 3, 1)
    problem = Problem(
        needs=[
            Need("urgent", "shell", 10, Priority.P1, day),
            Need("spare", "fuse", 5, Priority.P3, day),
        ],
        offers=[
            Offer("o-de", "DE", "shell", 10, day),
            Offer("o-fr", "FR", "alt-shell", 2, day),
            Offer("o-pl", "PL", "fuse", 5, day),
        ],
        substitutions=[Substitution("alt-shell", "shell", 1.0)],
    )
    plan = solve(problem)
    result = run(problem, plan, remove_donors(["DE"]))
    assert result.coverage_lost[Priority.P1].units == 8
    assert result.coverage_lost[Priority.P1].share == pytest.approx(0.8)
    assert result.coverage_lost[Priority.P3].units == 0
    assert [h.need_id for h in result.hurt] == ["urgent"]
    assert result.hurt[0].lost_weighted == 800
    assert result.hurt[0].remaining == ()  # FR's two units already went to it
    assert result.components_resolved == 1
    late = run(problem, plan, delay_donor("PL", 3))
    assert late.objective_lost == pytest.approx(15)  # 5 units x 3 days x penalty 1


def test_cli_stress_reports_a_withdrawal_and_ranks_every_donor(tmp_path: Path) -> None:
    needs, offers, subs = write(tmp_path)
    argv = ["match", "stress", "--needs", str(needs), "--offers", str(offers)]
    argv += ["--substitutions", str(subs)]
    result = CliRunner().invoke(app, [*argv, "--donor", "DE", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["baseline_objective"] == 1178
    (one,) = data["results"]
    assert one["objective_lost"] == 1178 - (4 * 97 + 2 * 77)
    assert one["coverage_lost"]["P1"]["units"] == 6
    assert [h["need_id"] for h in one["hurt_needs"]] == ["N1", "N2"]

    result = CliRunner().invoke(app, [*argv, "--all-donors"])
    assert result.exit_code == 0, result.output
    assert result.stdout.index("remove DE") < result.stdout.index("remove PL")

    for extra in (["--share", "0.5"], ["--delay", "PL:2"]):
        result = CliRunner().invoke(app, [*argv, *extra, "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["results"][0]["objective_lost"] > 0

    result = CliRunner().invoke(app, [*argv, "--delay", "PL"])
    assert result.exit_code == 1 and "CODE:DAYS" in result.stderr
    result = CliRunner().invoke(app, [*argv, "--donor", "DE", "--share", "0.1"])
    assert result.exit_code == 1 and "exactly one" in result.stderr
