"""`/api/v1/items` and `/api/v1/substitutions`: the catalogue of item types."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ramstein.api.deps import CHAIR, EVERYONE, IdempotencyKey, IfMatch, StoreDep, Viewer, permits
from ramstein.api.paging import Page, Paging, page, request
from ramstein.api.params import PROBLEMS, CodePath, CodeQuery
from ramstein.api.reads import answer, cached
from ramstein.api.schemas.catalogue import (
    ItemCreate,
    ItemPublic,
    ItemUpdate,
    SubstitutionPublic,
    SubstitutionSet,
    item_public,
    substitution_public,
)
from ramstein.api.writes import Created, create, update
from ramstein.domain.catalogue import Substitution
from ramstein.services import catalogue
from ramstein.services.catalogue import ITEM_ORDERS, SUBSTITUTION_ORDERS
from ramstein.store.uow import UnitOfWork

router = APIRouter(prefix="/api/v1", responses=PROBLEMS)


@router.get("/items", tags=["catalogue"], **permits(*EVERYONE), response_model=Page[ItemPublic])
async def list_items(
    http: Request, viewer: Viewer, paging: Paging, area: CodeQuery = None
) -> Response:
    """Item types, by area then code."""
    return await cached(
        http,
        viewer,
        lambda conn: catalogue.list_items(
            conn=conn, viewer=viewer, area=area, page=request(paging, ITEM_ORDERS)
        ),
        lambda found: answer(page(found, paging, ITEM_ORDERS, "area", item_public)),
    )


@router.get("/items/{code}", tags=["catalogue"], **permits(*EVERYONE), response_model=ItemPublic)
async def get_item(code: CodePath, http: Request, viewer: Viewer) -> Response:
    return await cached(
        http,
        viewer,
        lambda conn: catalogue.get_item(conn=conn, viewer=viewer, code=code),
        lambda found: answer(item_public(found), found.version),
    )


@router.post(
    "/items", tags=["catalogue"], status_code=201, response_model=ItemPublic, **permits(*CHAIR)
)
def define_item(
    body: ItemCreate, store: StoreDep, viewer: Viewer, http: Request, key: IdempotencyKey = None
) -> Response:
    def command(uow: UnitOfWork) -> Created:
        made = catalogue.define_item(
            uow=uow,
            actor=viewer,
            code=body.code,
            name=body.name,
            area=body.area,
            unit=body.unit,
            unit_value_eur=body.unit_value_eur,
        )
        return Created(item_public(made), f"/api/v1/items/{made.code}", made.version)

    return create(store=store, viewer=viewer, request=http, key=key, payload=body, command=command)


@router.patch("/items/{code}", tags=["catalogue"], **permits(*CHAIR))
def revise_item(
    code: CodePath,
    body: ItemUpdate,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> ItemPublic:
    return item_public(
        update(
            store,
            response,
            lambda uow: catalogue.revise_item(
                uow=uow,
                actor=viewer,
                code=code,
                name=body.name,
                area=body.area,
                unit=body.unit,
                unit_value_eur=body.unit_value_eur,
                expected_version=expected,
            ),
        )
    )


@router.get(
    "/substitutions",
    tags=["catalogue"],
    **permits(*EVERYONE),
    response_model=Page[SubstitutionPublic],
)
async def list_substitutions(
    http: Request, viewer: Viewer, paging: Paging, item: CodeQuery = None
) -> Response:
    """Substitutions between item types; `item` keeps those it takes part in either way."""
    return await cached(
        http,
        viewer,
        lambda conn: catalogue.list_substitutions(
            conn=conn, viewer=viewer, item=item, page=request(paging, SUBSTITUTION_ORDERS)
        ),
        lambda found: answer(
            page(found, paging, SUBSTITUTION_ORDERS, "need_type", substitution_public)
        ),
    )


@router.put("/substitutions/{offer_type}/{need_type}", tags=["catalogue"], **permits(*CHAIR))
def set_substitution(
    offer_type: CodePath,
    need_type: CodePath,
    body: SubstitutionSet,
    store: StoreDep,
    viewer: Viewer,
) -> SubstitutionPublic:
    """Let one unit of `offer_type` serve `ratio` units of a need of `need_type`.

    A substitution is a fact with no history of its own to conflict with: PUT replaces it,
    and repeating the same PUT changes nothing more.
    """
    with store.write() as uow:
        made = catalogue.set_substitution(
            uow=uow, actor=viewer, offer_type=offer_type, need_type=need_type, ratio=body.ratio
        )
    return substitution_public(made or Substitution(offer_type, need_type, body.ratio))


@router.delete(
    "/substitutions/{offer_type}/{need_type}",
    tags=["catalogue"],
    status_code=204,
    **permits(*CHAIR),
)
def remove_substitution(
    offer_type: CodePath, need_type: CodePath, store: StoreDep, viewer: Viewer
) -> Response:
    with store.write() as uow:
        catalogue.set_substitution(
            uow=uow, actor=viewer, offer_type=offer_type, need_type=need_type, ratio=None
        )
    return Response(status_code=204)
