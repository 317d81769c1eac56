"""`/api/v1/needs`: the recipient's prioritised needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ramstein.api.deps import (
    EVERYONE,
    RECIPIENT,
    IdempotencyKey,
    IfMatch,
    StoreDep,
    Viewer,
    permits,
)
from ramstein.api.paging import Page, Paging, page, request
from ramstein.api.params import PROBLEMS, CodeQuery, DayQuery, IdPath
from ramstein.api.reads import answer, cached
from ramstein.api.schemas.common import label_change, listed
from ramstein.api.schemas.needs import NeedCreate, NeedPublic, NeedStatusChange, NeedUpdate, public
from ramstein.api.writes import Created, create, update
from ramstein.domain.needs import NeedStatus, Priority
from ramstein.domain.releasability import Releasability
from ramstein.services import needs
from ramstein.services.needs import NEED_ORDERS
from ramstein.store.uow import UnitOfWork

router = APIRouter(prefix="/api/v1/needs", tags=["needs"], responses=PROBLEMS)


@router.get("", **permits(*EVERYONE), response_model=Page[NeedPublic])
async def list_needs(
    http: Request,
    viewer: Viewer,
    paging: Paging,
    area: CodeQuery = None,
    coalition: CodeQuery = None,
    item_type: CodeQuery = None,
    recipient: CodeQuery = None,
    status: Annotated[list[NeedStatus] | None, Query()] = None,
    priority: Annotated[list[Priority] | None, Query()] = None,
    releasability: Releasability | None = None,
    needed_from: DayQuery = None,
    needed_until: DayQuery = None,
) -> Response:
    """The needs the viewer may see, most urgent first (`sort`: urgency, needed_by,
    raised_on, quantity, id; `-` reverses). Repeat `status` or `priority` for several."""
    return await cached(
        http,
        viewer,
        lambda conn: needs.list_needs(
            conn=conn,
            viewer=viewer,
            area=area,
            coalition=coalition,
            item_type=item_type,
            recipient=recipient,
            status=listed(status),
            priority=listed(priority),
            releasability=releasability,
            needed_from=needed_from,
            needed_until=needed_until,
            page=request(paging, NEED_ORDERS),
        ),
        lambda found: answer(page(found, paging, NEED_ORDERS, "urgency", public)),
    )


@router.get("/{need_id}", **permits(*EVERYONE), response_model=NeedPublic)
async def get_need(need_id: IdPath, http: Request, viewer: Viewer) -> Response:
    """One need; a need the viewer may not see is answered exactly like one that does not exist."""
    return await cached(
        http,
        viewer,
        lambda conn: needs.get_need(conn=conn, viewer=viewer, need_id=need_id),
        lambda found: answer(public(found), found.version),
    )


@router.post("", status_code=201, response_model=NeedPublic, **permits(*RECIPIENT))
def submit_need(
    body: NeedCreate, store: StoreDep, viewer: Viewer, http: Request, key: IdempotencyKey = None
) -> Response:
    """Submit a need (the recipient, or the chair for it)."""

    def command(uow: UnitOfWork) -> Created:
        made = needs.submit_need(
            uow=uow,
            actor=viewer,
            recipient=body.recipient,
            item_type=body.item_type,
            quantity=body.quantity,
            priority=body.priority,
            needed_by=body.needed_by,
            raised_on=body.raised_on,
            rationale=body.rationale,
            label=body.label(),
            external_ref=body.external_ref,
        )
        return Created(public(made), f"{router.prefix}/{made.id}", made.version)

    return create(store=store, viewer=viewer, request=http, key=key, payload=body, command=command)


@router.patch("/{need_id}", **permits(*RECIPIENT))
def revise_need(
    need_id: IdPath,
    body: NeedUpdate,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> NeedPublic:
    """Revise a need's quantity, priority, date, rationale or releasability."""
    return public(
        update(
            store,
            response,
            lambda uow: needs.revise_need(
                uow=uow,
                actor=viewer,
                need_id=need_id,
                quantity=body.quantity,
                priority=body.priority,
                needed_by=body.needed_by,
                rationale=body.rationale,
                label=label_change(body.releasability, body.releasable_to),
                expected_version=expected,
            ),
        )
    )


@router.post("/{need_id}/status", **permits(*RECIPIENT))
def change_need_status(
    need_id: IdPath,
    body: NeedStatusChange,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> NeedPublic:
    """Mark a need partly covered, covered or withdrawn (or open again)."""
    return public(
        update(
            store,
            response,
            lambda uow: needs.change_need_status(
                uow=uow,
                actor=viewer,
                need_id=need_id,
                status=body.status,
                reason=body.reason,
                expected_version=expected,
            ),
        )
    )
