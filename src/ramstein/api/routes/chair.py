"""`/api/v1/chair`: who chairs the coalition, its terms, and the handover."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ramstein.api.deps import CHAIR, EVERYONE, IfMatch, StoreDep, Viewer, host_signer, permits
from ramstein.api.params import PROBLEMS
from ramstein.api.reads import answer, read
from ramstein.api.schemas.chair import ChairTermPublic, HandoverCreate, public
from ramstein.api.writes import tag
from ramstein.domain.errors import NotFound
from ramstein.services import chair

router = APIRouter(prefix="/api/v1/chair", tags=["chair"], responses=PROBLEMS)


@router.get("", **permits(*EVERYONE), response_model=ChairTermPublic)
async def current_chair(store: StoreDep, viewer: Viewer) -> Response:
    """The sitting chair's term; its ETag is the term's number."""
    term = await read(store, lambda conn: chair.current_chair(conn=conn))
    if term is None:
        raise NotFound("chair", "yet")
    return answer(public(term), term.number)


@router.get("/terms", **permits(*EVERYONE), response_model=list[ChairTermPublic])
async def chair_terms(store: StoreDep, viewer: Viewer) -> Response:
    """Every term, the first first."""
    terms = await read(store, lambda conn: chair.chair_history(conn=conn, viewer=viewer))
    return answer([public(t) for t in terms])


@router.post("/handover", **permits(*CHAIR))
def hand_over(
    body: HandoverCreate,
    store: StoreDep,
    viewer: Viewer,
    http: Request,
    expected: IfMatch,
    response: Response,
) -> ChairTermPublic:
    """Hand the chair to another participant; with `new_host_key`, the log goes with it and
    this host signs the checkpoint that ends its hosting."""
    host = host_signer(http) if body.new_host_key is not None else None
    with store.write() as uow:
        term = chair.hand_over_chair(
            uow=uow,
            actor=viewer,
            incoming=body.incoming,
            on=body.on,
            note=body.note,
            new_host_key=body.new_host_key,
            host=host,
            expected_term=expected,
        )
    tag(response, term.number)
    return public(term)
