"""Bundles: the whole log in one self-contained file, redacted for a viewer, and loading one.

A bundle is JSON Lines: a header, every entry (leaf, and salt and payload where the viewer may
see them), every checkpoint note with its cosignatures, and a trailer with the entry count,
so a truncated file is refused. `import_bundle` verifies a bundle completely before it writes
anything, and only into an empty log.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

import sqlalchemy as sa

from ramstein.domain.errors import DomainError
from ramstein.domain.events import from_payload
from ramstein.domain.releasability import Label, Principal, Releasability, can_see_label
from ramstein.ledger.notes import Checkpoint, Verifier, split_note
from ramstein.ledger.verify import LogError, LogReport, SignedCheckpoint, StoredEntry, verify_log
from ramstein.services import log
from ramstein.store import tables as t
from ramstein.store.engine import Store
from ramstein.store.uow import format_instant

FORMAT = "ramstein-log-bundle/1"


class BundleRefused(DomainError):
    """The bundle is malformed, incomplete or does not verify; nothing was loaded."""

    code = "bundle-refused"


@dataclass(frozen=True, slots=True)
class Bundle:
    origin: str
    viewer: str
    entries: list[StoredEntry]
    checkpoints: list[SignedCheckpoint]
    witnesses: list[str]
    quorum: int

    @property
    def redacted(self) -> int:
        return sum(1 for e in self.entries if e.payload is None)


def entries_for(
    *, conn: sa.Connection, viewer: Principal, after: int, limit: int
) -> list[StoredEntry]:
    """Up to `limit` entries after `after` as `viewer` may see them.

    The one redaction rule for everything that leaves the host: an entry the viewer may not
    see keeps its leaf (so the log still verifies) but loses its payload and its salt (so a
    short payload cannot be guessed from its digest).
    """
    e = t.log_entries
    rows = conn.execute(
        sa.select(
            e.c.seq, e.c.leaf, e.c.salt, e.c.payload, e.c.releasability, e.c.owner,
            e.c.releasable_to,
        )
        .where(e.c.seq > after)
        .order_by(e.c.seq)
        .limit(limit)
    ).all()  # fmt: skip
    found = []
    for r in rows:
        label = Label(Releasability(r.releasability), frozenset(json.loads(r.releasable_to)))
        shown = can_see_label(viewer, label, r.owner)
        found.append(
            StoredEntry(
                r.seq,
                r.leaf.encode(),
                bytes.fromhex(r.salt) if shown else None,
                r.payload.encode() if shown else None,
            )
        )
    return found


def write_bundle(
    out: IO[str],
    *,
    origin: str,
    viewer: str,
    entries: Iterable[StoredEntry],
    checkpoints: Sequence[SignedCheckpoint],
    witnesses: Sequence[str],
    quorum: int,
    exported_at: datetime | None = None,
) -> int:
    """Write a bundle: header, entries, checkpoints, end marker. Returns the entries written."""
    header = {
        "bundle": FORMAT,
        "origin": origin,
        "viewer": viewer,
        "exported_at": format_instant(exported_at or datetime.now(UTC)),
        "witnesses": list(witnesses),
        "quorum": quorum,
    }
    out.write(json.dumps(header) + "\n")
    count = 0
    for e in entries:
        item = {
            "seq": e.seq,
            "leaf": e.leaf.decode(),
            "salt": e.salt.hex() if e.salt is not None else None,
            "payload": e.payload.decode() if e.payload is not None else None,
        }
        out.write(json.dumps(item) + "\n")
        count += 1
    for cp in checkpoints:
        out.write(json.dumps({"checkpoint": cp.size, "note": cp.note}) + "\n")
    out.write(json.dumps({"end": count, "checkpoints": len(checkpoints)}) + "\n")
    return count


def export_bundle(*, store: Store, viewer: Principal, out: IO[str]) -> int:
    """Write the log for `viewer`; payloads it may not see are left out. Returns the entries."""
    with store.read() as conn:
        return write_log(conn=conn, viewer=viewer, out=out)


def write_log(
    *,
    conn: sa.Connection,
    viewer: Principal,
    out: IO[str],
    size: int | None = None,
    exported_at: datetime | None = None,
) -> int:
    """Write the log's first `size` entries (default: all) for `viewer`, as read by `conn`,
    with the checkpoints of at most `size` entries. Returns the entries written."""
    key = log.current_host_key(conn=conn)
    upto = log.log_size(conn=conn) if size is None else size

    def pages() -> Iterator[StoredEntry]:
        last = 0
        while last < upto and (
            page := entries_for(
                conn=conn, viewer=viewer, after=last, limit=min(log.BATCH, upto - last)
            )
        ):
            yield from page
            last = page[-1].seq

    return write_bundle(
        out,
        origin=key.origin if key else "",
        viewer=viewer.participant or "public",
        entries=pages(),
        checkpoints=[
            SignedCheckpoint(c.size, c.note) for c in log.checkpoints(conn=conn) if c.size <= upto
        ],
        witnesses=[w.key for w in log.list_witnesses(conn=conn)],
        quorum=log.witness_quorum(conn=conn),
        exported_at=exported_at,
    )


def read_bundle(lines: Iterable[str]) -> Bundle:
    """Parse a bundle file; refuse anything malformed or truncated (nothing is verified yet)."""
    it: Iterator[str] = iter(lines)
    try:
        header = json.loads(next(it))
    except (StopIteration, json.JSONDecodeError):
        raise BundleRefused("The file is empty or not a Ramstein log bundle.") from None
    if not isinstance(header, dict) or header.get("bundle") != FORMAT:
        raise BundleRefused(f"The file is not a {FORMAT} bundle.")
    entries: list[StoredEntry] = []
    cps: list[SignedCheckpoint] = []
    trailer: dict[str, Any] | None = None
    for number, line in enumerate(it, start=2):
        if trailer is not None:
            raise BundleRefused(f"Line {number} follows the bundle's end marker.")
        try:
            item = json.loads(line)
            if "seq" in item:
                salt, payload = item["salt"], item["payload"]
                entries.append(
                    StoredEntry(
                        int(item["seq"]),
                        item["leaf"].encode(),
                        bytes.fromhex(salt) if salt is not None else None,
                        payload.encode() if payload is not None else None,
                    )
                )
            elif "checkpoint" in item:
                cps.append(SignedCheckpoint(int(item["checkpoint"]), str(item["note"])))
            elif "end" in item:
                trailer = item
            else:
                raise ValueError("unknown record")
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BundleRefused(f"Line {number} of the bundle is malformed.") from None
    if trailer is None:
        raise BundleRefused("The bundle is truncated: its end marker is missing.")
    try:
        witnesses = [str(k) for k in header.get("witnesses", [])]
        quorum = int(header.get("quorum", 0))
    except (TypeError, ValueError):
        raise BundleRefused("The bundle's header has a malformed witness policy.") from None
    if trailer.get("end") != len(entries) or trailer.get("checkpoints") != len(cps):
        raise BundleRefused(
            f"The bundle is truncated or padded: its end marker counts {trailer.get('end')} "
            f"entries and {trailer.get('checkpoints')} checkpoints; it holds {len(entries)} "
            f"and {len(cps)}."
        )
    return Bundle(
        origin=str(header.get("origin", "")),
        viewer=str(header.get("viewer", "")),
        entries=entries,
        checkpoints=cps,
        witnesses=witnesses,
        quorum=quorum,
    )


def verify_bundle(bundle: Bundle, *, pinned_key: str | None = None) -> LogReport:
    """Verify every entry, the tree, every checkpoint, cosignature and host key in the bundle."""
    try:
        return verify_log(
            bundle.entries,
            bundle.checkpoints,
            origin=bundle.origin,
            genesis_key=pinned_key,
            witnesses=bundle.witnesses,
            quorum=bundle.quorum,
        )
    except ValueError as error:  # a witness key or quorum the header cannot mean
        raise BundleRefused(f"The bundle's witness policy is malformed: {error}.") from None


def import_bundle(*, store: Store, bundle: Bundle, pinned_key: str | None = None) -> LogReport:
    """Verify `bundle` completely, then load it into this empty log and rebuild projections."""
    try:
        report = verify_bundle(bundle, pinned_key=pinned_key)
    except LogError as error:
        raise BundleRefused(f"The bundle does not verify: {error}") from None
    if bundle.redacted:
        raise BundleRefused(
            f"The bundle leaves out {bundle.redacted} payloads (it was exported for "
            f"{bundle.viewer}); only a full bundle can be loaded into an instance."
        )
    if not bundle.checkpoints or bundle.checkpoints[-1].size != len(bundle.entries):
        raise BundleRefused("The bundle's last checkpoint does not cover its last entry.")
    with store.write() as uow:
        if uow.size != 0:
            raise BundleRefused(
                f"This instance already holds {uow.size} log entries; import into an empty one."
            )
        for entry in bundle.entries:
            assert entry.payload is not None and entry.salt is not None
            h = json.loads(entry.leaf)
            event = from_payload(h["event_type"], h["schema_version"], json.loads(entry.payload))
            uow.restore(
                {
                    "seq": h["seq"],
                    "at": h["at"],
                    "actor": h["actor"],
                    "actor_user": h["actor_user"],
                    "event_type": h["event_type"],
                    "schema_version": h["schema_version"],
                    "aggregate": event.aggregate,
                    "aggregate_id": event.aggregate_id(),
                    "releasability": h["releasability"],
                    "owner": h["owner"],
                    "releasable_to": json.dumps(h["releasable_to"]),
                    "salt": entry.salt.hex(),
                    "payload": entry.payload.decode(),
                    "payload_digest": h["payload_digest"],
                    "leaf": entry.leaf.decode(),
                },
                event,
            )
        uow.flush()
        _load_checkpoints(uow.conn, bundle)
    return report


def _load_checkpoints(conn: sa.Connection, bundle: Bundle) -> None:
    """Store each checkpoint's host-signed note, and its cosignatures apart."""
    participants = {
        Verifier.parse(w.key).key_id.hex(): w.participant for w in log.list_witnesses(conn=conn)
    }
    for cp in bundle.checkpoints:
        key = log.host_key_at(conn=conn, size=cp.size)
        host_id = Verifier.parse(key.key).key_id.hex()
        body, lines = split_note(cp.note)
        host_lines = [line for line in lines if _line_key_id(line) == host_id]
        checkpoint = Checkpoint.parse(body)
        conn.execute(
            t.checkpoints.insert(),
            dict(
                size=cp.size,
                origin=checkpoint.origin,
                root=checkpoint.root.hex(),
                key=key.key,
                note=body + "\n" + "".join(line + "\n" for line in host_lines),
                signed_at="",
            ),
        )
        for line in lines:
            key_id = _line_key_id(line)
            if key_id == host_id:
                continue
            conn.execute(
                t.cosignatures.insert(),
                dict(
                    size=cp.size,
                    key_id=key_id,
                    witness=participants.get(key_id, "unregistered"),
                    timestamp=int.from_bytes(_sig_bytes(line)[4:12], "big"),
                    line=line,
                ),
            )


def _sig_bytes(line: str) -> bytes:
    return base64.b64decode(line.split()[-1])


def _line_key_id(line: str) -> str:
    return _sig_bytes(line)[:4].hex()
