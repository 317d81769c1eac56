"""Importing needs, pledges and deliveries from a spreadsheet: all rows, or none.

`import_file` reads the file (`interchange.sheets`), types every cell (`interchange.layouts`),
then applies each row in one write transaction through the normal commands, so every change
is an event in the log like any other:

- a row whose `ref` (or Ramstein `id`) is new creates the record;
- a row that matches a record and says the same changes nothing (importing a file twice
  appends nothing the second time);
- a row that says something else becomes the commands that make it so (a revision, a status
  change, a tranche scheduled or moved, a receipt confirmed), each logged.

A column the file does not have leaves that field of an existing record as it is. Any bad row
(a cell that cannot be read, an unknown code, a change the rules refuse) is reported with its
line, column, value and reason, every bad row of the file at once, and the transaction is
rolled back: nothing is written. `dry_run` does all of it and rolls back, reporting what would
change.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain.deliveries import Delivery, DeliveryStatus
from ramstein.domain.errors import DomainError, InvalidValue, NotFound, NotPermitted
from ramstein.domain.needs import Need, NeedStatus
from ramstein.domain.participants import ParticipantKind
from ramstein.domain.pledges import Pledge, PledgeStatus
from ramstein.domain.releasability import Principal, Role
from ramstein.interchange.layouts import (
    LAYOUTS,
    BadRows,
    DeliveryRow,
    ImportRow,
    NeedRow,
    PledgeRow,
    cell_text,
    parse,
    present_columns,
)
from ramstein.interchange.sheets import Problem, read_sheet
from ramstein.services import deliveries, needs, pledges
from ramstein.store import tables as t
from ramstein.store.engine import Store
from ramstein.store.uow import UnitOfWork

Progress = Callable[[int, int], None]
"""Called as rows are applied: (rows done, rows in all)."""


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Change:
    """What one row does: the record it makes or matches, and the fields it changes."""

    line: int
    ref: str
    action: Action
    record: int
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportReport:
    kind: str
    file: str
    dry_run: bool
    changes: tuple[Change, ...]
    entries: int
    """Log entries appended (or that would be, on a dry run)."""

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action is action)

    @property
    def created(self) -> int:
        return self.count(Action.CREATE)

    @property
    def updated(self) -> int:
        return self.count(Action.UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(Action.UNCHANGED)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.file}: {len(self.changes)} {self.kind} read; {self.created} {verb} created, "
            f"{self.updated} updated, {self.unchanged} unchanged ({self.entries} log entries)."
        )


class _DryRun(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


KINDS = tuple(LAYOUTS)
CHUNK = 500
"""Rows applied in one savepoint while they are good (a savepoint per row costs a third;
chunks of 500 rows import a tenth faster than chunks of 100, `bench/interchange.py`)."""

_NOT_FOUND = {
    "needs": {"participant": "recipient", "item type": "item_type", "need": "id"},
    "pledges": {"participant": "donor", "item type": "item_type", "meeting": "meeting",
                "pledge": "id"},
    "deliveries": {"pledge": "pledge_id", "delivery": "id"},
}  # fmt: skip
"""The column of a record a row names that does not exist, by what the domain calls it."""
_QUANTITY_COLUMN = {"needs": "quantity", "pledges": "tranches", "deliveries": "quantity"}
"""The column of a new record's quantity that its parent (or its tranches) cannot hold."""
_REASON_COLUMN = {"needs": "withdraw_reason", "pledges": "cancel_reason"}
_COLUMN_OF = {
    "expected_on": "tranches",
    "eur_rate": "eur_rate",
    "received_on": "received_on",
    "label": "releasability",
    "named": "releasable_to",
}
"""The import column of a field the domain names in a refusal, where the names differ."""


