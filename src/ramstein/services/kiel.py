"""The Kiel Institute Ukraine Support Tracker as input: import a release, export it again.

`import_release` records a release (`interchange.kiel.KielRelease`) in one write transaction,
through the normal commands, as public historical records:

- the release itself as a `SourceRecorded` event (what it is, how to cite it, and the figures
  no other record holds: commitments, what is to be allocated and the share of GDP of each
  donor's month, each donor's GDP as published, the weapons' numbers, values and systems);
- its donors as participants (created if missing; a different GDP revised);
- one pledge per donor, month and aid type with an allocation: quantity 1, valued at the
  allocation in EUR, announced on the 1st of the month, committed;
- one pledge per named heavy-weapons system, delivered in full on the release's date (the
  Tracker gives no date), valued at 0 EUR: its value is inside the donor's military
  allocations, and counting it again would count it twice;
- the capability areas and item types these need, created if missing.

Records are matched by their external references (`kiel-ust:AUS:2022-03:military`,
`kiel-ust:weapons:AUS:Tanks:M1A1 Abrams`), which leave out the release, so a later release
updates what an earlier one recorded: a changed allocation is a revision, one gone to zero is
cancelled ("not in Kiel release N"), more weapons are a further delivered pledge. Importing
the same release again appends nothing. Any refusal rolls the whole import back.

`export_release` builds the release back from the records: the allocations from the pledges
the viewer may see, everything else from the release's recorded figures.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import NoReturn

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ramstein.domain import sources as domain
from ramstein.domain.catalogue import ItemType
from ramstein.domain.errors import DomainError, InvalidValue, NotFound
from ramstein.domain.participants import Participant, ParticipantKind, ParticipantStatus
from ramstein.domain.permissions import require_chair
from ramstein.domain.pledges import Money, Pledge, PledgeSource, PledgeStatus, TrancheSpec
from ramstein.domain.releasability import PUBLIC_LABEL, Principal
from ramstein.domain.sources import SourceDonor, SourceFigure
from ramstein.interchange.kiel import (
    AID_TYPES,
    DATA_EXPLORER,
    EU_CODE,
    SOURCE,
    WEAPONS,
    KielProblem,
    KielRelease,
    MonthRow,
    ReleaseInfo,
    ReleaseRefused,
    WeaponsRow,
    WeaponSystem,
)
from ramstein.services import (
    capabilities,
    catalogue,
    common,
    deliveries,
    participants,
    pledges,
    sources,
)
from ramstein.store import rows
from ramstein.store import tables as t
from ramstein.store.engine import Store
from ramstein.store.uow import UnitOfWork

BILLION = Decimal(10) ** 9
CENT = Decimal("0.01")
GDP_PLACES = Decimal("0.000001")
"""A participant's GDP is kept to 6 places; the release's own figure is kept in full."""

AREAS = {
    "military": ("Military aid", "Weapons, equipment and military financing (Kiel Tracker)"),
    "financial": ("Financial aid", "Grants, loans and guarantees (Kiel Tracker)"),
    "humanitarian": ("Humanitarian aid", "Humanitarian assistance (Kiel Tracker)"),
}
"""The Tracker's aid types as capability areas (the area of each aid type's item type)."""
ALLOCATION_UNIT = "allocation"
WEAPON_UNIT = "system"

MONTH_FIGURES = ("commitments", "to_be_allocated", "pct_gdp")
WEAPONS_FIGURES = ("number_of_weapons", "monetary_value_eur")
SYSTEM_FIGURE = "system"
GDP_FIGURE = "gdp"

Progress = Callable[[int, int], None]
"""Called as the release is applied: (steps done, steps in all)."""


def allocation_item(aid: str) -> str:
    return f"{aid}-aid"


def allocation_ref(iso: str, period: str, aid: str) -> str:
    return f"{SOURCE}:{iso}:{period}:{aid}"


def weapons_ref(iso: str, category: str, name: str) -> str:
    return f"{SOURCE}:weapons:{iso}:{category}:{name}"


def slug(text: str, limit: int) -> str:
    """Lower-case letters and digits joined by '-', at most `limit` long."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")


def _base(ref: str) -> str:
    """A reference without the '#2', '#3' a further record of the same figure carries."""
    return ref.split("#", 1)[0]


