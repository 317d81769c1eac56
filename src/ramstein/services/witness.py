"""Witnesses: a member cosigns the host's checkpoints once it has checked that the log only grew.

A witness keeps a small state file: per log origin, the size and root it last cosigned, the
host key it trusts, where it fetched them. Each run fetches the host's latest checkpoint,
follows any handover of the host key since then (the handover entry must be in the log, under
a checkpoint signed by the outgoing key), checks the latest checkpoint's signature and a
consistency proof from the last cosigned size, then cosigns (C2SP tlog-cosignature,
cosignature/v1) and posts the line back. On its first run it trusts the host key it is given.

The host's side, `accept_cosignature`, stores a posted line once it verifies by itself
against a registered witness key.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from ramstein.domain.errors import DomainError
from ramstein.ledger.entries import payload_digest
from ramstein.ledger.merkle import ProofError, leaf_hash, verify_consistency, verify_inclusion
from ramstein.ledger.notes import NoteError, Signer, Verifier, open_note
from ramstein.services.mirror import HOST_KEY_EVENT
from ramstein.services.remote import Http, RemoteCheckpoint, RemoteLog


class WitnessRefused(DomainError):
    """The witness will not cosign: the host's checkpoint is not one it can vouch for."""

    code = "witness-refused"


@dataclass
class WitnessedLog:
    """What the witness remembers of one log."""

    origin: str
    url: str
    size: int
    root: str
    """Hex root of the last cosigned checkpoint ("" before the first)."""
    host_key: str
    cosigned_at: int


@dataclass(frozen=True)
class CosignResult:
    origin: str
    url: str
    size: int
    root: bytes
    previous: int
    """The size cosigned before (0 on the first run)."""
    line: str
    handovers: list[str]
    """Host keys the witness newly follows, in order."""
    already: bool
    """The host already carries this witness's cosignature of the checkpoint: nothing posted."""


