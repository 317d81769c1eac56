"""A bounded load on loopback: 50 clients at once for 60 s (10 s in `make test`), mostly
reading, some writing, against `ramstein serve`. Every answer must be the one expected (zero
errors), and the server's memory must level off rather than grow with the run.

Reads come from every kind of viewer: single records, lists, analytics, the web UI's home
page, the public. One request in ten announces a pledge, which moves the log on and so makes
the reads after it build their answers afresh rather than serve them from the answer cache.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from ramstein.store import tables as t
from tests.conftest import FIGURE
from tests.loopback import Make, load, request
from tests.reliability.conftest import FULL
from tests.reliability.live import WRITERS, Server, pledge_body, seed

CLIENTS = 50
SECONDS = 60.0 if FULL else 10.0
GROWTH = 1.25
"""How far the server's memory may grow from the end of the run's first quarter to its end."""


def _mix(pledges: list[int], needs: list[int], public: list[int], tokens: dict[str, str]) -> Make:
    observer, chair = tokens["observer"], tokens["chair-usa"]
    donors = [(code, tokens[user]) for code, user in WRITERS.items()]
    reads: list[tuple[str, Callable[[int], bytes]]] = [
        ("pledge", lambda i: request("GET", f"/api/v1/pledges/{pledges[i % 200]}", observer)),
        ("need", lambda i: request("GET", f"/api/v1/needs/{needs[i % len(needs)]}", chair)),
        ("pledges", lambda i: request("GET", "/api/v1/pledges?limit=50", donors[i % 4][1])),
        ("needs", lambda i: request("GET", "/api/v1/needs?limit=50")),
        ("analytics", lambda i: request("GET", "/api/v1/analytics/donors", observer)),
        ("status", lambda i: request("GET", "/api/v1/status")),
        ("home page", lambda i: request("GET", "/")),
        ("pledge", lambda i: request("GET", f"/api/v1/pledges/{pledges[-1 - i % 50]}", chair)),
        ("need", lambda i: request("GET", f"/api/v1/needs/{public[i % len(public)]}")),
    ]  # fmt: skip

    def make(i: int) -> tuple[str, bytes, int]:
        if i % 10 == 9:
            code, token = donors[i % 4]
            body = pledge_body(code, 100 + i % 900)
            return "announce", request("POST", "/api/v1/pledges", token, body), 201
        kind, build = reads[i % len(reads)]
        return kind, build(i), 200

    return make


def test_fifty_clients_get_every_answer_and_memory_levels_off(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    instance = seed(f"sqlite:///{tmp_path / 'load.sqlite'}", tmp_path, pledges=200, needs=100)
    pledges = sorted(instance.pledges())
    with instance.connect() as conn:
        n = t.needs
        labels = {r.id: r.releasability for r in conn.execute(sa.select(n.c.id, n.c.releasability))}
    needs = sorted(labels)
    public = [i for i, label in labels.items() if label == "public"]
    server = Server(instance)
    server.start()
    samples: list[int] = []
    try:
        result = load(
            "mixed",
            server.port,
            _mix(pledges, needs, public, instance.tokens),
            clients=CLIENTS,
            seconds=SECONDS,
            during=lambda: samples.append(server.rss()),
        )
    finally:
        server.stop()
    assert result.errors == [], result.errors[:10]
    assert result.requests > 0
    quarter = samples[len(samples) // 4]
    end = max(samples[-len(samples) // 4 :])
    mib = 2**20
    record_property(f"{FIGURE}clients, seconds", f"{CLIENTS}, {SECONDS:g}")
    record_property(f"{FIGURE}requests per second", f"{result.rate:.0f}")
    record_property(
        f"{FIGURE}latency p50 / p99 (ms)",
        f"{result.percentile(0.5):.1f} / {result.percentile(0.99):.1f}",
    )
    record_property(
        f"{FIGURE}p99 by kind (ms)",
        ", ".join(f"{k} {result.percentile(0.99, k):.0f}" for k in sorted(result.latencies)),
    )
    record_property(f"{FIGURE}writes", len(result.latencies.get("announce", [])))
    record_property(f"{FIGURE}errors", len(result.errors))
    record_property(
        f"{FIGURE}server memory at a quarter / end / peak (MiB)",
        f"{quarter / mib:.0f} / {samples[-1] / mib:.0f} / {max(samples) / mib:.0f}",
    )
    assert end <= quarter * GROWTH, f"memory grew from {quarter / mib:.0f} to {end / mib:.0f} MiB"
