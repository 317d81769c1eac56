"""Path and query parameter types the routers share, bounded so bad input is a 422, not a 500."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Path, Query
from pydantic import BeforeValidator

from ramstein.api.problems import ProblemBody
from ramstein.api.schemas.common import CODE_PATTERN, iso_date

IdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="The record's id.")]
NumberPath = Annotated[int, Path(ge=1, le=10**6)]
CodePath = Annotated[str, Path(pattern=CODE_PATTERN, description="A code.")]
CodeQuery = Annotated[str | None, Query(pattern=CODE_PATTERN)]
IdQuery = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
DayQuery = Annotated[
    date | None,
    BeforeValidator(iso_date),
    Query(ge=date(1900, 1, 1), le=date(2999, 12, 31), description="YYYY-MM-DD"),
]

PROBLEM = {"model": ProblemBody, "content": {"application/problem+json": {}}}
PROBLEMS: dict[int | str, dict[str, object]] = {
    status: {**PROBLEM, "description": description}
    for status, description in {
        400: "The request was refused by a rule of the coalition's model.",
        401: "The bearer token is unknown, expired or revoked, or one is needed.",
        403: "The viewer's roles do not allow this.",
        404: "No such record, or none the viewer may see.",
        409: "The record's state does not allow this (a transition, a duplicate, a quantity).",
        412: "The record changed since the given If-Match version.",
        422: "A field is invalid; `errors` lists each one.",
        428: "A write to an existing record needs If-Match.",
        429: "Too many failed sign-ins from this client; wait `Retry-After` seconds.",
    }.items()
}
"""Every problem a route may answer with, documented once for every router."""
