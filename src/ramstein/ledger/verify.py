"""Verify a whole log stream in one linear pass: entries, tree, checkpoints and the host key chain.

For each entry, in order: its sequence number is the next one; its leaf ends with that number
(canonical JSON sorts keys, so `seq` is the leaf's last member); unless redacted, the salted
digest of its payload appears in its leaf; its leaf hash joins a `Frontier`. Leaves are
checked as bytes and never decoded: canonical JSON escapes every quote inside a string, so
`"payload_digest":"<hex>"` can only occur in a leaf as that member.

When the pass reaches a checkpoint's size, the checkpoint must be a note signed by the host
key in force at that size, naming the log's origin, that size and the frontier's root.
Witness cosignatures on it are checked and counted.

The host key chain: entries whose leaf has `"event_type":"HostKeyIntroduced"` carry a
verifier key in their payload's `key`. The first is the genesis key. A later one, at entry h,
hands over: the checkpoint of size exactly h must exist and be signed by the outgoing key,
and every larger checkpoint by the incoming one. A larger checkpoint signed only by an
outgoing key is a fork.
"""

from __future__ import annotations

import json
from binascii import hexlify
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from hashlib import sha256

from ramstein.ledger.merkle import EMPTY_ROOT
from ramstein.ledger.notes import (
    Checkpoint,
    NoteError,
    UnverifiedNoteError,
    Verifier,
    open_note,
)

