"""`/api/v1/baselines`: agreed fair-share baselines, their counting rules, and each year's
targets, counted support, attainment and gaps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from ramstein.api.deps import CHAIR, EVERYONE, IdempotencyKey, IfMatch, StoreDep, Viewer, permits
from ramstein.api.paging import Page, Paging, page, request
from ramstein.api.params import PROBLEMS, CodePath
from ramstein.api.reads import answer, cached
from ramstein.api.schemas.baselines import (
    BaselineCreate,
    BaselinePublic,
    BaselineReportPublic,
    BaselineUpdate,
    baseline_public,
    report_public,
)
from ramstein.api.writes import Created, create, update
from ramstein.domain.baselines import Baseline, CountingRules
from ramstein.services import baselines
from ramstein.services.baselines import BASELINE_ORDERS
from ramstein.store.uow import UnitOfWork

router = APIRouter(prefix="/api/v1/baselines", tags=["baselines"], responses=PROBLEMS)


@router.get("", **permits(*EVERYONE), response_model=Page[BaselinePublic])
async def list_baselines(http: Request, viewer: Viewer, paging: Paging) -> Response:
    """The agreed fair-share baselines, by code."""
    return await cached(
        http,
        viewer,
        lambda conn: baselines.list_baselines(
            conn=conn, viewer=viewer, page=request(paging, BASELINE_ORDERS)
        ),
        lambda found: answer(page(found, paging, BASELINE_ORDERS, "code", baseline_public)),
    )


@router.get("/{code}", **permits(*EVERYONE), response_model=BaselinePublic)
async def get_baseline(code: CodePath, http: Request, viewer: Viewer) -> Response:
    return await cached(
        http,
        viewer,
        lambda conn: baselines.get_baseline(conn=conn, viewer=viewer, code=code),
        lambda found: answer(baseline_public(found), found.version),
    )


@router.get("/{code}/shares", **permits(*EVERYONE), response_model=BaselineReportPublic)
async def baseline_shares(
    code: CodePath,
    http: Request,
    viewer: Viewer,
    year: Annotated[
        list[Annotated[int, Field(ge=1900, le=2999)]] | None,
        Query(description="Years of the baseline (default: all of them)."),
    ] = None,
) -> Response:
    """Each year of the baseline: every donor state's target by GDP share (the targets add
    up to the baseline to the cent), what its counting rules credit it with over what the
    viewer may see, its attainment and its gap."""
    return await cached(
        http,
        viewer,
        lambda conn: baselines.report(conn=conn, viewer=viewer, code=code, years=year),
        lambda found: answer(report_public(found)),
    )


@router.post("", status_code=201, response_model=BaselinePublic, **permits(*CHAIR))
def agree_baseline(
    body: BaselineCreate,
    store: StoreDep,
    viewer: Viewer,
    http: Request,
    key: IdempotencyKey = None,
) -> Response:
    """Record a baseline the coalition agreed, with its counting rules (the chair)."""

    def command(uow: UnitOfWork) -> Created:
        made = baselines.agree_baseline(
            uow=uow,
            actor=viewer,
            baseline=Baseline(
                code=body.code,
                name=body.name,
                annual_eur=body.annual_eur,
                first_year=body.first_year,
                last_year=body.last_year,
                rules=CountingRules(
                    sources=frozenset(body.sources),
                    areas=frozenset(body.areas),
                    pooled=body.pooled,
                ),
                note=body.note,
            ),
        )
        return Created(baseline_public(made), f"/api/v1/baselines/{made.code}", made.version)

    return create(store=store, viewer=viewer, request=http, key=key, payload=body, command=command)


@router.patch("/{code}", **permits(*CHAIR))
def revise_baseline(
    code: CodePath,
    body: BaselineUpdate,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> BaselinePublic:
    """Revise a baseline (the chair): what the body gives changes, the rest stays; the
    revision is logged, so the agreement's history stays readable."""
    return baseline_public(
        update(
            store,
            response,
            lambda uow: baselines.revise_baseline(
                uow=uow,
                actor=viewer,
                code=code,
                name=body.name,
                annual_eur=body.annual_eur,
                first_year=body.first_year,
                last_year=body.last_year,
                sources=body.sources,
                areas=body.areas,
                pooled=body.pooled,
                note=body.note,
                expected_version=expected,
            ),
        )
    )
