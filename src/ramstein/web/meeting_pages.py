"""The meeting pages: the list, one meeting (agenda, attendance, the round, decisions,
read-out downloads), and the log page.

Every page reads as its visitor through the services, which apply the releasability rule;
the chair's forms carry the session's CSRF secret and, for a write to the meeting, the
meeting's version the page was built from, so a stale form is refused and nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from ramstein.api.problems import status_of
from ramstein.domain.errors import DomainError, NotFound, NotPermitted, StaleVersion
from ramstein.domain.meetings import (
    MEETING_TRANSITIONS,
    DecisionKind,
    Meeting,
    MeetingStatus,
)
from ramstein.domain.releasability import Label, Releasability
from ramstein.ledger.verify import LogError
from ramstein.reports.readout import Audience, Format
from ramstein.reports.render import PdfUnavailable, render
from ramstein.services import (
    agenda,
    catalogue,
    log,
    meetings,
    participants,
    pledges,
    readouts,
    rounds,
)
from ramstein.services.log import VerifyReport
from ramstein.services.paging import PageRequest
from ramstein.web.base import (
    FORM_EXPIRED,
    Visit,
    csrf_ok,
    go,
    page,
    refused,
    stale,
    store_of,
    visit,
)

router = APIRouter(include_in_schema=False)

Csrf = Annotated[str | None, Form()]
Number = Annotated[int, Path(ge=1, le=2**31 - 1)]

MAX_ROUND_TEXT = 1_000_000
"""The most characters a pasted round may have (about 500 announcements fit easily)."""

DONE = {
    "round": "The announcement round was recorded.",
    "decision": "The decision was recorded.",
    "status": "The meeting's status was changed.",
}
"""What a successful form says after its redirect, by the `done` query value."""

STATUS_BUTTONS = {
    MeetingStatus.INVITED: "Send the invitations",
    MeetingStatus.HELD: "Mark it as held",
    MeetingStatus.CLOSED: "Close the meeting (signs a checkpoint of the log)",
}
"""The moves the chair makes from this page, in order, with their buttons."""

FORMATS = ((Format.PDF, "PDF"), (Format.HTML, "HTML"), (Format.MARKDOWN, "Markdown"))


@dataclass(frozen=True, slots=True)
class Download:
    """A read-out link: where it points and what it says."""

    href: str
    text: str


# --- the list --------------------------------------------------------------------------------


@router.get("/meetings", response_class=HTMLResponse)
def meeting_list(request: Request) -> Response:
    who = visit(request)
    with store_of(request).read() as conn:
        found = meetings.list_meetings(
            conn=conn, viewer=who.viewer, page=PageRequest(sort="number", reverse=True)
        )
    return page(request, who, "meetings.html.j2", meetings=found)


# --- one meeting -----------------------------------------------------------------------------


@router.get("/meetings/{number}", response_class=HTMLResponse)
def meeting_detail(request: Request, number: Number) -> Response:
    who = visit(request)
    done = request.query_params.get("done", "")
    return _meeting_page(request, who, number, message=DONE.get(done))


def _meeting_page(
    request: Request,
    who: Visit,
    number: int,
    *,
    status: int = 200,
    message: str | None = None,
    error: str | None = None,
    error_form: str = "",
    bad_rows: tuple[rounds.BadRow, ...] = (),
    values: dict[str, str] | None = None,
) -> Response:
    viewer = who.viewer
    try:
        with store_of(request).read() as conn:
            meeting = meetings.get_meeting(conn=conn, viewer=viewer, number=number)
            built = agenda.build(conn=conn, viewer=viewer, number=number, today=date.today())
            announced = pledges.list_pledges(conn=conn, viewer=viewer, meeting=number)
            items = {i.code: i for i in catalogue.list_items(conn=conn, viewer=viewer)}
            members = participants.list_participants(conn=conn, viewer=viewer)
    except NotFound:
        return refused(request, who, 404, f"There is no meeting {number}.")
    names = {p.code: p.name for p in members}
    return page(
        request,
        who,
        "meeting.html.j2",
        status=status,
        meeting=meeting,
        agenda=built,
        announced=announced,
        items=items,
        names=names,
        owners=[p for p in members if p.is_active],
        downloads=_downloads(who, number),
        moves=_moves(meeting) if who.is_chair else [],
        kinds=list(DecisionKind),
        levels=list(Releasability),
        message=message,
        error=error,
        error_form=error_form,
        bad_rows=bad_rows,
        values=values or {},
        round_columns=", ".join(rounds.COLUMNS),
    )


def _downloads(who: Visit, number: int) -> list[tuple[str, list[Download]]]:
    """The read-outs the visitor may download, by audience."""
    audiences = [("public", "the public")]
    if who.signed_in:
        audiences.append(("coalition", "coalition members"))
        if who.viewer.participant:
            audiences.append((who.viewer.participant, who.viewer.participant))
    return [
        (
            title,
            [
                Download(
                    f"/meetings/{number}/readout?audience={key}&format={fmt.value}",
                    f"Read-out for {title} ({name})",
                )
                for fmt, name in FORMATS
            ],
        )
        for key, title in audiences
    ]


def _moves(meeting: Meeting) -> list[tuple[str, str]]:
    allowed = MEETING_TRANSITIONS.allowed(meeting.status)
    return [(s.value, text) for s, text in STATUS_BUTTONS.items() if s in allowed]


def _version(text: str) -> int | None:
    try:
        value = int(text.strip())
    except ValueError:
        return None
    return value if value >= 0 else None


@router.post("/meetings/{number}/round", response_class=HTMLResponse)
def announce_round(
    request: Request,
    number: Number,
    csv: Annotated[str, Form()] = "",
    csrf: Csrf = None,
) -> Response:
    who = visit(request)
    if not csrf_ok(who, csrf):
        return refused(request, who, 403, FORM_EXPIRED)
    values = {"csv": csv}

    def again(error: str, status: int = 422, rows: tuple[rounds.BadRow, ...] = ()) -> Response:
        return _meeting_page(
            request,
            who,
            number,
            status=status,
            error=error,
            error_form="round",
            bad_rows=rows,
            values=values,
        )

    if len(csv) > MAX_ROUND_TEXT:
        return again(f"A round pasted here takes at most {MAX_ROUND_TEXT:,} characters.")
    try:
        announcements = rounds.parse_csv(csv)
    except rounds.BadRound as error:
        return again(str(error), rows=error.rows)
    try:
        with store_of(request).write() as uow:
            rounds.announce_round(
                uow=uow, actor=who.viewer, number=number, announcements=announcements
            )
    except DomainError as error:
        return again(str(error), status=status_of(error))
    return go(f"/meetings/{number}?done=round")


@router.post("/meetings/{number}/decisions", response_class=HTMLResponse)
def record_decision(
    request: Request,
    number: Number,
    text: Annotated[str, Form()] = "",
    owner: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "decision",
    due_on: Annotated[str, Form()] = "",
    releasability: Annotated[str, Form()] = "coalition",
    releasable_to: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    csrf: Csrf = None,
) -> Response:
    who = visit(request)
    if not csrf_ok(who, csrf):
        return refused(request, who, 403, FORM_EXPIRED)
    values = {
        "text": text,
        "owner": owner,
        "kind": kind,
        "due_on": due_on,
        "releasability": releasability,
        "releasable_to": releasable_to,
    }

    def again(error: str, status: int = 422) -> Response:
        return _meeting_page(
            request, who, number, status=status, error=error, error_form="decision", values=values
        )

    expected = _version(version)
    if expected is None:
        return again("The form lost the meeting's version; reload the page and try again.")
    try:
        chosen_kind = DecisionKind(kind)
    except ValueError:
        return again("Choose whether it is a decision or an action item.")
    due: date | None = None
    if due_on.strip():
        try:
            due = date.fromisoformat(due_on.strip())
        except ValueError:
            return again("The due date must be a date, YYYY-MM-DD.")
    try:
        label = Label.of(releasability, releasable_to.replace(",", " ").upper().split())
        with store_of(request).write() as uow:
            meetings.record_decision(
                uow=uow,
                actor=who.viewer,
                number=number,
                text=text.strip(),
                owner=owner.strip().upper() or None,
                label=label,
                kind=chosen_kind,
                due_on=due,
                expected_version=expected,
            )
    except StaleVersion:
        return stale(request, who, f"Meeting {number}")
    except DomainError as error:
        return again(str(error), status=status_of(error))
    return go(f"/meetings/{number}?done=decision")


@router.post("/meetings/{number}/status", response_class=HTMLResponse)
def change_status(
    request: Request,
    number: Number,
    status: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    csrf: Csrf = None,
) -> Response:
    who = visit(request)
    if not csrf_ok(who, csrf):
        return refused(request, who, 403, FORM_EXPIRED)

    def again(error: str, code: int = 422) -> Response:
        return _meeting_page(request, who, number, status=code, error=error, error_form="status")

    expected = _version(version)
    if expected is None:
        return again("The form lost the meeting's version; reload the page and try again.")
    try:
        wanted = MeetingStatus(status)
    except ValueError:
        wanted = None
    if wanted not in STATUS_BUTTONS:
        return again("Choose invited, held or closed.")
    assert wanted is not None
    try:
        with store_of(request).write() as uow:
            meetings.change_meeting_status(
                uow=uow,
                actor=who.viewer,
                number=number,
                status=wanted,
                expected_version=expected,
                host=request.app.state.host() if wanted is MeetingStatus.CLOSED else None,
            )
    except StaleVersion:
        return stale(request, who, f"Meeting {number}")
    except DomainError as error:
        return again(str(error), code=status_of(error))
    return go(f"/meetings/{number}?done=status")


# --- read-outs -------------------------------------------------------------------------------


@router.get("/meetings/{number}/readout")
def readout(
    request: Request, number: Number, audience: str = "public", format: str = "md"
) -> Response:
    who = visit(request)
    try:
        chosen = Format(format)
    except ValueError:
        return refused(request, who, 422, f"{format[:20]!r} is not a format: say md, html or pdf.")
    if len(audience) > 80:
        return refused(request, who, 422, "That audience is too long to be a participant's code.")
    try:
        with store_of(request).read() as conn:
            document = readouts.build(
                conn=conn,
                requester=who.viewer,
                number=number,
                audience=Audience.parse(audience),
                group=request.app.state.group_name,
            )
        body = render(document, chosen)
    except NotPermitted as error:
        return refused(request, who, 403, str(error))
    except NotFound as error:
        return refused(request, who, 404, str(error))
    except PdfUnavailable as error:
        return refused(request, who, 503, str(error))
    except DomainError as error:  # InvalidValue, and any other refusal
        return refused(request, who, 422, str(error))
    name = f"meeting-{number}-readout-{document.audience.key}.{chosen.value}"
    return Response(
        body,
        media_type=chosen.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


# --- the log ---------------------------------------------------------------------------------


@router.get("/log", response_class=HTMLResponse)
def log_page(request: Request) -> Response:
    return _log_page(request, visit(request))


@router.post("/log/verify", response_class=HTMLResponse)
def verify_log(request: Request, csrf: Csrf = None) -> Response:
    who = visit(request)
    if not who.signed_in:
        return refused(request, who, 403, "Sign in to verify the log.")
    if not csrf_ok(who, csrf):
        return refused(request, who, 403, FORM_EXPIRED)
    try:
        report = log.verify(store=store_of(request))
    except (LogError, DomainError) as error:
        return _log_page(request, who, failure=str(error))
    return _log_page(request, who, report=report)


def _log_page(
    request: Request,
    who: Visit,
    *,
    report: VerifyReport | None = None,
    failure: str | None = None,
) -> Response:
    with store_of(request).read() as conn:
        context: dict[str, Any] = dict(
            size=log.log_size(conn=conn),
            checkpoints=list(reversed(log.checkpoints(conn=conn))),
            witnesses=log.list_witnesses(conn=conn),
            quorum=log.witness_quorum(conn=conn),
        )
    return page(request, who, "log.html.j2", report=report, failure=failure, **context)