# --- the report ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KielReport:
    """What an import did (or, on a dry run, would do)."""

    where: str
    release: str
    dry_run: bool
    source: str
    """created, updated (the same release re-published with other figures) or unchanged."""
    counts: dict[str, dict[str, int]]
    """Per kind of record (participants, areas, item_types, allocations, weapons): how many
    were created, updated, cancelled, unchanged or (weapons only) kept as recorded."""
    entries: int
    """Log entries appended (or that would be)."""
    changes: tuple[str, ...]
    """One line per record created, updated or cancelled, e.g. 'update kiel-ust:AUS:...'."""

    def count(self, action: str) -> int:
        return sum(c.get(action, 0) for c in self.counts.values())

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        parts = [
            f"{kind.replace('_', ' ')} "
            + ", ".join(f"{n} {action}" for action, n in sorted(c.items()) if n)
            for kind, c in self.counts.items()
            if any(c.values())
        ]
        return (
            f"Kiel Tracker release {self.release} ({self.where}): source {self.source}; "
            f"{self.count('created')} {verb} created, {self.count('updated')} updated, "
            f"{self.count('cancelled')} cancelled, {self.count('unchanged')} unchanged "
            f"({'; '.join(parts)}); {self.entries} log entries."
        )


class _DryRun(Exception):
    def __init__(self, report: KielReport) -> None:
        super().__init__("dry run")
        self.report = report


# --- the source record ------------------------------------------------------------------


def source_event(release: KielRelease) -> domain.SourceRecorded:
    """The `SourceRecorded` event that cites `release` with the figures no record holds."""
    info = release.info
    donors = release.donors()
    figures: list[SourceFigure] = []
    first_line: dict[str, int] = {}
    for m in release.months:
        first_line.setdefault(m.iso, m.line)
    for iso, donor in donors.items():
        figures.append(
            SourceFigure(DATA_EXPLORER, first_line[iso], iso, "", "", "", GDP_FIGURE, donor.gdp)
        )
    for m in release.months:
        figures.extend(
            SourceFigure(DATA_EXPLORER, m.line, m.iso, m.period, "", "", name, getattr(m, name))
            for name in MONTH_FIGURES
        )
    for w in release.weapons:
        figures.extend(
            SourceFigure(WEAPONS, w.line, w.iso, "", w.category, "", name, getattr(w, name))
            for name in WEAPONS_FIGURES
        )
        figures.extend(
            SourceFigure(
                WEAPONS, w.line, w.iso, "", w.category, s.name, SYSTEM_FIGURE, Decimal(s.count)
            )
            for s in w.systems
        )
    return domain.record_source(
        source=SOURCE,
        release=info.release,
        period=info.period,
        published_on=info.published_on,
        label=info.label,
        citation=info.citation,
        donors=tuple(SourceDonor(d.iso, d.name) for d in donors.values()),
        figures=tuple(figures),
    )


# --- importing ----------------------------------------------------------------------------


def import_release(
    *,
    store: Store,
    actor: Principal,
    release: KielRelease,
    where: str = "",
    dry_run: bool = False,
    progress: Progress | None = None,
    clock: Callable[[], datetime] | None = None,
) -> KielReport:
    """Record `release` as `actor` (the chair), all of it or nothing; see the module's doc."""
    require_chair(actor, "import a Kiel Tracker release")
    writing = store.write(clock=clock) if clock is not None else store.write()
    try:
        with writing as uow:
            before = uow.size
            importer = _Importer(uow, actor, release, where or release.info.label, progress)
            source = importer.run()
            report = KielReport(
                where=importer.where,
                release=release.info.release,
                dry_run=dry_run,
                source=source,
                counts={k: dict(v) for k, v in importer.counts.items()},
                entries=uow.size - before,
                changes=tuple(importer.changes),
            )
            if dry_run:
                raise _DryRun(report)
    except _DryRun as done:
        return done.report
    return report


