"""The verifiable log: host keys, signed checkpoints, witnesses, and verification.

Signing keys never enter the database: the edges (CLI, API) load the host's `Signer` from
its key file and pass it in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import hosting
from ramstein.domain.errors import DomainError, InvalidValue, NotFound, NotPermitted
from ramstein.domain.hosting import HostKey, Witness
from ramstein.domain.permissions import require_chair
from ramstein.domain.releasability import PUBLIC_LABEL, Principal
from ramstein.ledger.keys import load_private_key, write_private_key
from ramstein.ledger.merkle import (
    Frontier,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_consistency,
)
from ramstein.ledger.notes import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    add_signatures,
    open_note,
    split_note,
)
from ramstein.ledger.verify import LogError, LogReport, SignedCheckpoint, StoredEntry, verify_log
from ramstein.services import common
from ramstein.store import tables as t
from ramstein.store.digest import digest_of, table_digests
from ramstein.store.engine import Store
from ramstein.store.replay import LogCorrupted, replay, scratch
from ramstein.store.uow import UnitOfWork, format_instant

BATCH = 5000


class LogInconsistent(DomainError):
    """The stored log does not match what was signed: refuse to sign or serve it."""

    code = "log-inconsistent"


@dataclass(frozen=True, slots=True)
class HostSigner:
    """This host's signing identity: its key (from its key file) and the log's origin."""

    signer: Signer
    origin: str


def load_host(path: Path, origin: str) -> HostSigner:
    """This host's signing identity from its key file, created (mode 0600) when missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_private_key(path, Signer.generate(origin))
    return HostSigner(signer=load_private_key(path), origin=origin)


@dataclass(frozen=True, slots=True)
class CheckpointInfo:
    size: int
    origin: str
    root: bytes
    key: str
    note: str
    """The host-signed note with every stored cosignature appended."""
    cosigners: tuple[str, ...]
    signed_at: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    log: LogReport
    state_digest: str
    drifted: tuple[str, ...] = ()
    """The projection tables whose contents differ from a replay of the log."""

    @property
    def projections_match(self) -> bool:
        return not self.drifted


