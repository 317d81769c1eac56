"""What the API's routes share: the store, the viewer, who may call a route, versions, retries.

- **Viewer.** A bearer token (`ramstein tokens issue`) gives its user's principal; no token
  reads as the public. A bad token is a 401; a client that keeps sending bad tokens is
  slowed down with 429 and `Retry-After`.
- **Roles.** Every route declares who may call it with `permits(...)`, which both checks the
  viewer and writes the roles into the OpenAPI document (`x-roles`), where the contract tests
  find them. Ownership (a donor acts on its own pledges) is the services' rule on top.
- **Versions.** Every record carries its aggregate version as a strong `ETag`; a write to an
  existing record needs `If-Match` (428 without it; 412, with the current version, when it
  is stale).
- **Retries.** A create may carry an `Idempotency-Key`; see `ramstein.api.writes`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool

from ramstein.api.problems import Problem
from ramstein.domain.releasability import PUBLIC_VIEWER, Principal, Role
from ramstein.services import users
from ramstein.services.log import HostSigner
from ramstein.store.engine import Store

EVERYONE = tuple(Role)
"""Read routes: every role, the public included; what each may see is the services' rule."""
MEMBERS = tuple(r for r in Role if r is not Role.PUBLIC)
CHAIR = (Role.CHAIR,)
DONORS = (Role.DONOR, Role.COALITION_LEAD, Role.CHAIR)
RECIPIENT = (Role.RECIPIENT, Role.CHAIR)
LEADS = (Role.COALITION_LEAD, Role.CHAIR)


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


class Throttle:
    """Slows down a client that keeps failing to authenticate.

    Up to `free` failures within `window` seconds pass; after that the client must wait,
    twice as long after each further failure (up to `window`), and is told how long with
    429 and `Retry-After`. A successful sign-in clears its record. Clients are told apart by
    address; the record is kept in this process (one per worker).
    """

    def __init__(
        self, *, free: int = 5, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.free = free
        self.window = window
        self.clock = clock
        self._failures: OrderedDict[str, tuple[int, float, float]] = OrderedDict()
        """client -> (failures, first failure at, blocked until)."""
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Raise 429 while `client` must wait."""
        with self._lock:
            record = self._failures.get(client)
            if record is None:
                return
            _, first, until = record
            now = self.clock()
            if now - first > self.window and now >= until:
                del self._failures[client]
                return
            if now < until:
                wait = max(1, int(until - now + 0.999))
                raise Problem(
                    429,
                    f"Too many failed sign-ins from this client; try again in {wait} s.",
                    code="too-many-failures",
                    headers={"Retry-After": str(wait)},
                )

    def failed(self, client: str) -> None:
        with self._lock:
            now = self.clock()
            count, first, _ = self._failures.pop(client, (0, now, now))
            if now - first > self.window:
                count, first = 0, now
            count += 1
            extra = count - self.free
            until = now + min(self.window, 2.0 ** (extra - 1)) if extra > 0 else now
            self._failures[client] = (count, first, until)
            while len(self._failures) > 10_000:  # forget the oldest clients first
                self._failures.popitem(last=False)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def current_viewer(request: Request) -> Principal:
    """The principal behind the bearer token; the public without one; 401 for a bad one.

    Every dependency here is a coroutine and reads the header itself: FastAPI runs a plain
    function in its thread pool and solves each dependency separately, which costs more per
    request than the rest of a read. The token lookup, the one part that reads the database,
    runs in the pool, and only when the principal is not cached. (The bearer scheme is
    written into the OpenAPI document by `ramstein.api.app`.)
    """
    challenge = {"WWW-Authenticate": "Bearer"}
    state = request.app.state
    header = request.headers.get("authorization")
    if not header:
        return PUBLIC_VIEWER
    client = _client(request)
    throttle: Throttle = state.throttle
    throttle.check(client)
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        throttle.failed(client)
        raise Problem(401, "The Authorization header must be 'Bearer <token>'.", headers=challenge)
    principal = state.principals.get(token)
    if principal is None:
        principal = await run_in_threadpool(_authenticate, state.store, token)
        if principal is None:
            throttle.failed(client)
            raise Problem(401, "The token is unknown, expired or revoked.", headers=challenge)
        state.principals.put(token, principal)
    throttle.succeeded(client)
    return principal


def _authenticate(store: Store, token: str) -> Principal | None:
    with store.read() as conn:
        return users.authenticate(conn=conn, token=token)


Viewer = Annotated[Principal, Depends(current_viewer)]


class PrincipalCache:
    """Recently authenticated tokens, for `ttl` seconds: a read costs no token lookup.

    A token revoked or expired elsewhere (the CLI, another worker) stops working within
    `ttl` seconds; one revoked through this process at once (`clear`).
    """

    def __init__(self, ttl: float = 5.0, size: int = 1024) -> None:
        self.ttl = ttl
        self.size = size
        self._items: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str) -> Principal | None:
        with self._lock:
            found = self._items.get(token)
            if found is None:
                return None
            if time.monotonic() - found[0] > self.ttl:
                del self._items[token]
                return None
            return found[1]

    def put(self, token: str, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            self._items[token] = (time.monotonic(), principal)
            self._items.move_to_end(token)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def permits(*roles: Role) -> dict[str, Any]:
    """Route options declaring who may call it: the check, and `x-roles` in OpenAPI."""
    allowed = frozenset(roles)

    async def check(viewer: Viewer) -> None:
        if viewer.roles & allowed:
            return
        if viewer.is_public:
            raise Problem(
                401,
                "Sign in with a bearer token to do this.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        names = ", ".join(sorted(r.value for r in allowed))
        raise Problem(403, f"Only these roles may do this: {names}.", code="not-permitted")

    return {
        "dependencies": [Depends(check)],
        "openapi_extra": {"x-roles": sorted(r.value for r in allowed)},
    }


def roles_of(operation: dict[str, Any]) -> set[Role]:
    """The roles an OpenAPI operation declares (for the contract tests and the docs)."""
    return {Role(r) for r in operation.get("x-roles", ())}


async def if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description='The record\'s ETag as last read, e.g. "3" (`*`: any version).',
        ),
    ] = None,
) -> int | None:
    """The version a write is based on; 428 when the client did not say."""
    if if_match is None:
        raise Problem(
            428,
            "Send If-Match with the record's ETag as you last read it, so that a change made "
            "meanwhile is not overwritten.",
            code="if-match-required",
        )
    return version_of(if_match)


def version_of(tag: str) -> int | None:
    """The version an If-Match tag names; None for `*`, -1 (no version) for anything else."""
    tag = tag.strip()
    if tag == "*":
        return None
    tag = tag.removeprefix("W/").strip('"')
    return int(tag) if tag.isdigit() and len(tag) < 12 else -1


IfMatch = Annotated[int | None, Depends(if_match)]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Any unique string; a retried create with the same key returns the first "
        "result instead of creating again.",
    ),
]


def host_signer(request: Request) -> HostSigner:
    """This host's signing identity (its key file is read, or made, on first use)."""
    signer: HostSigner = request.app.state.host()
    return signer
