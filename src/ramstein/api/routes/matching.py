"""`/api/v1/match`: run the exact matching on what the viewer may see; read, compare, stress.

A plan is readable only by a viewer who may see every need and pledge it used; for anyone
else it does not exist (404).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.engine import Connection

from ramstein.api.deps import EVERYONE, MEMBERS, IdempotencyKey, StoreDep, Viewer, permits
from ramstein.api.paging import Page, Paging, page_of_list
from ramstein.api.params import PROBLEMS, CodeQuery, IdPath
from ramstein.api.reads import answer, read
from ramstein.api.schemas.matching import (
    AllocationPublic,
    MatchRun,
    PlanDiffPublic,
    PlanInfoPublic,
    PlanReportPublic,
    RerunPublic,
    StressCreate,
    StressPublic,
    stress_public,
)
from ramstein.api.writes import Created, create
from ramstein.domain.releasability import Principal
from ramstein.services import matching
from ramstein.services.match_plans import StoredPlan
from ramstein.store.uow import UnitOfWork

router = APIRouter(prefix="/api/v1/match", tags=["matching"], responses=PROBLEMS)


@router.get("/plans", **permits(*EVERYONE), response_model=Page[PlanInfoPublic])
async def list_plans(
    store: StoreDep, viewer: Viewer, paging: Paging, by: CodeQuery = None
) -> Response:
    """Stored plans the viewer may read, newest first; `by` keeps one participant's."""
    found = await read(store, lambda conn: matching.list_plans(conn=conn, viewer=viewer, by=by))
    return answer(
        page_of_list(found, paging, key=lambda p: (-p.id,), convert=PlanInfoPublic.model_validate)
    )


@router.post("/plans", status_code=201, response_model=PlanInfoPublic, **permits(*MEMBERS))
def run_match(
    body: MatchRun, store: StoreDep, viewer: Viewer, http: Request, key: IdempotencyKey = None
) -> Response:
    """Solve on the needs and tranches the viewer may see and store the plan with the log
    position of its inputs. Components unchanged since the participant's last plan keep it."""
    solved = matching.solve_match(
        store=store, viewer=viewer, weights=body.weights, late_penalty=body.late_penalty
    )

    def command(uow: UnitOfWork) -> Created:
        info = matching.save_plan(uow=uow, solved=solved).info
        return Created(PlanInfoPublic.model_validate(info), f"{router.prefix}/plans/{info.id}")

    return create(store=store, viewer=viewer, request=http, key=key, payload=body, command=command)


@router.get("/plans/{plan_id}", **permits(*EVERYONE), response_model=PlanReportPublic)
async def get_plan(plan_id: IdPath, store: StoreDep, viewer: Viewer) -> Response:
    """The plan's report: coverage by priority and need, gaps by area and coalition (P1
    first), unused offers and overlap warnings."""
    found = await read(store, lambda conn: _plan(conn, viewer, plan_id))
    return answer(PlanReportPublic.model_validate(matching.report(found)))


@router.get(
    "/plans/{plan_id}/allocations", **permits(*EVERYONE), response_model=Page[AllocationPublic]
)
async def allocations(plan_id: IdPath, store: StoreDep, viewer: Viewer, paging: Paging) -> Response:
    """Which tranche goes to which need, by pledge, tranche and need."""
    found = await read(store, lambda conn: _plan(conn, viewer, plan_id))
    return answer(
        page_of_list(
            found.allocations,
            paging,
            key=lambda a: (a.pledge_id, a.tranche, a.need_id),
            convert=AllocationPublic.model_validate,
        )
    )


@router.get("/plans/{before}/diff/{after}", **permits(*EVERYONE), response_model=PlanDiffPublic)
async def diff(before: IdPath, after: IdPath, store: StoreDep, viewer: Viewer) -> Response:
    """What changed from one plan to another: results, allocations and inputs."""
    found = await read(
        store, lambda conn: matching.diff(conn=conn, viewer=viewer, before=before, after=after)
    )
    return answer(PlanDiffPublic.model_validate(found))


@router.post("/plans/{plan_id}/rerun", **permits(*MEMBERS))
def rerun(plan_id: IdPath, store: StoreDep, viewer: Viewer) -> RerunPublic:
    """Solve the stored snapshot again: is the plan reproduced exactly?"""
    with store.read() as conn:
        found = matching.rerun(conn=conn, viewer=viewer, plan_id=plan_id)
    return RerunPublic.model_validate(found)


@router.post("/plans/{plan_id}/stress", **permits(*MEMBERS))
def stress(
    plan_id: IdPath, body: StressCreate, store: StoreDep, viewer: Viewer
) -> list[StressPublic]:
    """What coverage a scenario costs, by priority, area and coalition, the needs hit hardest
    and who could fill them; with `all_donors`, every donor withdrawn in turn, ranked."""
    scenario = body.scenario()
    with store.read() as conn:
        if scenario is None:
            found = matching.stress_all_donors(conn=conn, viewer=viewer, plan_id=plan_id)
        else:
            found = [matching.stress(conn=conn, viewer=viewer, plan_id=plan_id, scenario=scenario)]
    return [stress_public(s) for s in found]


def _plan(conn: Connection, viewer: Principal, plan_id: int) -> StoredPlan:
    return matching.get_plan(conn=conn, viewer=viewer, plan_id=plan_id)
