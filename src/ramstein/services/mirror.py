"""Mirrors: a copy of a host's log that pulls increments and refuses forks and rewrites.

A mirror is a directory holding `log.jsonl`, a bundle in the `ramstein-log-bundle/1` format
(so `ramstein log verify --bundle` reads it), and `mirror.json`, a small state file: the log's
origin, the genesis key it pinned, where it last pulled from, its size and root. A mirror only
ever holds whole signed prefixes of the log: it stops at the host's latest checkpoint.

A pull asks the host for its latest checkpoint. One no larger than the mirror must match the
mirror's own root at that size; a larger one must come with a consistency proof from the
mirror's size. Only then are the new entries fetched, and the whole local log (old and new
entries, every checkpoint, the host-key chain) verified again before anything is written.
When the histories differ the pull writes nothing and says where they part.

Talking to the host goes through `services.remote`.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ramstein.domain.errors import DomainError
from ramstein.ledger.merkle import MemoryTree, ProofError, leaf_hash, verify_consistency
from ramstein.ledger.notes import NoteError, Verifier, open_note, split_note
from ramstein.ledger.verify import LogError, LogReport, SignedCheckpoint, StoredEntry, verify_log
from ramstein.services import bundles
from ramstein.services.remote import (
    Http,
    RemoteCheckpoint,
    RemoteLog,
    RemoteRefused,
)
from ramstein.store.uow import format_instant

BUNDLE_FILE = "log.jsonl"
STATE_FILE = "mirror.json"
HOST_KEY_EVENT = "HostKeyIntroduced"


# --- the mirror -----------------------------------------------------------------------------


class MirrorRefused(DomainError):
    """The pull was refused (the host's log does not verify, or is not this mirror's log)."""

    code = "mirror-refused"


class ForkDetected(MirrorRefused):
    """The host's history is not the one the mirror holds: a fork, or a rewrite."""

    code = "fork-detected"

    def __init__(
        self, message: str, *, seq: int | None, mirror: tuple[int, bytes], remote: tuple[int, bytes]
    ) -> None:
        super().__init__(message)
        self.seq = seq
        """The first entry where the histories differ, if the host's entries show it."""
        self.mirror_size, self.mirror_root = mirror
        self.remote_size, self.remote_root = remote


@dataclass
class MirrorState:
    """What `mirror.json` holds; the bundle beside it is the record, this is its summary."""

    origin: str
    url: str
    genesis_key: str
    size: int
    root: str
    checkpoints: int
    host_keys: list[dict[str, Any]] = field(default_factory=list)
    """Each host key with the entry that introduced it: [{"key", "since"}], genesis first."""
    pulled_at: str = ""


@dataclass(frozen=True)
class PullResult:
    url: str
    origin: str
    before: int
    size: int
    fetched: int
    new_checkpoints: int
    new_cosignatures: int
    root: bytes
    report: LogReport | None
    behind: bool = False
    """The host's latest checkpoint is older than the mirror's (the same history, though)."""


@dataclass
class _Held:
    state: MirrorState | None
    entries: list[StoredEntry]
    checkpoints: list[SignedCheckpoint]


def _load(into: Path) -> _Held:
    state_path, bundle_path = into / STATE_FILE, into / BUNDLE_FILE
    if not state_path.exists():
        return _Held(None, [], [])
    try:
        state = MirrorState(**json.loads(state_path.read_text()))
        with bundle_path.open() as f:
            bundle = bundles.read_bundle(f)
    except (OSError, ValueError, TypeError) as error:
        raise MirrorRefused(f"The mirror in {into} cannot be read: {error}.") from None
    if len(bundle.entries) != state.size:
        raise MirrorRefused(
            f"The mirror in {into} is damaged: {STATE_FILE} says {state.size} entries, "
            f"{BUNDLE_FILE} holds {len(bundle.entries)}."
        )
    return _Held(state, bundle.entries, bundle.checkpoints)


def mirror_state(*, into: Path) -> MirrorState:
    state = _load(into).state
    if state is None:
        raise MirrorRefused(f"{into} holds no mirror yet; pull into it first.")
    return state


