"""`ramstein match`: allocate offers (pledge tranches) to needs.

File mode (`solve`, `stress --needs`) works on CSV files without a database. Database mode
(`run`, `list`, `show`, `diff`, `stress --plan`) plans on the live needs and tranches the
viewer may see and stores each plan with the log position of its inputs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ramstein.cli import output
from ramstein.cli.context import principal, reading, store
from ramstein.cli.errors import BadInput, fail
from ramstein.cli.inputs import AsJson, Limit
from ramstein.cli.match_output import (
    PLAN_COLUMNS,
    SECTIONS,
    plan_stress_json,
    section_data,
    show_diff,
    show_ranking,
    show_rerun,
    show_section,
    show_stress,
    stress_json,
)
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
from ramstein.services import matching
from ramstein.services.match_plans import StoredPlan, plan_of

app = typer.Typer(help="Match offers (pledge tranches) to needs.", no_args_is_help=True)

Weights = Annotated[
    str | None,
    typer.Option("--weights", help="Priority weights, e.g. P1=100,P2=40,P3=15,P4=5."),
]
PlanId = Annotated[int, typer.Argument(help="The stored plan's number.", metavar="ID")]


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


def _scenario(
    donor: list[str] | None, share: float | None, delay: str | None, every_donor: bool
) -> Scenario | None:
    """The one scenario the options ask for; None for every donor in turn."""
    chosen = sum([bool(donor), share is not None, delay is not None, every_donor])
    if chosen != 1:
        raise fail("Give exactly one of --donor, --share, --delay, --all-donors.")
    try:
        if donor:
            return remove_donors(donor)
        if share is not None:
            return cut_share(share)
        if delay is not None:
            code, sep, days = delay.rpartition(":")
            if not sep or not code or not days.strip().isdigit():
                raise ValueError(f"--delay: {delay!r} is not CODE:DAYS.")
            return delay_donor(code, int(days))
    except ValueError as error:
        raise fail(str(error)) from None
    return None


@app.command("stress")
def stress(
    ctx: typer.Context,
    plan_id: Annotated[
        int | None,
        typer.Option(
            "--plan",
            help="Database mode: stress this stored plan (default: your newest).",
            metavar="ID",
        ),
    ] = None,
    needs: Annotated[
        Path | None, typer.Option("--needs", help="File mode: needs CSV.", metavar="CSV")
    ] = None,
    offers: Annotated[
        Path | None, typer.Option("--offers", help="File mode: offers CSV.", metavar="CSV")
    ] = None,
    substitutions: Annotated[
        Path | None,
        typer.Option("--substitutions", help="File mode: substitutions CSV.", metavar="CSV"),
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
        typer.Option("--weights", help="File mode: priority weights, e.g. P1=100,P2=40."),
    ] = None,
    late_penalty: Annotated[
        float | None,
        typer.Option(
            "--late-penalty",
            help="File mode: gain lost per unit per day late (default 1).",
            min=0.0,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Re-solve a plan under a withdrawal, a cut or a delay and report what it costs.

    With --needs and --offers, solve the files first (file mode); otherwise stress a stored
    plan with its own weights and penalty (database mode), and report the loss by priority,
    area and coalition, and the needs hit hardest with the donors that could fill them.
    """
    file_mode = needs is not None or offers is not None or substitutions is not None
    if file_mode and plan_id is not None:
        raise fail("--plan stresses a stored plan; leave out --needs, --offers, --substitutions.")
    if file_mode and (needs is None or offers is None):
        raise fail("File mode needs both --needs and --offers.")
    if not file_mode and (weights is not None or late_penalty is not None):
        raise fail("A stored plan is stressed with its own weights and lateness penalty.")
    scenario = _scenario(donor, share, delay, every_donor)
    if needs is not None and offers is not None:
        _stress_files(needs, offers, substitutions, scenario, weights, late_penalty, as_json)
        return
    with reading(ctx) as (conn, viewer):
        if plan_id is None:
            latest = matching.latest_plan(conn=conn, viewer=viewer)
            if latest is None:
                raise BadInput("You have no stored plan; run `ramstein match run` or give --plan.")
            plan_id = latest.id
        if scenario is None:
            results = matching.stress_all_donors(conn=conn, viewer=viewer, plan_id=plan_id)
        else:
            results = [
                matching.stress(conn=conn, viewer=viewer, plan_id=plan_id, scenario=scenario)
            ]
    if as_json:
        output.print_json({"plan": plan_id, "results": [plan_stress_json(r) for r in results]})
    elif scenario is None:
        show_ranking(plan_id, results)
    else:
        show_stress(results[0])


