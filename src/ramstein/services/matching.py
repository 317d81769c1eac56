"""Matching on the live records: solve what a viewer may see, store the plan, read it back.

A donor plans on what it may see; the chair on everything. A stored plan keeps the log
position its inputs were read at and a snapshot of them, so it can be re-run and compared.
Plans are derived data, not log events: they are recomputable, and `rebuild` keeps them.
A plan may be read only by a viewer who may see every need and pledge it used, by the labels
those records carry when it is read; any other viewer is told there is no such plan.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from ramstein.domain.errors import InvalidValue, NotFound, NotPermitted
from ramstein.domain.needs import PRIORITY_WEIGHTS, NeedStatus, Priority
from ramstein.domain.pledges import OPEN_STATUSES
from ramstein.domain.releasability import Principal
from ramstein.matching.solve import Plan, Previous, solve
from ramstein.matching.stress import Scenario, all_donors
from ramstein.matching.stress import run as run_stress
from ramstein.services import capabilities, catalogue, common
from ramstein.services.match_changes import (
    AllocationDiff,
    PlanDiff,
    PlanStress,
    allocation_diff,
    allocation_keys,
    compare,
    stress_detail,
)
from ramstein.services.match_plans import (
    Inputs,
    NeedInput,
    OfferInput,
    PlanAllocation,
    PlanInfo,
    PlanReport,
    StoredPlan,
    inputs_from_json,
    inputs_json,
    offer_id,
    plan_of,
    problem_of,
    solver_from_json,
    solver_json,
    solver_summary,
)
from ramstein.services.match_plans import report as plan_report
from ramstein.services.needs import visible_needs
from ramstein.services.pledges import visible_pledges
from ramstein.store import tables as t
from ramstein.store.engine import Store, utc_now
from ramstein.store.uow import UnitOfWork

MATCHED_NEEDS = (NeedStatus.OPEN, NeedStatus.PARTLY_COVERED)
"""Needs a plan serves; their quantity is the outstanding one (the recipient revises it)."""


def load_inputs(*, conn: Connection, viewer: Principal) -> Inputs:
    """What `viewer` may plan on, with the log position it was read at (one transaction)."""
    size = conn.execute(sa.select(t.log_head.c.size).where(t.log_head.c.id == 1)).scalar_one()
    n, i = t.needs, t.item_types
    need_rows = conn.execute(
        sa.select(
            n.c.id,
            n.c.recipient,
            n.c.item_type,
            i.c.area,
            n.c.quantity,
            n.c.priority,
            n.c.needed_by,
        )
        .join(i, i.c.code == n.c.item_type)
        .where(n.c.status.in_([s.value for s in MATCHED_NEEDS]), visible_needs(viewer))
        .order_by(n.c.id)
    )
    p, tr = t.pledges, t.tranches
    offer_rows = conn.execute(
        sa.select(
            p.c.id,
            tr.c.number,
            p.c.donor,
            p.c.item_type,
            (tr.c.quantity - tr.c.delivered).label("remaining"),
            tr.c.expected_on,
        )
        .join(p, p.c.id == tr.c.pledge_id)
        .where(
            p.c.status.in_([s.value for s in OPEN_STATUSES]),
            tr.c.quantity > tr.c.delivered,
            visible_pledges(viewer),
        )
        .order_by(p.c.id, tr.c.number)
    )
    return Inputs(
        log_seq=size,
        needs=tuple(
            NeedInput(
                id=r.id,
                recipient=r.recipient,
                item_type=r.item_type,
                area=r.area,
                quantity=r.quantity,
                priority=Priority(r.priority),
                needed_by=r.needed_by,
            )
            for r in need_rows
        ),
        offers=tuple(
            OfferInput(
                offer_id=offer_id(r.id, r.number),
                pledge_id=r.id,
                tranche=r.number,
                donor=r.donor,
                item_type=r.item_type,
                quantity=int(r.remaining),
                available=r.expected_on,
            )
            for r in offer_rows
        ),
        substitutions=tuple(catalogue.list_substitutions(conn=conn, viewer=viewer)),
        coalitions={c.code: c.area for c in capabilities.list_coalitions(conn=conn, viewer=viewer)},
    )


def _settings(
    weights: Mapping[Priority, float] | None, late_penalty: float
) -> dict[Priority, float]:
    chosen = {p: float(w) for p, w in PRIORITY_WEIGHTS.items()} | {
        p: float(w) for p, w in (weights or {}).items()
    }
    for p, w in chosen.items():
        if not math.isfinite(w) or w < 0:
            raise InvalidValue("weights", f"The weight of {p.value} must be zero or positive.")
    if not math.isfinite(late_penalty) or late_penalty < 0:
        raise InvalidValue("late_penalty", "The lateness penalty must be zero or positive.")
    return chosen


@dataclass(frozen=True, slots=True)
class Solved:
    """A plan solved on what a viewer may see, not yet stored."""

    viewer: Principal
    inputs: Inputs
    weights: dict[Priority, float]
    late_penalty: float
    plan: Plan


def solve_match(
    *,
    store: Store,
    viewer: Principal,
    weights: Mapping[Priority, float] | None = None,
    late_penalty: float = 1.0,
) -> Solved:
    """Solve what `viewer` may see (inputs and log position read in one transaction).

    Components whose inputs are unchanged since the viewer's participant's latest plan (with
    the same settings) keep that plan's allocations instead of being solved again.
    """
    if viewer.is_public:
        raise NotPermitted(
            "Only a signed-in participant may store a matching plan; the public may read "
            "plans built on public records but not store them."
        )
    chosen = _settings(weights, late_penalty)
    with store.read() as conn:
        inputs = load_inputs(conn=conn, viewer=viewer)
        latest = latest_plan(conn=conn, viewer=viewer)
        before = None if latest is None else get_plan(conn=conn, viewer=viewer, plan_id=latest.id)
    previous = None
    if before is not None:
        old = problem_of(before.inputs, before.info.weights, before.info.late_penalty)
        previous = Previous(old, plan_of(before))
    plan = solve(problem_of(inputs, chosen, late_penalty), previous=previous)
    return Solved(viewer, inputs, chosen, late_penalty, plan)


def save_plan(*, uow: UnitOfWork, solved: Solved) -> StoredPlan:
    """Store a solved plan with its inputs, in the caller's write transaction."""
    return _save(
        uow, solved.viewer, solved.inputs, solved.weights, solved.late_penalty, solved.plan
    )


