"""The recipient's needs in the scenario: about 300 across areas and priorities (synthetic).

Needs are raised before each meeting; some are revised later, a few withdrawn. Their coverage
(covered, partly covered) is worked out from the pledges announced for them and recorded by
the chair after each meeting.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from ramstein.demo import reference
from ramstein.demo.calendar import Calendar
from ramstein.demo.labels import need_label
from ramstein.domain.needs import NeedStatus, Priority
from ramstein.domain.releasability import Label

NEEDS = 300
PRIORITIES = (Priority.P1, Priority.P2, Priority.P3, Priority.P4)
PRIORITY_SHARES = (0.22, 0.34, 0.29, 0.15)
LEAD_TIME = {  # days between raising a need and needing it, by priority
    Priority.P1: (21, 90),
    Priority.P2: (45, 180),
    Priority.P3: (90, 270),
    Priority.P4: (120, 365),
}

RATIONALES: dict[str, tuple[str, ...]] = {
    "air-force": ("Build up the fighter fleet", "Keep the air force flying"),
    "air-defence": (
        "Protect cities and critical infrastructure against missiles and drones",
        "Replenish interceptors after massed strikes",
        "Cover the front-line brigades against glide bombs",
    ),
    "artillery": (
        "Sustain counter-battery fire",
        "Replace worn-out barrels and lost guns",
        "Equip the artillery of new brigades",
    ),
    "armour": ("Equip new mechanised brigades", "Replace combat losses"),
    "maritime": ("Keep the grain corridor open", "Defend the coast and river crossings"),
    "it": ("Secure the command network", "Restore communications after strikes"),
    "demining": ("Clear liberated territory", "Open routes for farmers and repair crews"),
    "drones": ("Scale up drone units at the front", "Reconnaissance for artillery units"),
    "ammunition": ("Sustain the defence of the front line", "Stock for the coming offensive"),
    "medical": ("Treat the wounded close to the front", "Supply military hospitals"),
    "energy": ("Keep hospitals and water supply running", "Repair the grid after strikes"),
    "winter": ("Winterise units on the front line",),
    "logistics": ("Move supplies to the front", "Protect soldiers and keep vehicles running"),
    "training": ("Train new brigades abroad", "Train crews for donated systems"),
}
WITHDRAWALS = (
    "Superseded by a revised request",
    "Requirement met from national production",
    "No longer needed after a change of plans",
)


@dataclass
class NeedRevision:
    on: date
    quantity: int
    priority: Priority
    needed_by: date


@dataclass
class NeedPlan:
    """One need of the recipient and what happens to it; `id` is set once it is submitted."""

    key: int
    item: str
    area: str
    quantity: int
    priority: Priority
    raised_on: date
    needed_by: date
    rationale: str
    label: Label
    meeting: int
    revisions: list[NeedRevision] = field(default_factory=list)
    withdrawn_on: date | None = None
    withdraw_reason: str = ""
    statuses: list[tuple[date, NeedStatus]] = field(default_factory=list)
    id: int | None = None

    def quantity_on(self, day: date) -> int:
        quantity = self.quantity
        for r in self.revisions:
            if r.on <= day:
                quantity = r.quantity
        return quantity

    def needed_by_on(self, day: date) -> date:
        needed_by = self.needed_by
        for r in self.revisions:
            if r.on <= day:
                needed_by = r.needed_by
        return needed_by

    def open_on(self, day: date) -> bool:
        return self.raised_on <= day and (self.withdrawn_on is None or day < self.withdrawn_on)


def nice(quantity: float) -> int:
    """A quantity as people state it: two significant figures from 100 upwards."""
    if quantity < 100:
        return max(1, round(quantity))
    digits = 10 ** (int(math.log10(quantity)) - 1)
    return int(round(quantity / digits) * digits)


def _weighted(rng: random.Random, options: list[str], weights: list[float]) -> str:
    return rng.choices(options, weights=weights, k=1)[0]


def plan_needs(rng: random.Random, calendar: Calendar) -> list[NeedPlan]:
    items = reference.items()
    per_area: dict[str, int] = defaultdict(int)
    for it in items:
        per_area[it.area] += 1
    weight_of = {a.code: a.need_weight for a in reference.areas()}
    codes = [it.code for it in items]
    weights = [weight_of[it.area] / per_area[it.area] * it.weight for it in items]
    by_code = {it.code: it for it in items}
    meetings = calendar.meetings
    # More needs early on (the first requests) and before winter.
    shares = [
        1.6 if m.number <= 3 else 1.3 if m.held_on.month in (9, 10, 11) else 1.0 for m in meetings
    ]
    counts = [round(NEEDS * s / sum(shares)) for s in shares]
    needs: list[NeedPlan] = []
    for meeting, count in zip(meetings, counts, strict=True):
        for _ in range(count):
            code = _weighted(rng, codes, weights)
            item = by_code[code]
            priority = rng.choices(PRIORITIES, weights=PRIORITY_SHARES, k=1)[0]
            low, high = LEAD_TIME[priority]
            raised_on = max(meeting.invited_on, meeting.held_on - timedelta(days=rng.randint(2, 9)))
            # The recipient asks for more than any one donor gives (synthetic quantities).
            low_qty = math.log(max(item.min_qty, item.max_qty / 40))
            quantity = nice(5 * math.exp(rng.uniform(low_qty, math.log(item.max_qty))))
            need = NeedPlan(
                key=len(needs),
                item=code,
                area=item.area,
                quantity=quantity,
                priority=priority,
                raised_on=raised_on,
                needed_by=raised_on + timedelta(days=rng.randint(low, high)),
                rationale=rng.choice(RATIONALES[item.area]),
                label=need_label(rng, item.area),
                meeting=meeting.number,
            )
            _plan_changes(rng, need, calendar)
            needs.append(need)
    return needs


def _plan_changes(rng: random.Random, need: NeedPlan, calendar: Calendar) -> None:
    later = [m for m in calendar.meetings if m.held_on > need.raised_on + timedelta(days=14)]
    if later and rng.random() < 0.22:
        meeting = rng.choice(later[:4])
        on = meeting.held_on - timedelta(days=rng.randint(1, 5))
        index = PRIORITIES.index(need.priority)
        raise_it = rng.random() < 0.5 and index > 0
        need.revisions.append(
            NeedRevision(
                on=on,
                quantity=nice(need.quantity * rng.choice((0.5, 0.75, 1.25, 1.5, 2.0))),
                priority=PRIORITIES[index - 1] if raise_it else need.priority,
                needed_by=max(need.needed_by, on) + timedelta(days=rng.choice((0, 30, 60))),
            )
        )
    if later and rng.random() < 0.06:
        meeting = rng.choice(later[:6])
        need.withdrawn_on = meeting.closed_on
        need.withdraw_reason = rng.choice(WITHDRAWALS)