class _Importer:
    def __init__(
        self,
        uow: UnitOfWork,
        actor: Principal,
        release: KielRelease,
        where: str,
        progress: Progress | None,
    ) -> None:
        self.uow, self.actor, self.release, self.where = uow, actor, release, where
        self.progress = progress
        self.info: ReleaseInfo = release.info
        self.counts: dict[str, Counter[str]] = {
            k: Counter() for k in ("participants", "areas", "item_types", "allocations", "weapons")
        }
        self.changes: list[str] = []
        self.done = 0
        self.total = (
            len(release.donors())
            + sum(1 for m in release.months for aid in AID_TYPES if m.amount(aid))
            + sum(len(w.systems) for w in release.weapons)
        )
        conn = uow.conn
        self.participants = {
            p.code: p for p in participants.list_participants(conn=conn, viewer=actor)
        }
        self.areas = {a.code for a in capabilities.list_areas(conn=conn, viewer=actor)}
        self.items: dict[str, ItemType] = {
            i.code: i for i in catalogue.list_items(conn=conn, viewer=actor)
        }
        self.recorded: dict[str, list[Pledge]] = defaultdict(list)
        p = t.pledges
        for pledge in rows.pledges(
            conn,
            conn.execute(
                sa.select(p).where(p.c.external_ref.like(f"{SOURCE}:%")).order_by(p.c.id)
            ).all(),
        ):
            assert pledge.external_ref is not None
            self.recorded[_base(pledge.external_ref)].append(pledge)

    # -- steps -------------------------------------------------------------------------

    def _step(self) -> None:
        self.done += 1
        if self.progress is not None and (self.done % 25 == 0 or self.done == self.total):
            self.progress(self.done, self.total)

    def _refuse(
        self, file: str, line: int, column: str, value: str, error: DomainError
    ) -> NoReturn:
        raise ReleaseRefused(self.where, [KielProblem(file, line, column, value, str(error))])

    def run(self) -> str:
        source = self._source()
        for donor in self.release.donors().values():
            line = next(m.line for m in self.release.months if m.iso == donor.iso)
            try:
                self._participant(donor.iso, donor.name, donor.gdp, date(*donor.first, 1))
            except DomainError as error:
                self._refuse(DATA_EXPLORER, line, "iso", donor.iso, error)
            self._step()
        wanted: set[str] = set()
        for month in self.release.months:
            for aid in AID_TYPES:
                if not month.amount(aid):
                    continue
                ref = allocation_ref(month.iso, month.period, aid)
                wanted.add(ref)
                try:
                    self._allocation(month, aid, ref)
                except DomainError as error:
                    self._refuse(DATA_EXPLORER, month.line, aid, str(month.amount(aid)), error)
                self._step()
        self._cancel_missing(wanted)
        for row in self.release.weapons:
            for system in row.systems:
                try:
                    self._weapons(row, system)
                except DomainError as error:
                    shown = f"{system.name} ({system.count})"
                    self._refuse(WEAPONS, row.line, "weapons_list", shown, error)
                self._step()
        return source

    # -- the source ---------------------------------------------------------------------

    def _source(self) -> str:
        conn = self.uow.conn
        latest = sources.latest_release(conn=conn, source=SOURCE)
        if (
            latest is not None
            and latest[0] != self.info.release
            and latest[1] > self.info.published_on
        ):
            raise ReleaseRefused(
                self.where,
                [
                    KielProblem(
                        "release_info.csv",
                        2,
                        "date",
                        self.info.published_on.isoformat(),
                        f"release {self.info.release} is older than release {latest[0]} "
                        f"({latest[1]}), recorded already; import the newest release",
                    )
                ],
            )
        event = source_event(self.release)
        known = sources.get_source(conn=conn, source=SOURCE, release=self.info.release)
        if known is not None and known == domain.recorded(event):
            return "unchanged"
        self.uow.append(
            event, actor=self.actor, label=PUBLIC_LABEL, owner=common.acting_for(self.actor)
        )
        return "created" if known is None else "updated"

    # -- participants, areas, item types ------------------------------------------------

    def _participant(self, iso: str, name: str, gdp: Decimal, joined_on: date) -> Participant:
        counts = self.counts["participants"]
        wanted = gdp.quantize(GDP_PLACES, rounding=ROUND_HALF_EVEN) if gdp else None
        known = self.participants.get(iso)
        if known is None:
            known = participants.register_participant(
                uow=self.uow,
                actor=self.actor,
                code=iso,
                name=name,
                kind=ParticipantKind.ORGANISATION if iso == EU_CODE else ParticipantKind.STATE,
                status=ParticipantStatus.MEMBER,
                joined_on=joined_on,
                gdp_eur_bn=wanted,
            )
            counts["created"] += 1
            self.changes.append(f"create participant {iso}")
        elif wanted is not None and known.gdp_eur_bn != wanted:
            known = participants.revise_participant(
                uow=self.uow, actor=self.actor, code=iso, gdp_eur_bn=wanted
            )
            counts["updated"] += 1
            self.changes.append(f"update participant {iso}: GDP {wanted} bn")
        else:
            counts["unchanged"] += 1
        self.participants[iso] = known
        return known

    def _area(self, code: str, name: str, description: str = "") -> str:
        if code not in self.areas:
            capabilities.define_area(
                uow=self.uow, actor=self.actor, code=code, name=name, description=description
            )
            self.areas.add(code)
            self.counts["areas"]["created"] += 1
            self.changes.append(f"create area {code}")
        return code

    def _item(self, code: str, name: str, area: str, unit: str) -> str:
        if code not in self.items:
            self.items[code] = catalogue.define_item(
                uow=self.uow,
                actor=self.actor,
                code=code,
                name=name,
                area=area,
                unit=unit,
                unit_value_eur=Decimal(0),
            )
            self.counts["item_types"]["created"] += 1
            self.changes.append(f"create item type {code}")
        return code

    # -- allocations --------------------------------------------------------------------

    def _allocation(self, month: MonthRow, aid: str, ref: str) -> None:
        counts = self.counts["allocations"]
        value = Money.eur_amount((month.amount(aid) * BILLION).quantize(CENT))
        group = self.recorded[ref]
        live = [p for p in group if p.status is not PledgeStatus.CANCELLED]
        if live:
            pledge = live[0]
            if pledge.value is not None and pledge.value.eur == value.eur:
                counts["unchanged"] += 1
                return
            pledges.revise_pledge(uow=self.uow, actor=self.actor, pledge_id=pledge.id, value=value)
            counts["updated"] += 1
            self.changes.append(f"update {ref}: EUR {value.eur}")
            return
        name, description = AREAS[aid]
        area = self._area(aid, name, description)
        item = self._item(
            allocation_item(aid), f"{name} (Kiel Tracker allocation)", area, ALLOCATION_UNIT
        )
        on = date(month.year, month.month, 1)
        made = pledges.announce_pledge(
            uow=self.uow,
            actor=self.actor,
            donor=month.iso,
            item_type=item,
            quantity=1,
            value=value,
            source=PledgeSource.FUNDING,
            years=(month.year,),
            announced_on=on,
            label=PUBLIC_LABEL,
            external_ref=self._new_ref(ref),
        )
        made = pledges.change_pledge_status(
            uow=self.uow, actor=self.actor, pledge_id=made.id, status=PledgeStatus.COMMITTED, on=on
        )
        group.append(made)
        counts["created"] += 1
        self.changes.append(f"create {ref}: EUR {value.eur}")

    def _new_ref(self, base: str) -> str:
        taken = {p.external_ref for p in self.recorded[base]}
        if base not in taken:
            return base
        n = 2
        while f"{base}#{n}" in taken:
            n += 1
        return f"{base}#{n}"

    def _cancel_missing(self, wanted: set[str]) -> None:
        reason = f"not in Kiel release {self.info.release}"
        for base, group in self.recorded.items():
            if base in wanted or base.startswith(f"{SOURCE}:weapons:"):
                continue
            for pledge in group:
                if pledge.status is PledgeStatus.CANCELLED:
                    continue
                try:
                    pledges.change_pledge_status(
                        uow=self.uow,
                        actor=self.actor,
                        pledge_id=pledge.id,
                        status=PledgeStatus.CANCELLED,
                        on=max(self.info.published_on, pledge.announced_on),
                        reason=reason,
                    )
                except DomainError as error:
                    raise ReleaseRefused(
                        self.where,
                        [KielProblem(DATA_EXPLORER, 0, "", base, f"cannot cancel: {error}")],
                    ) from None
                self.counts["allocations"]["cancelled"] += 1
                self.changes.append(f"cancel {pledge.external_ref}: {reason}")

    # -- heavy weapons ------------------------------------------------------------------

    def _weapons(self, row: WeaponsRow, system: WeaponSystem) -> None:
        counts = self.counts["weapons"]
        ref = weapons_ref(row.iso, row.category, system.name)
        group = self.recorded[ref]
        have = sum(p.quantity for p in group if p.status is not PledgeStatus.CANCELLED)
        if have >= system.count:
            counts["unchanged" if have == system.count else "kept"] += 1
            return
        area_code = slug(row.category, 40)
        if not area_code[:1].isalpha():
            raise InvalidValue("category", "A weapons category must begin with a letter.")
        area = self._area(area_code, row.category, "Heavy weapons (Kiel Tracker category)")
        code = slug(system.name, 64)
        if len(code) < 2:
            raise InvalidValue(
                "weapons_list", "A system's name needs two letters or digits to give its code."
            )
        item = self._item(code, system.name, area, WEAPON_UNIT)
        on = self.info.published_on
        quantity = system.count - have
        made = pledges.announce_pledge(
            uow=self.uow,
            actor=self.actor,
            donor=row.iso,
            item_type=item,
            quantity=quantity,
            value=Money.eur_amount(Decimal("0.00")),
            source=PledgeSource.STOCKS,
            years=(on.year,),
            announced_on=on,
            tranches=(TrancheSpec(quantity, on),),
            label=PUBLIC_LABEL,
            external_ref=self._new_ref(ref),
        )
        pledges.change_pledge_status(
            uow=self.uow, actor=self.actor, pledge_id=made.id, status=PledgeStatus.COMMITTED, on=on
        )
        deliveries.record_delivery(
            uow=self.uow,
            actor=self.actor,
            pledge_id=made.id,
            tranche=1,
            quantity=quantity,
            dispatched_on=on,
            note=f"Delivered by Kiel Tracker release {self.info.release} ({on}); the Tracker "
            "gives no date.",
            external_ref=made.external_ref,
        )
        group.append(made)
        counts["created"] += 1
        self.changes.append(f"create {made.external_ref}: {quantity} delivered")


