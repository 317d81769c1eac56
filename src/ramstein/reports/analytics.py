"""Coalition analytics: who gave what, against a fair share, how reliably, and where an
area's support rests on one donor.

Pure functions over domain records. The caller passes only the records its viewer may see
(`ramstein.services.analytics`), so every figure is one the viewer could add up from the
records themselves; none needs the small-cell rule, which governs figures published to an
audience that may not see what they are made of.

Counting rules, the same everywhere:

- a pledge's value is its stated value in EUR (amount × rate) or, without one, its quantity
  at the item type's reference value; a unit of it is worth the value over the quantity;
- pledged: every pledge not cancelled; committed: those committed, contracted, delivering
  or delivered; delivered: the units dispatched against its tranches, at the unit value;
- a multi-year pledge counts towards each of its years in equal parts (the monthly series
  counts it, whole, in the month it was announced);
- EUR billions are given to six places, as the Kiel Institute's Ukraine Support Tracker
  publishes them (to the thousand euros).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import TypeVar

from ramstein.domain.baselines import ALL_SOURCES, CountingRules
from ramstein.domain.catalogue import ItemType
from ramstein.domain.deliveries import Delivery
from ramstein.domain.needs import Need, NeedStatus
from ramstein.domain.participants import Participant, ParticipantKind
from ramstein.domain.pledges import Pledge, PledgeStatus, YearStatus

COMMITTED = frozenset(
    {
        PledgeStatus.COMMITTED,
        PledgeStatus.CONTRACTED,
        PledgeStatus.DELIVERING,
        PledgeStatus.DELIVERED,
    }
)
CENT = Decimal("0.01")
T = TypeVar("T")
BILLION = Decimal(10) ** 9
DEFAULT_BASELINE_EUR = Decimal(40) * BILLION
"""The annual baseline allies agreed in 2024, shared by GDP."""


def pledge_eur(pledge: Pledge, items: Mapping[str, ItemType]) -> Decimal:
    """What the pledge is worth in EUR (its stated value, else quantity × reference value)."""
    if pledge.value is not None:
        return pledge.value.eur
    return pledge.quantity * items[pledge.item_type].unit_value_eur


def _unit_eur(pledge: Pledge, items: Mapping[str, ItemType]) -> Decimal:
    return pledge_eur(pledge, items) / pledge.quantity if pledge.quantity else Decimal(0)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT)


RATIO = Decimal("0.000001")


def _ratio(value: Decimal) -> Decimal:
    """Shares, percentages and indices to six places: the figures read the same everywhere."""
    return value.quantize(RATIO)


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return _ratio(part / whole) if whole else None


def nearest_rank(ordered: Sequence[T], p: float) -> T:
    """The `p` percentile (0 < p <= 1) of values sorted ascending, by nearest rank."""
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def capped_eur(
    needed: Mapping[str, int], have: Mapping[str, int], items: Mapping[str, ItemType]
) -> Decimal:
    """The value, at reference values, of what `have` covers of `needed`: each item type
    counted up to its own need, so a surplus of one does not hide a gap in another."""
    return sum(
        (min(units, have.get(c, 0)) * items[c].unit_value_eur for c, units in needed.items()),
        Decimal(0),
    )


def apportion(total: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """`total` (in cents) shared out in cents by positive `weights`, keyed as they are: each
    key gets its exact part rounded down, and the cents rounding left go one each to the
    largest remainders (ties by key), so the parts add up to `total` exactly."""
    whole = sum(weights.values(), Decimal(0))
    if whole <= 0 or any(w < 0 for w in weights.values()):
        raise ValueError(f"Apportioning needs non-negative weights with a positive sum: {weights}")
    exact = {key: total * w / whole for key, w in weights.items()}
    parts = {key: value.quantize(CENT, rounding=ROUND_DOWN) for key, value in exact.items()}
    left = int((_cents(total) - sum(parts.values(), Decimal(0))) / CENT)
    for key in sorted(exact, key=lambda k: (-(exact[k] - parts[k]), k))[:left]:
        parts[key] += CENT
    return parts


def eur_bn(value: Decimal) -> Decimal:
    """EUR as EUR billions to six places (exact for amounts in whole thousands of euros)."""
    return _ratio(value / BILLION)


# --- per donor ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DonorTotals:
    """One donor's support: EUR and units pledged, committed and delivered, and shares of
    its GDP (None without a GDP on record)."""

    donor: str
    name: str
    pledges: int
    pledged_eur: Decimal
    pledged_eur_bn: Decimal
    """The same in EUR billions to six places, as the Kiel Tracker gives a donor's total."""
    committed_eur: Decimal
    delivered_eur: Decimal
    pledged_units: int
    committed_units: int
    delivered_units: int
    gdp_eur_bn: Decimal | None
    pledged_pct_gdp: Decimal | None
    delivered_pct_gdp: Decimal | None
    to_funds_eur: Decimal
    """Contributed to pooled funds (pledged or paid), as far as the viewer may see."""
    via_funds_eur: Decimal | None
    """Its part of what the funds' packages delivered; None where a fund withholds it."""