def run_match(
    *,
    store: Store,
    viewer: Principal,
    weights: Mapping[Priority, float] | None = None,
    late_penalty: float = 1.0,
    clock: Callable[[], datetime] = utc_now,
) -> StoredPlan:
    """Solve what `viewer` may see and store the plan with its inputs; returns it.

    The solve runs outside any transaction; the plan is stored in a short write transaction
    of its own.
    """
    solved = solve_match(store=store, viewer=viewer, weights=weights, late_penalty=late_penalty)
    with store.write(clock=clock) as uow:
        return save_plan(uow=uow, solved=solved)


def _save(
    uow: UnitOfWork,
    actor: Principal,
    inputs: Inputs,
    weights: dict[Priority, float],
    late_penalty: float,
    solved: Plan,
) -> StoredPlan:
    plan_id = uow.next_id(t.match_plans.c.id)  # under the log lock, like every record id
    offers = {o.offer_id: o for o in inputs.offers}
    needs = {str(n.id): n for n in inputs.needs}
    allocations = tuple(
        sorted(
            (
                PlanAllocation(
                    offer_id=a.offer_id,
                    pledge_id=offers[a.offer_id].pledge_id,
                    tranche=offers[a.offer_id].tranche,
                    donor=offers[a.offer_id].donor,
                    offer_type=offers[a.offer_id].item_type,
                    need_id=needs[a.need_id].id,
                    need_type=needs[a.need_id].item_type,
                    quantity=a.quantity,
                    need_units=a.need_units,
                )
                for a in solved.allocations
            ),
            key=lambda a: (a.pledge_id, a.tranche, a.need_id),
        )
    )
    info = PlanInfo(
        id=plan_id,
        created_at=uow.now().astimezone(UTC),
        user=actor.user,
        participant=common.acting_for(actor),
        log_seq=inputs.log_seq,
        weights=weights,
        late_penalty=late_penalty,
        objective=solved.objective,
        units_allocated=solved.units_allocated,
        needs=len(inputs.needs),
        pledges=len({o.pledge_id for o in inputs.offers}),
        solver=solver_summary(solved),
    )
    uow.conn.execute(
        t.match_plans.insert(),
        dict(
            id=plan_id,
            created_at=info.created_at,
            user_name=info.user,
            participant=info.participant,
            log_seq=info.log_seq,
            weights={p.value: w for p, w in weights.items()},
            late_penalty=late_penalty,
            objective=info.objective,
            units_allocated=info.units_allocated,
            solver=solver_json(info.solver),
            need_ids=sorted(n.id for n in inputs.needs),
            pledge_ids=sorted({o.pledge_id for o in inputs.offers}),
            inputs=inputs_json(inputs),
        ),
    )
    if allocations:
        uow.conn.execute(
            t.match_allocations.insert(),
            [
                dict(
                    plan_id=plan_id,
                    pledge_id=a.pledge_id,
                    tranche=a.tranche,
                    need_id=a.need_id,
                    quantity=a.quantity,
                    need_units=a.need_units,
                )
                for a in allocations
            ],
        )
    return StoredPlan(info=info, inputs=inputs, allocations=allocations)


