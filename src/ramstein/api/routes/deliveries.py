"""`/api/v1/deliveries`: deliveries against pledge tranches and the recipient's receipts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from ramstein.api.deps import (
    DONORS,
    EVERYONE,
    RECIPIENT,
    IdempotencyKey,
    IfMatch,
    StoreDep,
    Viewer,
    permits,
    version_of,
)
from ramstein.api.paging import Page, Paging, page, request
from ramstein.api.params import PROBLEMS, CodeQuery, DayQuery, IdPath, IdQuery
from ramstein.api.reads import answer, cached
from ramstein.api.schemas.common import listed
from ramstein.api.schemas.deliveries import DeliveryCreate, DeliveryPublic, ReceiptCreate, public
from ramstein.api.writes import Created, create, update
from ramstein.domain.deliveries import DeliveryStatus
from ramstein.services import deliveries
from ramstein.services.deliveries import DELIVERY_ORDERS
from ramstein.store.uow import UnitOfWork

router = APIRouter(prefix="/api/v1/deliveries", tags=["deliveries"], responses=PROBLEMS)


@router.get("", **permits(*EVERYONE), response_model=Page[DeliveryPublic])
async def list_deliveries(
    http: Request,
    viewer: Viewer,
    paging: Paging,
    pledge_id: IdQuery = None,
    donor: CodeQuery = None,
    status: Annotated[list[DeliveryStatus] | None, Query()] = None,
    dispatched_from: DayQuery = None,
    dispatched_until: DayQuery = None,
) -> Response:
    """Deliveries of pledges the viewer may see, newest first (`sort`: dispatched_on, id)."""
    return await cached(
        http,
        viewer,
        lambda conn: deliveries.list_deliveries(
            conn=conn,
            viewer=viewer,
            pledge_id=pledge_id,
            donor=donor,
            status=listed(status),
            dispatched_from=dispatched_from,
            dispatched_until=dispatched_until,
            page=request(paging, DELIVERY_ORDERS),
        ),
        lambda found: answer(page(found, paging, DELIVERY_ORDERS, "dispatched_on", public)),
    )


@router.get("/{delivery_id}", **permits(*EVERYONE), response_model=DeliveryPublic)
async def get_delivery(delivery_id: IdPath, http: Request, viewer: Viewer) -> Response:
    return await cached(
        http,
        viewer,
        lambda conn: deliveries.get_delivery(conn=conn, viewer=viewer, delivery_id=delivery_id),
        lambda found: answer(public(found), found.version),
    )


@router.post("", status_code=201, response_model=DeliveryPublic, **permits(*DONORS))
def record_delivery(
    body: DeliveryCreate,
    store: StoreDep,
    viewer: Viewer,
    http: Request,
    key: IdempotencyKey = None,
    pledge_version: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description="Optional: the pledge's ETag; the delivery is refused if it changed.",
        ),
    ] = None,
) -> Response:
    """Record a dispatch against a tranche of a pledge (its donor, or the chair)."""
    expected = version_of(pledge_version) if pledge_version is not None else None

    def command(uow: UnitOfWork) -> Created:
        made = deliveries.record_delivery(
            uow=uow,
            actor=viewer,
            pledge_id=body.pledge_id,
            tranche=body.tranche,
            quantity=body.quantity,
            dispatched_on=body.dispatched_on,
            note=body.note,
            external_ref=body.external_ref,
            expected_version=expected,
        )
        return Created(public(made), f"{router.prefix}/{made.id}", made.version)

    return create(store=store, viewer=viewer, request=http, key=key, payload=body, command=command)


@router.post("/{delivery_id}/receipt", **permits(*RECIPIENT))
def confirm_receipt(
    delivery_id: IdPath,
    body: ReceiptCreate,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> DeliveryPublic:
    """Confirm what arrived (the recipient, or the chair); a shortfall needs a discrepancy note."""
    return public(
        update(
            store,
            response,
            lambda uow: deliveries.confirm_receipt(
                uow=uow,
                actor=viewer,
                delivery_id=delivery_id,
                received_quantity=body.received_quantity,
                received_on=body.received_on,
                discrepancy=body.discrepancy,
                expected_version=expected,
            ),
        )
    )
