"""The pooled fund of the scenario: donors' contributions and the packages the fund procures.

All synthetic, after the pattern of the pooled trust funds set up for Ukraine: a fund joins
the coalition in the first autumn; a handful of donors contribute (in their own currency now
and then), mostly in public, a few only coalition-wide or restricted; the fund marks most
contributions paid within weeks, one stays pledged for the next budget, one is cancelled.
With the money paid in, the fund announces a few packages at meetings — industry orders for
items the recipient asks for — which are committed, contracted and delivered in tranches
like any other pledge, so what they deliver is attributed back to the contributors.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from ramstein.demo import reference
from ramstein.demo.calendar import Calendar
from ramstein.demo.lifecycle import PledgePlan, TranchePlan, plan_deliveries, split_quantity
from ramstein.demo.needs import NeedPlan, nice
from ramstein.demo.pledges import RATES
from ramstein.domain.participants import ParticipantKind
from ramstein.domain.pledges import CENT, Money, PledgeSource
from ramstein.domain.releasability import Label, Releasability

CONTRIBUTORS = (
    # Donors that pool money for procurement (synthetic choice, after the real trust funds).
    "AUS", "BEL", "CAN", "DEU", "DNK", "EST", "FIN", "GBR", "ISL", "LTU", "LUX", "LVA", "NLD",
    "NOR", "NZL", "SWE",
)  # fmt: skip
MILLION = 1_000_000
CONTRIBUTIONS = (6, 10)
"""How many donors contribute (each once)."""
FOUNDERS = 3
"""The donors that contribute as the fund is set up; the others join over the next months."""
GDP_SHARE = (0.00003, 0.00012)
"""A contribution as a share of the contributor's GDP."""
PACKAGE_AREAS = frozenset(
    {"air-defence", "ammunition", "artillery", "drones", "demining", "medical", "energy", "winter"}
)
PACKAGES = (2, 4)
PACKAGE_LEAD_DAYS = 200
"""A package is announced at least this long before the scenario ends, to deliver within it."""
NOTES = (
    "From the national Ukraine support envelope",
    "Earmarked for air defence and ammunition",
    "Paid in one instalment",
    "",
)
CANCEL_REASONS = (
    "The appropriation lapsed at the end of the fiscal year",
    "Redirected to a bilateral procurement with the recipient",
    "Parliament did not approve the budget line",
)


@dataclass
class ContributionPlan:
    """One donor's money into the fund and what becomes of it; `id` is set once recorded."""

    contributor: str
    value: Money
    on: date
    label: Label
    note: str = ""
    paid_on: date | None = None
    cancel_on: date | None = None
    cancel_reason: str = ""
    id: int | None = None

    @property
    def counted(self) -> bool:
        """Never cancelled: it gives its contributor a share of the fund."""
        return self.cancel_on is None


@dataclass
class FundPlan:
    """The fund, the contributions it receives and the packages it announces."""

    code: str
    joined_on: date
    contributions: list[ContributionPlan] = field(default_factory=list)
    packages: list[PledgePlan] = field(default_factory=list)


def plan_fund(rng: random.Random, calendar: Calendar, needs: list[NeedPlan]) -> FundPlan:
    """The demo's pooled fund (the participant of kind fund), its contributions and packages."""
    spec = next(p for p in reference.participants() if p.kind is ParticipantKind.FUND)
    fund = FundPlan(spec.code, spec.joined_on)
    _contributions(rng, calendar, fund)
    _packages(rng, calendar, needs, fund)
    return fund


