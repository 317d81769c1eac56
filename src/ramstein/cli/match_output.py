"""How `ramstein match` shows stored plans, their differences, re-runs and stress results."""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import Any

from ramstein.cli import output
from ramstein.cli.output import Column, col
from ramstein.domain.needs import Priority
from ramstein.matching.stress import StressResult
from ramstein.services.match_changes import AllocationDiff, PlanDiff, PlanStress
from ramstein.services.match_plans import PlanReport, StoredPlan
from ramstein.services.matching import Rerun

TOP = 10
"""Rows of the largest gaps shown in a plan's summary."""
SECTIONS = ("needs", "gaps", "unused", "overlaps", "allocations")


def amount(value: float) -> str:
    """Units or gain as people read them: whole numbers without decimals."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def number(header: str, attribute: str) -> Column:
    """A right-aligned column of units or gain."""
    get = attrgetter(attribute)
    return Column(header, lambda item: amount(get(item)), "right")


def percent(header: str, attribute: str) -> Column:
    get = attrgetter(attribute)
    return Column(header, lambda item: f"{get(item):.1%}", "right")


def _solver(report: PlanReport) -> str:
    solver = report.plan.solver
    used = ", ".join(solver.solvers) or "nothing to solve"
    return f"{used}; {solver.components} components, {', '.join(solver.statuses) or '–'}"


PLAN_COLUMNS = [
    col("ID", "id", right=True),
    col("Created", "created_at"),
    col("By", "participant"),
    col("User", "user"),
    col("Log position", "log_seq", right=True),
    col("Needs", "needs", right=True),
    col("Pledges", "pledges", right=True),
    number("Objective", "objective"),
    number("Units", "units_allocated"),
]
SUMMARY_FIELDS = [
    col("Created", "plan.created_at"),
    Column("By", lambda r: f"{r.plan.participant} ({r.plan.user or 'unknown user'})"),
    col("Log position of its inputs", "plan.log_seq"),
    Column("Weights", lambda r: ", ".join(f"{p}={w:g}" for p, w in r.plan.weights.items())),
    Column("Lateness penalty", lambda r: f"{r.plan.late_penalty:g} per unit per day late"),
    Column("Needs / pledges used", lambda r: f"{r.plan.needs} / {r.plan.pledges}"),
    Column("Objective", lambda r: amount(r.plan.objective)),
    Column("Units allocated", lambda r: amount(r.plan.units_allocated)),
    Column("Solver", _solver),
    Column("Overlap warnings", lambda r: len(r.overlaps)),
]
PRIORITY_COLUMNS = [
    col("Priority", "priority"),
    number("Needed", "needed"),
    number("Covered", "covered"),
    number("Gap", "gap"),
    percent("Covered share", "share"),
]
GAP_COLUMNS = [
    number("Needed", "needed"),
    number("Covered", "covered"),
    number("Gap", "gap"),
]
AREA_GAP_COLUMNS = [col("Priority", "priority"), col("Area", "area"), *GAP_COLUMNS]
COALITION_GAP_COLUMNS = [
    col("Priority", "priority"),
    col("Coalition", "coalition"),
    col("Area", "area"),
    *GAP_COLUMNS,
]
NEED_COLUMNS = [
    col("Need", "need_id", right=True),
    col("Item", "item_type"),
    col("Area", "area"),
    col("Priority", "priority"),
    col("Needed by", "needed_by"),
    *GAP_COLUMNS,
]
UNUSED_COLUMNS = [
    col("Offer", "offer_id"),
    col("Donor", "donor"),
    col("Item", "item_type"),
    col("Available", "available"),
    number("Units left", "units_left"),
]
OVERLAP_COLUMNS = [
    col("Item", "item_type"),
    col("Area", "area"),
    col("Pledges", "pledges"),
    number("Offered", "offered"),
    number("Needed", "needed"),
    number("Excess", "excess"),
]
ALLOCATION_COLUMNS = [
    col("Offer", "offer_id"),
    col("Donor", "donor"),
    col("Item offered", "offer_type"),
    col("Need", "need_id", right=True),
    col("Item needed", "need_type"),
    number("Offer units", "quantity"),
    number("Need units", "need_units"),
]
CHANGE_COLUMNS = [
    Column("", lambda c: "added" if not c.before else "removed" if not c.after else "changed"),
    col("Offer", "offer_id"),
    col("Need", "need_id", right=True),
    number("Before", "before"),
    number("After", "after"),
]
PRIORITY_CHANGE_COLUMNS = [
    col("Priority", "priority"),
    number("Needed before", "needed_before"),
    number("Needed after", "needed_after"),
    number("Covered before", "covered_before"),
    number("Covered after", "covered_after"),
]
COVERAGE_CHANGE_COLUMNS = [
    col("Need", "need_id", right=True),
    number("Before", "before"),
    number("After", "after"),
    Column("Change", lambda c: f"{c.delta:+,.2f}", "right"),
]


def _fields(change: Any) -> str:
    return "; ".join(
        f"{name} {output.cell(old)} -> {output.cell(new)}"
        for name, (old, new) in change.fields.items()
    )


INPUT_CHANGE_COLUMNS = [
    col("Kind", "kind"),
    col("Record", "key"),
    col("Change", "change"),
    Column("Fields", _fields),
]
LOSS_COLUMNS = [
    number("Needed", "needed"),
    number("Lost", "lost_units"),
    percent("Share lost", "share"),
]
AREA_LOSS_COLUMNS = [col("Priority", "priority"), col("Area", "area"), *LOSS_COLUMNS]
COALITION_LOSS_COLUMNS = [
    col("Priority", "priority"),
    col("Coalition", "coalition"),
    col("Area", "area"),
    *LOSS_COLUMNS,
]
HURT_COLUMNS = [
    col("Need", "need_id", right=True),
    col("Item", "item_type"),
    col("Area", "area"),
    col("Priority", "priority"),
    number("Lost", "lost_units"),
    number("Lost (weighted)", "lost_weighted"),
    Column(
        "Compatible capacity left with",
        lambda h: ", ".join(f"{c.donor} {amount(c.offer_units)}" for c in h.remaining) or "nobody",
    ),
]


def show_summary(report: PlanReport) -> None:
    """A plan's header, its coverage by priority and its largest gaps."""
    output.print_record(
        f"Plan {report.plan.id}",
        SUMMARY_FIELDS,
        report,
        [
            ("Coverage by priority", PRIORITY_COLUMNS, report.priorities),
            ("Largest gaps by area (P1 first)", AREA_GAP_COLUMNS, report.area_gaps[:TOP]),
            (
                "Largest gaps by coalition (P1 first)",
                COALITION_GAP_COLUMNS,
                report.coalition_gaps[:TOP],
            ),
        ],
    )
    if report.overlaps:
        output.console().print(
            f"{len(report.overlaps)} overlap warnings: the pledges of an item type offer more "
            f"than its open needs ask for; see `ramstein match show {report.plan.id} --overlaps`."
        )


