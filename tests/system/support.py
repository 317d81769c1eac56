"""Hosts in-process for mirror, witness and handover tests: HTTP through test clients.

`Network` implements the mirror's and witness's `Http` protocol over FastAPI test clients, one
per host name, so `http://host-a.test` and `http://host-b.test` are two apps with two stores.
It counts the entries it carries, so a test can tell that a pull fetched only what was new.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from fastapi.testclient import TestClient

from ramstein.api.app import create_app
from ramstein.domain.meetings import MeetingFormat, MeetingStatus
from ramstein.domain.releasability import Principal
from ramstein.ledger.notes import Checkpoint, Signer
from ramstein.services import log, meetings
from ramstein.services.log import HostSigner
from ramstein.services.remote import HttpError
from ramstein.store import tables as t
from ramstein.store.engine import Store
from tests.factories import (
    BASE,
    CLOCK,
    COALITION_LABEL,
    DONORS,
    PUBLIC,
    Principals,
    announce,
    restricted,
)

HOST_A_URL = "http://host-a.test"
HOST_B_URL = "http://host-b.test"


@dataclass
class Network:
    """`Http` over test clients, by host name; `token` is sent as a bearer token if set."""

    clients: dict[str, TestClient]
    token: str | None = None
    requests: list[str] = field(default_factory=list)
    entries_carried: int = 0

    def _client(self, url: str) -> TestClient:
        return self.clients[urllib.parse.urlsplit(url).netloc]

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def fetch(self, url: str) -> bytes:
        self.requests.append(url)
        answer = self._client(url).get(url, headers=self._headers())
        if answer.status_code >= 400:
            raise HttpError(answer.status_code, answer.content)
        if "/entries?" in url:
            self.entries_carried += len(answer.json()["entries"])
        return answer.content

    def post(self, url: str, body: bytes) -> bytes:
        self.requests.append(url)
        headers = self._headers() | {"Content-Type": "application/json"}
        answer = self._client(url).post(url, content=body, headers=headers)
        if answer.status_code >= 400:
            raise HttpError(answer.status_code, answer.content)
        return answer.content

    def entry_requests(self) -> list[str]:
        return [u for u in self.requests if "/entries?" in u]


@contextmanager
def serving(**hosts: Store) -> Iterator[Network]:
    """Serve each store's API as http://<name>.test, e.g. serving(**{"host-a": store})."""
    with ExitStack() as stack:
        clients = {
            f"{name}.test": stack.enter_context(TestClient(create_app(store=store)))
            for name, store in hosts.items()
        }
        yield Network(clients)


def hold_meeting(store: Store, chair: Principal, host: HostSigner, *, day: int = 0) -> int:
    """Schedule, hold and close a meeting (closing signs a checkpoint); returns the log size."""
    with store.write(clock=CLOCK) as uow:
        m = meetings.schedule_meeting(
            uow=uow,
            actor=chair,
            held_on=BASE + timedelta(days=day),
            format=MeetingFormat.IN_PERSON,
            venue="Ramstein Air Base",
            chair=chair.participant or "",
        )
        for status in (MeetingStatus.INVITED, MeetingStatus.HELD):
            meetings.change_meeting_status(uow=uow, actor=chair, number=m.number, status=status)
        meetings.change_meeting_status(
            uow=uow, actor=chair, number=m.number, status=MeetingStatus.CLOSED, host=host
        )
        return uow.size


def pledge_round(store: Store, c: Principals, *, secret_for: str = "UKR") -> None:
    """Pledges of every reach: public ones, a coalition one, one only `secret_for` may read."""
    on = ((5, BASE + timedelta(days=30)),)
    for code in DONORS[:2]:
        announce(store, c.donor(code), quantity=5, tranches=on, label=PUBLIC)
    announce(store, c.donor("POL"), quantity=5, tranches=on, label=COALITION_LABEL)
    announce(store, c.donor("NLD"), quantity=5, tranches=on, label=restricted(secret_for))


def rogue_checkpoint(store: Store, signer: Signer, actor: Principal) -> int:
    """A host that goes on signing with a key it no longer holds the log with (a fork).

    The services refuse this, so the rogue writes the checkpoint row itself; returns its size.
    """
    announce(store, actor, quantity=9, tranches=((9, BASE + timedelta(days=30)),))
    with store.write(clock=CLOCK) as uow:
        origin = log.host_keys(conn=uow.conn)[0].origin
        size, root = uow.size, uow.root()
        note = signer.sign_note(Checkpoint(origin, size, root).body())
        uow.conn.execute(
            t.checkpoints.insert(),
            dict(size=size, origin=origin, root=root.hex(), key=signer.verifier_key(), note=note,
                 signed_at="2026-01-02T00:00:00.000000Z"),
        )  # fmt: skip
    return size


def problem(body: bytes) -> dict[str, object]:
    found: dict[str, object] = json.loads(body)
    return found
