"""How read routes reach the store and answer, at the speed a coordination cell's screens need.

On SQLite a query is work in this process, tenths of a millisecond of it, so it runs right in
the event loop: handing it to a worker thread would cost more than the query. On PostgreSQL
a query waits on the network, so it goes to the thread pool and the loop serves others
meanwhile. Answers are serialised once, by the model that describes them in the OpenAPI
document, with the record's version as ETag.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy.engine import Connection

from ramstein.api.problems import etag
from ramstein.store.engine import Store

T = TypeVar("T")


async def read(store: Store, query: Callable[[Connection], T]) -> T:
    """`query` in one read transaction: inline on SQLite, in the thread pool otherwise."""

    def run() -> T:
        with store.read() as conn:
            return query(conn)

    if store.dialect == "sqlite":
        return run()
    return await run_in_threadpool(run)


def answer(body: BaseModel | list[BaseModel], version: int | None = None) -> Response:
    """A JSON answer; with `version`, its ETag."""
    if isinstance(body, list):
        data = b"[" + b",".join(item.model_dump_json().encode() for item in body) + b"]"
    else:
        data = body.model_dump_json().encode()
    headers = {"ETag": etag(version)} if version is not None else None
    return Response(data, media_type="application/json", headers=headers)
