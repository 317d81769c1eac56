"""Sign-in, the dashboard, the needs board and the pledges: pages over the services.

Every page reads as its visitor (the public without a session) through the same services and
releasability rule as the API; every form carries the session's CSRF secret, and a write to an
existing record sends the version the form was built from, so a stale form is refused.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, TypeVar

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from ramstein.domain.errors import DomainError, InvalidValue, NotFound
from ramstein.domain.needs import NeedStatus, Priority
from ramstein.domain.pledges import PledgeSource, PledgeStatus, TrancheSpec
from ramstein.domain.releasability import Label, Role
from ramstein.services import (
    agenda,
    analytics,
    capabilities,
    catalogue,
    deliveries,
    log,
    meetings,
    needs,
    participants,
    pledges,
    users,
)
from ramstein.services.agenda import OPEN_NEEDS
from ramstein.services.paging import PageRequest
from ramstein.web import charts
from ramstein.web.base import (
    FORM_EXPIRED,
    SIGNIN_COOKIE,
    Visit,
    csrf_ok,
    go,
    iso_day,
    page,
    refused,
    signin_secret,
    store_of,
    visit,
    whole,
    write,
)
from ramstein.web.sessions import COOKIE, SESSION_HOURS, Sealer

router = APIRouter(include_in_schema=False)
LIST_LIMIT = 300
"""Rows a list page shows; its filters narrow the rest."""

Csrf = Annotated[str | None, Form()]


# --- signing in and out --------------------------------------------------------------------


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request) -> Response:
    secret = signin_secret()
    response = page(request, visit(request), "signin.html.j2", csrf=secret, message=None)
    _cookie(request, response, SIGNIN_COOKIE, secret, max_age=600)
    return response


@router.post("/signin", response_class=HTMLResponse)
def signin(request: Request, token: Annotated[str, Form()], csrf: Csrf = None) -> Response:
    who = visit(request)
    expected = request.cookies.get(SIGNIN_COOKIE)
    if not expected or csrf != expected:
        return refused(request, who, 403, "The sign-in form has expired; open it again.")
    with store_of(request).read() as conn:
        principal = users.authenticate(conn=conn, token=token.strip())
    if principal is None or principal.is_public:
        secret = signin_secret()
        response = page(
            request,
            who,
            "signin.html.j2",
            status=401,
            csrf=secret,
            message="That token is unknown, expired or revoked.",
        )
        _cookie(request, response, SIGNIN_COOKIE, secret, max_age=600)
        return response
    sealer: Sealer = request.app.state.sealer
    sealed, _ = sealer.seal(token.strip())
    signed_in = go("/")
    _cookie(request, signed_in, COOKIE, sealed, max_age=SESSION_HOURS * 3600)
    signed_in.delete_cookie(SIGNIN_COOKIE, path="/")
    return signed_in


@router.post("/signout")
def signout(request: Request, csrf: Csrf = None) -> Response:
    who = visit(request)
    if who.signed_in and not csrf_ok(who, csrf):
        return refused(request, who, 403, FORM_EXPIRED)
    response = go("/signin")
    response.delete_cookie(COOKIE, path="/")
    return response


def _cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=bool(request.app.state.secure_cookies),
    )


# --- the dashboard ---------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    who = visit(request)
    today = date.today()
    viewer = who.viewer
    with store_of(request).read() as conn:
        areas = analytics.areas(conn=conn, viewer=viewer)
        names = {a.code: a.name for a in capabilities.list_areas(conn=conn, viewer=viewer)}
        monthly = analytics.pledged_and_delivered(conn=conn, viewer=viewer, until=today)
        items = {i.code: i for i in catalogue.list_items(conn=conn, viewer=viewer)}
        open_needs = needs.list_needs(conn=conn, viewer=viewer, status=OPEN_NEEDS)
        gaps, gaps_from = agenda.priority_gaps(conn, viewer, open_needs, items)
        visible = pledges.list_pledges(conn=conn, viewer=viewer)
        upcoming = [
            m
            for m in meetings.list_meetings(conn=conn, viewer=viewer, held_from=today)
            if m.status.value in ("scheduled", "invited", "held")
        ]
        checkpoint = log.latest_checkpoint(conn=conn)
        size = log.log_size(conn=conn)
    pledged = monthly[-1][1] if monthly else Decimal(0)
    delivered = monthly[-1][2] if monthly else Decimal(0)
    return page(
        request,
        who,
        "dashboard.html.j2",
        group=request.app.state.group_name,
        areas=[a for a in areas if a.needed_eur or a.pledged_eur],
        area_names=names,
        coverage_figure=charts.coverage_by_area(areas, names),
        monthly=monthly,
        monthly_figure=charts.pledged_and_delivered(monthly),
        gaps=[g for g in gaps if g.priority is Priority.P1][:10],
        gaps_from=gaps_from,
        overdue=agenda.overdue(visible, today)[:10],
        items=items,
        uses_charts=True,
        next_meeting=upcoming[0] if upcoming else None,
        checkpoint=checkpoint,
        log_size=size,
        pledged=pledged,
        delivered=delivered,
        pledge_count=len(visible),
    )


# --- the needs board ---------------------------------------------------------------------------


@router.get("/needs", response_class=HTMLResponse)
def needs_board(
    request: Request,
    area: Annotated[str, Query(max_length=64)] = "",
    priority_: Annotated[str, Query(alias="priority", max_length=8)] = "",
    status_: Annotated[str, Query(alias="status", max_length=32)] = "",
    sort: Annotated[str, Query(pattern="^(urgency|needed_by|raised_on|quantity|id)$")] = "urgency",
) -> Response:
    # A filter left at "any" is sent empty: it filters nothing.
    priority = _choice(Priority, priority_)
    status = _choice(NeedStatus, status_)
    who = visit(request)
    viewer = who.viewer
    with store_of(request).read() as conn:
        areas = capabilities.list_areas(conn=conn, viewer=viewer)
        items = {i.code: i for i in catalogue.list_items(conn=conn, viewer=viewer)}
        found = needs.list_needs(
            conn=conn,
            viewer=viewer,
            area=area or None,
            priority=[priority] if priority else None,
            status=[status] if status else None,
            page=PageRequest(sort=sort, limit=LIST_LIMIT + 1),
        )
        open_needs = needs.list_needs(conn=conn, viewer=viewer, status=OPEN_NEEDS)
        covered = {
            g.need: g
            for g in agenda.coverage_gaps(
                open_needs, pledges.list_pledges(conn=conn, viewer=viewer), items
            )
        }
    return page(
        request,
        who,
        "needs.html.j2",
        needs=found[:LIST_LIMIT],
        more=len(found) > LIST_LIMIT,
        items=items,
        areas=areas,
        gaps=covered,
        chosen={"area": area, "priority": priority, "status": status, "sort": sort},
        priorities=list(Priority),
        statuses=list(NeedStatus),
    )


# --- pledges ---------------------------------------------------------------------------------


@router.get("/pledges", response_class=HTMLResponse)
def pledge_list(
    request: Request,
    donor: Annotated[str, Query(max_length=64)] = "",
    status_: Annotated[str, Query(alias="status", max_length=32)] = "",
) -> Response:
    status = _choice(PledgeStatus, status_)
    who = visit(request)
    with store_of(request).read() as conn:
        found = pledges.list_pledges(
            conn=conn,
            viewer=who.viewer,
            donor=donor or None,
            status=[status] if status else None,
            page=PageRequest(limit=LIST_LIMIT + 1),
        )
        items = {i.code: i for i in catalogue.list_items(conn=conn, viewer=who.viewer)}
    return page(
        request,
        who,
        "pledges.html.j2",
        pledges=found[:LIST_LIMIT],
        more=len(found) > LIST_LIMIT,
        items=items,
        chosen={"donor": donor, "status": status},
        statuses=list(PledgeStatus),
        may_pledge=who.viewer.has(Role.DONOR, Role.COALITION_LEAD, Role.CHAIR),
    )


@router.get("/pledges/new", response_class=HTMLResponse)
def new_pledge_form(request: Request) -> Response:
    who = visit(request)
    if not who.signed_in:
        return go("/signin")
    return _pledge_form(request, who, {}, {})


def _pledge_form(
    request: Request,
    who: Visit,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    message: str | None = None,
) -> Response:
    with store_of(request).read() as conn:
        items = catalogue.list_items(conn=conn, viewer=who.viewer)
        donors = [
            p
            for p in participants.list_participants(conn=conn, viewer=who.viewer)
            if p.kind.value != "recipient" and p.is_active
        ]
    if not who.is_chair:
        donors = [p for p in donors if p.code == who.viewer.participant]
    return page(
        request,
        who,
        "pledge_form.html.j2",
        status=status,
        items=items,
        donors=donors,
        sources=list(PledgeSource),
        values=values,
        errors=errors,
        message=message,
    )


@router.post("/pledges/new", response_class=HTMLResponse)
def add_pledge(
    request: Request,
    donor: Annotated[str, Form()] = "",
    item_type: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "stocks",
    tranche_quantity: Annotated[str, Form()] = "",
    tranche_on: Annotated[str, Form()] = "",
    releasability: Annotated[str, Form()] = "coalition",
    releasable_to: Annotated[str, Form()] = "",
    csrf: Csrf = None,
) -> Response:
    who = visit(request)
    if not csrf_ok(who, csrf):
        return refused(request, who, 403, FORM_EXPIRED)
    values = {
        "donor": donor,
        "item_type": item_type,
        "quantity": quantity,
        "source": source,
        "tranche_quantity": tranche_quantity,
        "tranche_on": tranche_on,
        "releasability": releasability,
        "releasable_to": releasable_to,
    }
    errors: dict[str, str] = {}
    count = whole(quantity, "quantity", errors)
    tranches: list[TrancheSpec] = []
    if tranche_quantity or tranche_on:
        part = whole(tranche_quantity, "tranche_quantity", errors)
        on = iso_day(tranche_on, "tranche_on", errors)
        if part is not None and on is not None:
            tranches.append(TrancheSpec(part, on))
    try:
        chosen_source = PledgeSource(source)
    except ValueError:
        errors["source"] = "Choose where it comes from."
        chosen_source = PledgeSource.STOCKS
    label = Label.of(releasability, releasable_to.replace(",", " ").split())
    if errors or count is None:
        return _pledge_form(request, who, values, errors, status=422)
    try:
        with store_of(request).write() as uow:
            made = pledges.announce_pledge(
                uow=uow,
                actor=who.viewer,
                donor=donor,
                item_type=item_type,
                quantity=count,
                value=None,
                source=chosen_source,
                tranches=tranches,
                label=label,
            )
    except InvalidValue as error:
        errors[FORM_FIELDS.get(error.field, "quantity")] = str(error)
        return _pledge_form(request, who, values, errors, status=422)
    except DomainError as error:
        return _pledge_form(request, who, values, errors, status=422, message=str(error))
    return go(f"/pledges/{made.id}")


@router.get("/pledges/{pledge_id}", response_class=HTMLResponse)
def pledge_detail(request: Request, pledge_id: int) -> Response:
    who = visit(request)
    try:
        with store_of(request).read() as conn:
            found = pledges.get_pledge(conn=conn, viewer=who.viewer, pledge_id=pledge_id)
            history = pledges.pledge_history(conn=conn, viewer=who.viewer, pledge_id=pledge_id)
            sent = deliveries.list_deliveries(conn=conn, viewer=who.viewer, pledge_id=pledge_id)
            item = catalogue.get_item(conn=conn, viewer=who.viewer, code=found.item_type)
    except NotFound:
        return refused(request, who, 404, f"There is no pledge {pledge_id}.")
    may_edit = who.is_chair or (
        who.viewer.participant == found.donor and who.viewer.has(Role.DONOR, Role.COALITION_LEAD)
    )
    return page(
        request,
        who,
        "pledge.html.j2",
        pledge=found,
        history=history,
        deliveries=sent,
        item=item,
        may_edit=may_edit,
        may_receive=who.viewer.has(Role.RECIPIENT, Role.CHAIR),
        message=request.query_params.get("saved") and "Saved.",
    )


@router.post("/pledges/{pledge_id}/revise", response_class=HTMLResponse)
def revise_pledge(
    request: Request,
    pledge_id: int,
    quantity: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
    csrf: Csrf = None,
) -> Response:
    who = visit(request)
    errors: dict[str, str] = {}
    count, expected = whole(quantity, "quantity", errors), whole(version, "version", errors)
    if count is None or expected is None:
        return refused(request, who, 422, next(iter(errors.values())))
    return write(
        request,
        who,
        csrf,
        lambda uow: pledges.revise_pledge(
            uow=uow,
            actor=who.viewer,
            pledge_id=pledge_id,
            quantity=count,
            expected_version=expected,
        ),  # fmt: skip
        done=f"/pledges/{pledge_id}?saved=1",
        what=f"Pledge {pledge_id}",
    )


E = TypeVar("E", bound=StrEnum)


def _choice(kind: type[E], value: str) -> E | None:
    """A filter's choice, or None for "any" (an empty or unknown value)."""
    try:
        return kind(value) if value else None
    except ValueError:
        return None


FORM_FIELDS = {
    "quantity": "quantity",
    "expected_on": "tranche_on",
    "tranches": "tranche_quantity",
    "releasability": "releasability",
    "releasable_to": "releasable_to",
}
"""The pledge form's field for each field a refusal names."""
