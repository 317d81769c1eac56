"""What will arrive, and how much of it is certain: quarterly forecasts of deliveries and
coverage, political-risk scenarios, and the firmly funded share of the next twelve months.

**Forecast.** Every tranche of a live pledge has units still to come and a date they are
expected on (today, for a tranche already overdue). Each run of a seeded Monte Carlo adds to
every such date a delay drawn from its donor's record: the days late of the donor's own
tranches promised so far (against the first date promised), or, for a donor without a record
yet, of every donor's. What arrives in each quarter, and the coverage it brings (each item
type counted up to its need, at reference values, as in `analytics.area_coverage`), is
reported planned (no delay), as the mean of the runs, and as the band between their 10th and
90th percentiles (nearest rank). The same seed gives the same figures.

**Scenarios.** A donor that stops after a date delivers nothing that would arrive after it;
a share of the donors (drawn in each run) cutting what they still have to deliver by a share
keeps the floor of the rest. A scenario runs on the same delays as the forecast it is
compared with, so in every run it takes units away and never adds any: no figure of a
scenario exceeds the forecast's. It reports each quarter's loss, the P1 needs whose expected
coverage by their needed-by date falls (units served to an item type's needs in priority,
then date order), and each area's reliance on its largest donor.

**Firmly funded.** Per area, of what is needed in the next twelve months (open and partly
covered needs due by then, overdue ones included), the share that committed, contracted or
delivering pledges are expected to deliver by then, each item type up to its need.

Pure: no I/O, no clock, no global random state.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from ramstein.domain.catalogue import ItemType
from ramstein.domain.deliveries import Delivery
from ramstein.domain.errors import InvalidValue
from ramstein.domain.needs import Need, NeedStatus, Priority
from ramstein.domain.pledges import OPEN_STATUSES, Pledge, PledgeStatus
from ramstein.reports.analytics import (
    CENT,
    RATIO,
    capped_eur,
    nearest_rank,
    pledge_eur,
    tranche_slips,
)

Quarter = tuple[int, int]
"""(year, quarter 1-4)."""

FIRM = frozenset({PledgeStatus.COMMITTED, PledgeStatus.CONTRACTED, PledgeStatus.DELIVERING})
"""Pledges whose tranches count as firm funding: a commitment or a contract stands behind them."""

LIVE_NEEDS = frozenset({NeedStatus.OPEN, NeedStatus.PARTLY_COVERED})
LOW, HIGH = 0.10, 0.90
"""The band's percentiles."""

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def quarter_of(day: date) -> Quarter:
    return day.year, (day.month - 1) // 3 + 1


