"""The donors' pledges in the scenario: about 2,000, calibrated on the Kiel Tracker.

For each meeting and donor, the pledges announced add up (in EUR, at the catalogue's
reference values) to the donor's military allocations in the Tracker for the months since the
previous meeting. Heavy weapons follow the Tracker's weapons.csv: each listed system is
pledged by its donor, in the number delivered, scaled by the share of the donor's allocations
that falls within the scenario. The rest of each donor's volume is spread over ammunition,
air defence, drones, demining, medical, energy, winter items and more. Lifecycles (tranches,
deliveries, receipts, slippage, cancellations) are synthetic.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache

from ramstein.demo import kiel, reference
from ramstein.demo.calendar import SETUP_ON, Calendar, MeetingPlan
from ramstein.demo.labels import pledge_label
from ramstein.demo.lifecycle import PledgePlan, plan_lifecycle, split_quantity
from ramstein.demo.needs import NeedPlan, nice
from ramstein.domain.pledges import CENT, Money, PledgeSource

TARGET_PLEDGES = 2000
BILLION = 1_000_000_000
FIRST_MONTH = (2022, 1)
"""The Tracker's first month: allocations before the first meeting count towards it."""
LINKED_SHARE = 0.7
"""The share of pledges announced at a meeting (the rest are announced between meetings)."""

RATES: dict[str, Decimal] = {
    # EUR per unit of the donor's currency: fixed, plausible demo rates (synthetic).
    "USD": Decimal("0.92"),
    "GBP": Decimal("1.16"),
    "NOK": Decimal("0.087"),
    "SEK": Decimal("0.088"),
    "DKK": Decimal("0.134"),
    "PLN": Decimal("0.225"),
    "CAD": Decimal("0.68"),
    "CZK": Decimal("0.0405"),
    "AUD": Decimal("0.61"),
    "JPY": Decimal("0.0064"),
    "NZD": Decimal("0.56"),
}
NON_LETHAL_AREAS = frozenset(
    {"medical", "energy", "winter", "logistics", "demining", "it", "training"}
)
SOURCES: dict[str, tuple[float, float, float]] = {
    # (stocks, procurement, funding) by area
    "air-force": (0.5, 0.4, 0.1),
    "air-defence": (0.45, 0.45, 0.1),
    "artillery": (0.5, 0.4, 0.1),
    "armour": (0.6, 0.35, 0.05),
    "maritime": (0.4, 0.5, 0.1),
    "it": (0.1, 0.5, 0.4),
    "demining": (0.1, 0.6, 0.3),
    "drones": (0.1, 0.6, 0.3),
    "ammunition": (0.5, 0.4, 0.1),
    "medical": (0.3, 0.5, 0.2),
    "energy": (0.2, 0.5, 0.3),
    "winter": (0.3, 0.5, 0.2),
    "logistics": (0.4, 0.45, 0.15),
    "training": (0.0, 0.0, 1.0),
}
SOURCE_ORDER = (PledgeSource.STOCKS, PledgeSource.PROCUREMENT, PledgeSource.FUNDING)


@cache
def _items() -> dict[str, reference.ItemSpec]:
    return {it.code: it for it in reference.items()}


def windows(calendar: Calendar) -> list[tuple[MeetingPlan, list[kiel.Month]]]:
    """Each meeting with the Tracker months whose allocations it announces."""
    out = []
    first = FIRST_MONTH
    for m in calendar.meetings:
        months = []
        year, month = first
        while (year, month) <= m.month:
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        out.append((m, months))
        first = (year, month)
    return out


def volumes(calendar: Calendar) -> dict[str, list[float]]:
    """Each pledging donor's Tracker military allocations (EUR) per meeting window."""
    allocations = kiel.military_allocations()
    out = {}
    for p in reference.participants():
        if p.pledges == "none":
            continue
        by_month = allocations.get(p.code, {})
        out[p.code] = [
            float(sum((by_month.get(mo, Decimal(0)) for mo in months), Decimal(0))) * BILLION
            for _, months in windows(calendar)
        ]
    return out


