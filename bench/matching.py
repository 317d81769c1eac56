"""Matching benchmark: exact solve, greedy, monolithic model, stress and PuLP + CBC, one run.

Run with `.venv/bin/python bench/matching.py [--sizes small,medium[,large]] [--seed N]`
(or `make bench`). Instances are seeded and coalition-shaped: item types in substitution
families of about ten, each type with 0-3 substitutes from its own family (most at ratio 1,
some at 0.5 or 2), 50 donors, a 90-day horizon and priorities P1-P4. See bench/README.md.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ramstein.domain.needs import Priority  # noqa: E402
from ramstein.matching.greedy import greedy  # noqa: E402
from ramstein.matching.model import Need, Offer, Problem, Substitution, build  # noqa: E402
from ramstein.matching.solve import Plan, solve  # noqa: E402
from ramstein.matching.stress import all_donors  # noqa: E402

SIZES = {
    "small": (500, 500, 100),
    "medium": (20_000, 20_000, 2_000),
    "large": (200_000, 200_000, 10_000),
}
FAMILY = 10
DONORS = 50
HORIZON = 90
NON_UNIT_SHARE = 0.05
DAY0 = date(2026, 3, 1)
T = TypeVar("T")


def instance(n_needs: int, n_offers: int, n_types: int, seed: int) -> Problem:
    rng = np.random.default_rng(seed)
    types = [f"T{i:05d}" for i in range(n_types)]
    subs = []
    for t in range(n_types):
        family = range((t // FAMILY) * FAMILY, min((t // FAMILY + 1) * FAMILY, n_types))
        others = [u for u in family if u != t]
        k = min(int(rng.integers(0, 4)), len(others))
        for u in rng.choice(others, size=k, replace=False) if k else []:
            ratio = float(rng.choice([0.5, 2.0])) if rng.random() < NON_UNIT_SHARE else 1.0
            subs.append(Substitution(types[int(u)], types[t], ratio))
    priorities = list(Priority)
    need_type = rng.integers(0, n_types, n_needs)
    need_qty = rng.integers(1, 51, n_needs)
    need_prio = rng.choice(4, n_needs, p=[0.15, 0.3, 0.3, 0.25])
    need_day = rng.integers(0, HORIZON, n_needs)
    needs = [
        Need(
            f"N{i:06d}",
            types[int(need_type[i])],
            int(need_qty[i]),
            priorities[int(need_prio[i])],
            DAY0 + timedelta(days=int(need_day[i])),
        )
        for i in range(n_needs)
    ]
    offer_type = rng.integers(0, n_types, n_offers)
    offer_qty = rng.integers(1, 51, n_offers)
    offer_donor = rng.integers(0, DONORS, n_offers)
    offer_day = rng.integers(0, HORIZON, n_offers)
    offers = [
        Offer(
            f"O{i:06d}",
            f"D{int(offer_donor[i]):02d}",
            types[int(offer_type[i])],
            int(offer_qty[i]),
            DAY0 + timedelta(days=int(offer_day[i])),
        )
        for i in range(n_offers)
    ]
    return Problem(needs=needs, offers=offers, substitutions=subs)


def maxrss_mib() -> float:
    """Peak resident set of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, fn: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - started
    print(f"  {label:<34} {seconds:9.2f} s   peak RSS {maxrss_mib():8.0f} MiB", flush=True)
    return value, seconds


def pulp_cbc(problem: Problem) -> tuple[float, float] | None:
    """The same MILP in PuLP, solved by its bundled CBC; None if PuLP is missing."""
    try:
        import pulp
    except ImportError:
        return None
    started = time.perf_counter()
    arrays = build(problem)
    model = pulp.LpProblem("match", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{a}", lowBound=0, cat="Integer") for a in range(len(arrays.arc_offer))]
    model += pulp.lpSum(float(g) * v for g, v in zip(arrays.arc_gain, x, strict=True))
    by_offer: dict[int, list[int]] = {}
    by_need: dict[int, list[int]] = {}
    for a, (o, n) in enumerate(zip(arrays.arc_offer, arrays.arc_need, strict=True)):
        by_offer.setdefault(int(o), []).append(a)
        by_need.setdefault(int(n), []).append(a)
    for o, arcs in by_offer.items():
        model += pulp.lpSum(x[a] for a in arcs) <= int(arrays.offer_qty[o])
    for n, arcs in by_need.items():
        model += pulp.lpSum(float(arrays.arc_ratio[a]) * x[a] for a in arcs) <= int(
            arrays.need_qty[n]
        )
    model.solve(pulp.PULP_CBC_CMD(msg=False, gapRel=0.0))
    return float(pulp.value(model.objective) or 0.0), time.perf_counter() - started


def describe(plan: Plan) -> str:
    mips = sum(c.solver == "highs_mip" for c in plan.components)
    statuses = ", ".join(sorted({c.status for c in plan.components})) or "none"
    return (
        f"{len(plan.components)} components ({mips} MIP), objective {plan.objective:,.0f}, "
        f"max MIP gap {max((c.mip_gap for c in plan.components), default=0.0):.2e} "
        f"(status: {statuses})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="small,medium", help="small,medium[,large]")
    parser.add_argument("--seed", type=int, default=20260301)
    args = parser.parse_args()
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for size in sizes:
        if size not in SIZES:
            parser.error(f"unknown size {size!r}; choose from {', '.join(SIZES)}")
    print(f"matching benchmark, seed {args.seed}, sizes {', '.join(sizes)}")
    for size in sizes:
        n_needs, n_offers, n_types = SIZES[size]
        print(f"\n{size}: {n_needs:,} needs x {n_offers:,} offers, {n_types:,} types")
        problem, _ = timed(
            "generate",
            lambda: instance(n_needs, n_offers, n_types, args.seed),  # noqa: B023
        )
        arrays, _ = timed("build arrays", lambda: build(problem))  # noqa: B023
        print(f"  {len(arrays.arc_offer):,} arcs, {arrays.n_components:,} components")
        plan, t_solve = timed("exact solve (decomposed)", lambda: solve(problem))  # noqa: B023
        print(f"  {describe(plan)}")
        base, _ = timed("greedy", lambda: greedy(problem))  # noqa: B023
        share = base.objective / plan.objective if plan.objective else 1.0
        print(f"  greedy objective = {share:.1%} of the optimum")
        if size == "small":
            result = pulp_cbc(problem)
            if result is None:
                print("  PuLP + CBC: pulp is not installed; comparison skipped")
            else:
                objective, seconds = result
                print(
                    f"  PuLP + CBC (model build + solve)  {seconds:9.2f} s   objective "
                    f"{objective:,.0f}; exact solve is {seconds / t_solve:.1f}x faster"
                )
        else:
            print("  PuLP + CBC: run on small only (building the model in Python is the cost)")
        if size == "medium":
            whole, t_whole = timed(
                "monolithic solve (decompose=False)",
                lambda: solve(problem, decompose=False),  # noqa: B023
            )
            print(f"  {describe(whole)}; monolithic / decomposed time = {t_whole / t_solve:.1f}x")
            ranking, _ = timed(
                "stress: all_donors (50 withdrawals)",
                lambda: all_donors(problem, plan),  # noqa: B023
            )
            top = ", ".join(f"{r.scenario.label[7:]} {r.objective_lost:,.0f}" for r in ranking[:3])
            print(f"  donors costing most when withdrawn: {top}")


if __name__ == "__main__":
    main()
