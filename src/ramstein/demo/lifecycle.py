"""A pledge's life in the scenario: commitment, contract, tranches, deliveries and receipts.

All synthetic: most pledges are committed within weeks; orders from industry are contracted
first; tranches arrive on time or late (some with their expected date revised first, which
keeps the first promise as slippage); the recipient confirms receipt, now and then of less
than was dispatched; a few pledges are cancelled with a reason, some after part-delivery.
Many pledges budgeted over several years plan an amount per year: the year of commitment
committed, later years indicative until the donor commits them as each year starts, or cuts
one with its budget.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from ramstein.demo.labels import RECIPIENT
from ramstein.demo.needs import nice
from ramstein.domain.pledges import CENT, Money, PledgeSource, YearStatus
from ramstein.domain.releasability import Label, Releasability

CANCEL_REASONS = (
    "Export licence refused",
    "The items are no longer available from national stocks",
    "The industry contract fell through",
    "Replaced by a larger pledge of a newer system",
    "Withdrawn after a change of government priorities",
    "Could not be certified as serviceable",
)
DISCREPANCIES = (
    "{n} damaged in transit; returned to the donor for repair",
    "{n} missing on arrival; the carrier is investigating",
    "{n} failed acceptance inspection",
    "Short-shipped by {n}; the donor was informed",
)
YEAR_PLAN_SHARE = 0.4
"""The share of multi-year pledges whose donor plans an amount per year."""
YEAR_CUT_SHARE = 0.1
"""The share of later years a donor cuts (cancels) before they start."""
YEAR_COMMIT_SHARE = 0.8
"""The share of later years a donor commits as they start (the rest stay indicative)."""


@dataclass
class DeliveryPlan:
    quantity: int
    dispatched_on: date
    received_on: date | None = None
    received_quantity: int = 0
    discrepancy: str = ""
    id: int | None = None


@dataclass
class TranchePlan:
    quantity: int
    expected_on: date
    scheduled_on: date | None = None
    """None: given with the announcement; else scheduled on this date."""
    revised_on: date | None = None
    revised_expected_on: date | None = None
    deliveries: list[DeliveryPlan] = field(default_factory=list)


@dataclass(frozen=True)
class YearStep:
    """On `on`, the donor sets `year`'s part of a multi-year pledge to `amount_eur`, `status`."""

    on: date
    year: int
    amount_eur: Decimal
    status: YearStatus


@dataclass
class PledgePlan:
    """One pledge and its whole life; `id` is set once it is announced."""

    key: int
    donor: str
    item: str
    area: str
    quantity: int
    value: Money
    source: PledgeSource
    years: tuple[int, ...]
    meeting: int | None
    announced_on: date
    label: Label
    heavy: bool
    tranches: list[TranchePlan] = field(default_factory=list)
    commit_on: date | None = None
    contract_on: date | None = None
    cancel_on: date | None = None
    cancel_reason: str = ""
    year_steps: list[YearStep] = field(default_factory=list)
    id: int | None = None

    @property
    def eur(self) -> Decimal:
        return self.value.eur

    def alive_on(self, day: date) -> bool:
        """Not yet cancelled on `day`: later steps of a cancelled pledge never happen."""
        return self.cancel_on is None or day < self.cancel_on

    @property
    def delivered_on(self) -> date | None:
        """The day its last unit is dispatched, which makes it delivered (None: never)."""
        dispatches = [d for t in self.tranches for d in t.deliveries]
        if sum(d.quantity for d in dispatches) < self.quantity:
            return None
        return max(d.dispatched_on for d in dispatches)

    def open_on(self, day: date) -> bool:
        """Neither cancelled nor delivered on `day`: its terms (years) may still change."""
        done = self.delivered_on
        return self.alive_on(day) and (done is None or day < done)

    @property
    def recipient_sees(self) -> bool:
        level = self.label.level
        return level is not Releasability.RESTRICTED or RECIPIENT in self.label.named


def split_quantity(rng: random.Random, quantity: int, parts: int) -> list[int]:
    """`quantity` in up to `parts` round parts (fewer if it cannot be split)."""
    if parts <= 1 or quantity < parts:
        return [quantity]
    shares = [rng.gammavariate(2.0, 1.0) for _ in range(parts)]
    total = sum(shares)
    out = [nice(quantity * s / total) for s in shares[:-1]]
    rest = quantity - sum(out)
    if rest <= 0 or any(q <= 0 for q in out):
        return [quantity]
    return [*out, rest]