def show_section(report: PlanReport, stored: StoredPlan, section: str | None) -> None:
    """The summary, or one section of a plan as a table."""
    title = f"Plan {report.plan.id}"
    if section is None:
        show_summary(report)
    elif section == "needs":
        output.print_table(f"{title}: coverage per need", NEED_COLUMNS, report.needs, "No needs.")
    elif section == "gaps":
        output.print_table(f"{title}: gaps by area", AREA_GAP_COLUMNS, report.area_gaps, "No gaps.")
        output.print_table(
            f"{title}: gaps by coalition",
            COALITION_GAP_COLUMNS,
            report.coalition_gaps,
            "No gaps in any coalition's area.",
        )
    elif section == "unused":
        output.print_table(
            f"{title}: unused offers", UNUSED_COLUMNS, report.unused, "Every offer is used."
        )
    elif section == "overlaps":
        output.print_table(
            f"{title}: overlap warnings", OVERLAP_COLUMNS, report.overlaps, "No overlaps."
        )
    else:
        output.print_table(
            f"{title}: allocations", ALLOCATION_COLUMNS, stored.allocations, "Nothing allocated."
        )


def section_data(report: PlanReport, stored: StoredPlan, section: str | None) -> Any:
    """The summary or one section of a plan, for JSON."""
    if section is None:
        return report
    if section == "gaps":
        return {"by_area": report.area_gaps, "by_coalition": report.coalition_gaps}
    if section == "allocations":
        return stored.allocations
    return getattr(report, section)


def _changes(title: str, changes: AllocationDiff) -> None:
    rows = [*changes.added, *changes.removed, *changes.changed]
    if rows:
        output.print_table(title, CHANGE_COLUMNS, rows, "")