class StoreNodes:
    """The Merkle tree's completed nodes, read from `tree_nodes` (a `NodeReader`)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def node(self, level: int, index: int) -> bytes:
        n = t.tree_nodes
        found = self.conn.execute(
            sa.select(n.c.hash).where(n.c.level == level, n.c.idx == index)
        ).scalar()
        if found is None:
            raise LogInconsistent(f"The Merkle tree has no node at level {level}, index {index}.")
        return bytes.fromhex(found)


# --- reading ------------------------------------------------------------------------------


def host_keys(*, conn: Connection) -> list[HostKey]:
    k = t.host_keys
    return [
        HostKey(r.number, r.origin, r.key, r.since_seq, r.participant)
        for r in conn.execute(sa.select(k).order_by(k.c.number))
    ]


def current_host_key(*, conn: Connection) -> HostKey | None:
    keys = host_keys(conn=conn)
    return keys[-1] if keys else None


def host_key_at(*, conn: Connection, size: int) -> HostKey:
    """The key that signs the checkpoint of `size`: at a handover, the outgoing one."""
    keys = [k for k in host_keys(conn=conn) if k.since_seq <= size]
    if not keys:
        raise NotFound("host key for a checkpoint of size", size)
    if keys[-1].since_seq == size and len(keys) > 1:
        return keys[-2]
    return keys[-1]


def list_witnesses(*, conn: Connection) -> list[Witness]:
    w = t.witnesses
    return [
        Witness(r.participant, r.key) for r in conn.execute(sa.select(w).order_by(w.c.participant))
    ]


def witness_quorum(*, conn: Connection) -> int:
    return int(conn.execute(sa.select(t.witness_policy.c.quorum)).scalar() or 0)


def _cosignature_lines(conn: Connection, size: int) -> dict[str, str]:
    c = t.cosignatures
    rows = conn.execute(
        sa.select(c.c.witness, c.c.line).where(c.c.size == size).order_by(c.c.witness)
    )
    return {r.witness: r.line for r in rows}


def _info(conn: Connection, row: sa.Row[tuple[object, ...]]) -> CheckpointInfo:
    lines = _cosignature_lines(conn, int(row.size))
    return CheckpointInfo(
        size=int(row.size),
        origin=str(row.origin),
        root=bytes.fromhex(str(row.root)),
        key=str(row.key),
        note=add_signatures(str(row.note), lines.values()),
        cosigners=tuple(lines),
        signed_at=str(row.signed_at),
    )


def checkpoints(*, conn: Connection) -> list[CheckpointInfo]:
    c = t.checkpoints
    return [_info(conn, r) for r in conn.execute(sa.select(c).order_by(c.c.size)).all()]


def latest_checkpoint(*, conn: Connection) -> CheckpointInfo | None:
    c = t.checkpoints
    row = conn.execute(sa.select(c).order_by(c.c.size.desc()).limit(1)).first()
    return _info(conn, row) if row is not None else None


def checkpoint_at(*, conn: Connection, size: int) -> CheckpointInfo:
    row = conn.execute(sa.select(t.checkpoints).where(t.checkpoints.c.size == size)).first()
    if row is None:
        raise NotFound("checkpoint of size", size)
    return _info(conn, row)


def log_size(*, conn: Connection) -> int:
    return int(conn.execute(sa.select(t.log_head.c.size)).scalar_one())


def prove_consistency(*, conn: Connection, old_size: int, new_size: int) -> list[bytes]:
    """RFC 6962 consistency proof between two sizes of this log."""
    size = log_size(conn=conn)
    if not 0 < old_size <= new_size <= size:
        raise NotFound("consistency proof between sizes", f"{old_size} and {new_size}")
    return consistency_proof(StoreNodes(conn), old_size, new_size)


def prove_inclusion(*, conn: Connection, seq: int, size: int) -> list[bytes]:
    """RFC 6962 inclusion proof of entry `seq` in the tree of `size` entries."""
    if not 1 <= seq <= size <= log_size(conn=conn):
        raise NotFound("inclusion proof for entry", f"{seq} in a tree of size {size}")
    return inclusion_proof(StoreNodes(conn), seq - 1, size)


# --- commands -----------------------------------------------------------------------------


def _sign(uow: UnitOfWork, signer: Signer, key: HostKey) -> CheckpointInfo:
    uow.flush()
    size, root = uow.size, uow.root()
    last = latest_checkpoint(conn=uow.conn)
    if last is not None and last.size == size:
        return last
    if last is not None:
        if last.size > size:
            raise LogInconsistent(
                f"The log holds {size} entries but a checkpoint of size {last.size} was signed."
            )
        try:
            proof = consistency_proof(StoreNodes(uow.conn), last.size, size)
            verify_consistency(last.size, size, last.root, root, proof)
        except ProofError as error:
            raise LogInconsistent(
                f"Refusing to sign: the log is not consistent with the checkpoint of size "
                f"{last.size} ({error})."
            ) from None
    note = signer.sign_note(Checkpoint(key.origin, size, root).body())
    signed_at = format_instant(uow.now())
    uow.conn.execute(
        t.checkpoints.insert(),
        dict(
            size=size,
            origin=key.origin,
            root=root.hex(),
            key=key.key,
            note=note,
            signed_at=signed_at,
        ),
    )
    return checkpoint_at(conn=uow.conn, size=size)


def sign_checkpoint(*, uow: UnitOfWork, actor: Principal, host: HostSigner) -> CheckpointInfo:
    """Sign a checkpoint of the log as it stands (after this unit of work's own entries).

    The first checkpoint opens the log: its `HostKeyIntroduced` entry names `origin` and the
    host's key. A host whose key is not the one in force cannot sign (after a handover, only
    the new host signs).
    """
    require_chair(actor, "sign checkpoints")
    signer = host.signer
    key = current_host_key(conn=uow.conn)
    if key is None:
        event = hosting.introduce_host_key(
            None,
            origin=host.origin,
            key=signer.verifier_key(),
            participant=common.acting_for(actor),
        )
        uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=common.acting_for(actor))
        key = current_host_key(conn=uow.conn)
        assert key is not None
    if key.key != signer.verifier_key():
        raise NotPermitted(
            f"This host's key ({signer.verifier_key()}) does not sign this log: the key in force "
            f"since entry {key.since_seq} is {key.key}, held by {key.participant}."
        )
    return _sign(uow, signer, key)


def hand_over_host(
    *, uow: UnitOfWork, actor: Principal, host: HostSigner, new_key: str, incoming: str
) -> CheckpointInfo:
    """Name the incoming host's key; the outgoing host signs the checkpoint that ends there."""
    require_chair(actor, "hand over the log")
    signer = host.signer
    current = current_host_key(conn=uow.conn)
    if current is None:
        raise NotFound("host key", "(the log has no checkpoint yet; sign one first)")
    if current.key != signer.verifier_key():
        raise NotPermitted("Only the host whose key is in force can hand the log over.")
    common.participant(uow.conn, incoming).require_active("host the log")
    event = hosting.introduce_host_key(
        current, origin=current.origin, key=new_key, participant=incoming
    )
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=incoming)
    return _sign(uow, signer, current)


