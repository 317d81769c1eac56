"""The scenario's timeline: commands to run, each at a simulated date, in a stable order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

Command = Callable[..., object]
"""A service call bound to its arguments but the unit of work, which it takes as `uow=`."""


class Phase:
    """Within one day: set-up, meetings open, needs, pledges, follow-up, attendance, decisions."""

    SETUP = 0
    MEETING = 1
    NEEDS = 2
    ANNOUNCE = 3
    FOLLOW_UP = 4
    RECEIPT = 5
    ATTENDANCE = 6
    DECIDE = 7


@dataclass(order=True, frozen=True, slots=True)
class Step:
    """One service command at one simulated moment."""

    on: date
    phase: int
    order: int
    run: Command = field(compare=False)


class Timeline:
    """Collects steps in any order; hands them back by date, phase and insertion order.

    Steps dated after `end` are dropped: the scenario stops there, leaving later lifecycles
    (deliveries, receipts) where they stood on that day.
    """

    def __init__(self, end: date) -> None:
        self.end = end
        self._steps: list[Step] = []

    def add(self, on: date, phase: int, run: Command) -> None:
        if on <= self.end:
            self._steps.append(Step(on, phase, len(self._steps), run))

    def __len__(self) -> int:
        return len(self._steps)

    def by_month(self) -> Iterator[tuple[tuple[int, int], list[Step]]]:
        """The steps in order, grouped by simulated month (one unit of work each)."""
        ordered = sorted(self._steps)
        for month, steps in groupby(ordered, key=lambda s: (s.on.year, s.on.month)):
            yield month, list(steps)
