"""How far the pledges cover the needs, as the chair records it after each meeting.

A simple first-come allocation (pledges in the order announced, to the most urgent compatible
need, substitutions included) decides which needs are covered or partly covered; the exact
optimiser in `ramstein.matching` is for users, not for seeding the scenario.
"""

from __future__ import annotations

from collections import defaultdict

from ramstein.demo import reference
from ramstein.demo.calendar import Calendar
from ramstein.demo.lifecycle import PledgePlan
from ramstein.demo.needs import PRIORITIES, NeedPlan
from ramstein.domain.needs import NeedStatus


def plan_coverage(calendar: Calendar, needs: list[NeedPlan], pledges: list[PledgePlan]) -> None:
    """Fill each need's `statuses` with the coverage the chair records at meeting closes."""
    serves: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for s in reference.substitutions():
        serves[s.offer_type].append((s.need_type, float(s.ratio)))
    covered: dict[int, float] = defaultdict(float)
    kept = [p for p in pledges if p.cancel_on is None]
    index = 0
    for meeting in calendar.meetings:
        while index < len(kept) and kept[index].announced_on <= meeting.held_on:
            _allocate(kept[index], needs, serves, covered)
            index += 1
        day = meeting.closed_on
        for need in needs:
            if not need.open_on(day):
                continue
            fraction = covered[need.key] / need.quantity_on(day)
            if fraction >= 1:
                wanted = NeedStatus.COVERED
            elif fraction > 0:
                wanted = NeedStatus.PARTLY_COVERED
            else:
                wanted = NeedStatus.OPEN
            current = need.statuses[-1][1] if need.statuses else NeedStatus.OPEN
            if wanted is not current:
                need.statuses.append((day, wanted))


def _allocate(
    pledge: PledgePlan,
    needs: list[NeedPlan],
    serves: dict[str, list[tuple[str, float]]],
    covered: dict[int, float],
) -> None:
    ratio = {pledge.item: 1.0, **dict(serves[pledge.item])}
    day = pledge.announced_on
    candidates = sorted(
        (n for n in needs if n.item in ratio and n.open_on(day)),
        key=lambda n: (PRIORITIES.index(n.priority), n.needed_by_on(day), n.key),
    )
    left = float(pledge.quantity)
    for need in candidates:
        if left <= 0:
            break
        gap = need.quantity_on(day) - covered[need.key]
        if gap <= 0:
            continue
        used = min(left * ratio[need.item], gap)
        covered[need.key] += used
        left -= used / ratio[need.item]
