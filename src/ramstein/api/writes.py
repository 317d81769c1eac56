"""Creates that survive a retry, and the ETag every answer about a record carries."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from fastapi import Request, Response
from pydantic import BaseModel

from ramstein.api.problems import Problem, etag
from ramstein.domain.releasability import Principal
from ramstein.services import idempotency
from ramstein.store.engine import Store
from ramstein.store.uow import UnitOfWork


class Created:
    """What a create made: its public form, its version and where it now lives."""

    def __init__(self, body: BaseModel, version: int, location: str) -> None:
        self.body = body
        self.version = version
        self.location = location


def tag(response: Response, version: int) -> None:
    """Give `response` the ETag of a record at `version`."""
    response.headers["ETag"] = etag(version)


def create(
    *,
    store: Store,
    viewer: Principal,
    request: Request,
    key: str | None,
    payload: BaseModel | None,
    command: Callable[[UnitOfWork], Created],
) -> Response:
    """Run `command` in one write transaction and answer 201 with Location and ETag.

    With an Idempotency-Key the answer is kept in that same transaction, and a retry (same
    user, key and request) gets it back instead of running the command again.
    """
    fingerprint = hashlib.sha256(
        b"\n".join(
            [
                request.method.encode(),
                request.url.path.encode(),
                payload.model_dump_json().encode() if payload is not None else b"",
            ]
        )
    ).hexdigest()
    with store.write() as uow:
        if key is not None:
            if viewer.user is None:
                raise Problem(401, "Sign in with a bearer token to do this.")
            found = idempotency.recall(
                conn=uow.conn, user=viewer.user, key=key, fingerprint=fingerprint, now=uow.now()
            )
            if found is not None:
                return Response(
                    found.body,
                    status_code=found.status,
                    headers={**found.headers, "Idempotent-Replayed": "true"},
                    media_type="application/json",
                )
        made = command(uow)
        body = made.body.model_dump_json()
        headers = {"Location": made.location, "ETag": etag(made.version)}
        if key is not None and viewer.user is not None:
            idempotency.remember(
                conn=uow.conn,
                user=viewer.user,
                key=key,
                fingerprint=fingerprint,
                answer=idempotency.Answer(201, body, headers),
                now=uow.now(),
            )
    return Response(body, status_code=201, headers=headers, media_type="application/json")