def set_witness(
    *, uow: UnitOfWork, actor: Principal, participant: str, key: str | None
) -> list[Witness]:
    """Register (or withdraw, with key None) a member's cosigner key."""
    require_chair(actor, "register witnesses")
    common.participant(uow.conn, participant)
    registered = {w.participant for w in list_witnesses(conn=uow.conn)}
    remaining = (
        len(registered | {participant}) if key is not None else len(registered - {participant})
    )
    quorum = witness_quorum(conn=uow.conn)
    if quorum > remaining:
        raise InvalidValue(
            "key",
            f"The quorum is {quorum}; lower it before removing a witness would leave {remaining}.",
        )
    if key is not None:
        try:
            if Verifier.parse(key).kind != "cosignature/v1":
                raise NoteError("not a cosigner key")
        except NoteError:
            raise InvalidValue("key", f"{key!r} is not a cosignature/v1 verifier key.") from None
    uow.append(
        hosting.set_witness(participant, key), actor=actor, label=PUBLIC_LABEL, owner=participant
    )
    return list_witnesses(conn=uow.conn)


def set_quorum(*, uow: UnitOfWork, actor: Principal, quorum: int) -> int:
    require_chair(actor, "set the witness quorum")
    event = hosting.set_quorum(quorum, len(list_witnesses(conn=uow.conn)))
    uow.append(event, actor=actor, label=PUBLIC_LABEL, owner=common.acting_for(actor))
    return quorum


def add_cosignature(*, uow: UnitOfWork, size: int, line: str) -> CheckpointInfo:
    """Store a witness's cosignature line once it verifies, by itself, with a registered key.

    The line is checked alone against the host-signed text, so a forged line can never
    replace a witness's valid stored cosignature.
    """
    checkpoint = checkpoint_at(conn=uow.conn, size=size)
    text, _ = split_note(checkpoint.note)
    line = line.removesuffix("\n")
    try:
        if "\n" in line:
            raise NoteError("more than one line")
        split_note(f"{text}\n{line}\n")
    except NoteError:
        raise InvalidValue(
            "line", "The cosignature is not one signed-note signature line."
        ) from None
    witnesses = {Verifier.parse(w.key).key_id: w for w in list_witnesses(conn=uow.conn)}
    try:
        _, verified = open_note(
            f"{text}\n{line}\n", [Verifier.parse(w.key) for w in witnesses.values()]
        )
    except NoteError:
        verified = []
    cosigned = [v for v in verified if v.kind == "cosignature/v1"]
    if not cosigned:
        raise NotPermitted(
            f"The cosignature of the checkpoint of size {size} does not verify with any "
            "registered witness key."
        )
    v = cosigned[0]
    c = t.cosignatures
    uow.conn.execute(c.delete().where(c.c.size == size, c.c.key_id == v.key_id.hex()))
    uow.conn.execute(
        c.insert(),
        dict(
            size=size,
            key_id=v.key_id.hex(),
            witness=witnesses[v.key_id].participant,
            timestamp=v.timestamp or 0,
            line=line,
        ),
    )
    return checkpoint_at(conn=uow.conn, size=size)


# --- verification -------------------------------------------------------------------------


