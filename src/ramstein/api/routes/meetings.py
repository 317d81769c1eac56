"""`/api/v1/meetings`: the monthly meeting cycle as the chair's secretariat records it."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ramstein.api.deps import (
    CHAIR,
    EVERYONE,
    IdempotencyKey,
    IfMatch,
    StoreDep,
    Viewer,
    host_signer,
    permits,
)
from ramstein.api.paging import Page, Paging, page, request
from ramstein.api.params import PROBLEMS, CodePath, DayQuery, NumberPath
from ramstein.api.reads import answer, cached
from ramstein.api.schemas import pledges as pledge_schemas
from ramstein.api.schemas.meetings import (
    AttendanceSet,
    DecisionCreate,
    MeetingCreate,
    MeetingPublic,
    MeetingStatusChange,
    MeetingUpdate,
    public,
)
from ramstein.api.writes import Created, create, update
from ramstein.domain.meetings import MeetingStatus
from ramstein.services import meetings, pledges
from ramstein.services.meetings import MEETING_ORDERS
from ramstein.services.pledges import PLEDGE_ORDERS
from ramstein.store.uow import UnitOfWork

router = APIRouter(prefix="/api/v1/meetings", tags=["meetings"], responses=PROBLEMS)


@router.get("", **permits(*EVERYONE), response_model=Page[MeetingPublic])
async def list_meetings(
    http: Request,
    viewer: Viewer,
    paging: Paging,
    status: MeetingStatus | None = None,
    held_from: DayQuery = None,
    held_until: DayQuery = None,
) -> Response:
    """Meetings by number (`sort`: number, held_on), each with the decisions the viewer may see."""
    return await cached(
        http,
        viewer,
        lambda conn: meetings.list_meetings(
            conn=conn,
            viewer=viewer,
            status=status,
            held_from=held_from,
            held_until=held_until,
            page=request(paging, MEETING_ORDERS),
        ),
        lambda found: answer(page(found, paging, MEETING_ORDERS, "number", public)),
    )


@router.get("/{number}", **permits(*EVERYONE), response_model=MeetingPublic)
async def get_meeting(number: NumberPath, http: Request, viewer: Viewer) -> Response:
    return await cached(
        http,
        viewer,
        lambda conn: meetings.get_meeting(conn=conn, viewer=viewer, number=number),
        lambda found: answer(public(found), found.version),
    )


@router.get("/{number}/announcements", **permits(*EVERYONE))
def announcements(
    number: NumberPath, store: StoreDep, viewer: Viewer, paging: Paging
) -> Page[pledge_schemas.PledgePublic]:
    """The pledges announced at the meeting that the viewer may see."""
    with store.read() as conn:
        meetings.get_meeting(conn=conn, viewer=viewer, number=number)
        found = pledges.list_pledges(
            conn=conn, viewer=viewer, meeting=number, page=request(paging, PLEDGE_ORDERS)
        )
    return page(found, paging, PLEDGE_ORDERS, "announced_on", pledge_schemas.public)


@router.post("", status_code=201, response_model=MeetingPublic, **permits(*CHAIR))
def schedule_meeting(
    body: MeetingCreate, store: StoreDep, viewer: Viewer, http: Request, key: IdempotencyKey = None
) -> Response:
    def command(uow: UnitOfWork) -> Created:
        made = meetings.schedule_meeting(
            uow=uow,
            actor=viewer,
            held_on=body.held_on,
            format=body.format,
            venue=body.venue,
            chair=body.chair,
            co_chairs=body.co_chairs,
            number=body.number,
        )
        return Created(public(made), f"{router.prefix}/{made.number}", made.version)

    return create(store=store, viewer=viewer, request=http, key=key, payload=body, command=command)


@router.patch("/{number}", **permits(*CHAIR))
def revise_meeting(
    number: NumberPath,
    body: MeetingUpdate,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> MeetingPublic:
    return public(
        update(
            store,
            response,
            lambda uow: meetings.revise_meeting(
                uow=uow,
                actor=viewer,
                number=number,
                held_on=body.held_on,
                format=body.format,
                venue=body.venue,
                co_chairs=body.co_chairs,
                expected_version=expected,
            ),
        )
    )


@router.post("/{number}/status", **permits(*CHAIR))
def change_meeting_status(
    number: NumberPath,
    body: MeetingStatusChange,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
    http: Request,
) -> MeetingPublic:
    """Invite, hold, close or cancel; closing signs a checkpoint of the log."""
    # Only closing signs: the host key is read (or made) then and not otherwise.
    host = host_signer(http) if body.status is MeetingStatus.CLOSED else None
    return public(
        update(
            store,
            response,
            lambda uow: meetings.change_meeting_status(
                uow=uow,
                actor=viewer,
                number=number,
                status=body.status,
                expected_version=expected,
                host=host,
            ),
        )
    )


@router.put("/{number}/attendance/{participant}", **permits(*CHAIR))
def record_attendance(
    number: NumberPath,
    participant: CodePath,
    body: AttendanceSet,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> MeetingPublic:
    """Record that a participant attended, and at what level."""
    return public(
        update(
            store,
            response,
            lambda uow: meetings.record_attendance(
                uow=uow,
                actor=viewer,
                number=number,
                participant=participant,
                level=body.level,
                expected_version=expected,
            ),
        )
    )


@router.post("/{number}/decisions", **permits(*CHAIR))
def record_decision(
    number: NumberPath,
    body: DecisionCreate,
    store: StoreDep,
    viewer: Viewer,
    expected: IfMatch,
    response: Response,
) -> MeetingPublic:
    """Record a decision of the meeting (If-Match: the meeting's version)."""
    return public(
        update(
            store,
            response,
            lambda uow: meetings.record_decision(
                uow=uow,
                actor=viewer,
                number=number,
                text=body.text,
                label=body.label(),
                expected_version=expected,
            ),
        )
    )