EVENT_TYPE_KEY = b'"event_type":"'
HOST_KEY_EVENT = b'HostKeyIntroduced"'
"""What follows EVENT_TYPE_KEY in the leaf of an entry that introduces a host key."""
PAYLOAD_DIGEST_KEY = b'"payload_digest":"'


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """One entry as stored or exported: payload and salt are None when redacted."""

    seq: int
    leaf: bytes
    salt: bytes | None
    payload: bytes | None


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A host-signed checkpoint note for the log at `size`, cosignature lines possibly appended."""

    size: int
    note: str


class LogError(Exception):
    """The log does not verify.

    `seq` is the first sequence number that is known to be bad, or None when the fault lies
    in a checkpoint rather than in the entries; `checkpoint` is the size of the checkpoint
    concerned, if any. When only a checkpoint's root reveals a change (a leaf altered outside
    its sequence number and payload digest), the change lies somewhere after the previous
    checkpoint, and `seq` is the first entry after it.
    """

    def __init__(self, seq: int | None, message: str, *, checkpoint: int | None = None) -> None:
        super().__init__(message)
        self.seq = seq
        self.checkpoint = checkpoint
        self.message = message


@dataclass(frozen=True)
class LogReport:
    """What a successful verification established."""

    size: int
    """Entries verified."""
    root: bytes
    """The root of the whole log."""
    checkpoints: int
    """Checkpoints verified."""
    cosignatures: int
    """Valid witness cosignatures, over all checkpoints."""
    under_quorum: list[int]
    """Sizes of the checkpoints with fewer than `quorum` valid cosignatures."""
    redacted: int
    """Entries whose payload was redacted (their digest could not be checked)."""
    keys: list[str]
    """The host keys, genesis first, in the order the log introduced them."""
    signed_size: int = 0
    """The size of the last checkpoint: entries after it are not yet covered by a signature."""


def _root(stack: list[bytes]) -> bytes:
    if not stack:
        return EMPTY_ROOT
    root = stack[-1]
    for left in reversed(stack[:-1]):
        root = sha256(b"\x01" + left + root).digest()
    return root


def _sequence_error(expected: int, seq: int) -> LogError:
    if seq > expected:
        before = f"{expected - 1} is followed by" if expected > 1 else "the log begins with"
        return LogError(expected, f"entry {expected} is missing: {before} {seq}")
    if seq == expected - 1:
        return LogError(seq, f"entry {seq} appears twice")
    return LogError(expected, f"entry {expected} is missing: {expected - 1} is followed by {seq}")


@dataclass
class _Chain:
    """The slow, rare part of the pass: host keys and checkpoints."""

    checkpoints: Sequence[SignedCheckpoint]
    origin: str
    genesis: Verifier | None
    cosigners: list[Verifier]
    quorum: int
    host: Verifier | None = None
    incoming: Verifier | None = None
    retired: list[tuple[Verifier, int]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    next_index: int = 0
    signed_size: int = 0
    cosignatures: int = 0
    under_quorum: list[int] = field(default_factory=list)

    def next_size(self) -> int:
        """The size of the next checkpoint to verify, or -1 when there is none."""
        if self.next_index < len(self.checkpoints):
            return self.checkpoints[self.next_index].size
        return -1

    def introduce(self, seq: int, payload: bytes | None) -> None:
        """Entry `seq` introduces a host key."""
        if payload is None:
            raise LogError(seq, f"entry {seq} introduces a host key but its payload is redacted")
        try:
            fields = json.loads(payload)
            key = Verifier.parse(fields["key"])
        except (ValueError, KeyError, TypeError, NoteError) as exc:
            raise LogError(
                seq, f"entry {seq} introduces a host key that cannot be read: {exc}"
            ) from None
        if key.kind != "ed25519":
            raise LogError(seq, f"entry {seq} introduces a {key.kind} key as host key")
        if self.host is None:
            if self.genesis is not None and key != self.genesis:
                raise LogError(
                    seq,
                    f"entry {seq} introduces the genesis key {key}, "
                    f"not the expected {self.genesis}",
                )
            self.host = key
        else:
            if self.next_size() != seq:
                raise LogError(
                    seq,
                    f"entry {seq} hands the host key over to {key.name}+{key.key_id.hex()}, "
                    f"but there is no checkpoint of size {seq} signed by the outgoing key",
                )
            self.incoming = key
        self.keys.append(key.key_string())

    def checkpoint(self, size: int, stack: list[bytes]) -> int:
        """Verify the checkpoint of `size` against the frontier; return the next size."""
        note = self.checkpoints[self.next_index].note
        host = self.host
        if host is None:
            raise LogError(
                self.signed_size + 1,
                f"checkpoint of size {size}: no entry up to {size} introduces a host key",
                checkpoint=size,
            )
        verifiers = [host, *(key for key, _ in self.retired), *self.cosigners]
        try:
            body, verified = open_note(note, verifiers)
        except UnverifiedNoteError:
            raise LogError(
                None,
                f"checkpoint of size {size} is not signed by the host key in force, "
                f"{host.name}+{host.key_id.hex()}",
                checkpoint=size,
            ) from None
        except NoteError as exc:
            raise LogError(
                None,
                f"checkpoint of size {size}: {exc} (the host key in force is "
                f"{host.name}+{host.key_id.hex()})",
                checkpoint=size,
            ) from None
        signers = {(v.name, v.key_id) for v in verified if v.kind == "ed25519"}
        if (host.name, host.key_id) not in signers:
            for key, since in self.retired:
                if (key.name, key.key_id) in signers:
                    raise LogError(
                        None,
                        f"checkpoint of size {size} is signed by {key.name}+"
                        f"{key.key_id.hex()}, which handed the host key over at entry {since}: "
                        "it is a fork",
                        checkpoint=size,
                    )
            raise LogError(
                None,
                f"checkpoint of size {size} is not signed by the host key in force, "
                f"{host.name}+{host.key_id.hex()}",
                checkpoint=size,
            )
        try:
            cp = Checkpoint.parse(body)
        except NoteError as exc:
            raise LogError(None, f"checkpoint of size {size}: {exc}", checkpoint=size) from None
        if cp.origin != self.origin:
            raise LogError(
                None,
                f"checkpoint of size {size} is for the log {cp.origin!r}, not {self.origin!r}",
                checkpoint=size,
            )
        if cp.size != size:
            raise LogError(
                None, f"checkpoint of size {size} says the log has {cp.size}", checkpoint=size
            )
        if cp.root != _root(stack):
            first = self.signed_size + 1
            raise LogError(
                first,
                f"checkpoint of size {size}: its root does not match the log; "
                f"an entry in {first}..{size} has been changed",
                checkpoint=size,
            )
        cosigned = sum(1 for v in verified if v.kind == "cosignature/v1")
        self.cosignatures += cosigned
        if cosigned < self.quorum:
            self.under_quorum.append(size)
        self.signed_size = size
        self.next_index += 1
        if self.incoming is not None:  # the handover checkpoint: the incoming key takes over
            self.retired.append((host, size))
            self.host, self.incoming = self.incoming, None
        return self.next_size()


def _verifier(key: str, what: str) -> Verifier:
    try:
        return Verifier.parse(key)
    except NoteError as exc:
        raise ValueError(f"the {what} {key!r} is malformed: {exc}") from None


def verify_log(
    entries: Iterable[StoredEntry],
    checkpoints: Sequence[SignedCheckpoint],
    *,
    origin: str,
    genesis_key: str | None = None,
    witnesses: Sequence[str] = (),
    quorum: int = 0,
) -> LogReport:
    """Verify entries 1..n and the checkpoints over them in one pass; raise LogError if bad.

    `checkpoints` must be in increasing size order, each at most n. `witnesses` are
    cosignature/v1 verifier keys; a checkpoint with fewer than `quorum` valid cosignatures
    is listed in `LogReport.under_quorum` rather than rejected.
    """
    genesis = _verifier(genesis_key, "genesis key") if genesis_key is not None else None
    cosigners = [_verifier(w, "witness key") for w in witnesses]
    for w in cosigners:
        if w.kind != "cosignature/v1":
            raise ValueError(f"the witness key {w} is not a cosignature/v1 key")
    if quorum > len(cosigners):
        raise ValueError(f"a quorum of {quorum} cannot be met by {len(cosigners)} witnesses")
    previous = -1
    for cp in checkpoints:
        if cp.size <= previous:
            raise LogError(
                None,
                f"checkpoint of size {cp.size} follows the checkpoint of size {previous}: "
                "checkpoint sizes must increase",
                checkpoint=cp.size,
            )
        previous = cp.size
    chain = _Chain(checkpoints, origin, genesis, cosigners, quorum)
    stack: list[bytes] = []
    next_size = chain.next_size()
    if next_size == 0:
        next_size = chain.checkpoint(0, stack)

    # The hot loop: everything it touches is a local; rare work goes through `chain`. Each
    # leaf is searched twice, for its event type and then, from there on, for its payload
    # digest (canonical JSON puts "event_type" before "payload_digest").
    push = stack.append
    pop = stack.pop
    sha = sha256
    hexl = hexlify
    event_key = EVENT_TYPE_KEY
    host_key_event = HOST_KEY_EVENT
    digest_key = PAYLOAD_DIGEST_KEY
    redacted = 0
    k = 0
    for entry in entries:
        k += 1
        if entry.seq != k:
            raise _sequence_error(k, entry.seq)
        leaf = entry.leaf
        # Hashing first reads the leaf front to back, so the checks below find it in cache
        # (in a large log, touching its end first costs a cache miss per entry).
        node = sha(b"\x00" + leaf).digest()
        if not leaf.endswith(b',"seq":%d}' % k):
            raise LogError(k, f"entry {k}: its leaf does not end with its sequence number")
        j = leaf.find(event_key)
        payload = entry.payload
        if payload is None:
            redacted += 1
        else:
            try:
                # A missing salt (None) raises here rather than costing a test per entry.
                digest = hexl(sha(entry.salt + payload).digest())  # type: ignore[operator]
            except TypeError:
                raise LogError(k, f"entry {k} has a payload but no salt") from None
            i = leaf.find(digest_key, j + 1)
            # startswith() succeeding implies leaf[i + 82] exists: the leaf ends with "}".
            if i < 0 or not leaf.startswith(digest, i + 18) or leaf[i + 82] != 34:  # '"'
                raise LogError(k, f"entry {k}: its payload does not match its digest")
        if leaf.startswith(host_key_event, j + 14) and j >= 0:
            chain.introduce(k, payload)
        i = k - 1
        while i & 1:
            node = sha(b"\x01" + pop() + node).digest()
            i >>= 1
        push(node)
        if k == next_size:
            next_size = chain.checkpoint(k, stack)

    if next_size != -1:
        raise LogError(
            k + 1,
            f"checkpoint of size {next_size} is beyond the end of the log: "
            f"entry {k + 1} is missing",
            checkpoint=next_size,
        )
    if genesis is not None and chain.host is None and k > 0:
        raise LogError(None, f"the log never introduces the genesis key {genesis}")
    return LogReport(
        size=k,
        root=_root(stack),
        checkpoints=chain.next_index,
        cosignatures=chain.cosignatures,
        under_quorum=chain.under_quorum,
        redacted=redacted,
        keys=chain.keys,
        signed_size=chain.signed_size,
    )