# --- reading plans -------------------------------------------------------------------------


def _may_read(conn: Connection, viewer: Principal) -> Callable[[Row[Any]], bool]:
    """Whether `viewer` may see every need and pledge a plan row used, by their labels now."""
    needs = set(conn.execute(sa.select(t.needs.c.id).where(visible_needs(viewer))).scalars())
    pledges = set(conn.execute(sa.select(t.pledges.c.id).where(visible_pledges(viewer))).scalars())
    return lambda row: needs.issuperset(row.need_ids) and pledges.issuperset(row.pledge_ids)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored instant is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _info(row: Row[Any]) -> PlanInfo:
    return PlanInfo(
        id=row.id,
        created_at=_aware(row.created_at),
        user=row.user_name,
        participant=row.participant,
        log_seq=row.log_seq,
        weights={Priority(p): float(w) for p, w in row.weights.items()},
        late_penalty=row.late_penalty,
        objective=row.objective,
        units_allocated=row.units_allocated,
        needs=len(row.need_ids),
        pledges=len(row.pledge_ids),
        solver=solver_from_json(row.solver),
    )


HEADER = [c for c in t.match_plans.c if c.name != "inputs"]


def get_plan(*, conn: Connection, viewer: Principal, plan_id: int) -> StoredPlan:
    """The stored plan, or NotFound if it does not exist or the viewer may not see it all."""
    row = conn.execute(sa.select(t.match_plans).where(t.match_plans.c.id == plan_id)).first()
    if row is None or not _may_read(conn, viewer)(row):
        raise NotFound("plan", plan_id)
    inputs = inputs_from_json(row.log_seq, row.inputs)
    offers = {o.offer_id: o for o in inputs.offers}
    needs = {n.id: n for n in inputs.needs}
    a = t.match_allocations
    rows = conn.execute(
        sa.select(a).where(a.c.plan_id == plan_id).order_by(a.c.pledge_id, a.c.tranche, a.c.need_id)
    )
    allocations = []
    for r in rows:
        offer = offers[offer_id(r.pledge_id, r.tranche)]
        allocations.append(
            PlanAllocation(
                offer_id=offer.offer_id,
                pledge_id=r.pledge_id,
                tranche=r.tranche,
                donor=offer.donor,
                offer_type=offer.item_type,
                need_id=r.need_id,
                need_type=needs[r.need_id].item_type,
                quantity=r.quantity,
                need_units=r.need_units,
            )
        )
    return StoredPlan(info=_info(row), inputs=inputs, allocations=tuple(allocations))