def stored_entries(conn: Connection) -> Iterator[StoredEntry]:
    """Every entry in order, in batches, as the verifier reads them."""
    e = t.log_entries
    last = 0
    while True:
        rows = conn.execute(
            sa.select(e.c.seq, e.c.leaf, e.c.salt, e.c.payload)
            .where(e.c.seq > last)
            .order_by(e.c.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        for r in rows:
            yield StoredEntry(r.seq, r.leaf.encode(), bytes.fromhex(r.salt), r.payload.encode())
        last = rows[-1].seq


HEADER_COLUMNS = (
    "seq",
    "at",
    "actor",
    "actor_user",
    "event_type",
    "schema_version",
    "releasability",
    "owner",
    "payload_digest",
)


def _check_store(conn: Connection) -> None:
    """What the verifier does not read, checked first so a fault is named by its entry.

    Sequence numbers run 1..n; each entry's columns say what its leaf says; its `leaf_hash`
    hashes its leaf; every stored Merkle node is the one the leaves give; the head holds the
    log's size and frontier.
    """
    e, n = t.log_entries, t.tree_nodes
    stored_nodes = {
        (r.level, r.idx): r.hash for r in conn.execute(sa.select(n.c.level, n.c.idx, n.c.hash))
    }
    frontier = Frontier.from_json(0, [])
    expected = 1
    while True:
        rows = conn.execute(
            sa.select(*(e.c[c] for c in HEADER_COLUMNS), e.c.releasable_to, e.c.leaf, e.c.leaf_hash)
            .where(e.c.seq >= expected)
            .order_by(e.c.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for r in rows:
            if r.seq != expected:
                raise LogError(
                    expected, f"entry {expected} is missing: {expected - 1} is followed by {r.seq}"
                )
            header = json.loads(r.leaf)
            stored = {c: getattr(r, c) for c in HEADER_COLUMNS}
            stored["releasable_to"] = json.loads(r.releasable_to)
            wrong = sorted(k for k, v in stored.items() if header.get(k) != v)
            if wrong:
                raise LogError(
                    r.seq, f"entry {r.seq}: its columns differ from its leaf in {', '.join(wrong)}"
                )
            digest = leaf_hash(r.leaf.encode())
            if digest.hex() != r.leaf_hash:
                raise LogError(r.seq, f"entry {r.seq}: its stored leaf hash is wrong")
            for level, index, node in frontier.append(digest):
                if stored_nodes.pop((level, index), None) != node.hex():
                    raise LogError(
                        r.seq,
                        f"entry {r.seq}: the Merkle node at level {level}, index {index} "
                        "is missing or wrong",
                    )
            expected += 1
    count = expected - 1
    head = conn.execute(sa.select(t.log_head.c.size, t.log_head.c.frontier)).one()
    if head.size > count:
        raise LogError(
            count + 1, f"entry {count + 1} is missing: the log head counts {head.size} entries"
        )
    if head.size < count:
        raise LogError(
            head.size + 1,
            f"entry {head.size + 1} is beyond the log head, which counts {head.size} entries",
        )
    if stored_nodes:
        level, index = min(stored_nodes)
        raise LogError(
            None, f"the Merkle tree holds a node (level {level}, index {index}) that no entry gives"
        )
    if json.loads(head.frontier) != frontier.to_json():
        raise LogError(None, "the log head's Merkle frontier does not match the log's entries")


def verify(
    *, store: Store, pinned_key: str | None = None, replay_projections: bool = True
) -> VerifyReport:
    """Verify the live log end to end; raises LogError naming the first bad entry.

    Everything is read from one snapshot. The replay that the projections are compared with
    runs in a scratch database, so verifying holds no lock that writers wait for.
    """
    with store.read() as conn:
        _check_store(conn)
        cps = [SignedCheckpoint(c.size, c.note) for c in checkpoints(conn=conn)]
        origin = cps[0].note.split("\n", 1)[0] if cps else ""
        witnesses = [w.key for w in list_witnesses(conn=conn)]
        report = verify_log(
            stored_entries(conn),
            cps,
            origin=origin,
            genesis_key=pinned_key,
            witnesses=witnesses,
            quorum=witness_quorum(conn=conn),
        )
        stored = table_digests(conn)
        drifted: tuple[str, ...] = ()
        if replay_projections:
            with scratch() as target:
                try:
                    replay(target, source=conn)
                except LogCorrupted as error:
                    raise LogError(error.seq, str(error)) from None
                replayed = table_digests(target)
            drifted = tuple(name for name, digest in stored.items() if replayed[name] != digest)
    return VerifyReport(log=report, state_digest=digest_of(stored), drifted=drifted)
