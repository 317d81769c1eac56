"""`/api/v1/pledges`: donors' pledges, their tranches and their status history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from ramstein.api.deps import DONORS, EVERYONE, IdempotencyKey, IfMatch, StoreDep, Viewer, permits
from ramstein.api.paging import Page, Paging, page, request
from ramstein.api.params import PROBLEMS, CodeQuery, DayQuery, IdPath, NumberPath
from ramstein.api.reads import answer, cached
from ramstein.api.schemas.common import label_change, listed
from ramstein.api.schemas.pledges import (
    PledgeCreate,
    PledgePublic,
    PledgeStatusChange,
    PledgeUpdate,
    StatusChangePublic,
    TrancheCreate,
    TrancheUpdate,
    YearPlanChange,
    public,
)
from ramstein.api.writes import Created, create, update
from ramstein.domain.pledges import PledgeSource, PledgeStatus
from ramstein.domain.releasability import Releasability
from ramstein.services import pledges
from ramstein.services.pledges import PLEDGE_ORDERS
from ramstein.store.uow import UnitOfWork

router = APIRouter(prefix="/api/v1/pledges", tags=["pledges"], responses=PROBLEMS)


@router.get("", **permits(*EVERYONE), response_model=Page[PledgePublic])
async def list_pledges(
    http: Request,
    viewer: Viewer,
    paging: Paging,
    donor: CodeQuery = None,
    area: CodeQuery = None,
    coalition: CodeQuery = None,
    item_type: CodeQuery = None,
    status: Annotated[list[PledgeStatus] | None, Query()] = None,
    source: PledgeSource | None = None,
    meeting: Annotated[int | None, Query(ge=1, le=10**6)] = None,
    releasability: Releasability | None = None,
    announced_from: DayQuery = None,
    announced_until: DayQuery = None,
) -> Response:
    """The pledges the viewer may see, newest first (`sort`: announced_on, quantity, id).
    A coalition's pledges are its members' pledges in its area."""
    return await cached(
        http,
        viewer,
        lambda conn: pledges.list_pledges(
            conn=conn,
            viewer=viewer,
            donor=donor,
            area=area,
            coalition=coalition,
            item_type=item_type,
            status=listed(status),
            source=source,
            meeting=meeting,
            releasability=releasability,
            announced_from=announced_from,
            announced_until=announced_until,
            page=request(paging, PLEDGE_ORDERS),
        ),
        lambda found: answer(page(found, paging, PLEDGE_ORDERS, "announced_on", public)),
    )


@router.get("/{pledge_id}", **permits(*EVERYONE), response_model=PledgePublic)
async def get_pledge(pledge_id: IdPath, http: Request, viewer: Viewer) -> Response:
    """One pledge with its tranches; one the viewer may not see is answered as missing."""
    return await cached(
        http,
        viewer,
        lambda conn: pledges.get_pledge(conn=conn, viewer=viewer, pledge_id=pledge_id),
        lambda found: answer(public(found), found.version),
    )


@router.get("/{pledge_id}/history", **permits(*EVERYONE), response_model=list[StatusChangePublic])
async def pledge_history(pledge_id: IdPath, http: Request, viewer: Viewer) -> Response:
    """Every status the pledge has had, oldest first, with the log entry that set it."""
    return await cached(
        http,
        viewer,
        lambda conn: pledges.pledge_history(conn=conn, viewer=viewer, pledge_id=pledge_id),
        lambda found: answer(
            [
                StatusChangePublic(seq=h.seq, status=h.status, on=h.on, reason=h.reason)
                for h in found
            ]
        ),
    )


@router.post("", status_code=201, response_model=PledgePublic, **permits(*DONORS))
def announce_pledge(
    body: PledgeCreate, store: StoreDep, viewer: Viewer, http: Request, key: IdempotencyKey = None
) -> Response:
    """Announce a pledge (a donor for itself, or the chair for any donor)."""

    def command(uow: UnitOfWork) -> Created:
        made = pledges.announce_pledge(
            uow=uow,
            actor=viewer,
            donor=body.donor,
            item_type=body.item_type,
            quantity=body.quantity,
            value=body.value.money() if body.value is not None else None,
            source=body.source,
            years=body.years,
            meeting=body.meeting,
            announced_on=body.announced_on,
            tranches=[t.spec() for t in body.tranches],
            label=body.label(),
            external_ref=body.external_ref,
        )
        return Created(public(made), f"{router.prefix}/{made.id}", made.version)

    return create(store=store, viewer=viewer, request=http, key=key, payload=body, command=command)


@router.patch("/{pledge_id}", **permits(*DONORS))
def revise_pledge(
    pledge_id: IdPath,
    body: PledgeUpdate,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> PledgePublic:
    return public(
        update(
            store,
            response,
            lambda uow: pledges.revise_pledge(
                uow=uow,
                actor=viewer,
                pledge_id=pledge_id,
                quantity=body.quantity,
                value=body.value.money() if body.value is not None else None,
                source=body.source,
                years=body.years,
                label=label_change(body.releasability, body.releasable_to),
                expected_version=expected,
            ),
        )
    )


@router.post("/{pledge_id}/status", **permits(*DONORS))
def change_pledge_status(
    pledge_id: IdPath,
    body: PledgeStatusChange,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> PledgePublic:
    """Move a pledge along announced → committed → contracted → delivering → delivered, or
    cancel it with a reason."""
    return public(
        update(
            store,
            response,
            lambda uow: pledges.change_pledge_status(
                uow=uow,
                actor=viewer,
                pledge_id=pledge_id,
                status=body.status,
                on=body.on,
                reason=body.reason,
                expected_version=expected,
            ),
        )
    )


@router.post("/{pledge_id}/tranches", **permits(*DONORS))
def schedule_tranche(
    pledge_id: IdPath,
    body: TrancheCreate,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> PledgePublic:
    """Schedule one more tranche (If-Match: the pledge's version)."""
    return public(
        update(
            store,
            response,
            lambda uow: pledges.schedule_tranche(
                uow=uow,
                actor=viewer,
                pledge_id=pledge_id,
                quantity=body.quantity,
                expected_on=body.expected_on,
                expected_version=expected,
            ),
        )
    )


@router.patch("/{pledge_id}/tranches/{number}", **permits(*DONORS))
def revise_tranche(
    pledge_id: IdPath,
    number: NumberPath,
    body: TrancheUpdate,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> PledgePublic:
    """Change a tranche's quantity or expected date; its first promised date is kept."""
    return public(
        update(
            store,
            response,
            lambda uow: pledges.revise_tranche(
                uow=uow,
                actor=viewer,
                pledge_id=pledge_id,
                number=number,
                quantity=body.quantity,
                expected_on=body.expected_on,
                expected_version=expected,
            ),
        )
    )


@router.put("/{pledge_id}/years/{year}", **permits(*DONORS))
def plan_year(
    pledge_id: IdPath,
    year: Annotated[int, Path(ge=1990, le=2100, description="A year the pledge covers.")],
    body: YearPlanChange,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> PledgePublic:
    """Set one year's amount (EUR) and status of a multi-year pledge (If-Match: the pledge's
    version): indicative, committed, then delivered or cancelled. The years' amounts may not
    add up to more than the pledge is worth."""
    return public(
        update(
            store,
            response,
            lambda uow: pledges.plan_year(
                uow=uow,
                actor=viewer,
                pledge_id=pledge_id,
                year=year,
                amount_eur=body.amount_eur,
                status=body.status,
                expected_version=expected,
            ),
        )
    )
