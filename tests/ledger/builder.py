"""Synthetic logs for the ledger tests and bench/log.py: real leaves, random payloads and salts.

Entry 1 introduces the genesis host key; a handover at entry h introduces the next key, and
the checkpoint of size h is signed by the outgoing key. Checkpoints are taken every
`checkpoint_every` entries, at every handover and at the end of the log.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from ramstein.ledger.entries import EntryHeader, payload_digest
from ramstein.ledger.merkle import Frontier, leaf_hash
from ramstein.ledger.notes import Checkpoint, Signer, add_signatures
from ramstein.ledger.verify import SignedCheckpoint, StoredEntry

ORIGIN = "ramstein.test/log"
HOST_KEY_EVENT = "HostKeyIntroduced"
EVENT_TYPES = ("NeedSubmitted", "PledgeAnnounced", "DeliveryRecorded", "MeetingHeld")
NATIONS = ("DEU", "FRA", "POL", "NLD", "USA", "GBR", "NOR", "CAN")


@dataclass
class Log:
    entries: list[StoredEntry]
    checkpoints: list[SignedCheckpoint]
    keys: list[Signer]
    witnesses: list[Signer] = field(default_factory=list)
    roots: dict[int, bytes] = field(default_factory=dict)

    @property
    def genesis_key(self) -> str:
        return self.keys[0].verifier_key()

    @property
    def witness_keys(self) -> list[str]:
        return [w.cosigner_key() for w in self.witnesses]


def payload_bytes(rng: random.Random, size: int = 200) -> bytes:
    """A canonical JSON payload of about `size` bytes (ASCII, sorted keys, no spaces)."""
    body = {
        "item": f"item-{rng.randrange(10**6)}",
        "note": "",
        "quantity": rng.randrange(1, 10**6),
        "unit": rng.choice(("pcs", "kg", "l", "pallets")),
    }
    pad = size - len(json.dumps(body, sort_keys=True, separators=(",", ":")))
    body["note"] = rng.randbytes(max(0, pad) // 2 + 1).hex()[: max(0, pad)]
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def make_entry(
    seq: int, payload: bytes, salt: bytes, rng: random.Random, event_type: str | None = None
) -> StoredEntry:
    header = EntryHeader(
        seq=seq,
        at=f"2024-{1 + seq % 12:02d}-{1 + seq % 28:02d}T{seq % 24:02d}:00:00.000000Z",
        actor=rng.choice(NATIONS),
        actor_user=rng.choice((None, f"user-{rng.randrange(100)}")),
        event_type=event_type or rng.choice(EVENT_TYPES),
        schema_version=1,
        releasability=rng.choice(("coalition", "owner_only", "releasable_to")),
        owner=rng.choice(NATIONS),
        releasable_to=tuple(sorted(rng.sample(NATIONS, 2))),
        payload_digest=payload_digest(salt, payload),
    )
    return StoredEntry(seq=seq, leaf=header.leaf(), salt=salt, payload=payload)


def build_log(
    n: int,
    *,
    seed: int = 0,
    checkpoint_every: int = 10,
    handovers: Sequence[int] = (),
    witnesses: int = 0,
    payload_size: int = 200,
    keys: Sequence[Signer] | None = None,
) -> Log:
    """A valid log of `n` entries with host keys, checkpoints and (optionally) cosignatures."""
    rng = random.Random(seed)
    if keys is None:
        keys = [Signer.generate(f"host-{i}.ramstein.test") for i in range(len(handovers) + 1)]
    assert len(keys) == len(handovers) + 1
    cosigners = [Signer.generate(f"witness-{i}.ramstein.test") for i in range(witnesses)]
    handover_at = dict(zip(handovers, keys[1:], strict=True))
    entries: list[StoredEntry] = []
    checkpoints: list[SignedCheckpoint] = []
    roots: dict[int, bytes] = {}
    frontier = Frontier()
    host = keys[0]
    pending: Signer | None = None
    for seq in range(1, n + 1):
        salt = rng.randbytes(16)
        if seq == 1:
            payload = json.dumps({"key": host.verifier_key()}).encode()
            entry = make_entry(seq, payload, salt, rng, HOST_KEY_EVENT)
        elif seq in handover_at:
            pending = handover_at[seq]
            payload = json.dumps({"key": pending.verifier_key()}).encode()
            entry = make_entry(seq, payload, salt, rng, HOST_KEY_EVENT)
        else:
            entry = make_entry(seq, payload_bytes(rng, payload_size), salt, rng)
        entries.append(entry)
        frontier.append(leaf_hash(entry.leaf))
        if seq % checkpoint_every == 0 or seq == n or pending is not None:
            root = frontier.root()
            roots[seq] = root
            checkpoint = Checkpoint(ORIGIN, seq, root)
            note = host.sign_note(checkpoint.body())
            if cosigners:
                note = add_signatures(
                    note, [w.cosign(checkpoint, 1_700_000_000 + seq) for w in cosigners]
                )
            checkpoints.append(SignedCheckpoint(seq, note))
            if pending is not None:
                host, pending = pending, None
    return Log(entries, checkpoints, list(keys), cosigners, roots)
