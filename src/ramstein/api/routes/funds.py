"""`/api/v1/funds` and `/api/v1/contributions`: pooled funds, the money donors put into
them, and the attribution of what their packages delivered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ramstein.api.deps import DONORS, EVERYONE, IdempotencyKey, IfMatch, StoreDep, Viewer, permits
from ramstein.api.paging import Page, Paging, page, request
from ramstein.api.params import PROBLEMS, CodePath, CodeQuery, IdPath
from ramstein.api.reads import answer, cached
from ramstein.api.schemas.common import listed
from ramstein.api.schemas.funds import (
    ContributionCreate,
    ContributionPublic,
    ContributionStatusChange,
    FundPublic,
    contribution_public,
    fund_public,
)
from ramstein.api.writes import Created, create, update
from ramstein.domain.funds import ContributionStatus
from ramstein.services import funds
from ramstein.services.funds import CONTRIBUTION_ORDERS
from ramstein.store.uow import UnitOfWork

router = APIRouter(prefix="/api/v1/funds", tags=["funds"], responses=PROBLEMS)
contributions = APIRouter(prefix="/api/v1/contributions", tags=["funds"], responses=PROBLEMS)


@router.get("", **permits(*EVERYONE), response_model=list[FundPublic])
async def list_funds(http: Request, viewer: Viewer) -> Response:
    """Every pooled fund: what it received, what its packages (its pledges) delivered, and
    what of that is attributed to each contributor, pro rata to the contributions."""
    return await cached(
        http,
        viewer,
        lambda conn: funds.fund_reports(conn=conn, viewer=viewer),
        lambda found: answer([fund_public(r) for r in found]),
    )


@router.get("/{code}", **permits(*EVERYONE), response_model=FundPublic)
async def get_fund(code: CodePath, http: Request, viewer: Viewer) -> Response:
    """One pooled fund's report. Contributions the viewer may not see are not named: those
    of 3 or more donors show as one `withheld` row; those of fewer withhold the shares."""
    return await cached(
        http,
        viewer,
        lambda conn: funds.get_fund_report(conn=conn, viewer=viewer, fund=code),
        lambda found: answer(fund_public(found)),
    )


@contributions.get("", **permits(*EVERYONE), response_model=Page[ContributionPublic])
async def list_contributions(
    http: Request,
    viewer: Viewer,
    paging: Paging,
    fund: CodeQuery = None,
    contributor: CodeQuery = None,
    status: Annotated[list[ContributionStatus] | None, Query()] = None,
) -> Response:
    """The contributions the viewer may see, newest first (`sort`: on, amount, id)."""
    return await cached(
        http,
        viewer,
        lambda conn: funds.list_contributions(
            conn=conn,
            viewer=viewer,
            fund=fund,
            contributor=contributor,
            status=listed(status),
            page=request(paging, CONTRIBUTION_ORDERS),
        ),
        lambda found: answer(page(found, paging, CONTRIBUTION_ORDERS, "on", contribution_public)),
    )


@contributions.get("/{contribution_id}", **permits(*EVERYONE), response_model=ContributionPublic)
async def get_contribution(contribution_id: IdPath, http: Request, viewer: Viewer) -> Response:
    return await cached(
        http,
        viewer,
        lambda conn: funds.get_contribution(
            conn=conn, viewer=viewer, contribution_id=contribution_id
        ),
        lambda found: answer(contribution_public(found), found.version),
    )


@contributions.post("", status_code=201, response_model=ContributionPublic, **permits(*DONORS))
def record_contribution(
    body: ContributionCreate,
    store: StoreDep,
    viewer: Viewer,
    http: Request,
    key: IdempotencyKey = None,
) -> Response:
    """Record a contribution to a pooled fund (the contributor, the fund or the chair). A
    restricted contribution is always released to its fund."""

    def command(uow: UnitOfWork) -> Created:
        made = funds.record_contribution(
            uow=uow,
            actor=viewer,
            fund=body.fund,
            contributor=body.contributor,
            value=body.value.money(),
            on=body.on,
            label=body.label(),
            note=body.note,
        )
        return Created(contribution_public(made), f"{contributions.prefix}/{made.id}", made.version)

    return create(store=store, viewer=viewer, request=http, key=key, payload=body, command=command)


@contributions.post("/{contribution_id}/status", **permits(*DONORS))
def change_contribution_status(
    contribution_id: IdPath,
    body: ContributionStatusChange,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> ContributionPublic:
    """Mark a contribution paid, or cancel it (even once paid: a refund) with a reason."""
    return contribution_public(
        update(
            store,
            response,
            lambda uow: funds.change_contribution_status(
                uow=uow,
                actor=viewer,
                contribution_id=contribution_id,
                status=body.status,
                on=body.on,
                reason=body.reason,
                expected_version=expected,
            ),
        )
    )
