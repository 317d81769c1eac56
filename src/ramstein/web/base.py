"""What every page needs: who is visiting, the templates, CSRF checks and error pages."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ramstein.api.deps import PrincipalCache
from ramstein.api.problems import status_of
from ramstein.domain.errors import DomainError, StaleVersion
from ramstein.domain.releasability import PUBLIC_VIEWER, Principal, Role
from ramstein.services import users
from ramstein.store.engine import Store
from ramstein.store.uow import UnitOfWork
from ramstein.web.sessions import COOKIE, Sealer, Session

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.autoescape = True  # every template here is HTML, whatever its suffix
SIGNIN_COOKIE = "ramstein_signin"
"""The CSRF secret of the sign-in form, before there is a session."""


@dataclass(frozen=True, slots=True)
class Visit:
    """Who is asking: the principal (the public without a session) and their session."""

    viewer: Principal
    session: Session | None

    @property
    def signed_in(self) -> bool:
        return self.session is not None

    @property
    def is_chair(self) -> bool:
        return self.viewer.has(Role.CHAIR)

    @property
    def role_names(self) -> str:
        return ", ".join(sorted(r.value.replace("_", " ") for r in self.viewer.roles))


def store_of(request: Request) -> Store:
    """The app's store."""
    store: Store = request.app.state.store
    return store


def visit(request: Request) -> Visit:
    """The visitor of `request`: a valid session's principal, or the public."""
    state = request.app.state
    sealer: Sealer = state.sealer
    session = sealer.open(request.cookies.get(COOKIE))
    if session is None:
        return Visit(PUBLIC_VIEWER, None)
    cache: PrincipalCache = state.principals
    principal = cache.get(session.token)
    if principal is None:
        store: Store = state.store
        with store.read() as conn:
            principal = users.authenticate(conn=conn, token=session.token)
        if principal is None:  # revoked, expired or disabled: the session is over
            return Visit(PUBLIC_VIEWER, None)
        cache.put(session.token, principal)
    return Visit(principal, session)


def page(
    request: Request, who: Visit, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page rendered for `who`."""
    return templates.TemplateResponse(
        request,
        template,
        {"who": who, "nav": NAV, **context},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def refused(request: Request, who: Visit, status: int, message: str) -> HTMLResponse:
    """A page saying, in one sentence, why the request was refused."""
    return page(request, who, "error.html.j2", status=status, message=message)


def csrf_ok(who: Visit, sent: str | None) -> bool:
    return who.session is not None and who.session.checks(sent)


def signin_secret() -> str:
    return secrets.token_urlsafe(24)


def go(path: str) -> Response:
    """After a successful form: see the result (303, so a reload does not post again)."""
    return RedirectResponse(path, status_code=303)


NAV = (
    ("/", "Dashboard"),
    ("/needs", "Needs"),
    ("/pledges", "Pledges"),
    ("/donors", "Donors"),
    ("/funds", "Funds"),
    ("/baselines", "Baselines"),
    ("/coalitions", "Coalitions"),
    ("/meetings", "Meetings"),
    ("/matching", "Matching"),
    ("/outlook", "Outlook"),
    ("/log", "Log"),
    ("/data", "Data"),
)


def eur(value: Decimal | float | int | None) -> str:
    """An amount in whole euros with thousands separators, or an em dash."""
    if value is None:
        return "—"
    return f"EUR {Decimal(value).quantize(Decimal(1)):,}"


def share(value: Decimal | float | None) -> str:
    return "—" if value is None else f"{float(value):.0%}"


def day(value: date | None) -> str:
    return "—" if value is None else value.isoformat()


def instant(value: str) -> str:
    """An RFC 3339 time of the log, to the minute: `2025-03-01 09:00 UTC`."""
    return f"{value[:10]} {value[11:16]} UTC" if len(value) >= 16 else value


templates.env.filters.update(eur=eur, share=share, day=day, instant=instant)
templates.env.globals.update(Role=Role)


FORM_EXPIRED = "The form has expired; reload the page and try again."


def write(
    request: Request,
    who: Visit,
    csrf: str | None,
    command: Callable[[UnitOfWork], object],
    *,
    done: str,
    what: str,
) -> Response:
    """Run a form's `command` in one write as the visitor, then see `done`; a refusal is a
    page of one sentence (a stale version says someone else changed `what` first)."""
    if not csrf_ok(who, csrf):
        return refused(request, who, 403, FORM_EXPIRED)
    try:
        with store_of(request).write() as uow:
            command(uow)
    except StaleVersion:
        return stale(request, who, what)
    except DomainError as error:
        return refused(request, who, status_of(error), str(error))
    return go(done)


def stale(request: Request, who: Visit, what: str) -> HTMLResponse:
    """The page for a form built on a version that someone else has since changed."""
    return refused(
        request,
        who,
        409,
        f"{what} was changed by someone else since you opened it; nothing was saved. "
        "Open it again to see the change, then make yours.",
    )


def whole(text: str, field: str, errors: dict[str, str]) -> int | None:
    """A form's whole number of at least 1, or an error for `field`."""
    try:
        value = int(text.strip())
    except ValueError:
        errors[field] = "A whole number."
        return None
    if value < 1:
        errors[field] = "At least 1."
        return None
    return value


def iso_day(text: str, field: str, errors: dict[str, str]) -> date | None:
    """A form's date, or an error for `field`."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors[field] = "A date, YYYY-MM-DD."
        return None
