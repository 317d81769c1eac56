"""Matching benchmark: exact solve, greedy, monolithic model, stress and PuLP + CBC, one run.

Run with `.venv/bin/python bench/matching.py [--sizes small,medium[,large]] [--seed N]`
(or `make bench`). Instances are seeded and coalition-shaped: item types in substitution
families of about ten, each type with 0-3 substitutes from its own family, 50 donors, a
90-day horizon and priorities P1-P4. The issue's instance has like-for-like substitutes
(ratio 1); the "mixed" variant puts 5 % of substitutions at ratio 0.5 or 2, which takes their
families out of min-cost flow into HiGHS. See bench/README.md.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ramstein.domain.needs import Priority  # noqa: E402
from ramstein.matching.greedy import greedy  # noqa: E402
from ramstein.matching.model import Need, Offer, Problem, Substitution, build  # noqa: E402
from ramstein.matching.solve import Plan, Previous, solve  # noqa: E402
from ramstein.matching.stress import all_donors  # noqa: E402

SIZES = {
    "small": (500, 500, 100),
    "medium": (20_000, 20_000, 2_000),
    "large": (200_000, 200_000, 10_000),
}
VARIANTS = {"issue": 0.0, "mixed": 0.05}
"""Share of substitutions drawn at ratio 0.5 or 2 instead of 1."""
FAMILY = 10
DONORS = 50
HORIZON = 90
DAY0 = date(2026, 3, 1)
T = TypeVar("T")


def instance(
    n_needs: int, n_offers: int, n_types: int, seed: int, non_unit_share: float = 0.0
) -> Problem:
    rng = np.random.default_rng(seed)
    types = [f"T{i:05d}" for i in range(n_types)]
    subs = []
    for t in range(n_types):
        family = range((t // FAMILY) * FAMILY, min((t // FAMILY + 1) * FAMILY, n_types))
        others = [u for u in family if u != t]
        k = min(int(rng.integers(0, 4)), len(others))
        for u in rng.choice(others, size=k, replace=False) if k else []:
            other = float(rng.choice([0.5, 2.0]))
            ratio = other if rng.random() < non_unit_share else 1.0
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


def timed(label: str, fn: Callable[[], T], repeats: int = 1) -> tuple[T, float]:
    """The value and the median time of `repeats` runs of `fn`."""
    times, value = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    seconds = float(np.median(times))
    runs = f" (median of {repeats})" if repeats > 1 else ""
    print(f"  {label + runs:<46} {seconds:9.2f} s   peak RSS {maxrss_mib():8.0f} MiB", flush=True)
    return value, seconds  # type: ignore[return-value]


def pulp_cbc(problem: Problem, time_limit: float) -> tuple[float, float, str] | None:
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
    model.solve(pulp.PULP_CBC_CMD(msg=False, gapRel=0.0, timeLimit=time_limit))
    # sol_status tells an optimum from an incumbent returned at the time limit.
    status = pulp.LpSolution[model.sol_status]
    return float(pulp.value(model.objective) or 0.0), time.perf_counter() - started, status


def describe(plan: Plan) -> str:
    solvers = Counter(c.solver for c in plan.components)
    statuses = ", ".join(sorted({c.status for c in plan.components})) or "none"
    return (
        f"{len(plan.components)} components ("
        + ", ".join(f"{n} {s}" for s, n in sorted(solvers.items()))
        + f"), objective {plan.objective:,.1f}, "
        f"max MIP gap {max((c.mip_gap for c in plan.components), default=0.0):.2e} "
        f"(status: {statuses})"
    )


def target(label: str, ok: bool, detail: str) -> None:
    print(f"  target {label:<44} {'met' if ok else 'NOT MET'}: {detail}", flush=True)


def one_need_changed(problem: Problem) -> Problem:
    """The problem after the recipient revises one P1 need (a typical edit between runs)."""
    first = next(i for i, n in enumerate(problem.needs) if n.priority is Priority.P1)
    needs = list(problem.needs)
    needs[first] = replace(needs[first], quantity=needs[first].quantity + 5)
    return replace(problem, needs=needs)


def run_size(size: str, variant: str, seed: int, pulp_limit: float) -> None:
    n_needs, n_offers, n_types = SIZES[size]
    issue = variant == "issue"
    what = (
        "substitutes at ratio 1 (the issue's instance)"
        if issue
        else "5% of substitutions at ratio 0.5 or 2 (not a target: HiGHS LP/MIP families)"
    )
    print(
        f"\n{size}, {variant}: {n_needs:,} needs x {n_offers:,} offers, {n_types:,} types; {what}"
    )
    problem, _ = timed(
        "generate", lambda: instance(n_needs, n_offers, n_types, seed, VARIANTS[variant])
    )
    arrays, _ = timed("build arrays", lambda: build(problem), repeats=3 if size != "large" else 1)
    print(f"  {len(arrays.arc_offer):,} arcs, {arrays.n_components:,} components")
    del arrays
    repeats = 3 if size != "large" or issue else 1
    plan, t_solve = timed("exact solve (decomposed)", lambda: solve(problem), repeats=repeats)
    peak_solve = maxrss_mib()  # before the monolithic model raises the high-water mark
    print(f"  {describe(plan)}")
    if size != "large" and not issue:
        _, t_serial = timed("exact solve (decomposed, 1 thread)", lambda: solve(problem, workers=1))
        print(f"  (1-thread solve: {t_serial / t_solve:.1f}x the time with threads for HiGHS)")
    changed = one_need_changed(problem)
    again, t_again = timed(
        "re-solve after one need changed",
        lambda: solve(changed, previous=Previous(problem, plan)),
        repeats=repeats,
    )
    print(
        f"  {sum(c.reused for c in again.components)} of {len(again.components)} components "
        f"reused; {t_solve / t_again:.1f}x faster than the first solve"
    )
    base, _ = timed("greedy (priority, then date)", lambda: greedy(problem))
    share = base.objective / plan.objective if plan.objective else 1.0
    print(f"  greedy objective = {share:.1%} of the optimum")
    if issue and size in ("small", "medium"):
        result = pulp_cbc(problem, pulp_limit)
        if result is None:
            print("  PuLP + CBC: pulp is not installed; comparison skipped")
        else:
            objective, seconds, status = result
            print(
                f"  {'PuLP + CBC (build + solve)':<46} {seconds:9.2f} s   {status}, objective "
                f"{objective:,.1f}; exact solve is {seconds / t_solve:.1f}x faster"
            )
            if size == "medium":
                ratio = seconds / t_solve
                target("medium >= 30x faster than PuLP + CBC", ratio >= 30, f"{ratio:.1f}x")
    if size in ("medium", "large") and (issue or size == "medium"):
        limit = 30.0 if size == "medium" else 120.0
        kind = "one OR-Tools min-cost flow" if issue else f"one HiGHS MIP, limit {limit:g} s"
        try:
            whole, t_whole = timed(
                f"monolithic model ({kind})",
                lambda: solve(problem, decompose=False, time_limit=limit),
            )
            print(f"  {describe(whole)}; monolithic / decomposed time = {t_whole / t_solve:.1f}x")
        except (RuntimeError, MemoryError) as error:
            print(f"  monolithic model: no plan ({error})")
    if size == "medium":
        ranking, t_stress = timed(
            "stress: all_donors (50 withdrawals)", lambda: all_donors(problem, plan)
        )
        top = ", ".join(f"{r.scenario.label[7:]} {r.objective_lost:,.0f}" for r in ranking[:3])
        print(f"  donors costing most when withdrawn: {top}")
        resolved = sum(r.components_resolved for r in ranking) / max(len(ranking), 1)
        print(f"  {resolved:.0f} of {len(plan.components)} components re-solved per withdrawal")
        if issue:
            target("medium solve <= 0.5 s", t_solve <= 0.5, f"{t_solve:.2f} s")
            target("all_donors on medium <= 10 s", t_stress <= 10, f"{t_stress:.1f} s")
    if size == "large" and issue:
        target("large solve <= 10 s", t_solve <= 10, f"{t_solve:.1f} s")
        target("large within 2 GB", peak_solve <= 2048, f"peak {peak_solve:,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="small,medium", help="small,medium[,large]")
    parser.add_argument(
        "--variants", default="issue,mixed", help="issue (ratio 1), mixed (some ratios 0.5, 2)"
    )
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument(
        "--pulp-limit", type=float, default=600.0, help="seconds CBC may take (default 600)"
    )
    parser.add_argument("--size", help=argparse.SUPPRESS)  # one size and variant, in this process
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.size:
        run_size(args.size, args.variant, args.seed, args.pulp_limit)
        return
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    for size in sizes:
        if size not in SIZES:
            parser.error(f"unknown size {size!r}; choose from {', '.join(SIZES)}")
    for variant in variants:
        if variant not in VARIANTS:
            parser.error(f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")
    print(f"matching benchmark, seed {args.seed}, sizes {', '.join(sizes)}")
    print("each size and variant runs in its own process, so its peak RSS is its own")
    for variant in variants:
        for size in sizes:
            command = [sys.executable, __file__, "--size", size, "--variant", variant]
            command += ["--seed", str(args.seed), "--pulp-limit", str(args.pulp_limit)]
            subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
