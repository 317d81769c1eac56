"""`/api/v1/areas` and `/api/v1/coalitions`: capability areas and capability coalitions."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ramstein.api.deps import (
    CHAIR,
    EVERYONE,
    LEADS,
    IdempotencyKey,
    IfMatch,
    StoreDep,
    Viewer,
    permits,
)
from ramstein.api.paging import Page, Paging, page, request
from ramstein.api.params import PROBLEMS, CodePath, CodeQuery
from ramstein.api.reads import answer, cached
from ramstein.api.schemas.capabilities import (
    AreaCreate,
    AreaPublic,
    AreaUpdate,
    CoalitionCreate,
    CoalitionPublic,
    CoalitionUpdate,
    MembershipChange,
    area_public,
    coalition_public,
)
from ramstein.api.writes import Created, create, update
from ramstein.services import capabilities
from ramstein.services.capabilities import AREA_ORDERS, COALITION_ORDERS
from ramstein.store.uow import UnitOfWork

router = APIRouter(prefix="/api/v1", responses=PROBLEMS)


@router.get("/areas", tags=["areas"], **permits(*EVERYONE), response_model=Page[AreaPublic])
async def list_areas(http: Request, viewer: Viewer, paging: Paging) -> Response:
    """Capability areas, by code."""
    return await cached(
        http,
        viewer,
        lambda conn: capabilities.list_areas(
            conn=conn, viewer=viewer, page=request(paging, AREA_ORDERS)
        ),
        lambda found: answer(page(found, paging, AREA_ORDERS, "code", area_public)),
    )


@router.get("/areas/{code}", tags=["areas"], **permits(*EVERYONE), response_model=AreaPublic)
async def get_area(code: CodePath, http: Request, viewer: Viewer) -> Response:
    return await cached(
        http,
        viewer,
        lambda conn: capabilities.get_area(conn=conn, viewer=viewer, code=code),
        lambda found: answer(area_public(found), found.version),
    )


@router.post(
    "/areas", tags=["areas"], status_code=201, response_model=AreaPublic, **permits(*CHAIR)
)
def define_area(
    body: AreaCreate, store: StoreDep, viewer: Viewer, http: Request, key: IdempotencyKey = None
) -> Response:
    def command(uow: UnitOfWork) -> Created:
        made = capabilities.define_area(
            uow=uow, actor=viewer, code=body.code, name=body.name, description=body.description
        )
        return Created(area_public(made), f"/api/v1/areas/{made.code}", made.version)

    return create(store=store, viewer=viewer, request=http, key=key, payload=body, command=command)


@router.patch("/areas/{code}", tags=["areas"], **permits(*CHAIR))
def revise_area(
    code: CodePath,
    body: AreaUpdate,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> AreaPublic:
    return area_public(
        update(
            store,
            response,
            lambda uow: capabilities.revise_area(
                uow=uow,
                actor=viewer,
                code=code,
                name=body.name,
                description=body.description,
                expected_version=expected,
            ),
        )
    )


@router.get(
    "/coalitions", tags=["coalitions"], **permits(*EVERYONE), response_model=Page[CoalitionPublic]
)
async def list_coalitions(
    http: Request,
    viewer: Viewer,
    paging: Paging,
    area: CodeQuery = None,
    participant: CodeQuery = None,
) -> Response:
    """Capability coalitions, by code; `participant` keeps those it belongs to."""
    return await cached(
        http,
        viewer,
        lambda conn: capabilities.list_coalitions(
            conn=conn,
            viewer=viewer,
            area=area,
            participant=participant,
            page=request(paging, COALITION_ORDERS),
        ),
        lambda found: answer(page(found, paging, COALITION_ORDERS, "code", coalition_public)),
    )


@router.get(
    "/coalitions/{code}", tags=["coalitions"], **permits(*EVERYONE), response_model=CoalitionPublic
)
async def get_coalition(code: CodePath, http: Request, viewer: Viewer) -> Response:
    return await cached(
        http,
        viewer,
        lambda conn: capabilities.get_coalition(conn=conn, viewer=viewer, code=code),
        lambda found: answer(coalition_public(found), found.version),
    )


@router.post(
    "/coalitions",
    tags=["coalitions"],
    status_code=201,
    response_model=CoalitionPublic,
    **permits(*CHAIR),
)
def form_coalition(
    body: CoalitionCreate,
    store: StoreDep,
    viewer: Viewer,
    http: Request,
    key: IdempotencyKey = None,
) -> Response:
    def command(uow: UnitOfWork) -> Created:
        made = capabilities.form_coalition(
            uow=uow,
            actor=viewer,
            code=body.code,
            name=body.name,
            area=body.area,
            leads=body.leads,
            members=body.members,
        )
        return Created(coalition_public(made), f"/api/v1/coalitions/{made.code}", made.version)

    return create(store=store, viewer=viewer, request=http, key=key, payload=body, command=command)


@router.patch("/coalitions/{code}", tags=["coalitions"], **permits(*CHAIR))
def revise_coalition(
    code: CodePath,
    body: CoalitionUpdate,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> CoalitionPublic:
    return coalition_public(
        update(
            store,
            response,
            lambda uow: capabilities.revise_coalition(
                uow=uow,
                actor=viewer,
                code=code,
                name=body.name,
                area=body.area,
                expected_version=expected,
            ),
        )
    )


@router.put("/coalitions/{code}/members/{participant}", tags=["coalitions"], **permits(*LEADS))
def change_membership(
    code: CodePath,
    participant: CodePath,
    body: MembershipChange,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> CoalitionPublic:
    """Make a participant a lead or member of the coalition, or (role null) remove it; the
    chair or one of the coalition's leads."""
    return coalition_public(
        update(
            store,
            response,
            lambda uow: capabilities.change_coalition_membership(
                uow=uow,
                actor=viewer,
                code=code,
                participant=participant,
                role=body.role,
                expected_version=expected,
            ),
        )
    )
