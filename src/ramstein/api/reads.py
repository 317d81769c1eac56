"""How read routes reach the store and answer, at the speed a coordination cell's screens need.

On SQLite a query is work in this process, tenths of a millisecond of it, so it runs right in
the event loop: handing it to a worker thread would cost more than the query. On PostgreSQL
a query waits on the network, so it goes to the thread pool and the loop serves others
meanwhile. Answers are serialised once, by the model that describes them in the OpenAPI
document, with the record's version as ETag.

Every record a list or a detail shows is a projection of the log, so such an answer is a
function of the viewer, the request and the log's position: `cached` keeps the answers built
at the current position (`Store.position`) and serves them again until the log moves. A
dashboard polled by a whole cell then costs one query per change, not one per screen.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy.engine import Connection

from ramstein.api.problems import etag
from ramstein.domain.releasability import Principal
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


Key = tuple[Principal, str, str]


class AnswerCache:
    """The answers built at one log position, most recently used kept, within `limit` bytes
    (none kept with a limit of 0).

    When the position moves every answer is dropped: a write anywhere may change what any
    viewer sees, and rebuilding on the next read is cheaper than working out what changed.
    An answer built while the position moved is not kept (it may be newer than its key).
    """

    def __init__(self, limit: int = 64 * 2**20) -> None:
        self.limit = limit
        self._position: int | None = None
        self._answers: OrderedDict[Key, tuple[bytes, dict[str, str]]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def answer(self, store: Store, key: Key, build: Callable[[Connection], Response]) -> Response:
        position = store.position() if self.limit > 0 else None
        if position is None:
            return self._build(store, build)
        with self._lock:
            if position != self._position:
                self._answers.clear()
                self._size = 0
                self._position = position
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
        if found is not None:
            return Response(found[0], media_type="application/json", headers=found[1])
        made = self._build(store, build)
        body = bytes(made.body)
        if made.status_code == 200 and len(body) <= self.limit // 4:
            headers = {"ETag": made.headers["etag"]} if "etag" in made.headers else {}
            with self._lock:
                if position == self._position and key not in self._answers:
                    self._answers[key] = (body, headers)
                    self._size += len(body)
                    while self._size > self.limit:
                        _, (dropped, _) = self._answers.popitem(last=False)
                        self._size -= len(dropped)
        return made

    @staticmethod
    def _build(store: Store, build: Callable[[Connection], Response]) -> Response:
        with store.read() as conn:
            return build(conn)


async def cached(
    request: Request,
    viewer: Principal,
    query: Callable[[Connection], T],
    render: Callable[[T], Response],
) -> Response:
    """`render(query(conn))` in one read transaction, or the same answer kept from an
    earlier request by the same principal at the log's current position.

    Only for answers that are projections of the log alone: not of the clock, nor of
    tables written outside the log (checkpoints, stored plans).
    """
    store: Store = request.app.state.store
    cache: AnswerCache = request.app.state.answers
    key = (viewer, request.url.path, request.url.query)

    def build(conn: Connection) -> Response:
        return render(query(conn))

    if store.dialect == "sqlite":
        return cache.answer(store, key, build)
    return await run_in_threadpool(cache.answer, store, key, build)