def verify_mirror(*, into: Path) -> LogReport:
    """Verify the mirror's bundle from scratch against the genesis key it pinned."""
    state = mirror_state(into=into)
    with (into / BUNDLE_FILE).open() as f:
        bundle = bundles.read_bundle(f)
    report = bundles.verify_bundle(bundle, pinned_key=state.genesis_key)
    if report.root.hex() != state.root:
        raise MirrorRefused(f"The mirror in {into} is damaged: its state and its log disagree.")
    return report


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def host_key_entries(entries: Sequence[StoredEntry]) -> list[dict[str, Any]]:
    """The host keys the log introduces, with the entry that introduces each."""
    found = []
    for e in entries:
        if b'"event_type":"' + HOST_KEY_EVENT.encode() + b'"' in e.leaf and e.payload is not None:
            found.append({"key": json.loads(e.payload)["key"], "since": e.seq})
    return found


def _describe(entry: StoredEntry) -> str:
    try:
        h = json.loads(entry.leaf)
        what = f"{h['event_type']} by {h['actor']} at {h['at']}"
    except (ValueError, KeyError, TypeError):
        what = "an unreadable entry"
    return f"{what} (leaf hash {leaf_hash(entry.leaf).hex()[:16]})"


def _signed_by(note: str, host_keys: Sequence[dict[str, Any]]) -> str:
    """Who of the mirror's host keys signed `note`, in words ('' if none of them)."""
    for i, k in enumerate(host_keys):
        verifier = Verifier.parse(k["key"])
        try:
            open_note(note, [verifier])
        except NoteError:
            continue
        name = f"{verifier.name}+{verifier.key_id.hex()}"
        if i + 1 < len(host_keys):
            handed = host_keys[i + 1]["since"]
            return (
                f" It is signed by {name}, the key that handed the log over at entry {handed}: "
                "the old host has gone on signing after the handover."
            )
        return f" It is signed by {name}, the host key in force."
    return ""


def _diverged(
    remote: RemoteLog, held: _Held, tree: MemoryTree, latest: RemoteCheckpoint
) -> ForkDetected:
    """The report of where the host's history leaves the mirror's."""
    m, n = len(held.entries), latest.size
    common = min(m, n)
    ours_root = tree.root(common)
    if n > m:
        claim = (
            f"its checkpoint of size {n} (root {latest.root.hex()[:16]}…) does not extend the "
            f"checkpoint of size {m} (root {tree.root().hex()[:16]}…) this mirror holds"
        )
    else:
        claim = (
            f"its checkpoint of size {n} (root {latest.root.hex()[:16]}…) differs from this "
            f"mirror's log at that size (root {ours_root.hex()[:16]}…)"
        )
    seq: int | None = None
    where = (
        f" Yet its first {common} entries match this mirror's: the host's checkpoint contradicts "
        "its own entries."
    )
    try:
        for theirs in remote.entries_between(0, common):
            ours = held.entries[theirs.seq - 1]
            if ours.leaf != theirs.leaf:
                seq = theirs.seq
                where = (
                    f" The histories part at entry {seq}: this mirror holds {_describe(ours)}, "
                    f"{remote.url} serves {_describe(theirs)}."
                )
                break
    except RemoteRefused as error:
        where = f" Where the histories part is unknown: {error.message}"
    keys = held.state.host_keys if held.state else []
    message = (
        f"The log at {remote.url} has diverged from this mirror: {claim}.{where}"
        f"{_signed_by(latest.note, keys)} Nothing was pulled."
    )
    return ForkDetected(message, seq=seq, mirror=(m, tree.root()), remote=(n, latest.root))


def _merge(
    held: Sequence[SignedCheckpoint], served: Sequence[RemoteCheckpoint], witnesses: list[str]
) -> tuple[list[SignedCheckpoint], int]:
    """Add to the held checkpoints the served cosignatures that verify; count those added."""
    by_size = {c.size: c for c in served}
    cosigners = []
    for key in witnesses:
        try:
            cosigners.append(Verifier.parse(key))
        except NoteError:
            continue
    merged, added = [], 0
    for cp in held:
        other = by_size.get(cp.size)
        note = cp.note
        if other is not None:
            text, lines = split_note(note)
            other_text, other_lines = split_note(other.note)
            for line in other_lines if other_text == text else []:
                if line in lines:
                    continue
                try:
                    open_note(f"{text}\n{line}\n", cosigners)
                except NoteError:
                    continue
                lines.append(line)
                added += 1
            note = text + "\n" + "".join(line + "\n" for line in lines)
        merged.append(SignedCheckpoint(cp.size, note))
    return merged, added


