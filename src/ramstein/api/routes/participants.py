"""`/api/v1/participants`: the states and organisations that take part, and the recipient."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ramstein.api.deps import CHAIR, EVERYONE, IdempotencyKey, IfMatch, StoreDep, Viewer, permits
from ramstein.api.paging import Page, Paging, page, request
from ramstein.api.params import PROBLEMS, CodePath
from ramstein.api.reads import answer, cached
from ramstein.api.schemas.participants import (
    ParticipantCreate,
    ParticipantPublic,
    ParticipantStatusChange,
    ParticipantUpdate,
    public,
)
from ramstein.api.writes import Created, create, update
from ramstein.domain.participants import ParticipantKind, ParticipantStatus
from ramstein.services import participants
from ramstein.services.participants import PARTICIPANT_ORDERS
from ramstein.store.uow import UnitOfWork

router = APIRouter(prefix="/api/v1/participants", tags=["participants"], responses=PROBLEMS)


@router.get("", **permits(*EVERYONE), response_model=Page[ParticipantPublic])
async def list_participants(
    http: Request,
    viewer: Viewer,
    paging: Paging,
    kind: ParticipantKind | None = None,
    status: ParticipantStatus | None = None,
) -> Response:
    """Participants, by code (`sort`: code, name, joined_on). Participants are public."""
    return await cached(
        http,
        viewer,
        lambda conn: participants.list_participants(
            conn=conn,
            viewer=viewer,
            kind=kind,
            status=status,
            page=request(paging, PARTICIPANT_ORDERS),
        ),
        lambda found: answer(page(found, paging, PARTICIPANT_ORDERS, "code", public)),
    )


@router.get("/{code}", **permits(*EVERYONE), response_model=ParticipantPublic)
async def get_participant(code: CodePath, http: Request, viewer: Viewer) -> Response:
    return await cached(
        http,
        viewer,
        lambda conn: participants.get_participant(conn=conn, viewer=viewer, code=code),
        lambda found: answer(public(found), found.version),
    )


@router.post("", status_code=201, response_model=ParticipantPublic, **permits(*CHAIR))
def register_participant(
    body: ParticipantCreate,
    store: StoreDep,
    viewer: Viewer,
    http: Request,
    key: IdempotencyKey = None,
) -> Response:
    """Register a state or organisation (the chair)."""

    def command(uow: UnitOfWork) -> Created:
        made = participants.register_participant(
            uow=uow,
            actor=viewer,
            code=body.code,
            name=body.name,
            kind=body.kind,
            status=body.status,
            joined_on=body.joined_on,
            gdp_eur_bn=body.gdp_eur_bn,
        )
        return Created(public(made), f"{router.prefix}/{made.code}", made.version)

    return create(store=store, viewer=viewer, request=http, key=key, payload=body, command=command)


@router.patch("/{code}", **permits(*CHAIR))
def revise_participant(
    code: CodePath,
    body: ParticipantUpdate,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> ParticipantPublic:
    return public(
        update(
            store,
            response,
            lambda uow: participants.revise_participant(
                uow=uow,
                actor=viewer,
                code=code,
                name=body.name,
                gdp_eur_bn=body.gdp_eur_bn,
                expected_version=expected,
            ),
        )
    )


@router.post("/{code}/status", **permits(*CHAIR))
def change_participant_status(
    code: CodePath,
    body: ParticipantStatusChange,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> ParticipantPublic:
    """Move a participant between member, observer and left."""
    return public(
        update(
            store,
            response,
            lambda uow: participants.change_participant_status(
                uow=uow,
                actor=viewer,
                code=code,
                status=body.status,
                on=body.on,
                expected_version=expected,
            ),
        )
    )