def import_file(
    *,
    store: Store,
    actor: Principal,
    kind: str,
    data: bytes,
    name: str,
    sheet: str | None = None,
    rates: Mapping[str, Decimal] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    clock: Callable[[], datetime] | None = None,
) -> ImportReport:
    """Import the `kind` rows of file `name` (its bytes `data`) as `actor`, all or none.

    Raises `sheets.Unreadable` or `layouts.BadRows` (every problem listed) and writes nothing.
    The rows that can be read are applied even when others cannot, so that the report lists
    every problem of the file at once (their changes are rolled back with the rest).
    """
    if kind not in LAYOUTS:
        raise InvalidValue(
            "kind", f"{kind!r} cannot be imported; choose one of {', '.join(KINDS)}."
        )
    if not actor.has(Role.CHAIR, Role.RECIPIENT, Role.DONOR, Role.COALITION_LEAD):
        raise NotPermitted("Only the chair, the recipient and donors may import records.")
    layout = LAYOUTS[kind]
    table = read_sheet(data, name, sheet=sheet, prefer=kind)
    typed, problems = parse(layout, table, rates=rates)
    present = present_columns(layout, table.header)
    writing = store.write(clock=clock) if clock is not None else store.write()
    try:
        with writing as uow:
            before = uow.size
            apply = _Importer(
                uow, actor, kind, present, cell_text(layout, table), progress, len(typed)
            )
            changes = apply.rows(typed)
            if problems or apply.problems:
                raise BadRows(table.name, problems + apply.problems)
            report = ImportReport(kind, name, dry_run, tuple(changes), uow.size - before)
            if dry_run:
                raise _DryRun(report)
    except _DryRun as done:
        return done.report
    return report


