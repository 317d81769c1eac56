"""Log verification benchmark: `verify_log` against raw hashing, and checkpoint signatures.

Run with `.venv/bin/python bench/log.py` (about a minute and a half; `--entries 100000` for a
quick run). See bench/README.md for what is measured and how to read the ratios. Every
figure is the median of `--repeats` runs; the ratios, not the absolute rates, are the
figures to compare between machines.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.ledger.builder

from tests.ledger.builder import ORIGIN, build_log  # noqa: E402

from ramstein.ledger.notes import Checkpoint, Signer, open_note  # noqa: E402
from ramstein.ledger.verify import StoredEntry, verify_log  # noqa: E402

CHECKPOINT_EVERY = 10_000
PAYLOAD_BYTES = 200
NOTES = 2_000
"""Checkpoints signed and verified, per repeat, for the signature rates."""


def timed(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_of(repeats: int, fn: Callable[[], object]) -> float:
    return statistics.median(timed(fn) for _ in range(repeats))


def raw_hashing(entries: list[StoredEntry], interior: int) -> None:
    """The same hash calls over the same bytes as the verifier, with nothing else."""
    sha = hashlib.sha256
    for e in entries:
        sha(e.salt + e.payload).digest()  # type: ignore[operator]  # never redacted here
        sha(b"\x00" + e.leaf).digest()
    left = right = bytes(32)
    for _ in range(interior):
        sha(b"\x01" + left + right).digest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="log size")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    args = parser.parse_args()
    n: int = args.entries

    print(
        f"Building {n} entries (~{PAYLOAD_BYTES}-byte payloads, a checkpoint every "
        f"{CHECKPOINT_EVERY}) ...",
        flush=True,
    )
    start = time.perf_counter()
    log = build_log(n, seed=2022, checkpoint_every=CHECKPOINT_EVERY, payload_size=PAYLOAD_BYTES)
    built = time.perf_counter() - start
    entries, checkpoints = log.entries, log.checkpoints
    leaf_bytes = sum(len(e.leaf) for e in entries) / n
    payload_bytes = sum(len(e.payload or b"") for e in entries) / n
    print(
        f"  built in {built:.1f} s: {len(checkpoints)} checkpoints, leaves {leaf_bytes:.0f} B, "
        f"payloads {payload_bytes:.0f} B on average",
        flush=True,
    )

    report = verify_log(entries, checkpoints, origin=ORIGIN, genesis_key=log.genesis_key)
    assert report.size == n and report.checkpoints == len(checkpoints)
    interior = n - 1 if n else 0  # every interior node of the tree is hashed exactly once

    def verify() -> None:
        verify_log(entries, checkpoints, origin=ORIGIN, genesis_key=log.genesis_key)

    verify_s = median_of(args.repeats, verify)
    raw_s = median_of(args.repeats, lambda: raw_hashing(entries, interior))
    hashes = 2 * n + interior

    print()
    print(f"Verifying the log (verify_log; baseline: {hashes} raw hashlib.sha256 calls)")
    print(f"  {'':<22}{'entries':>10}{'seconds':>10}{'entries/s':>12}")
    print(f"  {'verify_log':<22}{n:>10}{verify_s:>10.2f}{n / verify_s:>12.0f}")
    print(f"  {'raw sha256 baseline':<22}{n:>10}{raw_s:>10.2f}{n / raw_s:>12.0f}")
    print(f"  ratio = baseline time / verify time = {raw_s / verify_s:.3f}")

    # --- checkpoint signatures ---------------------------------------------------------
    rng = random.Random(7)
    signer = Signer.generate(ORIGIN)
    verifier = signer.verifier()
    bodies = [
        Checkpoint(ORIGIN, rng.randrange(1, 10**9), rng.randbytes(32)).body() for _ in range(NOTES)
    ]
    raw_key = signer._private  # the same Ed25519 key, used directly by the baseline
    raw_public = verifier._key
    encoded = [b.encode() for b in bodies]
    notes = [signer.sign_note(b) for b in bodies]
    raw_sigs = [raw_key.sign(b) for b in encoded]

    def sign_notes() -> None:
        for body in bodies:
            signer.sign_note(body)

    def sign_raw() -> None:
        for data in encoded:
            raw_key.sign(data)

    def open_notes() -> None:
        for note in notes:
            body, _ = open_note(note, [verifier])
            Checkpoint.parse(body)

    def verify_raw() -> None:
        for data, sig in zip(encoded, raw_sigs, strict=True):
            raw_public.verify(sig, data)

    rows = [
        ("sign_note", median_of(args.repeats, sign_notes), median_of(args.repeats, sign_raw)),
        (
            "open_note + parse",
            median_of(args.repeats, open_notes),
            median_of(args.repeats, verify_raw),
        ),
    ]
    print()
    print(f"Checkpoint signatures ({NOTES} notes; baseline: raw Ed25519 over the same bytes)")
    print(f"  {'':<22}{'notes/s':>10}{'raw/s':>10}{'ratio':>8}")
    for name, ours, raw in rows:
        print(f"  {name:<22}{NOTES / ours:>10.0f}{NOTES / raw:>10.0f}{raw / ours:>8.3f}")
    print()
    print(f"Python {sys.version.split()[0]}, {n} entries, repeats={args.repeats} (median)")


if __name__ == "__main__":
    main()
