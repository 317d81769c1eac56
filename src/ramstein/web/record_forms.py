"""Forms that record needs, tranches (new and revised), deliveries and receipts, with the
need's detail page.

Each write goes through the same service as the API, as the visitor, with the version the
form was built from; refusals come back as one sentence, a bad field next to the field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ramstein.domain.errors import DomainError, InvalidValue, NotFound
from ramstein.domain.needs import Priority
from ramstein.domain.releasability import Label, Role
from ramstein.services import catalogue, deliveries, needs, pledges
from ramstein.web.base import (
    FORM_EXPIRED,
    Visit,
    csrf_ok,
    go,
    iso_day,
    page,
    refused,
    store_of,
    visit,
    whole,
    write,
)

router = APIRouter(include_in_schema=False)
PRIORITIES = frozenset(p.value for p in Priority)
Field = Annotated[str, Form()]
Csrf = Annotated[str | None, Form()]


# --- needs -----------------------------------------------------------------------------------


@router.get("/needs/new", response_class=HTMLResponse)
def new_need_form(request: Request) -> Response:
    who = visit(request)
    if not who.signed_in:
        return go("/signin")
    return _need_form(request, who, {}, {})


def _need_form(
    request: Request,
    who: Visit,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    message: str | None = None,
) -> Response:
    with store_of(request).read() as conn:
        items = catalogue.list_items(conn=conn, viewer=who.viewer)
    return page(
        request,
        who,
        "need_form.html.j2",
        status=status,
        items=items,
        priorities=list(Priority),
        values=values,
        errors=errors,
        message=message,
    )


@router.post("/needs/new", response_class=HTMLResponse)
def add_need(
    request: Request,
    item_type: Field = "",
    quantity: Field = "",
    priority: Field = "P2",
    needed_by: Field = "",
    rationale: Field = "",
    releasability: Field = "coalition",
    releasable_to: Field = "",
    csrf: Csrf = None,
) -> Response:
    who = visit(request)
    if not csrf_ok(who, csrf):
        return refused(request, who, 403, FORM_EXPIRED)
    values = {
        "item_type": item_type,
        "quantity": quantity,
        "priority": priority,
        "needed_by": needed_by,
        "rationale": rationale,
        "releasability": releasability,
        "releasable_to": releasable_to,
    }
    errors: dict[str, str] = {}
    count = whole(quantity, "quantity", errors)
    by = iso_day(needed_by, "needed_by", errors)
    if count is None or by is None:
        return _need_form(request, who, values, errors, status=422)
    try:
        with store_of(request).write() as uow:
            made = needs.submit_need(
                uow=uow,
                actor=who.viewer,
                recipient=who.viewer.participant or "",
                item_type=item_type,
                quantity=count,
                priority=Priority(priority),
                needed_by=by,
                rationale=rationale,
                label=Label.of(releasability, releasable_to.replace(",", " ").split()),
            )
    except InvalidValue as error:
        errors[error.field if error.field in values else "quantity"] = str(error)
        return _need_form(request, who, values, errors, status=422)
    except (DomainError, ValueError) as error:
        return _need_form(request, who, values, errors, status=422, message=str(error))
    return go(f"/needs/{made.id}")


@router.get("/needs/{need_id}", response_class=HTMLResponse)
def need_detail(request: Request, need_id: int) -> Response:
    who = visit(request)
    try:
        with store_of(request).read() as conn:
            found = needs.get_need(conn=conn, viewer=who.viewer, need_id=need_id)
            item = catalogue.get_item(conn=conn, viewer=who.viewer, code=found.item_type)
    except NotFound:
        return refused(request, who, 404, f"There is no need {need_id}.")
    may_edit = who.is_chair or (
        who.viewer.participant == found.recipient and who.viewer.has(Role.RECIPIENT)
    )
    return page(
        request,
        who,
        "need.html.j2",
        need=found,
        item=item,
        may_edit=may_edit,
        priorities=list(Priority),
        message=request.query_params.get("saved") and "Saved.",
    )


@router.post("/needs/{need_id}/revise", response_class=HTMLResponse)
def revise_need(
    request: Request,
    need_id: int,
    quantity: Field = "",
    priority: Field = "",
    needed_by: Field = "",
    version: Field = "",
    csrf: Csrf = None,
) -> Response:
    who = visit(request)
    errors: dict[str, str] = {}
    count, expected = whole(quantity, "quantity", errors), whole(version, "version", errors)
    by = iso_day(needed_by, "needed_by", errors)
    if count is None or expected is None or by is None or priority not in PRIORITIES:
        return refused(request, who, 422, next(iter(errors.values()), "Choose a priority."))
    return write(
        request,
        who,
        csrf,
        lambda uow: needs.revise_need(
            uow=uow,
            actor=who.viewer,
            need_id=need_id,
            quantity=count,
            priority=Priority(priority),
            needed_by=by,
            expected_version=expected,
        ),  # fmt: skip
        done=f"/needs/{need_id}?saved=1",
        what=f"Need {need_id}",
    )


# --- tranches, deliveries, receipts (on the pledge's page) -----------------------------------


@router.post("/pledges/{pledge_id}/tranches", response_class=HTMLResponse)
def add_tranche(
    request: Request,
    pledge_id: int,
    quantity: Field = "",
    expected_on: Field = "",
    version: Field = "",
    csrf: Csrf = None,
) -> Response:
    who = visit(request)
    errors: dict[str, str] = {}
    count, expected = whole(quantity, "quantity", errors), whole(version, "version", errors)
    on = iso_day(expected_on, "expected_on", errors)
    if count is None or expected is None or on is None:
        return refused(request, who, 422, next(iter(errors.values())))
    return write(
        request,
        who,
        csrf,
        lambda uow: pledges.schedule_tranche(
            uow=uow,
            actor=who.viewer,
            pledge_id=pledge_id,
            quantity=count,
            expected_on=on,
            expected_version=expected,
        ),  # fmt: skip
        done=f"/pledges/{pledge_id}?saved=1",
        what=f"Pledge {pledge_id}",
    )


@router.post("/pledges/{pledge_id}/tranches/{number}", response_class=HTMLResponse)
def revise_tranche(
    request: Request,
    pledge_id: int,
    number: int,
    quantity: Field = "",
    expected_on: Field = "",
    version: Field = "",
    csrf: Csrf = None,
) -> Response:
    who = visit(request)
    errors: dict[str, str] = {}
    count, expected = whole(quantity, "quantity", errors), whole(version, "version", errors)
    on = iso_day(expected_on, "expected_on", errors)
    if count is None or expected is None or on is None:
        return refused(request, who, 422, next(iter(errors.values())))
    return write(
        request,
        who,
        csrf,
        lambda uow: pledges.revise_tranche(
            uow=uow,
            actor=who.viewer,
            pledge_id=pledge_id,
            number=number,
            quantity=count,
            expected_on=on,
            expected_version=expected,
        ),  # fmt: skip
        done=f"/pledges/{pledge_id}?saved=1",
        what=f"Pledge {pledge_id}",
    )


@router.post("/pledges/{pledge_id}/deliveries", response_class=HTMLResponse)
def add_delivery(
    request: Request,
    pledge_id: int,
    tranche: Field = "",
    quantity: Field = "",
    dispatched_on: Field = "",
    note: Field = "",
    version: Field = "",
    csrf: Csrf = None,
) -> Response:
    who = visit(request)
    errors: dict[str, str] = {}
    number, count = whole(tranche, "tranche", errors), whole(quantity, "quantity", errors)
    expected = whole(version, "version", errors)
    on = iso_day(dispatched_on, "dispatched_on", errors)
    if number is None or count is None or expected is None or on is None:
        return refused(request, who, 422, next(iter(errors.values())))
    return write(
        request,
        who,
        csrf,
        lambda uow: deliveries.record_delivery(
            uow=uow,
            actor=who.viewer,
            pledge_id=pledge_id,
            tranche=number,
            quantity=count,
            dispatched_on=on,
            note=note,
            expected_version=expected,
        ),  # fmt: skip
        done=f"/pledges/{pledge_id}?saved=1",
        what=f"Pledge {pledge_id}",
    )


@router.post("/deliveries/{delivery_id}/receipt", response_class=HTMLResponse)
def confirm_receipt(
    request: Request,
    delivery_id: int,
    pledge_id: Field = "",
    received_quantity: Field = "",
    received_on: Field = "",
    discrepancy: Field = "",
    version: Field = "",
    csrf: Csrf = None,
) -> Response:
    who = visit(request)
    errors: dict[str, str] = {}
    count = whole(received_quantity, "received_quantity", errors)
    expected = whole(version, "version", errors)
    on = iso_day(received_on, "received_on", errors)
    if count is None or expected is None or on is None or not pledge_id.isdigit():
        return refused(request, who, 422, next(iter(errors.values()), "Which pledge?"))
    return write(
        request,
        who,
        csrf,
        lambda uow: deliveries.confirm_receipt(
            uow=uow,
            actor=who.viewer,
            delivery_id=delivery_id,
            received_quantity=count,
            received_on=on,
            discrepancy=discrepancy,
            expected_version=expected,
        ),  # fmt: skip
        done=f"/pledges/{pledge_id}?saved=1",
        what=f"Delivery {delivery_id}",
    )
