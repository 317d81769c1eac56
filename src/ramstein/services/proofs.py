"""Offline proof that one record is on the log (C2SP tlog-proof style).

A proof carries the entry's leaf (its header), optionally its payload and salt, the
inclusion path and the cosigned checkpoint; `check_proof` needs nothing but the host's
public key. A donor can so show that its pledge was on the record at a meeting without
revealing the rest of the log.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain.errors import DomainError, InvalidValue, NotFound
from ramstein.domain.releasability import Label, Principal, Releasability, can_see_label
from ramstein.ledger.merkle import ProofError, leaf_hash, verify_inclusion
from ramstein.ledger.notes import Checkpoint, NoteError, Verifier, open_note
from ramstein.services import log
from ramstein.store import tables as t

HEADER = "c2sp.org/tlog-proof@v1"


class ProofRefused(DomainError):
    """The proof does not verify."""

    code = "proof-refused"


@dataclass(frozen=True, slots=True)
class CheckedProof:
    seq: int
    header: dict[str, Any]
    payload: dict[str, Any] | None
    checkpoint_size: int
    origin: str
    cosigners: tuple[str, ...]


def _entry_for(conn: Connection, record: str) -> int:
    """`record` is a sequence number, or KIND:ID (pledge:42) naming the entry that created it."""
    if record.isdigit():
        return int(record)
    kind, _, key = record.partition(":")
    if not kind or not key:
        raise InvalidValue("record", f"{record!r} is neither a sequence number nor KIND:ID.")
    e = t.log_entries
    seq = conn.execute(
        sa.select(sa.func.min(e.c.seq)).where(e.c.aggregate == kind, e.c.aggregate_id == key)
    ).scalar()
    if seq is None:
        raise NotFound("log entry for", record)
    return int(seq)


def prove(
    *,
    conn: Connection,
    viewer: Principal,
    record: str,
    size: int | None = None,
    reveal: bool = True,
) -> str:
    """The offline proof of `record` against the checkpoint of `size` (default: the latest)."""
    seq = _entry_for(conn, record)
    e = t.log_entries
    row = conn.execute(sa.select(e).where(e.c.seq == seq)).first()
    if row is None:
        raise NotFound("log entry", seq)
    label = Label(Releasability(row.releasability), frozenset(json.loads(row.releasable_to)))
    if not can_see_label(viewer, label, row.owner):
        raise NotFound("log entry", seq)
    if size is None:
        latest = log.latest_checkpoint(conn=conn)
        if latest is None or latest.size < seq:
            raise NotFound("signed checkpoint covering entry", f"{seq} (sign one first)")
        checkpoint = latest
    else:
        checkpoint = log.checkpoint_at(conn=conn, size=size)
        if checkpoint.size < seq:
            raise InvalidValue("size", f"The checkpoint of size {size} precedes entry {seq}.")
    path = log.prove_inclusion(conn=conn, seq=seq, size=checkpoint.size)
    extra: dict[str, Any] = {"leaf": row.leaf}
    if reveal:
        extra |= {"salt": row.salt, "payload": row.payload}
    lines = [
        HEADER,
        "extra " + base64.b64encode(json.dumps(extra).encode()).decode(),
        f"index {seq - 1}",
        *(base64.b64encode(h).decode() for h in path),
    ]
    return "\n".join(lines) + "\n\n" + checkpoint.note


def check_proof(text: str, *, host_key: str, witnesses: list[str] | None = None) -> CheckedProof:
    """Verify an offline proof with the host's public key (and, if given, witnesses' keys)."""
    head, sep, note = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or len(lines) < 3 or lines[0] != HEADER:
        raise ProofRefused(f"This is not a {HEADER} proof.")
    try:
        extra = json.loads(base64.b64decode(lines[1].removeprefix("extra "), validate=True))
        index = int(lines[2].removeprefix("index "))
        path = [base64.b64decode(x, validate=True) for x in lines[3:]]
        leaf = extra["leaf"].encode()
    except (ValueError, KeyError, TypeError):
        raise ProofRefused("The proof is malformed.") from None
    try:
        verifiers = [Verifier.parse(host_key), *(Verifier.parse(w) for w in witnesses or [])]
    except NoteError as error:
        raise ProofRefused(f"A key given is not a verifier key: {error}") from None
    if verifiers[0].kind != "ed25519":
        raise ProofRefused("The host key given is a witness's cosigner key, not a host key.")
    try:
        body, verified = open_note(note, verifiers)
        checkpoint = Checkpoint.parse(body)
    except NoteError as error:
        raise ProofRefused(f"The checkpoint is not signed by the host key: {error}") from None
    host_id = verifiers[0].key_id
    if not any(v.key_id == host_id for v in verified):
        raise ProofRefused("The checkpoint is not signed by the host key.")
    try:
        verify_inclusion(leaf_hash(leaf), index, checkpoint.size, path, checkpoint.root)
    except ProofError as error:
        raise ProofRefused(f"The entry is not in the signed log: {error}") from None
    header = json.loads(leaf)
    if header.get("seq") != index + 1:
        raise ProofRefused("The entry's sequence number does not match its place in the log.")
    payload = None
    if extra.get("payload") is not None:
        salt = bytes.fromhex(extra["salt"])
        digest = hashlib.sha256(salt + extra["payload"].encode()).hexdigest()
        if digest != header.get("payload_digest"):
            raise ProofRefused("The revealed payload does not match the entry's digest.")
        payload = json.loads(extra["payload"])
    return CheckedProof(
        seq=index + 1,
        header=header,
        payload=payload,
        checkpoint_size=checkpoint.size,
        origin=checkpoint.origin,
        cosigners=tuple(v.name for v in verified if v.key_id != host_id),
    )