def plan_lifecycle(rng: random.Random, p: PledgePlan) -> None:
    """Commitment, contract, tranches, deliveries, receipts and perhaps cancellation."""
    a = p.announced_on
    p.commit_on = a + timedelta(days=rng.randint(0, 21))
    start = p.commit_on
    if p.source is PledgeSource.STOCKS:
        first, gap = rng.randint(10, 75), (21, 75)
    elif p.source is PledgeSource.PROCUREMENT:
        first, gap = rng.randint(180, 600), (60, 180)
    else:
        first, gap = rng.randint(120, 420), (45, 150)
    expected = a + timedelta(days=first)
    if p.source is PledgeSource.PROCUREMENT:
        latest = expected - timedelta(days=7)
        p.contract_on = min(start + timedelta(days=rng.randint(14, 90)), latest)
        p.contract_on = max(p.contract_on, start)
        start = p.contract_on
    if p.quantity == 1:
        parts = 1
    elif p.quantity <= 4:
        parts = 1 if rng.random() < 0.7 else 2
    else:
        parts = rng.choices((1, 2, 3, 4), weights=(0.6, 0.28, 0.1, 0.02), k=1)[0]
    # A few donors announce first and schedule their tranches once committed (all at once).
    later = start + timedelta(days=rng.randint(0, 7)) if rng.random() < 0.08 else None
    for number, quantity in enumerate(split_quantity(rng, p.quantity, parts)):
        if number:
            expected += timedelta(days=rng.randint(*gap))
        tranche = TranchePlan(quantity, expected)
        if later is not None:
            tranche.scheduled_on = later
            tranche.expected_on = max(expected, tranche.scheduled_on)
        p.tranches.append(tranche)
        plan_deliveries(rng, p, tranche, start)
    last_year = max(t.expected_on.year for t in p.tranches)
    # Orders delivered over several years are often, not always, budgeted over them.
    if p.source is not PledgeSource.STOCKS and last_year > a.year and rng.random() < 0.55:
        p.years = tuple(range(a.year, min(last_year, a.year + 2) + 1))
    if rng.random() < 0.045:
        _cancel(rng, p)


def plan_deliveries(rng: random.Random, p: PledgePlan, tranche: TranchePlan, start: date) -> None:
    """The dispatches of `tranche` (on time or late, perhaps revised first) and receipts."""
    earliest = max(start, tranche.scheduled_on or start) + timedelta(days=1)
    expected = tranche.expected_on
    late = rng.random() < (0.32 if p.source is PledgeSource.PROCUREMENT else 0.2)
    if late:
        dispatch = expected + timedelta(days=rng.randint(5, 120))
    else:
        dispatch = expected - timedelta(days=rng.randint(0, 10))
    dispatch = max(dispatch, earliest)
    if late and rng.random() < 0.55:
        revised_on = max(earliest, expected - timedelta(days=rng.randint(5, 25)))
        if revised_on < dispatch:
            slip = (dispatch - expected).days * rng.uniform(0.4, 1.0)
            tranche.revised_on = revised_on
            tranche.revised_expected_on = expected + timedelta(days=max(1, round(slip)))
    quantities = [tranche.quantity]
    if tranche.quantity >= 4 and rng.random() < 0.08:
        first = nice(tranche.quantity * rng.uniform(0.3, 0.7))
        if 0 < first < tranche.quantity:
            quantities = [first, tranche.quantity - first]
    for quantity in quantities:
        delivery = DeliveryPlan(quantity, dispatch)
        if p.recipient_sees and rng.random() < 0.96:
            delivery.received_on = dispatch + timedelta(days=rng.randint(1, 21))
            delivery.received_quantity = quantity
            if quantity >= 5 and rng.random() < 0.04:
                missing = rng.randint(1, max(1, quantity // 6))
                delivery.received_quantity = quantity - missing
                delivery.discrepancy = rng.choice(DISCREPANCIES).format(n=missing)
        tranche.deliveries.append(delivery)
        dispatch += timedelta(days=rng.randint(7, 45))


def _cancel(rng: random.Random, p: PledgePlan) -> None:
    dispatches = sorted(d.dispatched_on for t in p.tranches for d in t.deliveries)
    if len(dispatches) >= 2 and rng.random() < 0.35:
        k = rng.randrange(len(dispatches) - 1)
        on = dispatches[k] + timedelta(days=1)
        if on >= dispatches[-1]:
            return
    else:
        span = (dispatches[0] - p.announced_on).days - 1
        if span < 1:
            return
        on = p.announced_on + timedelta(days=rng.randint(1, span))
    p.cancel_on = on
    p.cancel_reason = rng.choice(CANCEL_REASONS)


def plan_years(rng: random.Random, pledges: list[PledgePlan]) -> None:
    """Year plans for a share of the pledges that cover several years."""
    for p in pledges:
        if len(p.years) > 1 and rng.random() < YEAR_PLAN_SHARE:
            _plan_years(rng, p)


def _plan_years(rng: random.Random, p: PledgePlan) -> None:
    """On commitment, the years up to the current one committed and later years indicative,
    adding up to most of the pledge's value (in round amounts); each later year is then
    committed as it starts, or cut in the autumn before, or left indicative."""
    on = p.commit_on or p.announced_on
    weights = [rng.uniform(0.6, 1.4) for _ in p.years]
    planned = p.eur * Decimal(rng.randint(85, 100)) / 100
    step = Decimal(10) ** max(0, p.eur.adjusted() - 2)  # three significant figures
    for year, w in zip(p.years, weights, strict=True):
        amount = (planned * Decimal(w / sum(weights)) / step).to_integral_value(ROUND_FLOOR)
        status = YearStatus.COMMITTED if year <= on.year else YearStatus.INDICATIVE
        p.year_steps.append(YearStep(on, year, (amount * step).quantize(CENT), status))
    for year in p.years:
        if year <= on.year:
            continue
        draw = rng.random()
        if draw < YEAR_CUT_SHARE:
            cut = date(year - 1, rng.randint(9, 12), rng.randint(1, 28))
            when, status = max(cut, on + timedelta(days=rng.randint(7, 60))), YearStatus.CANCELLED
        elif draw < YEAR_CUT_SHARE + YEAR_COMMIT_SHARE:
            when, status = date(year, 1, rng.randint(8, 31)), YearStatus.COMMITTED
        else:
            continue
        amount = next(s.amount_eur for s in p.year_steps if s.year == year)
        p.year_steps.append(YearStep(when, year, amount, status))
