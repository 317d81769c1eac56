"""Every refusal leaves the API as RFC 9457 `application/problem+json`.

A problem has a stable `type` (a URN naming the kind of refusal), a `title`, the HTTP
`status` and a `detail` sentence a person can act on. Invalid input adds `errors`: each bad
field's path (`body.tranches.0.quantity`, `query.limit`) and what is wrong with it. A stale
write adds `current_version`, so a client can reload and retry. Domain refusals are mapped
here, once, so routes raise the domain's errors and never build responses by hand.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ramstein.domain import errors
from ramstein.interchange.iati import NothingToReport
from ramstein.reports.render import PdfUnavailable

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:ramstein:problem:"

STATUS: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.NotFound, 404),
    (NothingToReport, 404),
    (errors.NotPermitted, 403),
    (errors.InactiveParticipant, 403),
    (errors.AlreadyExists, 409),
    (errors.IllegalTransition, 409),
    (errors.QuantityExceeded, 409),
    (errors.StaleVersion, 412),
    (errors.InvalidValue, 422),
    (PdfUnavailable, 503),
)
"""The status of each kind of domain refusal; any other refusal is a 400."""

HTTP_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    415: "Unsupported media type",
    422: "Invalid request",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class FieldError(BaseModel):
    field: str = Field(description="Where the bad value is: `body.quantity`, `query.limit`.")
    message: str


class ProblemBody(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=["urn:ramstein:problem:stale-version"])
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = Field(
        default=None, description="For invalid input: every bad field."
    )
    current_version: int | None = Field(
        default=None, description="For a stale write (412): the record's version now."
    )


class Problem(Exception):
    """An HTTP problem raised by a dependency or a route."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = HTTP_TITLES.get(status, "Error")
        self.detail = detail
        self.type = TYPE_PREFIX + (code or self.title.lower().replace(" ", "-"))
        self.headers = headers or {}
        self.extra = extra

    def response(self) -> JSONResponse:
        body = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }
        return JSONResponse(
            body, status_code=self.status, media_type=PROBLEM_JSON, headers=self.headers
        )


def status_of(error: errors.DomainError) -> int:
    """The HTTP status of a domain refusal, for the API and the web pages alike."""
    return next((s for kind, s in STATUS if isinstance(error, kind)), 400)


def domain_problem(error: errors.DomainError) -> Problem:
    status = status_of(error)
    extra: dict[str, Any] = {}
    if isinstance(error, errors.StaleVersion):
        extra["current_version"] = error.current
    if isinstance(error, errors.InvalidValue):
        extra["errors"] = [{"field": error.field, "message": error.message}]
    return Problem(status, error.message, code=error.code, **extra)


def validation_problem(error: RequestValidationError) -> Problem:
    found = []
    for e in error.errors():
        loc = [str(x) for x in e.get("loc", ())] or ["request"]
        found.append({"field": ".".join(loc), "message": str(e.get("msg", "is invalid"))})
    shown = "; ".join(f"{f['field']}: {f['message'].rstrip('.')}" for f in found[:3])
    more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
    return Problem(
        422, f"The request is invalid: {shown}{more}.", code="invalid-request", errors=found
    )


def etag(version: int) -> str:
    """The strong entity tag of a record at `version`."""
    return f'"{version}"'


def install(app: FastAPI) -> None:
    """Make every refusal of `app` a problem, including unknown routes and methods."""

    @app.exception_handler(Problem)
    async def on_problem(request: Request, problem: Problem) -> JSONResponse:
        return problem.response()

    @app.exception_handler(errors.DomainError)
    async def on_domain(request: Request, error: errors.DomainError) -> JSONResponse:
        return domain_problem(error).response()

    @app.exception_handler(sa.exc.TimeoutError)
    @app.exception_handler(sa.exc.OperationalError)
    async def on_database(request: Request, error: Exception) -> JSONResponse:
        # Every pooled connection in use, a lock not granted in time, the server restarting:
        # the request did not happen, and the same request may succeed shortly.
        return Problem(
            503,
            "The database cannot take the request now; nothing was changed. Retry shortly.",
            code="database-unavailable",
            headers={"Retry-After": "1"},
        ).response()

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        return validation_problem(error).response()

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = str(error.detail)
        headers = dict(error.headers or {})
        if error.status_code == 404 and detail == "Not Found":
            detail = f"Nothing is served at {request.url.path}."
        elif error.status_code == 405:
            allowed = sorted(_methods(app, request.url.path))
            headers["Allow"] = ", ".join(allowed)
            detail = f"{request.url.path} takes {', '.join(allowed)}, not {request.method}."
        return Problem(error.status_code, detail, headers=headers).response()


def _methods(app: FastAPI, path: str) -> set[str]:
    """Every method some route of `app` serves at `path`."""
    found: set[str] = set()
    for route in app.routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            found |= set(getattr(route, "methods", None) or ())
    return found
