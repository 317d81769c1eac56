"""A load generator for a server on loopback: keep-alive clients, each sending its next request
as soon as the last answer arrived, timing every answer.

The clients are asyncio on uvloop in the calling process, reading answers by Content-Length;
they stay on 127.0.0.1 and stop by themselves. Nothing here depends on pytest: `bench/api.py`
and the reliability tests' load test both drive servers with it.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import uvloop

LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)

Make = Callable[[int], tuple[str, bytes, int]]
"""The i-th request a client sends: (kind, the request's bytes, the status expected)."""


@dataclass
class Result:
    label: str
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    """Seconds from sending to the whole answer, by kind of request."""
    errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float, kind: str | None = None) -> float:
        """The `p` quantile of the latency (all kinds, or one), in milliseconds."""
        found = self.latencies.get(kind, []) if kind else sum(self.latencies.values(), [])
        ordered = sorted(found)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0

    def line(self) -> str:
        return (
            f"  {self.label:<38} {self.rate:9.0f} req/s   p50 {self.percentile(0.5):6.1f} ms   "
            f"p99 {self.percentile(0.99):6.1f} ms   errors {len(self.errors)}"
        )


def request(
    method: str, path: str, token: str | None = None, body: dict[str, object] | None = None
) -> bytes:
    """An HTTP/1.1 request's bytes, with a bearer token and a JSON body if given."""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    data = b""
    if body is not None:
        data = json.dumps(body).encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


async def _client(
    port: int, make: Make, start_at: float, stop_at: float, result: Result, seed: int
) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as error:
        result.errors.append(f"connect: {error}")
        return
    i = seed
    try:
        while True:
            sent = time.perf_counter()
            if sent >= stop_at:
                return
            kind, data, expected = make(i)
            writer.write(data)
            i += 1
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                found = LENGTH.search(head)
                await reader.readexactly(int(found.group(1)) if found else 0)
            except (OSError, asyncio.IncompleteReadError) as error:
                result.errors.append(f"{kind}: {error!r}")
                return
            done = time.perf_counter()
            if sent >= start_at:
                result.latencies.setdefault(kind, []).append(done - sent)
                if int(head[9:12]) != expected:
                    result.errors.append(f"{kind}: {head[:12].decode(errors='replace')}")
    finally:
        writer.close()


def load(
    label: str,
    port: int,
    make: Make,
    *,
    clients: int,
    seconds: float,
    warm_up: float = 1.0,
    during: Callable[[], None] | None = None,
) -> Result:
    """Drive `clients` clients for `warm_up` + `seconds`; only the last `seconds` count.
    `during`, if given, is called about every half second while the load runs."""
    result = Result(label, seconds)

    async def watch(stop_at: float) -> None:
        while during is not None and time.perf_counter() < stop_at:
            during()
            await asyncio.sleep(0.5)

    async def run() -> None:
        now = time.perf_counter()
        start_at, stop_at = now + warm_up, now + warm_up + seconds
        await asyncio.gather(
            watch(stop_at),
            *(_client(port, make, start_at, stop_at, result, k * 7919) for k in range(clients)),
        )

    # A thread of its own: the caller's may be running an event loop already (Playwright's
    # sync API leaves one running in a test process).
    with ThreadPoolExecutor(1) as thread:
        thread.submit(lambda: uvloop.run(run())).result()
    return result
