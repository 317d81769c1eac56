"""`/api/v1/meetings`: the monthly meeting cycle as the chair's secretariat records it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ramstein.api.deps import (
    CHAIR,
    DONORS,
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
from ramstein.api.schemas.common import CODE_PATTERN
from ramstein.api.schemas.meetings import (
    ActionClose,
    AgendaPublic,
    AgendaSet,
    AttendanceSet,
    DecisionCreate,
    DecisionPublic,
    MeetingCreate,
    MeetingPublic,
    MeetingStatusChange,
    MeetingUpdate,
    RoundCreate,
    agenda_public,
    decision_public,
    public,
)
from ramstein.api.writes import Created, create, update
from ramstein.domain.meetings import MeetingStatus
from ramstein.domain.permissions import MEMBER_ROLES
from ramstein.reports.readout import Audience, Format
from ramstein.reports.render import render
from ramstein.services import agenda, meetings, pledges, readouts, rounds
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
    """Record a decision of the meeting, or an action item (`kind` action with `due_on`),
    with the participant that owns it (If-Match: the meeting's version)."""
    return public(
        update(
            store,
            response,
            lambda uow: meetings.record_decision(
                uow=uow,
                actor=viewer,
                number=number,
                text=body.text,
                owner=body.owner,
                kind=body.kind,
                due_on=body.due_on,
                label=body.label(),
                expected_version=expected,
            ),
        )
    )


@router.post("/{number}/decisions/{decision}/close", **permits(*CHAIR, *MEMBER_ROLES))
def close_action(
    number: NumberPath, decision: NumberPath, body: ActionClose, store: StoreDep, viewer: Viewer
) -> DecisionPublic:
    """Close an open action item as done or dropped (its owner or the chair)."""
    with store.write() as uow:
        closed = meetings.close_action(
            uow=uow,
            actor=viewer,
            number=number,
            decision=decision,
            outcome=body.outcome,
            note=body.note,
            on=body.on,
        )
    return decision_public(closed)


@router.get("/{number}/agenda", **permits(*EVERYONE), response_model=AgendaPublic)
def get_agenda(
    number: NumberPath,
    store: StoreDep,
    viewer: Viewer,
    version: Annotated[int | None, Query(ge=1, le=10**6)] = None,
) -> Response:
    """The meeting's agenda built from the data the viewer may see: the chair's latest
    version of it (or `version`), or the default one until the chair sets it."""
    with store.read() as conn:
        found = agenda.build(
            conn=conn, viewer=viewer, number=number, today=date.today(), version=version
        )
    return answer(agenda_public(found), found.version)


@router.put("/{number}/agenda", **permits(*CHAIR), response_model=AgendaPublic)
def set_agenda(
    number: NumberPath, body: AgendaSet, store: StoreDep, viewer: Viewer, expected: IfMatch
) -> Response:
    """Set the agenda's items, in order: the next version (If-Match: the agenda's version,
    0 before the chair first sets it)."""
    with store.write() as uow:
        meetings.set_agenda(
            uow=uow,
            actor=viewer,
            number=number,
            entries=[e.entry() for e in body.entries],
            expected_version=expected,
        )
        found = agenda.build(conn=uow.conn, viewer=viewer, number=number, today=uow.today())
    return answer(agenda_public(found), found.version)


@router.post(
    "/{number}/announcements",
    status_code=201,
    **permits(*DONORS),
    response_model=list[pledge_schemas.PledgePublic],
)
def announce_round(
    number: NumberPath, body: RoundCreate, store: StoreDep, viewer: Viewer
) -> list[pledge_schemas.PledgePublic]:
    """The announcement round: each announcement becomes a pledge linked to the meeting, all
    of them or, if one is refused, none (the problem names it)."""
    with store.write() as uow:
        made = rounds.announce_round(
            uow=uow,
            actor=viewer,
            number=number,
            announcements=[
                rounds.Announcement(
                    donor=a.donor,
                    item_type=a.item_type,
                    quantity=a.quantity,
                    source=a.source,
                    value=a.value.money() if a.value is not None else None,
                    years=tuple(a.years or ()),
                    tranches=tuple(t.spec() for t in a.tranches),
                    label=a.label(),
                    external_ref=a.external_ref,
                )
                for a in body.announcements
            ],
        )
    return [pledge_schemas.public(p) for p in made]


@router.get(
    "/{number}/readout",
    **permits(*EVERYONE),
    response_class=Response,
    responses={
        200: {
            "description": "The read-out in the format asked for.",
            "content": {f.media_type.split(";")[0]: {} for f in Format},
        }
    },
)
def readout(
    number: NumberPath,
    store: StoreDep,
    viewer: Viewer,
    http: Request,
    audience: Annotated[
        str,
        Query(
            max_length=80,
            pattern=r"^[A-Za-z0-9:._-]+$",
            description="public, coalition, or a participant's code (participant:DEU).",
        ),
    ] = "public",
    format: Format = Format.MARKDOWN,
) -> Response:
    """The meeting's read-out for an audience, generated from the log (the same document for
    the same log position)."""
    with store.read() as conn:
        document = readouts.build(
            conn=conn,
            requester=viewer,
            number=number,
            audience=Audience.parse(audience),
            group=http.app.state.group_name,
        )
    name = f"meeting-{number}-readout-{document.audience.key}.{format.value}"
    return Response(
        render(document, format),
        media_type=format.media_type,
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


actions = APIRouter(prefix="/api/v1/actions", tags=["meetings"], responses=PROBLEMS)


@actions.get("", **permits(*EVERYONE), response_model=list[DecisionPublic])
def list_actions(
    store: StoreDep,
    viewer: Viewer,
    open: Annotated[bool, Query(description="Only those still open.")] = False,
    owner: Annotated[str | None, Query(pattern=CODE_PATTERN)] = None,
) -> list[DecisionPublic]:
    """Action items of every meeting the viewer may see, oldest meeting first."""
    with store.read() as conn:
        found = meetings.list_actions(conn=conn, viewer=viewer, open_only=open, owner=owner)
    return [decision_public(d) for d in found]