@dataclass(frozen=True, slots=True)
class FundShare:
    """What one donor gave through pooled funds: contributed, and its attributed part of
    what their packages delivered (None where a fund withholds the attribution)."""

    contributed_eur: Decimal
    delivered_eur: Decimal | None


def donor_totals(
    pledges: Iterable[Pledge],
    items: Mapping[str, ItemType],
    participants: Iterable[Participant],
    through_funds: Mapping[str, FundShare] | None = None,
) -> list[DonorTotals]:
    """Every donor with a pledge or a contribution to a pooled fund, largest pledged value
    first. A fund's packages are its own pledges, so what a donor gives through a fund is
    beside its pledges (`to_funds_eur`, `via_funds_eur`), never added to them."""
    known = {p.code: p for p in participants}
    funded = through_funds or {}
    by_donor: dict[str, list[Pledge]] = defaultdict(list)
    for pledge in pledges:
        if pledge.status is not PledgeStatus.CANCELLED:
            by_donor[pledge.donor].append(pledge)
    for donor in funded:
        by_donor.setdefault(donor, [])
    rows = []
    for donor, given in by_donor.items():
        share = funded.get(donor, FundShare(Decimal(0), Decimal(0)))
        pledged = sum((pledge_eur(p, items) for p in given), Decimal(0))
        committed = sum((pledge_eur(p, items) for p in given if p.status in COMMITTED), Decimal(0))
        delivered = sum((p.delivered * _unit_eur(p, items) for p in given), Decimal(0))
        who = known.get(donor)
        gdp = who.gdp_eur_bn if who is not None else None
        gdp_eur = gdp * BILLION if gdp else None
        rows.append(
            DonorTotals(
                donor=donor,
                name=who.name if who is not None else donor,
                pledges=len(given),
                pledged_eur=_cents(pledged),
                pledged_eur_bn=eur_bn(pledged),
                committed_eur=_cents(committed),
                delivered_eur=_cents(delivered),
                pledged_units=sum(p.quantity for p in given),
                committed_units=sum(p.quantity for p in given if p.status in COMMITTED),
                delivered_units=sum(p.delivered for p in given),
                gdp_eur_bn=gdp,
                pledged_pct_gdp=None if gdp_eur is None else _ratio(100 * pledged / gdp_eur),
                delivered_pct_gdp=None if gdp_eur is None else _ratio(100 * delivered / gdp_eur),
                to_funds_eur=_cents(share.contributed_eur),
                via_funds_eur=None if share.delivered_eur is None else _cents(share.delivered_eur),
            )
        )
    return sorted(rows, key=lambda r: (-r.pledged_eur, -r.to_funds_eur, r.donor))


# --- by month -----------------------------------------------------------------------------

Month = tuple[int, int]
"""(year, month)."""


@dataclass(frozen=True, slots=True)
class AreaAmount:
    """What one capability area's pledges of a month are worth."""

    area: str
    eur: Decimal
    eur_bn: Decimal


