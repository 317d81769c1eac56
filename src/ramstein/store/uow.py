"""The unit of work: append events to the log and project them, in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain.events import Event, to_payload
from ramstein.domain.releasability import Label, Principal
from ramstein.ledger.entries import EntryHeader, canonical_plain, new_salts, payload_digest
from ramstein.ledger.merkle import Frontier, leaf_hash
from ramstein.store import projector
from ramstein.store.bulk import insert_many
from ramstein.store.tables import log_entries, log_head, tree_nodes

HOST = "HOST"
"""The actor recorded for the host operator before any participant chairs."""


def format_instant(moment: datetime) -> str:
    """UTC, microseconds, 'Z': sorts as text and reads the same on every database."""
    if moment.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


INSERT_ENTRY = log_entries.insert()
"""Built once: a statement with plain parameters is compiled once and then served from cache."""


@dataclass(frozen=True, slots=True)
class Mark:
    """Where a unit of work stood before a command: enough to take the command back."""

    size: int
    last_at: str
    frontier_size: int
    frontier_hashes: list[bytes]
    nodes: int
    """How many tree nodes were waiting to be written (they are only ever added to)."""
    start_size: int
    last_ids: dict[str, int]


@dataclass(frozen=True, slots=True)
class Appended:
    """An event to append: who acted, its releasability and the participant who owns it."""

    event: Event
    actor: Principal
    label: Label
    owner: str


class UnitOfWork:
    """A write transaction that holds the log's lock; every command runs inside one."""

    def __init__(self, conn: Connection, clock: Callable[[], datetime]) -> None:
        self.conn = conn
        self._clock = clock
        head = conn.execute(
            sa.select(log_head.c.size, log_head.c.last_at, log_head.c.frontier)
            .where(log_head.c.id == 1)
            .with_for_update()
        ).one()
        self.size: int = head.size
        self.last_at: str = head.last_at
        self.frontier = Frontier.from_json(head.size, json.loads(head.frontier))
        self._start_size = self.size
        self._nodes: list[dict[str, object]] = []
        self.appended: list[tuple[int, Event]] = []
        self._last_ids: dict[str, int] = {}

    def begin_command(self, clock: Callable[[], datetime]) -> Mark:
        """Start the next command of a group commit on `clock`; the mark returns to here."""
        self._clock = clock
        self.appended = []
        return self._mark()

    def _mark(self) -> Mark:
        return Mark(
            self.size,
            self.last_at,
            self.frontier.size,
            list(self.frontier.hashes),
            len(self._nodes),
            self._start_size,
            dict(self._last_ids),
        )

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the command that may fail alone: on an error, what it appended and
        projected is undone and the error goes on; the rest of the transaction stands."""
        mark, kept = self._mark(), len(self.appended)
        nested = self.conn.begin_nested()
        try:
            yield
        except BaseException:
            nested.rollback()
            appended = self.appended[:kept]
            self.roll_back_to(mark)
            self.appended = appended
            raise
        nested.commit()

    def roll_back_to(self, mark: Mark) -> None:
        """Forget what the command since `mark` appended (its savepoint was rolled back)."""
        self.size, self.last_at = mark.size, mark.last_at
        self.frontier.size, self.frontier.hashes = mark.frontier_size, list(mark.frontier_hashes)
        del self._nodes[mark.nodes :]
        self._start_size = mark.start_size
        self._last_ids = dict(mark.last_ids)
        self.appended = []

    def now(self) -> datetime:
        return self._clock()

    def today(self) -> date:
        return self._clock().date()

    def next_id(self, column: sa.Column[int]) -> int:
        """The next integer key of a projection; safe because writers hold the log lock.

        The largest key is read once a transaction; later commands of a group commit count on
        from it (a command rolled back to its mark gives its keys back)."""
        last = self._last_ids.get(str(column))
        if last is None:
            last = int(self.conn.execute(sa.select(sa.func.max(column))).scalar() or 0)
        self._last_ids[str(column)] = last + 1
        return last + 1

    def append(self, event: Event, *, actor: Principal, label: Label, owner: str) -> int:
        """Append `event` to the log and apply it to the projections; returns its sequence."""
        return self.append_many([Appended(event, actor, label, owner)])[0]

    def append_many(self, items: Sequence[Appended]) -> list[int]:
        """Append events in order, with one insert of all their entries, and apply them to
        the projections (`projector.apply_many`); returns their sequence numbers."""
        entries = []
        applied: list[tuple[int, Event]] = []
        at = max(format_instant(self._clock()), self.last_at)
        for item, salt in zip(items, new_salts(len(items)), strict=True):
            seq = self.size + len(entries) + 1
            payload = canonical_plain(to_payload(item.event))
            header = EntryHeader(
                seq=seq,
                at=at,
                actor=item.actor.participant or HOST,
                actor_user=item.actor.user,
                event_type=item.event.event_name,
                schema_version=item.event.event_version,
                releasability=item.label.level.value,
                owner=item.owner,
                releasable_to=tuple(sorted(item.label.named)),
                payload_digest=payload_digest(salt, payload),
            )
            leaf = header.leaf()
            leaf_digest = leaf_hash(leaf)
            self._nodes.extend(
                {"level": level, "idx": index, "hash": node.hex()}
                for level, index, node in self.frontier.append(leaf_digest)
            )
            entries.append(
                dict(
                    seq=seq,
                    at=at,
                    actor=header.actor,
                    actor_user=header.actor_user,
                    event_type=header.event_type,
                    schema_version=header.schema_version,
                    aggregate=item.event.aggregate,
                    aggregate_id=item.event.aggregate_id(),
                    releasability=header.releasability,
                    owner=item.owner,
                    releasable_to=json.dumps(list(header.releasable_to)),
                    salt=salt.hex(),
                    payload=payload.decode(),
                    payload_digest=header.payload_digest,
                    leaf_hash=leaf_digest.hex(),
                    leaf=leaf.decode(),
                )
            )
            applied.append((seq, item.event))
        if not entries:
            return []
        insert_many(self.conn, log_entries, entries)
        projector.apply_many(self.conn, applied)
        self.size += len(entries)
        self.last_at = at
        self.appended += applied
        return [seq for seq, _ in applied]

    def restore(self, row: dict[str, object], event: Event) -> int:
        """Append an entry exactly as another host wrote it (from a verified bundle)."""
        seq = int(row["seq"])  # type: ignore[call-overload]
        if seq != self.size + 1:
            raise ValueError(f"entry {seq} cannot follow entry {self.size}")
        leaf_digest = leaf_hash(str(row["leaf"]).encode())
        self._nodes.extend(
            {"level": level, "idx": index, "hash": node.hex()}
            for level, index, node in self.frontier.append(leaf_digest)
        )
        self.conn.execute(INSERT_ENTRY, {**row, "leaf_hash": leaf_digest.hex()})
        projector.apply(self.conn, seq, event)
        self.size = seq
        self.last_at = str(row["at"])
        return seq

    def flush(self) -> None:
        """Record the log's new head; called once before the transaction commits."""
        if self.size != self._start_size:
            insert_many(self.conn, tree_nodes, self._nodes)
            self._nodes = []
            self.conn.execute(
                log_head.update()
                .where(log_head.c.id == 1)
                .values(
                    size=self.size,
                    last_at=self.last_at,
                    frontier=json.dumps(self.frontier.to_json()),
                )
            )
            self._start_size = self.size

    def root(self) -> bytes:
        """The Merkle root of the log as this unit of work has it (including its appends)."""
        return self.frontier.root()