def list_plans(
    *, conn: Connection, viewer: Principal, by: str | None = None, limit: int | None = None
) -> list[PlanInfo]:
    """The stored plans `viewer` may see (those run by participant `by`), newest first."""
    may_read = _may_read(conn, viewer)
    q = sa.select(*HEADER).order_by(t.match_plans.c.id.desc())
    if by is not None:
        q = q.where(t.match_plans.c.participant == by)
    found = []
    for row in conn.execute(q):
        if may_read(row):
            found.append(_info(row))
            if limit is not None and len(found) >= limit:
                break
    return found


def latest_plan(*, conn: Connection, viewer: Principal) -> PlanInfo | None:
    """The newest plan the viewer's own participant ran and the viewer may still see."""
    found = list_plans(conn=conn, viewer=viewer, by=common.acting_for(viewer), limit=1)
    return found[0] if found else None


def report(plan: StoredPlan) -> PlanReport:
    """Coverage per need, gaps by area and coalition (P1 first), unused offers, overlaps."""
    return plan_report(plan)


# --- re-running, comparing and stressing ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rerun:
    """A stored plan solved again from its snapshot: is it reproduced exactly?"""

    plan_id: int
    reproduced: bool
    objective_stored: float
    objective_now: float
    allocations: AllocationDiff
    """From the stored allocations to the re-run's."""
    seconds: float


def rerun(*, conn: Connection, viewer: Principal, plan_id: int) -> Rerun:
    """Solve the stored snapshot again with the stored settings and compare allocations."""
    stored = get_plan(conn=conn, viewer=viewer, plan_id=plan_id)
    info = stored.info
    again = solve(problem_of(stored.inputs, info.weights, info.late_penalty))
    now = [(a.offer_id, int(a.need_id), a.quantity) for a in again.allocations]
    changes = allocation_diff(allocation_keys(stored), now)
    return Rerun(
        plan_id=plan_id,
        reproduced=changes.same,
        objective_stored=info.objective,
        objective_now=again.objective,
        allocations=changes,
        seconds=again.seconds,
    )


def diff(*, conn: Connection, viewer: Principal, before: int, after: int) -> PlanDiff:
    """What changed from plan `before` to plan `after`: results and inputs."""
    return compare(
        get_plan(conn=conn, viewer=viewer, plan_id=before),
        get_plan(conn=conn, viewer=viewer, plan_id=after),
    )


def stress(*, conn: Connection, viewer: Principal, plan_id: int, scenario: Scenario) -> PlanStress:
    """Re-solve a stored plan under `scenario`; losses by priority, area and coalition."""
    stored = get_plan(conn=conn, viewer=viewer, plan_id=plan_id)
    info = stored.info
    problem = problem_of(stored.inputs, info.weights, info.late_penalty)
    return stress_detail(stored, run_stress(problem, plan_of(stored), scenario))


def stress_all_donors(*, conn: Connection, viewer: Principal, plan_id: int) -> list[PlanStress]:
    """Withdraw each donor of a stored plan in turn; ranked by objective lost, largest first."""
    stored = get_plan(conn=conn, viewer=viewer, plan_id=plan_id)
    info = stored.info
    problem = problem_of(stored.inputs, info.weights, info.late_penalty)
    return [stress_detail(stored, r) for r in all_donors(problem, plan_of(stored))]