@dataclass(frozen=True, slots=True)
class MonthTotal:
    """The value of the pledges announced in a month, in EUR and EUR billions, split by
    capability area (every area of the series, in code order, 0 where it had none)."""

    month: str
    """YYYY-MM."""
    pledges: int
    donors: int
    total_eur: Decimal
    total_eur_bn: Decimal
    areas: tuple[AreaAmount, ...]


def month_text(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def _next_month(month: Month) -> Month:
    year, number = month
    return (year + number // 12, number % 12 + 1)


def monthly_totals(
    pledges: Iterable[Pledge],
    items: Mapping[str, ItemType],
    *,
    first: Month | None = None,
    last: Month | None = None,
) -> list[MonthTotal]:
    """Per month of announcement, every pledge not cancelled and worth something, by area.

    The series runs without gaps from the first month with such a pledge to the last (within
    `first` and `last`, when given). A pledge worth nothing adds nothing and is not counted:
    the Kiel Tracker's heavy weapons, whose value lies inside their donor's military
    allocations, are recorded that way."""
    by_month: dict[Month, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    counted: dict[Month, int] = defaultdict(int)
    givers: dict[Month, set[str]] = defaultdict(set)
    areas: set[str] = set()
    for pledge in pledges:
        if pledge.status is PledgeStatus.CANCELLED:
            continue
        month = (pledge.announced_on.year, pledge.announced_on.month)
        if (first is not None and month < first) or (last is not None and month > last):
            continue
        value = pledge_eur(pledge, items)
        if not value:
            continue
        area = items[pledge.item_type].area
        by_month[month][area] += value
        counted[month] += 1
        givers[month].add(pledge.donor)
        areas.add(area)
    if not by_month:
        return []
    rows = []
    month, end = min(by_month), max(by_month)
    while month <= end:
        values = by_month.get(month, {})
        total = sum(values.values(), Decimal(0))
        rows.append(
            MonthTotal(
                month=month_text(month),
                pledges=counted.get(month, 0),
                donors=len(givers.get(month, ())),
                total_eur=_cents(total),
                total_eur_bn=eur_bn(total),
                areas=tuple(
                    AreaAmount(
                        a, _cents(values.get(a, Decimal(0))), eur_bn(values.get(a, Decimal(0)))
                    )
                    for a in sorted(areas)
                ),
            )
        )
        month = _next_month(month)
    return rows


# --- burden sharing -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FairShare:
    """One donor's part of an annual baseline by GDP share, and what it counted that year."""

    donor: str
    gdp_share: Decimal
    target_eur: Decimal
    counted_eur: Decimal
    """What counts towards the target: its pledges' part of the year, and `pooled_eur`."""
    attainment: Decimal
    """counted / target (1 = its fair share exactly)."""
    gap_eur: Decimal
    """What is missing to the target (0 once reached)."""
    pooled_eur: Decimal = Decimal(0)
    """The part of `counted_eur` that comes through pooled funds."""


def year_eur(pledge: Pledge, year: int, items: Mapping[str, ItemType]) -> Decimal:
    """The part of a pledge counted towards `year`: the year's planned amount where the
    pledge plans its years (nothing for a cancelled year), and what is left of its value
    shared equally by the years not planned; without a plan, its value over its years."""
    if year not in pledge.years:
        return Decimal(0)
    plan = pledge.year_plan(year)
    if plan is not None:
        return plan.amount_eur if plan.status is not YearStatus.CANCELLED else Decimal(0)
    inside = [y for y in pledge.year_plans if y.year in pledge.years]
    planned = sum((y.amount_eur for y in inside), Decimal(0))
    rest = max(Decimal(0), pledge_eur(pledge, items) - planned)
    return rest / (len(pledge.years) - len(inside))


@dataclass(frozen=True, slots=True)
class YearCommitments:
    """What the live pledges put in one year (each its part of the year, as `year_eur`
    counts it), by how firm the year's part is."""

    year: int
    committed_eur: Decimal
    indicative_eur: Decimal
    delivered_eur: Decimal
    """Years marked delivered."""
    unplanned_eur: Decimal
    """Parts of pledges that plan none of their years, or not this one: what is left of
    their value shared equally by the years they do not plan."""
    donors: int
    pledges: int

    @property
    def total_eur(self) -> Decimal:
        return self.committed_eur + self.indicative_eur + self.delivered_eur + self.unplanned_eur


def year_pledges(
    pledges: Iterable[Pledge], year: int, items: Mapping[str, ItemType]
) -> list[Pledge]:
    """The live pledges with a part of `year` (a cancelled year has none)."""
    return [
        p
        for p in pledges
        if p.status is not PledgeStatus.CANCELLED and year_eur(p, year, items) > 0
    ]


def years_ahead(pledges: Iterable[Pledge], first: int, most: int) -> range:
    """The years from `first` to the last a live pledge covers, `most` at most (`first` alone
    when no live pledge reaches it)."""
    covered = (y for p in pledges if p.status is not PledgeStatus.CANCELLED for y in p.years)
    last = min(max(covered, default=first), first + most - 1)
    return range(first, max(first, last) + 1)


def commitments_by_year(
    pledges: Iterable[Pledge], items: Mapping[str, ItemType], years: Sequence[int]
) -> list[YearCommitments]:
    """Per year, the live pledges' parts of it: committed, indicative, delivered, unplanned."""
    live = list(pledges)
    out = []
    for year in years:
        found = year_pledges(live, year, items)
        by: dict[YearStatus | None, Decimal] = defaultdict(Decimal)
        for pledge in found:
            plan = pledge.year_plan(year)
            by[None if plan is None else plan.status] += year_eur(pledge, year, items)
        out.append(
            YearCommitments(
                year=year,
                committed_eur=_cents(by[YearStatus.COMMITTED]),
                indicative_eur=_cents(by[YearStatus.INDICATIVE]),
                delivered_eur=_cents(by[YearStatus.DELIVERED]),
                unplanned_eur=_cents(by[None]),
                donors=len({p.donor for p in found}),
                pledges=len(found),
            )
        )
    return out


def fair_shares(
    *,
    year: int,
    participants: Iterable[Participant],
    pledges: Iterable[Pledge],
    items: Mapping[str, ItemType],
    baseline_eur: Decimal = DEFAULT_BASELINE_EUR,
    rules: CountingRules = ALL_SOURCES,
    pooled: Mapping[str, Decimal] | None = None,
) -> list[FairShare]:
    """Each donor state's fair share of `baseline_eur` for `year`, by its share of the GDP of
    all donor states with a GDP on record, against its pledges that `rules` count and what
    `pooled` credits it through pooled funds (`reports.baselines.pooled_credits`).

    Targets are in cents and add up to the baseline exactly (the cents left by rounding go
    to the largest remainders, ties by code).
    """
    gdp = {
        p.code: p.gdp_eur_bn
        for p in participants
        if p.gdp_eur_bn and p.kind is ParticipantKind.STATE and p.is_active
    }
    total_gdp = sum(gdp.values(), Decimal(0))
    if not total_gdp:
        return []
    counted: dict[str, Decimal] = defaultdict(Decimal)
    for pledge in pledges:
        if pledge.status is not PledgeStatus.CANCELLED and rules.counts(pledge, items):
            counted[pledge.donor] += year_eur(pledge, year, items)
    pooled = pooled or {}
    targets = apportion(baseline_eur, gdp)
    rows = []
    for code, target in targets.items():
        through_funds = pooled.get(code, Decimal(0))
        have = _cents(counted.get(code, Decimal(0))) + through_funds
        rows.append(
            FairShare(
                donor=code,
                gdp_share=_ratio(gdp[code] / total_gdp),
                target_eur=target,
                counted_eur=have,
                attainment=_ratio(have / target) if target else Decimal(0),
                gap_eur=max(Decimal(0), target - have),
                pooled_eur=through_funds,
            )
        )
    return sorted(rows, key=lambda r: (-r.target_eur, r.donor))


# --- delivery reliability -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reliability:
    """How a donor (or an area) kept its promised dates: over the tranches due by `as_of`."""

    key: str
    due: int
    on_time: int
    on_time_share: Decimal | None
    mean_slip_days: Decimal | None
    p90_slip_days: int | None
    """The 90th percentile (nearest rank) of days late; an undelivered tranche counts the
    days since its promised date."""


def tranche_slips(
    pledges: Iterable[Pledge], deliveries: Iterable[Delivery], as_of: date
) -> list[tuple[Pledge, int, bool]]:
    """(pledge, days late, on time) for every tranche of a live pledge promised by `as_of`.

    A tranche is done on the day of the dispatch that completes its quantity; it is on time
    when that day is no later than the first date promised for it.
    """
    sent: dict[tuple[int, int], list[Delivery]] = defaultdict(list)
    for d in deliveries:
        sent[(d.pledge_id, d.tranche)].append(d)
    out = []
    for pledge in pledges:
        if pledge.status is PledgeStatus.CANCELLED:
            continue
        for tranche in pledge.tranches:
            if tranche.promised_on > as_of:
                continue
            done_on = None
            total = 0
            for d in sorted(sent[(pledge.id, tranche.number)], key=lambda d: d.dispatched_on):
                total += d.quantity
                if total >= tranche.quantity:
                    done_on = d.dispatched_on
                    break
            if done_on is None:
                out.append((pledge, (as_of - tranche.promised_on).days, False))
            else:
                late = max(0, (done_on - tranche.promised_on).days)
                out.append((pledge, late, late == 0))
    return out


def _reliability(key: str, slips: Sequence[tuple[int, bool]]) -> Reliability:
    if not slips:
        return Reliability(key, 0, 0, None, None, None)
    days = sorted(s for s, _ in slips)
    on_time = sum(1 for _, ok in slips if ok)
    return Reliability(
        key=key,
        due=len(slips),
        on_time=on_time,
        on_time_share=_ratio(Decimal(on_time) / len(slips)),
        mean_slip_days=_ratio(Decimal(sum(days)) / len(days)),
        p90_slip_days=nearest_rank(days, 0.9),
    )


def reliability(
    pledges: Iterable[Pledge],
    deliveries: Iterable[Delivery],
    items: Mapping[str, ItemType],
    as_of: date,
) -> tuple[list[Reliability], list[Reliability]]:
    """Delivery reliability per donor and per capability area, by code."""
    by_donor: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    by_area: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for pledge, late, ok in tranche_slips(pledges, deliveries, as_of):
        by_donor[pledge.donor].append((late, ok))
        by_area[items[pledge.item_type].area].append((late, ok))
    return (
        [_reliability(k, v) for k, v in sorted(by_donor.items())],
        [_reliability(k, v) for k, v in sorted(by_area.items())],
    )


# --- coverage and concentration by area ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaCoverage:
    """What an area needs and what covers it, in EUR at reference values, with the share of
    its pledged value that comes from its largest donor and the Herfindahl index (0 to 1)."""

    area: str
    needed_eur: Decimal
    pledged_eur: Decimal
    delivered_eur: Decimal
    pledged_coverage: Decimal | None
    """Of what is needed, the share pledged (each item type counted up to its need)."""
    delivered_coverage: Decimal | None
    donors: int
    top_donor: str | None
    top_donor_share: Decimal | None
    concentration: Decimal | None


def area_coverage(
    needs: Iterable[Need],
    pledges: Iterable[Pledge],
    items: Mapping[str, ItemType],
    areas: Iterable[str] = (),
    delivered: Mapping[int, int] | None = None,
) -> list[AreaCoverage]:
    """Every area with a need or a pledge (and every one of `areas`), by code; `delivered`
    gives each pledge's delivered units where they are not its tranches' (at a past date)."""
    needed: dict[str, int] = defaultdict(int)
    for need in needs:
        if need.status is not NeedStatus.WITHDRAWN:
            needed[need.item_type] += need.quantity
    pledged_units: dict[str, int] = defaultdict(int)
    delivered_units: dict[str, int] = defaultdict(int)
    by_donor: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    pledged_value: dict[str, Decimal] = defaultdict(Decimal)
    delivered_value: dict[str, Decimal] = defaultdict(Decimal)
    for pledge in pledges:
        if pledge.status is PledgeStatus.CANCELLED:
            continue
        area = items[pledge.item_type].area
        value = pledge_eur(pledge, items)
        sent = pledge.delivered if delivered is None else delivered.get(pledge.id, 0)
        pledged_units[pledge.item_type] += pledge.quantity
        delivered_units[pledge.item_type] += sent
        pledged_value[area] += value
        delivered_value[area] += sent * _unit_eur(pledge, items)
        by_donor[area][pledge.donor] += value
    rows = []
    for area in sorted(set(areas) | {items[c].area for c in needed} | set(pledged_value)):
        mine = {c: units for c, units in needed.items() if items[c].area == area}
        need_eur = capped_eur(mine, mine, items)
        covered = capped_eur(mine, pledged_units, items)
        arrived = capped_eur(mine, delivered_units, items)
        givers = by_donor.get(area, {})
        total = pledged_value[area]
        shares = {d: v / total for d, v in givers.items()} if total else {}
        top = min(shares, key=lambda d: (-shares[d], d)) if shares else None
        rows.append(
            AreaCoverage(
                area=area,
                needed_eur=_cents(need_eur),
                pledged_eur=_cents(total),
                delivered_eur=_cents(delivered_value[area]),
                pledged_coverage=_share(covered, need_eur),
                delivered_coverage=_share(arrived, need_eur),
                donors=len(givers),
                top_donor=top,
                top_donor_share=_ratio(shares[top]) if top is not None else None,
                concentration=_ratio(sum((s * s for s in shares.values()), Decimal(0)))
                if shares
                else None,
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class CoveragePoint:
    """An area's coverage at the end of a day, and the capability coalitions working on it."""

    on: date
    area: str
    coalitions: tuple[str, ...]
    needed_eur: Decimal
    pledged_coverage: Decimal | None
    delivered_coverage: Decimal | None


def month_ends(first: date, last: date) -> list[date]:
    """The last day of every month from `first`'s to `last`'s."""
    out: list[date] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        following = date(year + month // 12, month % 12 + 1, 1)
        out.append(date.fromordinal(following.toordinal() - 1))
        year, month = following.year, following.month
    return out


def coverage_over_time(
    needs: Sequence[Need],
    pledges: Sequence[Pledge],
    deliveries: Sequence[Delivery],
    items: Mapping[str, ItemType],
    days: Iterable[date],
    coalitions: Mapping[str, str] | None = None,
) -> list[CoveragePoint]:
    """Each area's coverage at the end of each of `days`: the needs raised and the pledges
    announced by then, the units dispatched by then. A need or pledge is counted in its
    present state (one withdrawn or cancelled since counts at no date), so the series shows
    how today's record came together. `coalitions` maps a coalition's code to its area."""
    working: dict[str, list[str]] = defaultdict(list)
    for code, area in sorted((coalitions or {}).items()):
        working[area].append(code)
    points: list[CoveragePoint] = []
    for day in sorted(days):
        sent: dict[int, int] = defaultdict(int)
        for d in deliveries:
            if d.dispatched_on <= day:
                sent[d.pledge_id] += d.quantity
        rows = area_coverage(
            [n for n in needs if n.raised_on <= day],
            [p for p in pledges if p.announced_on <= day],
            items,
            working,
            sent,
        )
        points.extend(
            CoveragePoint(
                day,
                r.area,
                tuple(working.get(r.area, ())),
                r.needed_eur,
                r.pledged_coverage,
                r.delivered_coverage,
            )
            for r in rows
        )
    return points
