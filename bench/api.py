"""API benchmark: requests per second and latency on loopback, against a bare app in the same run.

Run with `.venv/bin/python bench/api.py [--seconds 10] [--clients 20]` (or `make bench`). It
builds the demo coalition into a temporary SQLite file, serves it with `ramstein serve`'s
stack (uvicorn with uvloop and httptools, one worker), serves a bare FastAPI app returning a
constant the same way, and drives each with the same load generator: `--clients` keep-alive
connections, each sending its next request as soon as the last answer arrived, for
`--seconds` after a one-second warm-up. The generator (`tests/loopback.py`) is asyncio on
uvloop in this process, reading answers by Content-Length; it stays on 127.0.0.1 and stops by
itself.

(a) the bare constant endpoint, the baseline; (b) `GET /api/v1/needs/{id}` as a coalition
viewer, over the needs it may see; (c) `GET /api/v1/needs?limit=100` as the same viewer;
(d) `POST /api/v1/pledges` as a donor. Ratios are (b) / (a) and (c) / (a) throughput.

(b) and (c) are served as a cell's screens are: the same answers, asked again and again while
nobody writes, come from the answer cache (`ramstein.api.reads`). The same two loads are then
run against a second server with the cache off (`RAMSTEIN_ANSWER_CACHE_MB=0`), so each answer
is built from the database: that is what the first read after a write costs. They are
reported without targets.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # for tests.loopback

from tests import loopback  # noqa: E402
from tests.loopback import Result, request  # noqa: E402
from tests.pgserver import free_port  # noqa: E402

from ramstein.demo.files import build_url  # noqa: E402
from ramstein.domain.releasability import Role  # noqa: E402

BARE = """
import uvicorn
from fastapi import FastAPI
app = FastAPI()
@app.get("/constant")
async def constant() -> dict[str, str]:
    return {"status": "ok"}
uvicorn.run(app, host="127.0.0.1", port={port}, log_level="warning", loop="uvloop",
            http="httptools")
"""
RAMSTEIN = """
import uvicorn
uvicorn.run("ramstein.api.app:create_app", factory=True, host="127.0.0.1", port={port},
            log_level="warning", loop="uvloop", http="httptools")
"""


def start(code: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", code.replace("{port}", str(port))], env={**os.environ, **env}
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("the server did not start")


def load(
    label: str, port: int, make: Callable[[int], bytes], ok: int, clients: int, seconds: float
) -> Result:
    result = loopback.load(
        label, port, lambda i: (label, make(i), ok), clients=clients, seconds=seconds
    )
    print(result.line(), flush=True)
    return result


def get_json(port: int, path: str, token: str) -> dict[str, object]:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(req) as answer:
        data: dict[str, object] = json.loads(answer.read())
        return data


def target(label: str, ok: bool, detail: str) -> None:
    print(f"  target {label:<40} {'met' if ok else 'NOT MET'}: {detail}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ramstein-bench-api-"))
    url = f"sqlite:///{workdir / 'demo.sqlite'}"
    print(f"API benchmark: {args.clients} clients, {args.seconds:g} s each, on 127.0.0.1")
    started = time.perf_counter()
    _, tokens = build_url(url)
    print(f"  demo coalition built in {time.perf_counter() - started:.1f} s")
    token = {t.role: t.token for t in tokens}
    viewer = token[Role.OBSERVER]  # sees public and coalition records
    donor = next(t for t in tokens if t.role is Role.DONOR)
    env = {
        "RAMSTEIN_DATABASE_URL": url,
        "RAMSTEIN_HOST_KEY_FILE": str(workdir / "host.key"),
    }
    servers = []
    try:
        bare, bare_port = start(BARE, env)
        servers.append(bare)
        app, port = start(RAMSTEIN, env)
        servers.append(app)
        uncached, uncached_port = start(RAMSTEIN, {**env, "RAMSTEIN_ANSWER_CACHE_MB": "0"})
        servers.append(uncached)
        page = get_json(port, "/api/v1/needs?limit=100", viewer)
        ids = [n["id"] for n in page["items"]]  # type: ignore[index, union-attr]
        print(f"  {len(ids)} needs visible to the coalition viewer ({len(ids)} on the page)")
        constant = request("GET", "/constant")
        a = load(
            "(a) bare FastAPI constant",
            bare_port,
            lambda i: constant,
            200,
            args.clients,
            args.seconds,
        )
        details = [request("GET", f"/api/v1/needs/{n}", viewer) for n in ids]
        b = load(
            "(b) GET /api/v1/needs/{id}", port, lambda i: details[i % len(details)], 200,
            args.clients, args.seconds,
        )  # fmt: skip
        listing = request("GET", "/api/v1/needs?limit=100", viewer)
        c = load(
            "(c) GET /api/v1/needs?limit=100",
            port,
            lambda i: listing,
            200,
            args.clients,
            args.seconds,
        )
        for label, make in (
            ("(b) uncached, built from the database", lambda i: details[i % len(details)]),
            ("(c) uncached, built from the database", lambda i: listing),
        ):
            load(label, uncached_port, make, 200, args.clients, args.seconds)
        bodies = [
            request(
                "POST",
                "/api/v1/pledges",
                donor.token,
                {
                    "donor": donor.participant,
                    "item_type": "shell-155-m795",
                    "quantity": 10 + i % 90,
                    "source": "stocks",
                    "releasability": "coalition",
                    "tranches": [{"quantity": 10, "expected_on": "2027-06-30"}],
                },
            )
            for i in range(1000)
        ]
        d = load(
            "(d) POST /api/v1/pledges", port, lambda i: bodies[i % len(bodies)], 201,
            args.clients, args.seconds,
        )  # fmt: skip
    finally:
        for s in servers:
            s.terminate()
            s.wait(timeout=10)
    print(f"  ratio (b) / (a) = {b.rate / a.rate:.2f}; (c) / (a) = {c.rate / a.rate:.2f}")
    target("(b) >= 40% of (a)", b.rate >= 0.4 * a.rate, f"{b.rate / a.rate:.0%}")
    target("(c) >= 10% of (a)", c.rate >= 0.1 * a.rate, f"{c.rate / a.rate:.0%}")
    for r in (b, c, d):
        target(
            f"{r.label[:3]} p99 < 50 ms", r.percentile(0.99) < 50, f"{r.percentile(0.99):.1f} ms"
        )
    target(
        "no errors", not (a.errors or b.errors or c.errors or d.errors), "all answers as expected"
    )
    print(f"  (median latency of (a): {a.percentile(0.5):.2f} ms)")


if __name__ == "__main__":
    main()