def _stress_files(
    needs: Path,
    offers: Path,
    substitutions: Path | None,
    scenario: Scenario | None,
    weights: str | None,
    late_penalty: float | None,
    as_json: bool,
) -> None:
    try:
        weight_map = parse_weights(weights)
        need_list, offer_list, sub_list = read_problem_files(needs, offers, substitutions)
    except (MatchInputError, ValueError) as error:
        raise fail(str(error)) from None
    problem = Problem(
        needs=need_list,
        offers=offer_list,
        substitutions=sub_list,
        weights=weight_map,
        late_penalty=1.0 if late_penalty is None else late_penalty,
    )
    plan = solve_problem(problem)
    if scenario is None:
        results = all_donors(problem, plan)
    else:
        results = [run_stress(problem, plan, scenario)]
    if as_json:
        data = {"baseline_objective": plan.objective, "results": [stress_json(r) for r in results]}
        typer.echo(json.dumps(data, indent=2))
    else:
        typer.echo(f"Baseline objective {plan.objective:g}.")
        for r in results:
            typer.echo(_stress_text(r))


# --- database mode ------------------------------------------------------------------------


@app.command("run")
def run(
    ctx: typer.Context,
    weights: Weights = None,
    late_penalty: Annotated[
        float,
        typer.Option("--late-penalty", help="Gain lost per unit per day late.", min=0.0),
    ] = 1.0,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the plan as CSV.", metavar="CSV")
    ] = None,
    summary: Annotated[
        Path | None,
        typer.Option("--summary", help="Also write its summary as JSON.", metavar="JSON"),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Plan on the live needs and tranches you may see, and store the plan."""
    try:
        weight_map = parse_weights(weights)
    except ValueError as error:
        raise fail(str(error)) from None
    stored = matching.run_match(
        store=store(ctx), viewer=principal(ctx), weights=weight_map, late_penalty=late_penalty
    )
    _write_files(stored, out, summary)
    found = matching.report(stored)
    if as_json:
        output.print_json(found)
        return
    info = stored.info
    output.done(f"Stored plan {info.id} (inputs read at log position {info.log_seq}).")
    show_section(found, stored, None)


def _write_files(stored: StoredPlan, out: Path | None, summary: Path | None) -> None:
    plan = plan_of(stored)
    if out is not None:
        write_plan(plan, out)
    if summary is not None:
        info = stored.info
        write_summary(
            plan,
            summary,
            {
                "plan_id": info.id,
                "log_position": info.log_seq,
                "solver": output.plain(info.solver),
                "seconds": info.solver.seconds,
            },
        )


@app.command("list")
def list_(
    ctx: typer.Context,
    by: Annotated[
        str | None, typer.Option("--by", help="Only plans this participant ran.", metavar="CODE")
    ] = None,
    limit: Limit = None,
    as_json: AsJson = False,
) -> None:
    """List the stored plans you may see (every need and pledge they used), newest first."""
    with reading(ctx) as (conn, viewer):
        found = matching.list_plans(conn=conn, viewer=viewer, by=by, limit=limit)
    output.listing(
        found, PLAN_COLUMNS, as_json=as_json, title="Plans", empty="No stored plans you may see."
    )


@app.command("show")
def show(
    ctx: typer.Context,
    plan_id: PlanId,
    needs: Annotated[bool, typer.Option("--needs", help="Coverage of every need.")] = False,
    gaps: Annotated[
        bool, typer.Option("--gaps", help="Every gap by area and by coalition, P1 first.")
    ] = False,
    unused: Annotated[bool, typer.Option("--unused", help="Offer units left unused.")] = False,
    overlaps: Annotated[
        bool,
        typer.Option("--overlaps", help="Pledges of an item type beyond its open needs."),
    ] = False,
    allocations: Annotated[
        bool, typer.Option("--allocations", help="Every allocation of the plan.")
    ] = False,
    again: Annotated[
        bool,
        typer.Option("--rerun", help="Solve its stored inputs again; say if it is reproduced."),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Show a stored plan: a summary, or one section of it."""
    flags = (needs, gaps, unused, overlaps, allocations)
    chosen = [name for name, on in zip(SECTIONS, flags, strict=True) if on]
    if len(chosen) + again > 1:
        raise BadInput(
            "Give at most one of --needs, --gaps, --unused, --overlaps, --allocations, --rerun."
        )
    with reading(ctx) as (conn, viewer):
        if again:
            result = matching.rerun(conn=conn, viewer=viewer, plan_id=plan_id)
        else:
            stored = matching.get_plan(conn=conn, viewer=viewer, plan_id=plan_id)
    if again:
        output.record(result, as_json=as_json, render=show_rerun)
        return
    found = matching.report(stored)
    section = chosen[0] if chosen else None
    if as_json:
        output.print_json(section_data(found, stored, section))
    else:
        show_section(found, stored, section)


@app.command("diff")
def diff(
    ctx: typer.Context,
    before: Annotated[int, typer.Argument(help="The plan to compare from.", metavar="ID")],
    after: Annotated[int, typer.Argument(help="The plan to compare with it.", metavar="ID")],
    as_json: AsJson = False,
) -> None:
    """Compare two stored plans: objective, coverage, allocations and the inputs that changed."""
    with reading(ctx) as (conn, viewer):
        found = matching.diff(conn=conn, viewer=viewer, before=before, after=after)
    output.record(found, as_json=as_json, render=show_diff)