def _contributions(rng: random.Random, calendar: Calendar, fund: FundPlan) -> None:
    specs = {p.code: p for p in reference.participants()}
    who = rng.sample(CONTRIBUTORS, rng.randint(*CONTRIBUTIONS))
    plans = []
    for number, code in enumerate(who):
        spec = specs[code]
        millions = float(spec.gdp_eur_bn or 100) * rng.uniform(*GDP_SHARE) * 1000
        if spec.currency and rng.random() < 0.5:  # a round sum in its own currency
            rate = RATES[spec.currency]
            amount = Decimal(nice(millions / float(rate))) * MILLION
            value = Money(amount.quantize(CENT), spec.currency, rate)
        else:
            value = Money.eur_amount((Decimal(nice(millions)) * MILLION).quantize(CENT))
        later = (0, 30) if number < FOUNDERS else (30, 330)
        on = fund.joined_on + timedelta(days=rng.randint(*later))
        plans.append(
            ContributionPlan(
                contributor=code,
                value=value,
                on=on,
                label=Label(Releasability.PUBLIC),
                note=rng.choice(NOTES),
                paid_on=on + timedelta(days=rng.randint(14, 75)),
            )
        )
    plans.sort(key=lambda c: (c.on, c.contributor))
    # The latest stays pledged, paid with the next year's budget.
    plans[-1].paid_on = None
    plans[-1].note = f"Payment due with the {plans[-1].on.year + 1} budget"
    # A few donors publish no contribution: one restricted (to the fund), two coalition-wide.
    hidden = rng.sample(range(len(plans)), 3)
    plans[hidden[0]].label = Label(Releasability.RESTRICTED, frozenset({fund.code}))
    for i in hidden[1:]:
        plans[i].label = Label(Releasability.COALITION)
    # One public contribution, never paid, is cancelled.
    public = [
        c
        for c in plans[:-1]
        if c.label.level is Releasability.PUBLIC and c.on <= calendar.end - timedelta(days=150)
    ]
    cancelled = rng.choice(public)
    cancelled.paid_on = None
    cancelled.cancel_on = cancelled.on + timedelta(days=rng.randint(45, 150))
    cancelled.cancel_reason = rng.choice(CANCEL_REASONS)
    fund.contributions = plans


def _packages(
    rng: random.Random, calendar: Calendar, needs: list[NeedPlan], fund: FundPlan
) -> None:
    """Packages announced at meetings once money is paid in, each spending part of what the
    fund holds then (the counted contributions, less the packages before it)."""
    first_paid = min(c.paid_on for c in fund.contributions if c.paid_on is not None)
    last = calendar.end - timedelta(days=PACKAGE_LEAD_DAYS)
    meetings = [m for m in calendar.meetings if first_paid < m.held_on <= last]
    chosen = rng.sample(meetings, min(len(meetings), rng.randint(*PACKAGES)))
    chosen.sort(key=lambda m: m.number)
    items = {it.code: it for it in reference.items()}
    spent = Decimal(0)
    used: set[str] = set()
    for number, m in enumerate(chosen, start=1):
        held = sum(
            (c.value.eur for c in fund.contributions if c.counted and c.on <= m.held_on),
            Decimal(0),
        )
        share = rng.uniform(0.8, 0.95) if number == len(chosen) else rng.uniform(0.45, 0.75)
        budget = float(held - spent) * share
        fits = [
            items[code]
            for code in _wanted(needs, m.held_on)
            if code not in used
            and not items[code].heavy
            and 10 * float(items[code].unit_value_eur) <= budget
        ]
        if not fits:
            continue
        item = rng.choice(fits)
        unit = float(item.unit_value_eur)
        quantity = min(nice(budget / unit * 0.95), int(budget // unit), item.max_qty)
        if quantity < 1:
            continue
        eur = (item.unit_value_eur * quantity).quantize(CENT)
        spent += eur
        used.add(item.code)
        package = PledgePlan(
            key=number,
            donor=fund.code,
            item=item.code,
            area=item.area,
            quantity=quantity,
            value=Money.eur_amount(eur),
            source=PledgeSource.PROCUREMENT,
            years=(m.held_on.year,),
            meeting=m.number,
            announced_on=m.held_on,
            label=Label(Releasability.COALITION if rng.random() < 0.2 else Releasability.PUBLIC),
            heavy=False,
        )
        _package_lifecycle(rng, package)
        fund.packages.append(package)


def _wanted(needs: list[NeedPlan], day: date) -> list[str]:
    """The items of the areas a fund buys for that the recipient asks for on `day`."""
    return sorted(
        {
            n.item
            for n in needs
            if n.area in PACKAGE_AREAS and n.open_on(day) and n.needed_by_on(day) >= day
        }
    )


def _package_lifecycle(rng: random.Random, p: PledgePlan) -> None:
    """Committed within days, contracted with industry within weeks, delivered in two or
    three tranches from a few months on (some late), budgeted over the years it delivers."""
    p.commit_on = p.announced_on + timedelta(days=rng.randint(0, 10))
    p.contract_on = p.commit_on + timedelta(days=rng.randint(7, 40))
    expected = p.contract_on + timedelta(days=rng.randint(45, 120))
    parts = rng.randint(2, 3) if p.quantity >= 3 else 1
    for number, quantity in enumerate(split_quantity(rng, p.quantity, parts)):
        if number:
            expected += timedelta(days=rng.randint(30, 75))
        tranche = TranchePlan(quantity, expected)
        p.tranches.append(tranche)
        plan_deliveries(rng, p, tranche, p.contract_on)
    last_year = max(t.expected_on.year for t in p.tranches)
    p.years = tuple(range(p.announced_on.year, min(last_year, p.announced_on.year + 2) + 1))