def _money(rng: random.Random, donor: str, eur: Decimal) -> Money:
    currency = next(p.currency for p in reference.participants() if p.code == donor)
    if currency and rng.random() < 0.5:
        rate = RATES[currency]
        return Money((eur / rate).quantize(CENT, rounding=ROUND_HALF_EVEN), currency, rate)
    return Money.eur_amount(eur)


class PledgePlanner:
    """Plans every pledge of the scenario from the Tracker, the catalogue and the needs."""

    def __init__(self, rng: random.Random, calendar: Calendar, needs: list[NeedPlan]) -> None:
        self.rng = rng
        self.calendar = calendar
        self.needs = needs
        self.windows = windows(calendar)
        self.volumes = volumes(calendar)
        self.pledges: list[PledgePlan] = []
        self.lethal = {p.code: p.pledges == "all" for p in reference.participants()}
        self.area_weight = {a.code: a.pledge_weight for a in reference.areas()}
        self.per_area: dict[str, int] = defaultdict(int)
        for it in reference.items():
            self.per_area[it.area] += 1
        self.offers_for: dict[str, set[str]] = defaultdict(set)
        for s in reference.substitutions():
            self.offers_for[s.need_type].add(s.offer_type)
        self.heavy_donors = {w.donor for w in kiel.heavy_weapons()}

    # --- volumes -----------------------------------------------------------------------

    def plan(self) -> list[PledgePlan]:
        heavy_value = self._heavy()
        budgets: dict[str, list[float]] = {}
        for donor, vols in self.volumes.items():
            total = sum(vols)
            if total <= 0:
                continue
            rest = max(0.0, total - heavy_value.get(donor, 0.0))
            budgets[donor] = [rest * v / total for v in vols]
        self._other(budgets)
        self.pledges.sort(key=lambda p: (p.announced_on, p.meeting is None, p.key))
        for key, p in enumerate(self.pledges):
            p.key = key
            plan_lifecycle(self.rng, p)
        return self.pledges

    def _heavy(self) -> dict[str, float]:
        """Pledges of the heavy weapons in the Tracker's weapons.csv; returns EUR by donor."""
        rng = self.rng
        value: dict[str, float] = defaultdict(float)
        for w in kiel.heavy_weapons():
            vols = self.volumes.get(w.donor)
            if vols is None or not self.lethal[w.donor] or sum(vols) <= 0:
                continue
            share = float(
                kiel.military_total(w.donor, FIRST_MONTH, self.calendar.meetings[-1].month)
            )
            share /= float(kiel.military_total(w.donor))
            count = round(w.count * share)
            if count == 0:
                continue
            parts = 1 if count < 6 else rng.randint(1, min(3, count // 3))
            item = _items()[reference.item_for_weapon(w.name)]
            for quantity in split_quantity(rng, count, parts):
                window = rng.choices(range(len(vols)), weights=vols, k=1)[0]
                self._add(w.donor, item, quantity, window, heavy=True)
                value[w.donor] += quantity * float(item.unit_value_eur)
        return value

    def _other(self, budgets: dict[str, list[float]]) -> None:
        rng = self.rng
        target = TARGET_PLEDGES - len(self.pledges)
        cells = [(d, i, v) for d, vols in budgets.items() for i, v in enumerate(vols) if v > 0]
        weight = sum(math.sqrt(v) for _, _, v in cells)
        carry: dict[str, float] = defaultdict(float)
        for donor, window, budget in cells:
            expected = target * math.sqrt(budget) / weight
            count = int(expected) + (rng.random() < expected - int(expected))
            budget += carry.pop(donor, 0.0)
            if count == 0:
                carry[donor] = budget
                continue
            shares = [rng.gammavariate(1.5, 1.0) for _ in range(count)]
            total = sum(shares)
            for s in shares:
                self._budgeted(donor, window, budget * s / total)
        for donor, budget in sorted(carry.items()):
            vols = budgets[donor]
            last = max(i for i, v in enumerate(vols) if v > 0)
            self._budgeted(donor, last, budget)

    # --- items ---------------------------------------------------------------------------

    def _needed(self, day: date) -> set[str]:
        """Items the recipient asks for on `day`, and the items that can serve them."""
        wanted = {n.item for n in self.needs if n.open_on(day) and n.needed_by_on(day) >= day}
        return wanted | {o for w in wanted for o in self.offers_for[w]}

    def _budgeted(self, donor: str, window: int, budget: float) -> None:
        meeting = self.windows[window][0]
        needed = self._needed(meeting.held_on)
        options: list[tuple[reference.ItemSpec, float]] = []
        for it in reference.items():
            if not self.lethal[donor] and it.area not in NON_LETHAL_AREAS:
                continue
            if it.heavy and donor in self.heavy_donors:
                continue  # this donor's heavy weapons come from the Tracker's list
            w = self.area_weight[it.area] / self.per_area[it.area] * it.weight
            w *= 0.3 if it.heavy else 1.0
            w *= 1.5 if it.code in needed else 1.0
            options.append((it, w))
        fits = [
            (it, w)
            for it, w in options
            if it.min_qty * float(it.unit_value_eur)
            <= budget
            <= it.max_qty * float(it.unit_value_eur)
        ]
        if fits:
            item = self.rng.choices([it for it, _ in fits], weights=[w for _, w in fits], k=1)[0]
        else:
            item = min(options, key=lambda o: _misfit(o[0], budget))[0]
        quantity = nice(budget / float(item.unit_value_eur))
        quantity = max(item.min_qty if fits else 1, min(quantity, item.max_qty))
        self._add(donor, item, quantity, window, heavy=False)

    def _add(
        self, donor: str, item: reference.ItemSpec, quantity: int, window: int, *, heavy: bool
    ) -> None:
        rng = self.rng
        meeting = self.windows[window][0]
        if rng.random() < LINKED_SHARE:
            on, linked = meeting.held_on, meeting.number
        else:
            first = max(SETUP_ON + timedelta(days=1), meeting.held_on.replace(day=1))
            last = min(self.calendar.end, _month_end(meeting.held_on))
            on = first + timedelta(days=rng.randint(0, (last - first).days))
            linked = None
        eur = (item.unit_value_eur * quantity).quantize(CENT)
        stocks, procurement, funding = SOURCES[item.area]
        if heavy:
            stocks, procurement, funding = 0.85, 0.15, 0.0
        # Support came mostly from stocks at first, then more and more from industry.
        stocks *= {2022: 2.0, 2023: 0.8}.get(on.year, 0.5)
        source = rng.choices(SOURCE_ORDER, weights=(stocks, procurement, funding), k=1)[0]
        self.pledges.append(
            PledgePlan(
                key=len(self.pledges),
                donor=donor,
                item=item.code,
                area=item.area,
                quantity=quantity,
                value=_money(rng, donor, eur),
                source=source,
                years=(on.year,),
                meeting=linked,
                announced_on=on,
                label=pledge_label(rng, donor, item.area, heavy),
                heavy=heavy,
            )
        )


def _misfit(item: reference.ItemSpec, budget: float) -> float:
    quantity = budget / float(item.unit_value_eur)
    if quantity < item.min_qty:
        return math.log(item.min_qty / quantity)
    return math.log(quantity / item.max_qty) if quantity > item.max_qty else 0.0


def _month_end(day: date) -> date:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def plan_pledges(rng: random.Random, calendar: Calendar, needs: list[NeedPlan]) -> list[PledgePlan]:
    return PledgePlanner(rng, calendar, needs).plan()


def merge_pledges(pledges: list[PledgePlan], more: list[PledgePlan]) -> list[PledgePlan]:
    """`more` pledges (planned apart, e.g. a fund's packages) among `pledges`, all in the
    order announced (coverage relies on it) and keyed by that order."""
    for extra, p in enumerate(more, start=len(pledges)):
        p.key = extra
    merged = sorted([*pledges, *more], key=lambda p: (p.announced_on, p.meeting is None, p.key))
    for key, p in enumerate(merged):
        p.key = key
    return merged