@dataclass
class _Importer:
    uow: UnitOfWork
    actor: Principal
    kind: str
    present: frozenset[str]
    text: Callable[[int, str], str]
    """The text of the file's cell at (line, column)."""
    progress: Progress | None
    total: int
    problems: list[Problem] = field(default_factory=list)
    refs: set[str] = field(default_factory=set)

    def rows(self, typed: Sequence[ImportRow]) -> list[Change]:
        """Apply every row: a chunk at a time in one savepoint while its rows are good, and a
        chunk with a bad row again row by row, each in its own savepoint, to report it."""
        step = max(1, self.total // 200)
        done: list[Change] = []
        appliers: dict[str, Callable[[Any], Change]] = {
            "needs": self._need,
            "pledges": self._pledge,
            "deliveries": self._delivery,
        }
        apply = appliers[self.kind]
        self._preload(typed)
        for start in range(0, len(typed), CHUNK):
            chunk = typed[start : start + CHUNK]
            done += self._chunk(chunk, apply)
            n = start + len(chunk)
            if self.progress is not None and (n // step > start // step or n == self.total):
                self.progress(n, self.total)
        return done

    def _chunk(self, chunk: Sequence[ImportRow], apply: Callable[[Any], Change]) -> list[Change]:
        keys = [self._key(row) for row in chunk]
        fresh = [k for k in keys if k is not None and k not in self.refs]
        if len(set(fresh)) == len(chunk):  # every row has a ref, new and its own
            try:
                with self.uow.savepoint():
                    batch = self._new_pledges(chunk)
                    done = batch if batch is not None else [apply(row) for row in chunk]
                self.refs.update(fresh)
                return done
            except (_RowError, DomainError):
                pass  # rolled back: find and report the bad rows one by one
        done = []
        for row, key in zip(chunk, keys, strict=True):
            change = self._one(row, key, apply)
            if change is not None:
                done.append(change)
        return done

    @staticmethod
    def _key(row: ImportRow) -> str | None:
        return row.ref or (f"#{row.id}" if row.id is not None else None)

    def _one(self, row: Any, key: str | None, apply: Callable[[Any], Change]) -> Change | None:
        if key is None:
            self._fail(row.line, "ref", "", "required: your own id of the record")
            return None
        if key in self.refs:
            self._fail(row.line, "ref", key, "the same ref as an earlier row of the file")
            return None
        self.refs.add(key)
        try:
            with self.uow.savepoint():
                return apply(row)
        except _RowError as error:
            self._fail(row.line, error.column, error.value, error.reason)
        except DomainError as error:
            column = self._column_of(error, _QUANTITY_COLUMN[self.kind])
            self._fail(row.line, column, self.text(row.line, column), str(error))
        return None

    def _column_of(self, error: DomainError, default: str) -> str:
        """The column a refusal is about: the field it names, or the record it cannot find."""
        if isinstance(error, InvalidValue):
            field = error.field.split(".")[0]
            if field == "reason":
                return _REASON_COLUMN.get(self.kind, field)
            return _COLUMN_OF.get(field, field)
        if isinstance(error, NotFound):
            return _NOT_FOUND[self.kind].get(error.kind, default)
        return default

    @contextmanager
    def _about(self, row: ImportRow, column: str) -> Iterator[None]:
        """Report a command's refusal in `column` (unless it names a field of its own)."""
        try:
            yield
        except DomainError as error:
            found = self._column_of(error, column)
            raise _RowError(found, self.text(row.line, found), str(error)) from None

    def _fail(self, line: int, column: str, value: str, reason: str) -> None:
        self.problems.append(Problem(line, column, value, reason))

    # -- finding what a row refers to --------------------------------------------------

    def _preload(self, typed: Sequence[ImportRow]) -> None:
        table = {"needs": t.needs, "pledges": t.pledges, "deliveries": t.deliveries}[self.kind]
        self.by_ref = _ids_by_ref(self.uow.conn, table, [r.ref for r in typed if r.ref])
        if self.kind == "deliveries":
            wanted = [r.pledge_ref for r in typed if isinstance(r, DeliveryRow) and r.pledge_ref]
            self.pledge_by_ref = {
                ref: id for ref, (id, _) in _ids_by_ref(self.uow.conn, t.pledges, wanted).items()
            }

    def _existing_id(self, row: ImportRow, owner: str | None) -> int | None:
        """The record the row's ref (or id) names; a ref `owner` did not give is refused.

        A ref is one sender's id of one record, unique in the coalition: a row whose ref
        names another participant's record is refused without saying whose it is."""
        if row.ref is not None and row.ref in self.by_ref:
            found, holder = self.by_ref[row.ref]
            if owner is not None and holder != owner:
                raise _RowError(
                    "ref",
                    row.ref,
                    f"this ref already names a record of another participant, not of {owner}; "
                    "choose a ref of your own",
                )
            if row.id is not None and row.id != found:
                raise _RowError("id", str(row.id), f"ref {row.ref!r} is record {found}")
            return found
        return row.id

    def _owner(self, given: str | None) -> str | None:
        """Whose record a row is: the code it gives, or the participant importing."""
        if given is not None:
            return given
        return None if self.actor.has(Role.CHAIR) else self.actor.participant

    # -- needs -------------------------------------------------------------------------

    def _need(self, row: NeedRow) -> Change:
        existing = self._existing_id(row, self._owner(row.recipient))
        if existing is None:
            return self._new_need(row)
        need = needs.get_need(conn=self.uow.conn, viewer=self.actor, need_id=existing)
        if row.ref is not None and need.external_ref not in (None, row.ref):
            raise _RowError(
                "ref", row.ref, f"need {need.id} has the reference {need.external_ref!r}"
            )
        for column, now in (("recipient", need.recipient), ("item_type", need.item_type)):
            wanted = getattr(row, column)
            if wanted is not None and wanted != now:
                raise _RowError(
                    column,
                    wanted,
                    f"need {need.id} is for {now}; it cannot change (withdraw it and submit "
                    "a new one)",
                )
        if self._has("raised_on") and row.raised_on not in (None, need.raised_on):
            raise _RowError(
                "raised_on",
                self.text(row.line, "raised_on"),
                f"need {need.id} was raised on {need.raised_on}; the date raised cannot change",
            )
        wanted_fields = self._wanted(row, ("quantity", "priority", "needed_by", "rationale"))
        label = row.label if self._has("releasability", "releasable_to") else need.label
        changed = [k for k, v in wanted_fields.items() if getattr(need, k) != v]
        if label != need.label:
            changed.append("releasability")
        if changed:
            need = needs.revise_need(
                uow=self.uow,
                actor=self.actor,
                need_id=need.id,
                label=label,
                **{k: wanted_fields[k] for k in changed if k in wanted_fields},
            )
        status = self._need_status(row, need)
        if status is not None:
            changed.append("status")
        return self._change(row, need.id, changed)

    def _need_status(self, row: NeedRow, need: Need) -> NeedStatus | None:
        if row.status is None or row.status == need.status:
            return None
        if row.status in (NeedStatus.COVERED, NeedStatus.PARTLY_COVERED) and need.status in (
            NeedStatus.OPEN,
            NeedStatus.COVERED,
            NeedStatus.PARTLY_COVERED,
        ):
            return None  # coverage is the plan's to say; an export's figure is no change
        with self._about(row, "status"):
            needs.change_need_status(
                uow=self.uow,
                actor=self.actor,
                need_id=need.id,
                status=row.status,
                reason=row.withdraw_reason,
            )
        return row.status

    def _new_need(self, row: NeedRow) -> Change:
        if row.id is not None and row.ref is None:
            raise _RowError("id", str(row.id), "no such need; give a ref to create one")
        made = needs.submit_need(
            uow=self.uow,
            actor=self.actor,
            recipient=row.recipient or self._recipient(),
            item_type=row.item_type,
            quantity=row.quantity,
            priority=row.priority,
            needed_by=row.needed_by,
            raised_on=row.raised_on,
            rationale=row.rationale,
            label=row.label,
            external_ref=row.ref,
        )
        if row.status not in (None, NeedStatus.OPEN, made.status):
            self._need_status(row, made)
        return Change(row.line, row.ref or "", Action.CREATE, made.id)

    @functools.cached_property
    def _the_recipient(self) -> str | None:
        found = (
            self.uow.conn.execute(
                sa.select(t.participants.c.code).where(
                    t.participants.c.kind == ParticipantKind.RECIPIENT.value
                )
            )
            .scalars()
            .all()
        )
        return found[0] if len(found) == 1 else None

    def _recipient(self) -> str:
        if self.actor.has(Role.RECIPIENT) and self.actor.participant:
            return self.actor.participant
        if self._the_recipient is None:
            raise _RowError("recipient", "", "required: more than one recipient is registered")
        return self._the_recipient

    # -- pledges -----------------------------------------------------------------------

    def _pledge(self, row: PledgeRow) -> Change:
        existing = self._existing_id(row, self._owner(row.donor))
        if existing is None:
            return self._new_pledge(row)
        pledge = pledges.get_pledge(conn=self.uow.conn, viewer=self.actor, pledge_id=existing)
        if row.ref is not None and pledge.external_ref not in (None, row.ref):
            raise _RowError(
                "ref", row.ref, f"pledge {pledge.id} has the reference {pledge.external_ref!r}"
            )
        for column in ("donor", "item_type", "meeting", "announced_on"):
            wanted = getattr(row, column)
            now = getattr(pledge, column)
            if self._has(column) and wanted is not None and wanted != now:
                raise _RowError(
                    column,
                    str(wanted),
                    f"pledge {pledge.id} has {column.replace('_', ' ')} {now}; it cannot change "
                    "(cancel the pledge and announce a new one)",
                )
        wanted_fields = self._wanted(row, ("quantity", "source", "value", "years"))
        if "value" in wanted_fields and row.value is None:
            del wanted_fields["value"]  # an empty value cell never erases a value
        label = row.label if self._has("releasability", "releasable_to") else pledge.label
        changed = [k for k, v in wanted_fields.items() if getattr(pledge, k) != v]
        if "years" in changed and not row.years:
            changed.remove("years")
        if label != pledge.label:
            changed.append("releasability")
        # a smaller quantity must fit the tranches as the row has them, so they go first
        shrinking = "quantity" in changed and row.quantity < pledge.quantity
        moved = shrinking and self._tranches(row, pledge)
        if changed:
            with self._about(row, "quantity"):
                pledge = pledges.revise_pledge(
                    uow=self.uow,
                    actor=self.actor,
                    pledge_id=pledge.id,
                    label=label,
                    **{k: wanted_fields[k] for k in changed if k in wanted_fields},
                )
        if not shrinking:
            moved = self._tranches(row, pledge)
        if moved:
            changed.append("tranches")
        if self._pledge_status(row, pledge, on=None):
            changed.append("status")
        return self._change(row, pledge.id, changed)

    def _new_pledge(self, row: PledgeRow) -> Change:
        return self._announce([row])[0]

    def _new_pledges(self, chunk: Sequence[ImportRow]) -> list[Change] | None:
        """A chunk of new pledges announced at once; None unless every row is one."""
        rows = [r for r in chunk if isinstance(r, PledgeRow)]
        if len(rows) < len(chunk) or any(
            r.id is not None or self._existing_id(r, None) is not None for r in rows
        ):
            return None
        return self._announce(rows)

    def _announce(self, rows: Sequence[PledgeRow]) -> list[Change]:
        """Announce the rows' pledges at once, then move each to its row's status."""
        wanted = [self._announcement(row) for row in rows]
        made = pledges.announce_pledges(uow=self.uow, actor=self.actor, announcements=wanted)
        for row, pledge in zip(rows, made, strict=True):
            self._pledge_status(row, pledge, on=pledge.announced_on)
        return [
            Change(row.line, row.ref or "", Action.CREATE, pledge.id)
            for row, pledge in zip(rows, made, strict=True)
        ]

    def _announcement(self, row: PledgeRow) -> pledges.Announcement:
        if row.id is not None and row.ref is None:
            raise _RowError("id", str(row.id), "no such pledge; give a ref to create one")
        donor = row.donor or self.actor.participant
        if donor is None:
            raise _RowError("donor", "", "required")
        return pledges.Announcement(
            donor=donor,
            item_type=row.item_type,
            quantity=row.quantity,
            value=row.value,
            source=row.source,
            label=row.label,
            years=row.years or None,
            meeting=row.meeting,
            announced_on=row.announced_on or self._meeting_day(row.meeting),
            tranches=row.tranches,
            external_ref=row.ref,
        )

    def _meeting_day(self, meeting: int | None) -> date | None:
        if meeting is None:
            return None
        held = self.uow.conn.execute(
            sa.select(t.meetings.c.held_on).where(t.meetings.c.number == meeting)
        ).scalar()
        return held if isinstance(held, date) else None

    def _tranches(self, row: PledgeRow, pledge: Pledge) -> bool:
        if not self._has("tranches") or not row.tranches:
            return False
        if len(row.tranches) < len(pledge.tranches):
            raise _RowError(
                "tranches",
                "",
                f"pledge {pledge.id} has {len(pledge.tranches)} tranches; an import adds or "
                "moves tranches but cannot remove one",
            )
        with self._about(row, "tranches"):
            return self._move_tranches(row, pledge)

    def _move_tranches(self, row: PledgeRow, pledge: Pledge) -> bool:
        changed = False
        for number, spec in enumerate(row.tranches, start=1):
            if number <= len(pledge.tranches):
                now = pledge.tranche(number)
                if (now.quantity, now.expected_on) == (spec.quantity, spec.expected_on):
                    continue
                pledges.revise_tranche(
                    uow=self.uow,
                    actor=self.actor,
                    pledge_id=pledge.id,
                    number=number,
                    quantity=spec.quantity,
                    expected_on=spec.expected_on,
                )
            else:
                pledges.schedule_tranche(
                    uow=self.uow,
                    actor=self.actor,
                    pledge_id=pledge.id,
                    quantity=spec.quantity,
                    expected_on=spec.expected_on,
                )
            changed = True
        return changed

    def _pledge_status(self, row: PledgeRow, pledge: Pledge, *, on: date | None) -> bool:
        """Move `pledge` to the row's status (on `on`, default today); False if it is there."""
        wanted = row.status
        if wanted is None or wanted == pledge.status:
            return False
        delivering = (PledgeStatus.DELIVERING, PledgeStatus.DELIVERED)
        if pledge.status in delivering and wanted in (
            PledgeStatus.COMMITTED,
            PledgeStatus.CONTRACTED,
            *delivering,
        ):
            return False  # deliveries moved it on since the file was written; that is no change
        if wanted in delivering:
            raise _RowError(
                "status",
                wanted.value,
                f"pledge {pledge.id} is {pledge.status.value}; import its deliveries and its "
                "status follows",
            )
        steps = [wanted]
        if wanted is PledgeStatus.CONTRACTED and pledge.status is PledgeStatus.ANNOUNCED:
            steps = [PledgeStatus.COMMITTED, wanted]
        for step in steps:
            with self._about(row, "status"):
                pledges.change_pledge_status(
                    uow=self.uow,
                    actor=self.actor,
                    pledge_id=pledge.id,
                    status=step,
                    on=on,
                    reason=row.cancel_reason if step is PledgeStatus.CANCELLED else "",
                )
        return True

    # -- deliveries --------------------------------------------------------------------

    def _delivery(self, row: DeliveryRow) -> Change:
        # the recipient confirms the receipt of any delivery to it
        receiving = self.actor.has(Role.RECIPIENT)
        existing = self._existing_id(row, None if receiving else self._owner(None))
        if existing is None:
            return self._new_delivery(row)
        found = deliveries.get_delivery(conn=self.uow.conn, viewer=self.actor, delivery_id=existing)
        pledge_id = self._pledge_of(row)
        for column, wanted, now in (
            ("pledge_ref", pledge_id, found.pledge_id),
            ("tranche", row.tranche, found.tranche),
            ("quantity", row.quantity, found.quantity),
            ("dispatched_on", row.dispatched_on, found.dispatched_on),
            ("note", row.note, found.note),
        ):
            if self._has(column) and wanted != now:
                raise _RowError(
                    column,
                    str(wanted),
                    f"delivery {found.id} was recorded with {now}; a recorded dispatch cannot "
                    "change (record the difference as another delivery)",
                )
        changed = ["received_quantity"] if self._receipt(row, found) else []
        return self._change(row, found.id, changed)

    def _new_delivery(self, row: DeliveryRow) -> Change:
        if row.id is not None and row.ref is None:
            raise _RowError("id", str(row.id), "no such delivery; give a ref to record one")
        made = deliveries.record_delivery(
            uow=self.uow,
            actor=self.actor,
            pledge_id=self._pledge_of(row),
            tranche=row.tranche,
            quantity=row.quantity,
            dispatched_on=row.dispatched_on,
            note=row.note,
            external_ref=row.ref,
        )
        self._receipt(row, made)
        return Change(row.line, row.ref or "", Action.CREATE, made.id)

    def _pledge_of(self, row: DeliveryRow) -> int:
        if row.pledge_ref is not None:
            found = self.pledge_by_ref.get(row.pledge_ref)
            if found is None:
                raise _RowError("pledge_ref", row.pledge_ref, "no pledge has this reference")
            if row.pledge_id is not None and row.pledge_id != found:
                raise _RowError(
                    "pledge_id", str(row.pledge_id), f"pledge {row.pledge_ref!r} is {found}"
                )
            return found
        assert row.pledge_id is not None
        return row.pledge_id

    def _receipt(self, row: DeliveryRow, found: Delivery) -> bool:
        if row.received_quantity is None:
            if row.received_on is not None or row.discrepancy:
                raise _RowError("received_quantity", "", "required with a received date")
            return False
        if found.status is DeliveryStatus.RECEIVED:
            same = (found.received_quantity, found.received_on) == (
                row.received_quantity,
                row.received_on or found.received_on,
            )
            if same:
                return False
            raise _RowError(
                "received_quantity",
                str(row.received_quantity),
                f"delivery {found.id}'s receipt was confirmed as {found.received_quantity} on "
                f"{found.received_on}; a confirmed receipt cannot change",
            )
        deliveries.confirm_receipt(
            uow=self.uow,
            actor=self.actor,
            delivery_id=found.id,
            received_quantity=row.received_quantity,
            received_on=row.received_on,
            discrepancy=row.discrepancy,
        )
        return True

    # -- common ------------------------------------------------------------------------

    def _has(self, *columns: str) -> bool:
        return any(c in self.present for c in columns)

    def _wanted(self, row: object, names: Iterable[str]) -> dict[str, Any]:
        return {n: getattr(row, n) for n in names if self._has(n) or n == "quantity"}

    def _change(self, row: ImportRow, record: int, changed: Sequence[str]) -> Change:
        action = Action.UPDATE if changed else Action.UNCHANGED
        return Change(row.line, row.ref or f"#{record}", action, record, tuple(changed))


@dataclass
class _RowError(Exception):
    column: str
    value: str
    reason: str


def _ids_by_ref(
    conn: Connection, table: sa.Table, refs: Sequence[str]
) -> dict[str, tuple[int, str]]:
    """{ref: (record id, whose it is: the recipient of a need, the donor of the rest)}."""
    source: sa.FromClause = table
    if table is t.deliveries:
        owner = t.pledges.c.donor
        source = table.join(t.pledges, table.c.pledge_id == t.pledges.c.id)
    else:
        owner = table.c.recipient if table is t.needs else table.c.donor
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        found.update(
            (r.external_ref, (r.id, r.owner))
            for r in conn.execute(
                sa.select(table.c.external_ref, table.c.id, owner.label("owner"))
                .select_from(source)
                .where(table.c.external_ref.in_(chunk))
            )
        )
    return found
