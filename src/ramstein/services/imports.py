"""Importing needs, pledges, the years of pledges, deliveries and pooled-fund contributions
from a spreadsheet: all rows, or none.

`import_file` reads the file (`interchange.sheets`), types every cell (`interchange.layouts`),
then applies each row in one write transaction through the normal commands, so every change
is an event in the log like any other:

- a row whose `ref` (or Ramstein `id`) is new creates the record;
- a row that matches a record and says the same changes nothing (importing a file twice
  appends nothing the second time);
- a row that says something else becomes the commands that make it so (a revision, a status
  change, a tranche scheduled or moved, a year re-planned, a receipt confirmed), each logged.

A row of pledge years is one year of the pledge its `pledge_ref` (or `pledge_id`) names: the
first row for a year plans it, a later one re-plans it. The rows that lower what a pledge's
years add up to are applied first, so that a file moving money from one year to another fits
the pledge's worth at every step. A contribution has no ref: a row is the contribution its
`id` names (when that is the same fund's and contributor's), else the first one of the same
fund, contributor, date, amount and currency that no other row of the file is, else a new one.

A column the file does not have leaves that field of an existing record as it is. Any bad row
(a cell that cannot be read, an unknown code, a change the rules refuse) is reported with its
line, column, value and reason, every bad row of the file at once, and the transaction is
rolled back: nothing is written. `dry_run` does all of it and rolls back, reporting what would
change.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain.deliveries import Delivery, DeliveryStatus
from ramstein.domain.errors import (
    DomainError,
    IllegalTransition,
    InactiveParticipant,
    InvalidValue,
    NotFound,
    NotPermitted,
    QuantityExceeded,
)
from ramstein.domain.funds import ContributionStatus, FundContribution, fund_label
from ramstein.domain.needs import Need, NeedStatus
from ramstein.domain.participants import Participant, ParticipantKind
from ramstein.domain.pledges import OPEN_STATUSES, Money, Pledge, PledgeStatus, YearStatus
from ramstein.domain.releasability import Label, Principal, Role
from ramstein.interchange.layouts import (
    LAYOUTS,
    BadRows,
    ContributionRow,
    DeliveryRow,
    ImportRow,
    NeedRow,
    PledgeRow,
    PledgeYearRow,
    cell_text,
    parse,
    present_columns,
)
from ramstein.interchange.sheets import Problem, read_sheet
from ramstein.services import deliveries, funds, needs, participants, pledges
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
_WithRef = NeedRow | PledgeRow | DeliveryRow
"""The rows that name their record by its ref (or id)."""
CHUNK = 500
"""Rows applied in one savepoint while they are good (a savepoint per row costs a third;
chunks of 500 rows import a tenth faster than chunks of 100, `bench/interchange.py`)."""

_NOT_FOUND = {
    "needs": {"participant": "recipient", "item type": "item_type", "need": "id"},
    "pledges": {"participant": "donor", "item type": "item_type", "meeting": "meeting",
                "pledge": "id"},
    "deliveries": {"pledge": "pledge_id", "delivery": "id"},
    "pledge-years": {"pledge": "pledge_id"},
    "contributions": {"contribution": "id", "participant": "releasable_to"},
}  # fmt: skip
"""The column of a record a row names that does not exist, by what the domain calls it."""
_QUANTITY_COLUMN = {"needs": "quantity", "pledges": "tranches", "deliveries": "quantity",
                    "pledge-years": "amount_eur", "contributions": "amount"}  # fmt: skip
"""The column of a new record's quantity that its parent (or its tranches) cannot hold."""
_REASON_COLUMN = {"needs": "withdraw_reason", "pledges": "cancel_reason"}
_CONTRIBUTION_COLUMN_OF = {"value": "amount", "label": "releasability", "named": "releasable_to"}
"""The import column of a field a refusal of a contribution names, where the names differ."""
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
            "pledge-years": self._pledge_year,
            "contributions": self._contribution,
        }
        apply = appliers[self.kind]
        self._preload(typed)
        if self.kind == "pledge-years":
            typed = self._lowering_first(typed)
        for start in range(0, len(typed), CHUNK):
            chunk = typed[start : start + CHUNK]
            done += self._chunk(chunk, apply)
            n = start + len(chunk)
            if self.progress is not None and (n // step > start // step or n == self.total):
                self.progress(n, self.total)
        return sorted(done, key=lambda c: c.line)

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
        """What a row is about, which no other row of the file may be: its record's ref (or
        id). A pledge's year and a contribution are found before the rows are applied, and
        a row about the same one as an earlier row is refused then (`_preload`)."""
        if isinstance(row, PledgeYearRow | ContributionRow):
            return f"line {row.line}"
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
        tables = {"needs": t.needs, "pledges": t.pledges, "deliveries": t.deliveries}
        self.by_ref: dict[str, tuple[int, str]] = {}
        self.pledge_by_ref: dict[str, int] = {}
        self.contribution_of: dict[int, FundContribution] = {}
        self.refused_rows: dict[int, _RowError] = {}  # found bad before they are applied
        if self.kind in tables:
            refs = [r.ref for r in typed if isinstance(r, _WithRef)]
            self.by_ref = _ids_by_ref(self.uow.conn, tables[self.kind], [r for r in refs if r])
        if self.kind in ("deliveries", "pledge-years"):
            wanted = [
                r.pledge_ref
                for r in typed
                if isinstance(r, DeliveryRow | PledgeYearRow) and r.pledge_ref
            ]
            self.pledge_by_ref = {
                ref: id for ref, (id, _) in _ids_by_ref(self.uow.conn, t.pledges, wanted).items()
            }
        if self.kind == "pledge-years":
            self._find_repeated_years([r for r in typed if isinstance(r, PledgeYearRow)])
        if self.kind == "contributions":
            self._find_contributions([r for r in typed if isinstance(r, ContributionRow)])

    def _existing_id(self, row: _WithRef, owner: str | None) -> int | None:
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

    def _pledge_of(self, row: DeliveryRow | PledgeYearRow) -> int:
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

    # -- the years of pledges ------------------------------------------------------------

    def _year_pledge_id(self, row: PledgeYearRow) -> int | None:
        """The pledge a row of years names, where it can be found (else None)."""
        if row.pledge_ref is not None:
            return self.pledge_by_ref.get(row.pledge_ref)
        return row.pledge_id

    def _find_repeated_years(self, typed: Sequence[PledgeYearRow]) -> None:
        """Refuse each row about the same pledge and year as an earlier row of the file."""
        first: dict[tuple[object, int], int] = {}
        for row in typed:
            pledge = self._year_pledge_id(row)
            key = (pledge if pledge is not None else row.pledge_ref, row.year)
            if key in first:
                self.refused_rows[row.line] = _RowError(
                    "year", str(row.year), f"the same pledge and year as line {first[key]}"
                )
            else:
                first[key] = row.line

    def _lowering_first(self, typed: Sequence[ImportRow]) -> list[ImportRow]:
        """The rows in the order they are applied: those that lower what their pledge's years
        add up to, then those that leave it as it is, then those that raise it (each group in
        the file's order), so that every step fits the pledge's worth."""
        found: dict[int, Pledge] = {}
        named = {self._year_pledge_id(r) for r in typed if isinstance(r, PledgeYearRow)}
        for pledge_id in sorted(p for p in named if p is not None):
            with suppress(NotFound):  # reported when the row is applied
                found[pledge_id] = pledges.get_pledge(
                    conn=self.uow.conn, viewer=self.actor, pledge_id=pledge_id
                )

        def rise(row: ImportRow) -> int:
            assert isinstance(row, PledgeYearRow)
            pledge = found.get(self._year_pledge_id(row) or 0)
            before = pledge.year_plan(row.year) if pledge is not None else None
            now = _counted(before.amount_eur, before.status) if before else Decimal(0)
            amount = row.amount_eur if row.amount_eur is not None else now
            status = row.status or (before.status if before else YearStatus.INDICATIVE)
            change = _counted(amount, status) - now
            return (change > 0) - (change < 0)

        return sorted(typed, key=lambda row: (rise(row), row.line))

    def _pledge_year(self, row: PledgeYearRow) -> Change:
        if row.line in self.refused_rows:
            raise self.refused_rows[row.line]
        pledge_id = self._pledge_of(row)
        pledge_column = "pledge_ref" if row.pledge_ref is not None else "pledge_id"
        with self._refused(row, lambda _: pledge_column):
            pledge = pledges.get_pledge(conn=self.uow.conn, viewer=self.actor, pledge_id=pledge_id)
        before = pledge.year_plan(row.year)
        amount = row.amount_eur
        if amount is None:
            if before is None:
                raise _RowError(
                    "amount_eur", "", f"required: {row.year} of pledge {pledge.id} is not planned"
                )
            amount = before.amount_eur
        status = row.status or (before.status if before else YearStatus.INDICATIVE)
        changed = []
        if before is not None and amount != before.amount_eur:
            changed.append("amount_eur")
        if before is not None and status is not before.status:
            changed.append("status")
        if before is not None and not changed:
            return self._change(row, pledge.id, changed)
        if pledge.status not in OPEN_STATUSES:
            raise _RowError(
                pledge_column,
                self.text(row.line, pledge_column),
                f"pledge {pledge.id} is {pledge.status.value}; the years of a pledge that is no "
                "longer open cannot change",
            )
        about = "amount_eur" if changed == ["amount_eur"] else "status"

        def column_of(error: DomainError) -> str:
            if isinstance(error, InvalidValue) and error.field in ("year", "amount_eur"):
                return error.field
            if isinstance(error, QuantityExceeded):
                return "amount_eur"
            if isinstance(error, NotPermitted | NotFound):
                return pledge_column
            return "status" if isinstance(error, IllegalTransition) else about

        with self._refused(row, column_of):
            for step in _year_steps(before.status if before else None, status):
                pledges.plan_year(
                    uow=self.uow,
                    actor=self.actor,
                    pledge_id=pledge.id,
                    year=row.year,
                    amount_eur=amount,
                    status=step,
                )
        if before is None:
            return Change(row.line, _shown(row, pledge.id), Action.CREATE, pledge.id)
        return self._change(row, pledge.id, changed)

    # -- contributions -----------------------------------------------------------------

    def _find_contributions(self, typed: Sequence[ContributionRow]) -> None:
        """The contribution each row is (`contribution_of`, by line; a new one is not there):
        the one its `id` names, else the first of the same terms that no other row is."""
        conn = self.uow.conn
        self.participants: dict[str, Participant] = {
            p.code: p for p in participants.list_participants(conn=conn, viewer=self.actor)
        }
        existing = {
            c.id: c
            for fund in sorted({r.fund for r in typed})
            for c in funds.list_contributions(conn=conn, viewer=self.actor, fund=fund)
        }
        taken: dict[int, int] = {}  # contribution id: the line that is it
        for row in typed:
            found = existing.get(row.id) if row.id is not None else None
            if found is None:
                continue  # no id, or another database's: found by its terms below
            if (found.fund, found.contributor) != (row.fund, row.contributor):
                self.refused_rows[row.line] = _RowError(
                    "id",
                    str(row.id),
                    f"contribution {found.id} is {found.contributor}'s to {found.fund}; a "
                    "contribution's fund and contributor cannot change (cancel it, and record "
                    "the new one in a row without an id)",
                )
            elif found.id in taken:
                self.refused_rows[row.line] = _RowError(
                    "id", str(row.id), f"the same contribution as line {taken[found.id]}"
                )
            else:
                taken[found.id] = row.line
                self.contribution_of[row.line] = found
        alike: dict[tuple[object, ...], list[FundContribution]] = {}
        for c in sorted(existing.values(), key=lambda c: c.id):
            if c.id not in taken:
                alike.setdefault(_terms(c.fund, c.contributor, c.on, c.value), []).append(c)
        today = self.uow.today()
        for row in typed:
            if row.line in self.contribution_of or row.line in self.refused_rows:
                continue
            same = alike.get(_terms(row.fund, row.contributor, row.on or today, row.amount))
            if same:
                self.contribution_of[row.line] = same.pop(0)

    def _contribution_column(self, row: ContributionRow, error: DomainError) -> str:
        if isinstance(error, InvalidValue):
            field = error.field.split(".")[0]
            return _CONTRIBUTION_COLUMN_OF.get(field, field)
        if isinstance(error, IllegalTransition):
            return "status"
        if isinstance(error, NotFound):
            return _NOT_FOUND["contributions"].get(error.kind, "id")
        if isinstance(error, InactiveParticipant) and not self.participants[row.fund].is_active:
            return "fund"
        return "contributor"  # who may record it, or contribute

    def _contribution(self, row: ContributionRow) -> Change:
        if row.line in self.refused_rows:
            raise self.refused_rows[row.line]
        for column in ("fund", "contributor"):
            code = getattr(row, column)
            if code not in self.participants:
                raise _RowError(column, code, str(NotFound("participant", code)))
        found = self.contribution_of.get(row.line)
        with self._refused(row, lambda error: self._contribution_column(row, error)):
            if found is None:
                made = funds.record_contribution(
                    uow=self.uow,
                    actor=self.actor,
                    fund=row.fund,
                    contributor=row.contributor,
                    value=row.amount,
                    on=row.on,
                    label=row.label,
                    note=row.note,
                )
                if row.status not in (None, ContributionStatus.PLEDGED):
                    self._contribution_status(row, made)
                return Change(row.line, _shown(row, made.id), Action.CREATE, made.id)
            self._same_contribution(row, found)
            changed = ["status"] if self._contribution_status(row, found) else []
        return self._change(row, found.id, changed)

    def _same_contribution(self, row: ContributionRow, found: FundContribution) -> None:
        """Refuse a row that says otherwise than the contribution recorded: it cannot change."""
        checks: list[tuple[str, object, object]] = [
            ("amount", row.amount.amount, found.value.amount),
            ("currency", row.amount.currency, found.value.currency),
        ]
        if self._has("eur_rate"):
            checks.append(("eur_rate", row.amount.eur_rate, found.value.eur_rate))
        if row.on is not None:
            checks.append(("on", row.on, found.on))
        if self._has("note"):
            checks.append(("note", row.note, found.note))
        label = fund_label(row.label, found.fund)
        if self._has("releasability", "releasable_to") and label != found.label:
            checks.append(("releasability", _label_text(label), _label_text(found.label)))
        for column, wanted, now in checks:
            if wanted != now:
                raise _RowError(
                    column,
                    self.text(row.line, column),
                    f"contribution {found.id} was recorded with {column.replace('_', ' ')} "
                    f"{now or 'empty'}; a recorded contribution cannot change (cancel it with a "
                    "reason, and record a new one)",
                )

    def _contribution_status(self, row: ContributionRow, found: FundContribution) -> bool:
        """Move the contribution to the row's status (on `status_on`, default today); False
        if it is there."""
        wanted = row.status
        if wanted is None or wanted is found.status:
            if wanted in (ContributionStatus.PAID, ContributionStatus.CANCELLED):
                self._same_status(row, found)
            return False
        try:
            funds.change_contribution_status(
                uow=self.uow,
                actor=self.actor,
                contribution_id=found.id,
                status=wanted,
                on=row.status_on,
                reason=row.reason if wanted is ContributionStatus.CANCELLED else "",
            )
        except InvalidValue as error:
            if error.field != "on":
                raise
            raise _RowError("status_on", self.text(row.line, "status_on"), str(error)) from None
        return True

    def _same_status(self, row: ContributionRow, found: FundContribution) -> None:
        became = f"contribution {found.id} became {found.status.value} on {found.status_on}"
        if row.status_on is not None and row.status_on != found.status_on:
            raise _RowError(
                "status_on",
                self.text(row.line, "status_on"),
                f"{became}; the date cannot change",
            )
        if found.status is ContributionStatus.CANCELLED and row.reason not in ("", found.reason):
            raise _RowError(
                "reason", row.reason, f"{became} ({found.reason}); the reason cannot change"
            )

    # -- common ------------------------------------------------------------------------

    def _has(self, *columns: str) -> bool:
        return any(c in self.present for c in columns)

    def _wanted(self, row: object, names: Iterable[str]) -> dict[str, Any]:
        return {n: getattr(row, n) for n in names if self._has(n) or n == "quantity"}

    def _change(self, row: ImportRow, record: int, changed: Sequence[str]) -> Change:
        action = Action.UPDATE if changed else Action.UNCHANGED
        return Change(row.line, _shown(row, record), action, record, tuple(changed))

    @contextmanager
    def _refused(self, row: ImportRow, column_of: Callable[[DomainError], str]) -> Iterator[None]:
        """Report a command's refusal in the column `column_of` finds for it."""
        try:
            yield
        except DomainError as error:
            column = column_of(error)
            raise _RowError(column, self.text(row.line, column), str(error)) from None


@dataclass
class _RowError(Exception):
    column: str
    value: str
    reason: str


def _shown(row: ImportRow, record: int) -> str:
    """How the report names a row's record: its ref, else `#id`; a pledge's year `ref/year`."""
    if isinstance(row, PledgeYearRow):
        return f"{row.pledge_ref or f'#{record}'}/{row.year}"
    if isinstance(row, ContributionRow):
        return f"#{record}"
    return row.ref or f"#{record}"


def _year_steps(before: YearStatus | None, wanted: YearStatus) -> list[YearStatus]:
    """The statuses a year takes on its way to `wanted`: a year is first planned indicative or
    committed (so a new cancelled year is planned, then cancelled, and a new delivered one
    committed, then delivered), and is committed before it is delivered."""
    if before is None and wanted is YearStatus.CANCELLED:
        return [YearStatus.INDICATIVE, wanted]
    if before in (None, YearStatus.INDICATIVE) and wanted is YearStatus.DELIVERED:
        return [YearStatus.COMMITTED, wanted]
    return [wanted]


def _counted(amount: Decimal, status: YearStatus) -> Decimal:
    """What a year adds to its pledge's total: nothing once cancelled."""
    return Decimal(0) if status is YearStatus.CANCELLED else amount


def _terms(fund: str, contributor: str, on: date, value: Money) -> tuple[object, ...]:
    """What a contribution records, by which a row without an id finds it."""
    return (fund, contributor, on, value.amount, value.currency)


def _label_text(label: Label) -> str:
    named = " ".join(sorted(label.named))
    return f"{label.level.value} to {named}" if named else label.level.value


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
