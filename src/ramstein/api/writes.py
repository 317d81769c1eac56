"""Creates that survive a retry, and the ETag every answer about a record carries."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from fastapi import Request, Response
from pydantic import BaseModel

from ramstein.api.problems import etag
from ramstein.domain.releasability import Principal
from ramstein.services import idempotency
from ramstein.store.engine import Store
from ramstein.store.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Created:
    """What a create made: its public form, where it now lives and its version (none for a
    record that never changes, such as a stored plan)."""

    body: BaseModel
    location: str
    version: int | None = None


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


V = TypeVar("V", bound=Versioned)


def tag(response: Response, version: int) -> None:
    """Give `response` the ETag of a record at `version`."""
    response.headers["ETag"] = etag(version)


def update(store: Store, response: Response, command: Callable[[UnitOfWork], V]) -> V:
    """Run `command` on an existing record in one write transaction; tag the answer with the
    record's new version."""
    with store.write() as uow:
        found = command(uow)
    tag(response, found.version)
    return found


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
    user = viewer.user if key is not None else None  # a key belongs to the user who sent it
    fingerprint = ""
    if key is not None and user is not None:
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
        if key is not None and user is not None:
            found = idempotency.recall(
                conn=uow.conn, user=user, key=key, fingerprint=fingerprint, now=uow.now()
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
        headers = {"Location": made.location}
        if made.version is not None:
            headers["ETag"] = etag(made.version)
        if key is not None and user is not None:
            idempotency.remember(
                conn=uow.conn,
                user=user,
                key=key,
                fingerprint=fingerprint,
                answer=idempotency.Answer(201, body, headers),
                now=uow.now(),
            )
    return Response(body, status_code=201, headers=headers, media_type="application/json")