# --- exporting ----------------------------------------------------------------------------


def export_release(*, conn: Connection, viewer: Principal, source: str = SOURCE) -> KielRelease:
    """The newest recorded release, rebuilt: allocations from the pledges `viewer` may see
    (not cancelled), the rest from the release's recorded figures."""
    latest = sources.latest_release(conn=conn, source=source)
    if latest is None:
        raise NotFound(
            "Kiel Tracker release", "recorded here; import one with `ramstein import kiel`"
        )
    found = sources.get_source(conn=conn, source=source, release=latest[0])
    assert found is not None
    names = {d.code: d.name for d in found.donors}
    gdp: dict[str, Decimal] = {}
    months: dict[int, dict[str, Decimal]] = defaultdict(dict)
    month_of: dict[int, tuple[str, str]] = {}
    weapons: dict[int, dict[str, Decimal]] = defaultdict(dict)
    weapon_of: dict[int, tuple[str, str]] = {}
    systems: dict[int, list[WeaponSystem]] = defaultdict(list)
    for f in found.figures:
        if f.file == DATA_EXPLORER and f.figure == GDP_FIGURE:
            gdp[f.donor] = f.value
        elif f.file == DATA_EXPLORER:
            months[f.line][f.figure] = f.value
            month_of[f.line] = (f.donor, f.period)
        elif f.figure == SYSTEM_FIGURE:
            systems[f.line].append(WeaponSystem(f.item, int(f.value)))
        else:
            weapons[f.line][f.figure] = f.value
            weapon_of[f.line] = (f.donor, f.category)
    p = t.pledges
    amounts = _allocations(
        rows.pledges(
            conn,
            conn.execute(
                sa.select(p).where(
                    p.c.external_ref.like(f"{source}:%"),
                    p.c.status != PledgeStatus.CANCELLED.value,
                    pledges.visible_pledges(viewer),
                )
            ).all(),
        )
    )
    info = ReleaseInfo(found.release, found.period, found.published_on, found.label)
    month_rows = []
    for line in sorted(months):
        donor, period = month_of[line]
        year, month = (int(x) for x in period.split("-"))
        got = months[line]
        month_rows.append(
            MonthRow(
                line=line,
                country=names[donor],
                iso=donor,
                year=year,
                month=month,
                financial=amounts.get((donor, period, "financial"), Decimal(0)),
                humanitarian=amounts.get((donor, period, "humanitarian"), Decimal(0)),
                military=amounts.get((donor, period, "military"), Decimal(0)),
                commitments=got["commitments"],
                to_be_allocated=got["to_be_allocated"],
                gdp=gdp[donor],
                pct_gdp=got["pct_gdp"],
            )
        )
    weapon_rows = [
        WeaponsRow(
            line=line,
            donor=names[weapon_of[line][0]],
            iso=weapon_of[line][0],
            category=weapon_of[line][1],
            number_of_weapons=weapons[line]["number_of_weapons"],
            monetary_value_eur=weapons[line]["monetary_value_eur"],
            systems=tuple(systems[line]),
        )
        for line in sorted(weapons)
    ]
    return KielRelease(info, tuple(month_rows), tuple(weapon_rows))


_ALLOCATION = re.compile(rf"^{re.escape(SOURCE)}:([A-Z0-9_-]+):(\d{{4}}-\d{{2}}):([a-z]+)$")


def _allocations(found: Iterable[Pledge]) -> dict[tuple[str, str, str], Decimal]:
    """EUR billions per (donor, YYYY-MM, aid type) of the Kiel allocation pledges."""
    out: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for pledge in found:
        if pledge.external_ref is None or pledge.value is None:
            continue
        match = _ALLOCATION.match(_base(pledge.external_ref))
        if match is None or match.group(3) not in AID_TYPES:
            continue
        key = (match.group(1), match.group(2), match.group(3))
        out[key] += pledge.value.eur / BILLION
    return dict(out)