def quarter_end(quarter: Quarter) -> date:
    year, q = quarter
    first_of_next = date(year + q // 4, q % 4 * 3 + 1, 1)
    return first_of_next - timedelta(days=1)


def quarter_text(quarter: Quarter) -> str:
    return f"{quarter[0]}-Q{quarter[1]}"


def quarters_from(as_of: date, count: int) -> list[Quarter]:
    """`count` quarters, the first the one `as_of` falls in."""
    year, q = quarter_of(as_of)
    out = []
    for _ in range(count):
        out.append((year, q))
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out


@dataclass(frozen=True, slots=True)
class Arrival:
    """The units of one tranche still to come, and when they are expected."""

    pledge_id: int
    tranche: int
    donor: str
    item_type: str
    area: str
    units: int
    unit_eur: Decimal
    expected_on: date
    """The tranche's expected date, or `as_of` for a tranche already overdue."""
    firm: bool


def arrivals(
    pledges: Iterable[Pledge], items: Mapping[str, ItemType], as_of: date
) -> list[Arrival]:
    """Every tranche of a live pledge with units still to come, by pledge and tranche."""
    out = []
    for pledge in sorted(pledges, key=lambda p: p.id):
        if pledge.status not in OPEN_STATUSES or not pledge.quantity:
            continue
        unit = pledge_eur(pledge, items) / pledge.quantity
        for t in sorted(pledge.tranches, key=lambda t: t.number):
            if t.quantity > t.delivered:
                out.append(
                    Arrival(
                        pledge_id=pledge.id,
                        tranche=t.number,
                        donor=pledge.donor,
                        item_type=pledge.item_type,
                        area=items[pledge.item_type].area,
                        units=t.quantity - t.delivered,
                        unit_eur=unit,
                        expected_on=max(t.expected_on, as_of),
                        firm=pledge.status in FIRM,
                    )
                )
    return out


def unscheduled_eur(pledges: Iterable[Pledge], items: Mapping[str, ItemType]) -> Decimal:
    """The value of live pledges not yet in any tranche: it has no date to forecast."""
    total = Decimal(0)
    for p in pledges:
        if p.status in OPEN_STATUSES and p.quantity > p.scheduled:
            total += pledge_eur(p, items) * (p.quantity - p.scheduled) / p.quantity
    return total.quantize(CENT)


def observed_delays(
    pledges: Iterable[Pledge], deliveries: Iterable[Delivery], as_of: date
) -> dict[str, tuple[int, ...]]:
    """Per donor, the days late of each of its tranches promised by `as_of` (0: on time)."""
    found: dict[str, list[int]] = defaultdict(list)
    for pledge, late, _ in tranche_slips(pledges, deliveries, as_of):
        found[pledge.donor].append(late)
    return {donor: tuple(sorted(days)) for donor, days in sorted(found.items())}


@dataclass(frozen=True, slots=True)
class Records:
    """What a forecast is made of: the records one viewer may see."""

    needs: Sequence[Need]
    pledges: Sequence[Pledge]
    deliveries: Sequence[Delivery]
    items: Mapping[str, ItemType]
    areas: Sequence[str] = ()
    """Capability areas to report even without a need or a pledge."""


def parse_stop(text: str) -> tuple[str, date]:
    """`DONOR:YYYY-MM-DD`, as a scenario's stop is written."""
    donor, _, day = text.rpartition(":")
    try:
        if donor:
            return donor, date.fromisoformat(day)
    except ValueError:
        pass
    raise InvalidValue("stop", f"{text!r} is not DONOR:YYYY-MM-DD (e.g. DEU:2026-06-30).")


@dataclass(frozen=True, slots=True)
class Scenario:
    """A political risk: donors that stop after a date, and a share of donors that cut."""

    stops: tuple[tuple[str, date], ...] = ()
    """(donor, day): the donor delivers nothing that would arrive after that day."""
    cut_donors: Decimal = Decimal(0)
    """The share of donors (drawn in each run) that cut what they still have to deliver ..."""
    cut_by: Decimal = Decimal(0)
    """... by this share (the floor of the rest is kept)."""

    @property
    def is_empty(self) -> bool:
        return not self.stops and not (self.cut_donors and self.cut_by)


@dataclass(frozen=True, slots=True)
class QuarterFigures:
    """One quarter of a forecast: value arriving in it (EUR), and coverage at its end."""

    quarter: str
    ends_on: date
    planned_eur: Decimal
    expected_eur: Decimal
    low_eur: Decimal
    high_eur: Decimal
    coverage_planned: Decimal | None
    """Of the need, the share delivered by the quarter's end; None without a need."""
    coverage_expected: Decimal | None
    coverage_low: Decimal | None
    coverage_high: Decimal | None


@dataclass(frozen=True, slots=True)
class AreaForecast:
    area: str
    needed_eur: Decimal
    quarters: tuple[QuarterFigures, ...]


@dataclass(frozen=True, slots=True)
class Forecast:
    as_of: date
    runs: int
    seed: int
    quarters: tuple[QuarterFigures, ...]
    """Every area together."""
    areas: tuple[AreaForecast, ...]
    later_expected_eur: Decimal
    """Expected to arrive after the last quarter (the mean of the runs)."""
    unscheduled_eur: Decimal


@dataclass(frozen=True, slots=True)
class ExposedNeed:
    """A P1 need that a scenario leaves with less expected to arrive by its needed-by date."""

    need_id: int
    item_type: str
    quantity: int
    needed_by: date
    expected_units: Decimal
    """Expected to have arrived for it by then, under the forecast."""
    scenario_units: Decimal
    """... and under the scenario."""


@dataclass(frozen=True, slots=True)
class AreaDependence:
    """How much of an area's forecast (the value expected over the quarters) rests on one donor,
    and how much of it the scenario takes away."""

    area: str
    expected_eur: Decimal
    donors: int
    top_donor: str | None
    top_donor_share: Decimal | None
    scenario_eur: Decimal
    lost_share: Decimal | None


@dataclass(frozen=True, slots=True)
class ScenarioReport:
    scenario: Scenario
    forecast: Forecast
    stressed: Forecast
    exposed: tuple[ExposedNeed, ...]
    dependence: tuple[AreaDependence, ...]


# --- the simulation -----------------------------------------------------------------------


@dataclass
class _Inputs:
    """The arrivals as arrays, and the needs they count against."""

    as_of: date
    quarters: list[Quarter]
    arrivals: list[Arrival]
    donors: list[str]
    areas: list[str]
    item_types: list[str]
    expected: Ints = field(init=False)
    units: Ints = field(init=False)
    unit_eur: Floats = field(init=False)
    donor: Ints = field(init=False)
    area: Ints = field(init=False)
    item: Ints = field(init=False)
    ends: Ints = field(init=False)

    def __post_init__(self) -> None:
        a = self.arrivals
        donor = {code: k for k, code in enumerate(self.donors)}
        area = {code: k for k, code in enumerate(self.areas)}
        item = {code: k for k, code in enumerate(self.item_types)}
        self.expected = np.array([x.expected_on.toordinal() for x in a], dtype=np.int64)
        self.units = np.array([x.units for x in a], dtype=np.int64)
        self.unit_eur = np.array([float(x.unit_eur) for x in a], dtype=np.float64)
        self.donor = np.array([donor[x.donor] for x in a], dtype=np.int64)
        self.area = np.array([area[x.area] for x in a], dtype=np.int64)
        self.item = np.array([item[x.item_type] for x in a], dtype=np.int64)
        self.ends = np.array([quarter_end(q).toordinal() for q in self.quarters], dtype=np.int64)


def _delays(
    inputs: _Inputs, delays: Mapping[str, Sequence[int]], runs: int, rng: np.random.Generator
) -> Ints:
    """(runs, arrivals) days of delay, each drawn from its donor's record (or everyone's)."""
    pooled = [d for days in delays.values() for d in days] or [0]
    # Drawn donor by donor into contiguous columns (the arrivals in donor order), then put
    # back in the arrivals' order with one gather.
    order = np.argsort(inputs.donor, kind="stable")
    counts = np.bincount(inputs.donor, minlength=len(inputs.donors))
    drawn = np.empty((runs, len(inputs.arrivals)), dtype=np.int64)
    start = 0
    for donor, count in zip(inputs.donors, counts.tolist(), strict=True):
        record = np.array(delays.get(donor) or pooled, dtype=np.int64)
        drawn[:, start : start + count] = record[rng.integers(0, len(record), size=(runs, count))]
        start += count
    return drawn[:, np.argsort(order)]


def _units(inputs: _Inputs, days: Ints, scenario: Scenario, rng: np.random.Generator) -> Ints:
    """(runs, arrivals) units that arrive under `scenario` on the days given."""
    units = np.broadcast_to(inputs.units, days.shape).copy()
    for donor, last in scenario.stops:
        if donor in inputs.donors:
            units[(inputs.donor == inputs.donors.index(donor)) & (days > last.toordinal())] = 0
    n = len(inputs.donors)
    cutting = round(float(scenario.cut_donors) * n)
    if cutting and scenario.cut_by:
        keys = rng.random((days.shape[0], n))
        chosen = np.argsort(keys, axis=1)[:, :cutting]
        cut = np.zeros((days.shape[0], n), dtype=bool)
        np.put_along_axis(cut, chosen, True, axis=1)
        hit = cut[:, inputs.donor]
        kept = np.floor(units * (1 - float(scenario.cut_by))).astype(np.int64)
        units = np.where(hit, kept, units)
    return units


def _buckets(inputs: _Inputs, days: Ints) -> Ints:
    """The quarter each arrival falls in; len(quarters) for after the last."""
    if not days.size:
        return np.zeros(days.shape, dtype=np.int64)
    first, last = int(days.min()), int(days.max())
    # days are whole: look each up in a table of the quarter of every day in their span
    table = np.searchsorted(inputs.ends, np.arange(first, last + 1), side="left")
    return table[days - first]


@dataclass
class _Needs:
    """Units needed and delivered so far, per item type."""

    needed: Floats
    delivered: Floats
    unit_value: Floats
    area: Ints
    in_area: Floats
    """(items, areas): 1 where the item type belongs to the area."""

    def coverage(self, cum_units: Floats, areas: int) -> tuple[Floats, Floats]:
        """Per run and quarter, coverage overall and per area, from (runs, items, quarters)
        cumulative units to come."""
        have = np.minimum(self.needed[None, :, None], self.delivered[None, :, None] + cum_units)
        value = have * self.unit_value[None, :, None]
        need_value = self.needed * self.unit_value
        total = need_value.sum()
        overall = (
            value.sum(axis=1) / total
            if total
            else np.full((value.shape[0], value.shape[2]), np.nan)
        )
        per_area = np.full((value.shape[0], areas, value.shape[2]), np.nan)
        for a in range(areas):
            mine = self.area == a
            whole = need_value[mine].sum()
            if whole:
                per_area[:, a] = value[:, mine].sum(axis=1) / whole
        return overall, per_area


def _needs(
    needs: Iterable[Need],
    pledges: Iterable[Pledge],
    items: Mapping[str, ItemType],
    inputs: _Inputs,
) -> _Needs:
    count = len(inputs.item_types)
    needed, delivered = np.zeros(count), np.zeros(count)
    for need in needs:
        if need.status is not NeedStatus.WITHDRAWN:
            needed[inputs.item_types.index(need.item_type)] += need.quantity
    for pledge in pledges:
        if pledge.status is not PledgeStatus.CANCELLED:
            delivered[inputs.item_types.index(pledge.item_type)] += pledge.delivered
    area = np.array([inputs.areas.index(items[c].area) for c in inputs.item_types], dtype=np.int64)
    return _Needs(
        needed=needed,
        delivered=delivered,
        unit_value=np.array([float(items[c].unit_value_eur) for c in inputs.item_types]),
        area=area,
        in_area=(area[:, None] == np.arange(len(inputs.areas))[None, :]).astype(np.float64),
    )


@dataclass
class _Run:
    """One simulation: value per quarter (and after), overall and per area, and coverage."""

    value: Floats
    """(runs, quarters + 1)"""
    area_value: Floats
    """(runs, areas, quarters + 1)"""
    coverage: Floats
    """(runs, quarters)"""
    area_coverage: Floats
    """(runs, areas, quarters)"""
    days: Ints
    units: Ints


def _simulate(inputs: _Inputs, needs: _Needs, days: Ints, units: Ints) -> _Run:
    q = len(inputs.quarters) + 1
    runs, items, areas = days.shape[0], len(inputs.item_types), len(inputs.areas)
    # every arrival's (run, item type, quarter) cell, as one flat index to add up by
    cell = _buckets(inputs, days)
    cell += inputs.item[None, :] * q
    cell += (np.arange(runs, dtype=np.int64) * (items * q))[:, None]
    flat = cell.ravel()

    def per_item(weights: Floats | Ints) -> Floats:
        totals = np.bincount(flat, weights=weights.ravel(), minlength=runs * items * q)
        return np.asarray(totals, dtype=np.float64).reshape(runs, items, q)

    item_units = per_item(units)
    area_value = np.einsum("riq,ia->raq", per_item(units * inputs.unit_eur), needs.in_area)
    value = area_value.sum(axis=1)
    cum = np.cumsum(item_units[:, :, :-1], axis=2)
    coverage, area_coverage = needs.coverage(cum, areas)
    return _Run(value, area_value, coverage, area_coverage, days, units)


def _money(value: float) -> Decimal:
    return Decimal(f"{float(value):.2f}") + 0  # + 0: no "-0.00"


def _share(value: float) -> Decimal | None:
    return None if np.isnan(value) else Decimal(f"{float(value):.6f}") + 0


def _percentile(values: Floats, p: float) -> float:
    return float(nearest_rank(np.sort(values).tolist(), p))


def _quarters(
    inputs: _Inputs, planned: Floats, runs: Floats, cov_planned: Floats, cov_runs: Floats
) -> tuple[QuarterFigures, ...]:
    out = []
    for k, quarter in enumerate(inputs.quarters):
        out.append(
            QuarterFigures(
                quarter=quarter_text(quarter),
                ends_on=quarter_end(quarter),
                planned_eur=_money(planned[k]),
                expected_eur=_money(float(runs[:, k].mean())),
                low_eur=_money(_percentile(runs[:, k], LOW)),
                high_eur=_money(_percentile(runs[:, k], HIGH)),
                coverage_planned=_share(cov_planned[k]),
                coverage_expected=_share(float(cov_runs[:, k].mean())),
                coverage_low=_share(_percentile(cov_runs[:, k], LOW)),
                coverage_high=_share(_percentile(cov_runs[:, k], HIGH)),
            )
        )
    return tuple(out)


@dataclass
class _Model:
    inputs: _Inputs
    needs: _Needs
    planned: _Run
    delays: Ints
    runs: int
    seed: int
    unscheduled: Decimal

    def run(self, scenario: Scenario) -> _Run:
        rng = np.random.default_rng([self.seed, 1])  # the scenario's own draws, the same each time
        days = self.inputs.expected[None, :] + self.delays
        return _simulate(self.inputs, self.needs, days, _units(self.inputs, days, scenario, rng))

    def report(self, run: _Run) -> Forecast:
        """The figures of `run`, beside the plan."""
        inputs, needs, planned = self.inputs, self.needs, self.planned
        need_value = needs.needed * needs.unit_value
        areas = tuple(
            AreaForecast(
                area=area,
                needed_eur=_money(float(need_value[needs.area == a].sum())),
                quarters=_quarters(
                    inputs,
                    planned.area_value[0, a],
                    run.area_value[:, a],
                    planned.area_coverage[0, a],
                    run.area_coverage[:, a],
                ),
            )
            for a, area in enumerate(inputs.areas)
        )
        return Forecast(
            as_of=inputs.as_of,
            runs=self.runs,
            seed=self.seed,
            quarters=_quarters(
                inputs, planned.value[0], run.value, planned.coverage[0], run.coverage
            ),
            areas=areas,
            later_expected_eur=_money(float(run.value[:, -1].mean())),
            unscheduled_eur=self.unscheduled,
        )


def _model(records: Records, *, as_of: date, quarters: int, runs: int, seed: int) -> _Model:
    pledges, needs, items = records.pledges, records.needs, records.items
    coming = arrivals(pledges, items, as_of)
    codes = {n.item_type for n in needs} | {p.item_type for p in pledges}
    inputs = _Inputs(
        as_of=as_of,
        quarters=quarters_from(as_of, quarters),
        arrivals=coming,
        donors=sorted({a.donor for a in coming}),
        areas=sorted(set(records.areas) | {items[c].area for c in codes}),
        item_types=sorted(codes),
    )
    demand = _needs(needs, pledges, items, inputs)
    rng = np.random.default_rng([seed, 0])
    delays = _delays(inputs, observed_delays(pledges, records.deliveries, as_of), runs, rng)
    zero = np.zeros((1, len(coming)), dtype=np.int64)
    planned = _simulate(inputs, demand, inputs.expected[None, :] + zero, inputs.units[None, :])
    return _Model(inputs, demand, planned, delays, runs, seed, unscheduled_eur(pledges, items))


def forecast(
    records: Records, *, as_of: date, quarters: int = 8, runs: int = 500, seed: int = 0
) -> Forecast:
    """Deliveries and coverage for `quarters` quarters from `as_of`'s, planned and simulated."""
    model = _model(records, as_of=as_of, quarters=quarters, runs=runs, seed=seed)
    return model.report(model.run(Scenario()))


def forecast_and_dependence(
    records: Records, *, as_of: date, quarters: int = 8, runs: int = 500, seed: int = 0
) -> tuple[Forecast, tuple[AreaDependence, ...]]:
    """The forecast, and each area's dependence on single donors in it (nothing taken away:
    the scenario figures are the forecast's)."""
    model = _model(records, as_of=as_of, quarters=quarters, runs=runs, seed=seed)
    base = model.run(Scenario())
    return model.report(base), tuple(_dependence(model.inputs, base, base))


def scenario_report(
    records: Records,
    scenario: Scenario,
    *,
    as_of: date,
    quarters: int = 8,
    runs: int = 500,
    seed: int = 0,
) -> ScenarioReport:
    """The forecast, the same forecast under `scenario`, the P1 needs it exposes and each
    area's dependence on single donors."""
    model = _model(records, as_of=as_of, quarters=quarters, runs=runs, seed=seed)
    base, hit = model.run(Scenario()), model.run(scenario)
    return ScenarioReport(
        scenario=scenario,
        forecast=model.report(base),
        stressed=model.report(hit),
        exposed=tuple(_exposed(model.inputs, model.needs.delivered, records.needs, base, hit)),
        dependence=tuple(_dependence(model.inputs, base, hit)),
    )


def _exposed(
    inputs: _Inputs, delivered: Floats, needs: Sequence[Need], base: _Run, hit: _Run
) -> list[ExposedNeed]:
    """P1 needs with fewer units expected by their needed-by date under the scenario; each
    item type's arrivals serve its needs in priority, then needed-by date, then id order."""
    ranked = sorted(
        (n for n in needs if n.status in LIVE_NEEDS),
        key=lambda n: (n.priority.value, n.needed_by, n.id),
    )
    ahead: dict[str, int] = defaultdict(int)
    out = []
    for need in ranked:
        before = ahead[need.item_type]
        ahead[need.item_type] += need.quantity
        if need.priority is not Priority.P1 or need.item_type not in inputs.item_types:
            continue
        k = inputs.item_types.index(need.item_type)
        ahead_of_it = before - int(delivered[k])  # what has arrived already serves first
        expected, stressed = (
            _served(run, inputs.item == k, need, ahead_of_it) for run in (base, hit)
        )
        if stressed < expected:
            out.append(
                ExposedNeed(
                    need_id=need.id,
                    item_type=need.item_type,
                    quantity=need.quantity,
                    needed_by=need.needed_by,
                    expected_units=_money(expected),
                    scenario_units=_money(stressed),
                )
            )
    return out


def _served(run: _Run, mine: npt.NDArray[np.bool_], need: Need, ahead: int) -> float:
    """The units expected to have arrived for `need` by its date, after `ahead` units for
    the needs ranked before it, less those delivered already (the mean of the runs)."""
    arrived = run.days[:, mine] <= need.needed_by.toordinal()
    supply = np.where(arrived, run.units[:, mine], 0).sum(axis=1)
    return float(np.clip(supply - ahead, 0, need.quantity).mean())


def _dependence(inputs: _Inputs, base: _Run, hit: _Run) -> list[AreaDependence]:
    horizon = len(inputs.quarters)
    in_horizon = _buckets(inputs, base.days) < horizon
    worth = base.units * inputs.unit_eur * in_horizon
    hit_worth = hit.units * inputs.unit_eur * (_buckets(inputs, hit.days) < horizon)
    out = []
    for a, area in enumerate(inputs.areas):
        mine = inputs.area == a
        by_donor = {
            donor: float(worth[:, mine & (inputs.donor == k)].sum(axis=1).mean())
            for k, donor in enumerate(inputs.donors)
            if (mine & (inputs.donor == k)).any()
        }
        total = sum(by_donor.values())
        top = min(by_donor, key=lambda d: (-by_donor[d], d)) if total else None
        kept = float(hit_worth[:, mine].sum(axis=1).mean())
        out.append(
            AreaDependence(
                area=area,
                expected_eur=_money(total),
                donors=sum(1 for v in by_donor.values() if v > 0),
                top_donor=top,
                top_donor_share=_share(by_donor[top] / total) if top is not None else None,
                scenario_eur=_money(kept),
                lost_share=_share(max(0.0, 1 - kept / total)) if total else None,
            )
        )
    return out


# --- firmly funded ------------------------------------------------------------------------


def a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@dataclass(frozen=True, slots=True)
class FirmFunding:
    """An area's need due in the next twelve months, and what covers it by then."""

    area: str
    needed_eur: Decimal
    firm_eur: Decimal
    """Committed, contracted or delivering tranches expected by then (each item type up to
    its need)."""
    announced_eur: Decimal
    """Tranches of pledges only announced, expected by then (up to what is left of the need)."""
    firm_share: Decimal | None
    """firm / needed."""


def firm_funding(records: Records, as_of: date) -> list[FirmFunding]:
    """Per area (every one of the records' areas, and every area with a need due), by code."""
    needs, pledges, items = records.needs, records.pledges, records.items
    until = a_year_after(as_of)
    needed: dict[str, int] = defaultdict(int)
    for need in needs:
        if need.status in LIVE_NEEDS and need.needed_by <= until:
            needed[need.item_type] += need.quantity
    firm: dict[str, int] = defaultdict(int)
    announced: dict[str, int] = defaultdict(int)
    for a in arrivals(pledges, items, as_of):
        if a.expected_on <= until:
            (firm if a.firm else announced)[a.item_type] += a.units
    rows = []
    for area in sorted(set(records.areas) | {items[c].area for c in needed}):
        mine = {c: units for c, units in needed.items() if items[c].area == area}
        need_eur = capped_eur(mine, mine, items)
        firm_eur = capped_eur(mine, firm, items)
        rest = {c: units - min(units, firm[c]) for c, units in mine.items()}
        rows.append(
            FirmFunding(
                area=area,
                needed_eur=need_eur.quantize(CENT),
                firm_eur=firm_eur.quantize(CENT),
                announced_eur=capped_eur(rest, announced, items).quantize(CENT),
                firm_share=(firm_eur / need_eur).quantize(RATIO) if need_eur else None,
            )
        )
    return rows
