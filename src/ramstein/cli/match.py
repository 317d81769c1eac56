"""`ramstein match`: allocate offers to needs. File mode works without a database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from ramstein.cli.errors import fail
from ramstein.matching.files import (
    MatchInputError,
    parse_weights,
    read_problem_files,
    write_plan,
    write_summary,
)
from ramstein.matching.model import Problem
from ramstein.matching.solve import solve as solve_problem
from ramstein.matching.stress import (
    Scenario,
    StressResult,
    all_donors,
    cut_share,
    delay_donor,
    remove_donors,
)
from ramstein.matching.stress import run as run_stress

app = typer.Typer(help="Match offers (pledge tranches) to needs.", no_args_is_help=True)


@app.command("solve")
def solve(
    needs: Annotated[Path, typer.Option("--needs", help="Needs CSV.", metavar="CSV")],
    offers: Annotated[Path, typer.Option("--offers", help="Offers CSV.", metavar="CSV")],
    out: Annotated[Path, typer.Option("--out", help="Plan CSV to write.", metavar="CSV")],
    summary: Annotated[
        Path, typer.Option("--summary", help="Summary JSON to write.", metavar="JSON")
    ],
    substitutions: Annotated[
        Path | None,
        typer.Option("--substitutions", help="Substitutions CSV.", metavar="CSV"),
    ] = None,
    weights: Annotated[
        str | None,
        typer.Option("--weights", help="Priority weights, e.g. P1=100,P2=40,P3=15,P4=5."),
    ] = None,
    late_penalty: Annotated[
        float,
        typer.Option("--late-penalty", help="Gain lost per unit per day late.", min=0.0),
    ] = 1.0,
) -> None:
    """Solve an allocation from CSV files and write the plan and its summary."""
    try:
        weight_map = parse_weights(weights)
        need_list, offer_list, sub_list = read_problem_files(needs, offers, substitutions)
    except (MatchInputError, ValueError) as error:
        raise fail(str(error)) from None
    plan = solve_problem(
        Problem(
            needs=need_list,
            offers=offer_list,
            substitutions=sub_list,
            weights=weight_map,
            late_penalty=late_penalty,
        )
    )
    write_plan(plan, out)
    write_summary(plan, summary)
    typer.echo(
        f"Allocated {plan.units_allocated} units in {len(plan.allocations)} lines; "
        f"objective {plan.objective:g} ({', '.join(plan.solvers) or 'nothing to solve'})."
    )


def _stress_json(result: StressResult) -> dict[str, Any]:
    return {
        "scenario": result.scenario.label,
        "objective": result.plan.objective,
        "objective_lost": result.objective_lost,
        "components_resolved": result.components_resolved,
        "coverage_lost": {
            str(p): {"units": loss.units, "share": loss.share}
            for p, loss in result.coverage_lost.items()
        },
        "hurt_needs": [
            {
                "need_id": h.need_id,
                "priority": str(h.priority),
                "lost_units": h.lost_units,
                "lost_weighted": h.lost_weighted,
                "remaining": [
                    {"donor": c.donor, "offer_units": c.offer_units} for c in h.remaining
                ],
            }
            for h in result.hurt
        ],
    }


def _stress_text(result: StressResult) -> str:
    lines = [
        f"{result.scenario.label}: objective {result.plan.objective:g} "
        f"(lost {result.objective_lost:g}; {result.components_resolved} components re-solved)"
    ]
    for p, loss in result.coverage_lost.items():
        lines.append(f"  {p}: lost {loss.units:g} units ({loss.share:.1%} of needed)")
    for h in result.hurt:
        left = ", ".join(f"{c.donor} {c.offer_units}" for c in h.remaining) or "none"
        lines.append(
            f"  need {h.need_id} ({h.priority}): lost {h.lost_units:g} units, "
            f"{h.lost_weighted:g} weighted; compatible capacity left: {left}"
        )
    return "\n".join(lines)


@app.command("stress")
def stress(
    needs: Annotated[Path, typer.Option("--needs", help="Needs CSV.", metavar="CSV")],
    offers: Annotated[Path, typer.Option("--offers", help="Offers CSV.", metavar="CSV")],
    substitutions: Annotated[
        Path | None,
        typer.Option("--substitutions", help="Substitutions CSV.", metavar="CSV"),
    ] = None,
    donor: Annotated[
        list[str] | None,
        typer.Option("--donor", help="Withdraw this donor (repeat for a set).", metavar="CODE"),
    ] = None,
    share: Annotated[
        float | None,
        typer.Option(
            "--share", help="Withdraw this share of every offer (floored).", min=0.0, max=1.0
        ),
    ] = None,
    delay: Annotated[
        str | None,
        typer.Option("--delay", help="Delay a donor's offers, e.g. DE:14.", metavar="CODE:DAYS"),
    ] = None,
    every_donor: Annotated[
        bool,
        typer.Option("--all-donors", help="Withdraw each donor in turn; rank by objective lost."),
    ] = False,
    weights: Annotated[
        str | None,
        typer.Option("--weights", help="Priority weights, e.g. P1=100,P2=40,P3=15,P4=5."),
    ] = None,
    late_penalty: Annotated[
        float,
        typer.Option("--late-penalty", help="Gain lost per unit per day late.", min=0.0),
    ] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Solve, then re-solve under a withdrawal, a cut or a delay and report what it costs."""
    chosen = sum([bool(donor), share is not None, delay is not None, every_donor])
    if chosen != 1:
        raise fail("Give exactly one of --donor, --share, --delay, --all-donors.")
    try:
        weight_map = parse_weights(weights)
        need_list, offer_list, sub_list = read_problem_files(needs, offers, substitutions)
        scenario: Scenario | None = None
        if donor:
            scenario = remove_donors(donor)
        elif share is not None:
            scenario = cut_share(share)
        elif delay is not None:
            code, sep, days = delay.rpartition(":")
            if not sep or not code or not days.strip().isdigit():
                raise ValueError(f"--delay: {delay!r} is not CODE:DAYS.")
            scenario = delay_donor(code, int(days))
    except (MatchInputError, ValueError) as error:
        raise fail(str(error)) from None
    problem = Problem(
        needs=need_list,
        offers=offer_list,
        substitutions=sub_list,
        weights=weight_map,
        late_penalty=late_penalty,
    )
    plan = solve_problem(problem)
    if scenario is None:
        results = all_donors(problem, plan)
    else:
        results = [run_stress(problem, plan, scenario)]
    if as_json:
        data = {"baseline_objective": plan.objective, "results": [_stress_json(r) for r in results]}
        typer.echo(json.dumps(data, indent=2))
    else:
        typer.echo(f"Baseline objective {plan.objective:g}.")
        for r in results:
            typer.echo(_stress_text(r))
