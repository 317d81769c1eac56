"""What the API's routes share: the store, the viewer behind a bearer token, and problems.

Errors leave the API as RFC 9457 `application/problem+json`. Routers opt in with
`route_class=ProblemRoute`: it turns a domain refusal, a `Problem` raised by a dependency and a
request that fails validation into a problem response, so routes stay free of try/except.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ramstein.domain import errors
from ramstein.domain.releasability import PUBLIC_VIEWER, Principal
from ramstein.services import users
from ramstein.store.engine import Store

PROBLEM_JSON = "application/problem+json"

STATUS: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.NotFound, 404),
    (errors.NotPermitted, 403),
    (errors.InactiveParticipant, 403),
    (errors.AlreadyExists, 409),
    (errors.IllegalTransition, 409),
    (errors.QuantityExceeded, 409),
    (errors.StaleVersion, 412),
    (errors.InvalidValue, 422),
)
"""The status of each kind of domain refusal; any other refusal is a 400."""


class Problem(Exception):
    """An HTTP problem raised by a dependency or a route (RFC 9457)."""

    def __init__(
        self, status: int, title: str, detail: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.type = f"urn:ramstein:problem:{title.lower().replace(' ', '-')}"


def problem_response(problem: Problem) -> JSONResponse:
    body = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    return JSONResponse(
        body, status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers
    )


def domain_problem(error: errors.DomainError) -> Problem:
    status = next((s for kind, s in STATUS if isinstance(error, kind)), 400)
    problem = Problem(status, error.code.replace("-", " ").capitalize(), error.message)
    problem.type = f"urn:ramstein:problem:{error.code}"
    return problem


def _validation_problem(error: RequestValidationError) -> Problem:
    parts = []
    for e in [e for e in error.errors() if isinstance(e, dict)][:3]:
        kind, *rest = [str(x) for x in e.get("loc", ())] or ["request"]
        where = f"{kind.capitalize()} field" if kind == "body" else f"{kind.capitalize()} parameter"
        name = ".".join(rest)
        subject = f"{where} {name}" if name else f"The {kind}"
        parts.append(f"{subject}: {str(e.get('msg', 'is invalid')).rstrip('.')}")
    return Problem(422, "Invalid request", ("; ".join(parts) or "The request is invalid") + ".")


class ProblemRoute(APIRoute):
    """A route whose refusals (domain errors, problems, invalid input) are problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except Problem as problem:
                return problem_response(problem)
            except errors.DomainError as error:
                return problem_response(domain_problem(error))
            except RequestValidationError as error:
                return problem_response(_validation_problem(error))

        return route


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]

bearer = HTTPBearer(
    auto_error=False,
    description="An API token (`ramstein tokens issue`); without one you read as the public.",
)


def current_viewer(
    request: Request,
    store: StoreDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The principal behind the bearer token; the public without one; 401 for a bad one."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        if request.headers.get("authorization"):
            raise Problem(
                401,
                "Unauthorized",
                "The Authorization header must be 'Bearer <token>'.",
                headers=challenge,
            )
        return PUBLIC_VIEWER
    with store.read() as conn:
        principal = users.authenticate(conn=conn, token=credentials.credentials)
    if principal is None:
        raise Problem(
            401,
            "Unauthorized",
            "The token is unknown, expired or revoked.",
            headers=challenge,
        )
    return principal


Viewer = Annotated[Principal, Depends(current_viewer)]