def load_state(path: Path) -> dict[str, WitnessedLog]:
    if not path.exists():
        return {}
    try:
        found = json.loads(path.read_text())
        return {origin: WitnessedLog(**item) for origin, item in found["logs"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise WitnessRefused(f"The witness state {path} cannot be read: {error}.") from None


def save_state(path: Path, logs: dict[str, WitnessedLog]) -> None:
    text = json.dumps({"logs": {o: asdict(w) for o, w in sorted(logs.items())}}, indent=2)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _signed(cp: RemoteCheckpoint, key: str, url: str) -> None:
    verifier = Verifier.parse(key)
    try:
        _, verified = open_note(cp.note, [verifier])
    except NoteError:
        verified = []
    if not any(v.kind == "ed25519" for v in verified):
        raise WitnessRefused(
            f"The checkpoint of size {cp.size} at {url} is not signed by the host key "
            f"{verifier.name}+{verifier.key_id.hex()} this witness trusts for it."
        )


def _consistent(remote: RemoteLog, old: int, old_root: bytes, cp: RemoteCheckpoint) -> None:
    if old == 0:
        return
    if cp.size < old:
        raise WitnessRefused(
            f"The log at {remote.url} offers a checkpoint of size {cp.size}, older than the "
            f"checkpoint of size {old} this witness has cosigned: refusing to go back."
        )
    try:
        if cp.size == old:
            if cp.root != old_root:
                raise ProofError(f"two trees of {old} leaves have different roots")
        else:
            proof = remote.consistency(old, cp.size)
            verify_consistency(old, cp.size, old_root, cp.root, proof)
    except ProofError as error:
        raise WitnessRefused(
            f"The checkpoint of size {cp.size} (root {cp.root.hex()[:16]}…) at {remote.url} is "
            f"not consistent with the checkpoint of size {old} (root {old_root.hex()[:16]}…) "
            f"this witness cosigned: {error}. The log has been rewritten or forked."
        ) from None


def _follow_handover(
    remote: RemoteLog, cp: RemoteCheckpoint, outgoing: str, incoming: str, seq: int
) -> None:
    """Check that entry `seq` introduces `incoming` under checkpoint `cp` signed by `outgoing`."""
    _signed(cp, outgoing, remote.url)
    found = remote.entries(after=seq - 1, limit=1)
    if not found or found[0].seq != seq:
        raise WitnessRefused(f"The log at {remote.url} does not serve its handover entry {seq}.")
    entry = found[0]
    try:
        header = json.loads(entry.leaf)
        payload = json.loads(entry.payload or b"null")
        digest = payload_digest(entry.salt or b"", entry.payload or b"")
        ok = (
            header["event_type"] == HOST_KEY_EVENT
            and header["payload_digest"] == digest
            and payload["key"] == incoming
            and payload["origin"] == cp.origin
        )
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise WitnessRefused(
            f"Entry {seq} at {remote.url} does not introduce the host key {incoming}."
        )
    try:
        proof = remote.inclusion(seq, cp.size)
        verify_inclusion(leaf_hash(entry.leaf), seq - 1, cp.size, proof, cp.root)
    except ProofError as error:
        raise WitnessRefused(
            f"The handover entry {seq} is not in the checkpoint of size {cp.size}: {error}."
        ) from None


def cosign(
    *,
    url: str,
    signer: Signer,
    state_path: Path,
    http: Http,
    host_key: str | None = None,
    now: Callable[[], int] = lambda: int(time.time()),
) -> CosignResult:
    """Check the host's latest checkpoint at `url`, cosign it and post the cosignature."""
    remote = RemoteLog(url, http)
    logs = load_state(state_path)
    latest = remote.checkpoint()
    held = logs.get(latest.origin)
    if held is None:
        if host_key is None:
            raise WitnessRefused(
                f"This witness has not cosigned {latest.origin} before: give the host's public "
                "key to trust on this first run."
            )
        key, size, root = host_key, 0, b""
    else:
        key, size, root = held.host_key, held.size, bytes.fromhex(held.root)
    chain = remote.keys().host_keys
    position = next((i for i, k in enumerate(chain) if k.key == key), None)
    if position is None:
        raise WitnessRefused(
            f"The log at {remote.url} does not name {key} among its host keys; this witness "
            "trusts no other."
        )
    handovers: list[str] = []
    by_size: dict[int, RemoteCheckpoint] = {}
    for incoming in chain[position + 1 :]:
        h = incoming.since
        if h > latest.size:
            break
        if not by_size:
            by_size = {c.size: c for c in remote.checkpoints()}
        handover = by_size.get(h)
        if handover is None:
            raise WitnessRefused(
                f"The log at {remote.url} hands the host key over at entry {h} but serves no "
                f"checkpoint of size {h}."
            )
        if size > h:
            raise WitnessRefused(
                f"This witness cosigned size {size} under the key {key}, which the log at "
                f"{remote.url} says it handed over at entry {h}: the log has forked."
            )
        _consistent(remote, size, root, handover)
        _follow_handover(remote, handover, key, incoming.key, h)
        key, size, root = incoming.key, h, handover.root
        handovers.append(incoming.key)
    # The checkpoint that ends at a handover is signed by the outgoing key, later ones by the new.
    signing_key = key
    position = next(i for i, k in enumerate(chain) if k.key == key)
    if position > 0 and chain[position].since == latest.size:
        signing_key = chain[position - 1].key
    _signed(latest, signing_key, remote.url)
    _consistent(remote, size, root, latest)
    already = _cosigned_by(latest, signer)  # e.g. a second run, or a state file lost
    line = ""
    cosigned_at = held.cosigned_at if held is not None else 0
    if not already:
        cosigned_at = now()
        line = signer.cosign(latest.checkpoint, cosigned_at)
        remote.post_cosignature(latest.size, line)
    logs[latest.origin] = WitnessedLog(
        origin=latest.origin,
        url=remote.url,
        size=latest.size,
        root=latest.root.hex(),
        host_key=key,
        cosigned_at=cosigned_at,
    )
    save_state(state_path, logs)
    return CosignResult(
        origin=latest.origin,
        url=remote.url,
        size=latest.size,
        root=latest.root,
        previous=held.size if held is not None else 0,
        line=line,
        handovers=handovers,
        already=already,
    )


def _cosigned_by(cp: RemoteCheckpoint, signer: Signer) -> bool:
    try:
        _, verified = open_note(cp.note, [signer.cosigner()])
    except NoteError:
        return False
    return bool(verified)


# --- the host's side ------------------------------------------------------------------------
