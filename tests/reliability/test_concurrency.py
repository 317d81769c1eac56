"""Many clients at once through the HTTP API of a server with two worker processes.

Donors' clients announce pledges while others revise one and the same pledge, each revision
sent with the `If-Match` of the version it read. Every revision either lands or is refused
with 412 (never silently lost, never applied over a version it did not see); the log's
sequence numbers run 1..n with no duplicate or gap; and the projections equal a replay.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from pathlib import Path

import httpx2 as httpx
import sqlalchemy as sa

from ramstein.store import tables as t
from tests.conftest import FIGURE
from tests.reliability.conftest import FULL
from tests.reliability.live import WRITERS, Instance, Server, pledge_body, seed

REVISERS = 12 if FULL else 6
CREATORS = 8 if FULL else 4
ROUNDS = 40 if FULL else 15
"""Revisions each reviser tries, and pledges each creator announces."""


def _entries(instance: Instance, event_type: str, aggregate_id: str | None = None) -> int:
    e = t.log_entries
    where = e.c.event_type == event_type
    if aggregate_id is not None:
        where &= e.c.aggregate_id == aggregate_id
    with instance.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).where(where)).scalar_one())


def test_concurrent_writes_land_or_are_refused_never_lost(
    live_url: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    instance = seed(live_url, tmp_path)
    target = next(i for i in sorted(instance.pledges()) if i % 4 == 1)  # one of DEU's
    token = instance.tokens[WRITERS["DEU"]]
    announced_before = _entries(instance, "PledgeAnnounced")
    server = Server(instance, workers=2)
    server.start()
    landed: list[tuple[int, int]] = []
    """(version, quantity) of each revision that was accepted."""
    stale = 0
    created: list[int] = []
    other: list[str] = []
    lock = threading.Lock()
    quantities = itertools.count(1000)
    go = threading.Barrier(REVISERS + CREATORS)

    def revise() -> None:
        nonlocal stale
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            go.wait()
            for _ in range(ROUNDS):
                seen = client.get(f"/api/v1/pledges/{target}")
                quantity = next(quantities)
                answer = client.patch(
                    f"/api/v1/pledges/{target}",
                    json={"quantity": quantity},
                    headers={"If-Match": seen.headers["ETag"]},
                )
                with lock:
                    if answer.status_code == 200:
                        landed.append((int(answer.headers["ETag"].strip('"')), quantity))
                    elif answer.status_code == 412:
                        stale += 1
                        assert answer.json()["current_version"] > int(seen.headers["ETag"][1:-1])
                    else:
                        other.append(f"PATCH {answer.status_code} {answer.text[:200]}")

    def create(donor: str) -> None:
        headers = {"Authorization": f"Bearer {instance.tokens[WRITERS[donor]]}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
            go.wait()
            for _ in range(ROUNDS):
                answer = client.post("/api/v1/pledges", json=pledge_body(donor, next(quantities)))
                with lock:
                    if answer.status_code == 201:
                        created.append(answer.json()["id"])
                    else:
                        other.append(f"POST {answer.status_code} {answer.text[:200]}")

    threads = [threading.Thread(target=revise) for _ in range(REVISERS)] + [
        threading.Thread(target=create, args=(donor,))
        for donor in itertools.islice(itertools.cycle(WRITERS), CREATORS)
    ]
    try:
        with httpx.Client(base_url=server.url) as client:
            first = client.get(
                f"/api/v1/pledges/{target}", headers={"Authorization": f"Bearer {token}"}
            )
        version = int(first.headers["ETag"].strip('"'))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        with httpx.Client(base_url=server.url) as client:
            final = client.get(
                f"/api/v1/pledges/{target}", headers={"Authorization": f"Bearer {token}"}
            )
    finally:
        server.stop()

    assert other == []
    assert len(landed) + stale == REVISERS * ROUNDS
    assert landed, "no revision landed"
    # No lost update: each accepted revision made exactly one new version, in turn.
    assert sorted(v for v, _ in landed) == list(range(version + 1, version + len(landed) + 1))
    assert final.headers["ETag"] == f'"{version + len(landed)}"'
    assert final.json()["quantity"] == max(landed)[1]
    assert _entries(instance, "PledgeRevised", str(target)) == len(landed)
    # Every create landed once, under its own id.
    assert len(created) == len(set(created)) == CREATORS * ROUNDS
    assert _entries(instance, "PledgeAnnounced") == announced_before + len(created)
    assert instance.sequence_numbers() == list(range(1, instance.log_size() + 1))
    verified = instance.ramstein("log", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "the projections equal a replay" in verified.stdout
    record_property(f"{FIGURE}revisions accepted / refused with 412", f"{len(landed)} / {stale}")
    record_property(f"{FIGURE}pledges created", len(created))