def pull(
    *,
    url: str,
    into: Path,
    http: Http,
    host_key: str | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> PullResult:
    """Fetch what is new at `url`, verify it against what the mirror holds, and append it.

    `host_key` pins the genesis host key on the first pull (otherwise the first pull trusts the
    key the log introduces); later pulls follow the chain of keys the log itself records.
    """
    remote = RemoteLog(url, http)
    into.mkdir(parents=True, exist_ok=True)
    with (into / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        held = _load(into)
        state = held.state
        latest = remote.checkpoint()
        if state is not None and latest.origin != state.origin:
            raise MirrorRefused(
                f"The log at {remote.url} is {latest.origin!r}; "
                f"this mirror follows {state.origin!r}."
            )
        if state is not None and host_key is not None and host_key != state.genesis_key:
            raise MirrorRefused(
                f"This mirror pinned the genesis key {state.genesis_key}, not {host_key}."
            )
        tree = MemoryTree(leaf_hash(e.leaf) for e in held.entries)
        m, n = tree.size, latest.size
        if n <= m:
            if tree.root(n) != latest.root:
                raise _diverged(remote, held, tree, latest)
            new: list[StoredEntry] = []
        else:
            if m > 0:
                try:
                    verify_consistency(m, n, tree.root(), latest.root, remote.consistency(m, n))
                except ProofError:
                    raise _diverged(remote, held, tree, latest) from None
            new = list(remote.entries_between(m, n))
        served = remote.checkpoints()
        keys = remote.keys()
        for cp in served:
            if cp.size <= m and cp.size <= n and tree.root(cp.size) != cp.root:
                raise _diverged(remote, held, tree, cp)
        cps, cosigned = _merge(held.checkpoints, served, keys.witnesses)
        fresh = [SignedCheckpoint(c.size, c.note) for c in served if m < c.size <= n]
        if n > m and (not fresh or fresh[-1].size != n):
            fresh.append(SignedCheckpoint(n, latest.note))
        if not new and not cosigned and state is not None:
            return PullResult(remote.url, state.origin, m, m, 0, 0, 0, tree.root(), None, n < m)
        entries = held.entries + new
        genesis = state.genesis_key if state is not None else host_key
        try:
            report = verify_log(
                entries,
                cps + fresh,
                origin=latest.origin,
                genesis_key=genesis,
                witnesses=keys.witnesses,
                quorum=keys.quorum,
            )
        except LogError as error:
            raise MirrorRefused(
                f"The log at {remote.url} does not verify, so nothing was pulled: {error.message}."
            ) from None
        except ValueError as error:
            raise MirrorRefused(f"The log at {remote.url} cannot be verified: {error}.") from None
        if not report.keys:
            raise MirrorRefused(f"The log at {remote.url} introduces no host key.")
        now = clock()
        new_state = MirrorState(
            origin=latest.origin,
            url=remote.url,
            genesis_key=genesis or report.keys[0],
            size=report.size,
            root=report.root.hex(),
            checkpoints=report.checkpoints,
            host_keys=host_key_entries(entries),
            pulled_at=format_instant(now),
        )
        text = io.StringIO()
        bundles.write_bundle(
            text,
            origin=latest.origin,
            viewer=f"mirror of {remote.url}",
            entries=entries,
            checkpoints=cps + fresh,
            witnesses=keys.witnesses,
            quorum=keys.quorum,
        )
        _write(into / BUNDLE_FILE, text.getvalue())
        _write(into / STATE_FILE, json.dumps(asdict(new_state), indent=2) + "\n")
        return PullResult(
            url=remote.url,
            origin=latest.origin,
            before=m,
            size=report.size,
            fetched=len(new),
            new_checkpoints=len(fresh),
            new_cosignatures=cosigned,
            root=report.root,
            report=report,
            behind=n < m,
        )
