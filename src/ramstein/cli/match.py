"""`ramstein match`: allocate offers to needs. File mode works without a database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