def show_rerun(result: Rerun) -> None:
    changes = result.allocations
    if result.reproduced:
        output.done(
            f"Re-running plan {result.plan_id} reproduces it exactly "
            f"(objective {amount(result.objective_now)})."
        )
        return
    output.console().print(
        f"Re-running plan {result.plan_id} gives a different plan: objective "
        f"{amount(result.objective_stored)} stored, {amount(result.objective_now)} now; "
        f"{len(changes.added)} allocations added, {len(changes.removed)} removed, "
        f"{len(changes.changed)} changed."
    )
    _changes("Allocations that differ", changes)


def show_diff(found: PlanDiff) -> None:
    con = output.console()
    con.print(
        f"Plan {found.before} (log position {found.log_seq_before}) -> plan {found.after} "
        f"(log position {found.log_seq_after}): objective {amount(found.objective_before)} -> "
        f"{amount(found.objective_after)} ({found.objective_delta:+,.2f})."
    )
    output.print_table("Coverage by priority", PRIORITY_CHANGE_COLUMNS, found.priorities, "")
    a = found.allocations
    con.print(
        f"Allocations: {len(a.added)} added, {len(a.removed)} removed, {len(a.changed)} changed."
    )
    _changes("Allocations that changed", a)
    output.print_table(
        "Needs whose coverage changed",
        COVERAGE_CHANGE_COLUMNS,
        found.needs,
        "No need's coverage changed.",
    )
    output.print_table(
        "Input changes", INPUT_CHANGE_COLUMNS, found.inputs, "The inputs are the same."
    )


def stress_json(result: StressResult) -> dict[str, Any]:
    """A pure stress result as JSON (file mode)."""
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


def plan_stress_json(found: PlanStress) -> dict[str, Any]:
    """A stored plan's stress result as JSON: the pure result plus areas and coalitions."""
    data = {"plan": found.plan_id, **stress_json(found.result)}
    data["baseline_objective"] = found.baseline_objective
    data["coverage_lost_by_area"] = output.plain(found.by_area)
    data["coverage_lost_by_coalition"] = output.plain(found.by_coalition)
    data["hurt_needs"] = output.plain(found.hurt)
    return data


def show_stress(found: PlanStress) -> None:
    r = found.result
    output.console().print(
        f"Plan {found.plan_id}, {r.scenario.label}: objective {amount(found.baseline_objective)} "
        f"-> {amount(r.plan.objective)} (lost {amount(r.objective_lost)}; "
        f"{r.components_resolved} components re-solved)."
    )
    by_priority = [(p, loss.units, loss.share) for p, loss in r.coverage_lost.items()]
    output.print_table(
        "Coverage lost by priority",
        [
            Column("Priority", lambda x: x[0]),
            Column("Lost", lambda x: amount(x[1]), "right"),
            Column("Share of needed", lambda x: f"{x[2]:.1%}", "right"),
        ],
        by_priority,
        "",
    )
    output.print_table(
        "Coverage lost by area (P1 first)",
        AREA_LOSS_COLUMNS,
        found.by_area,
        "No area loses coverage.",
    )
    output.print_table(
        "Coverage lost by coalition (P1 first)",
        COALITION_LOSS_COLUMNS,
        found.by_coalition,
        "No coalition's area loses coverage.",
    )
    output.print_table("Needs hit hardest", HURT_COLUMNS, found.hurt, "No need loses coverage.")


def show_ranking(plan_id: int, results: Sequence[PlanStress]) -> None:
    """Each donor withdrawn in turn: what it costs, by priority, and the areas it hits."""

    def lost(p: Priority) -> Column:
        return Column(f"{p} lost", lambda r: amount(r.result.coverage_lost[p].units), "right")

    def areas(r: PlanStress) -> str:
        hit = dict.fromkeys(a.area for a in r.by_area if a.lost_units > 0)
        return ", ".join(hit) or "none"

    columns = [
        Column("Scenario", lambda r: r.result.scenario.label),
        Column("Objective lost", lambda r: amount(r.result.objective_lost), "right"),
        *(lost(p) for p in Priority),
        Column("Areas hit (P1 first)", areas),
    ]
    output.print_table(
        f"Plan {plan_id}: each donor withdrawn in turn, largest loss first",
        columns,
        results,
        "The plan has no donors.",
    )
