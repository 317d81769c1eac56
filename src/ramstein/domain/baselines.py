"""Fair-share baselines: an agreed annual amount shared among donor states by GDP, over a span
of years, with the counting rules that say what a donor's support counts towards it.

The rules are part of the agreement, so they are recorded with it and every revision is an
event in the log: which sources of a pledge count (stocks, procurement, funding, training,
logistics), which capability areas (every area unless the baseline names some), and how
money put into pooled funds counts (`PooledRule`). A baseline is public: the figures it
yields are computed, per viewer, from the records that viewer may see.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum

from ramstein.domain.capabilities import validate_slug
from ramstein.domain.catalogue import ItemType
from ramstein.domain.errors import InvalidValue
from ramstein.domain.events import Event, event
from ramstein.domain.pledges import Pledge, PledgeSource

NAME_LENGTH = 200
NOTE_LENGTH = 2000
LONGEST_SPAN = 30
"""The most years one baseline may span."""
CENT = Decimal("0.01")


class PooledRule(StrEnum):
    """How a donor's contributions to pooled funds count towards its share."""

    NONE = "none"
    """They do not count (nor do the funds' packages: a fund has no GDP share)."""
    CONTRIBUTED = "contributed"
    """A contribution (pledged or paid) counts for its contributor in the year it was pledged,
    whatever the fund buys with it."""
    ATTRIBUTED = "attributed"
    """The funds' packages count as pledges do (by source, area and year) and each package's
    amount is credited to the fund's contributors pro rata to their contributions: the rule
    to use when a baseline counts only some areas."""


@dataclass(frozen=True, slots=True)
class CountingRules:
    """What a donor's support counts towards a baseline."""

    sources: frozenset[PledgeSource] = frozenset(PledgeSource)
    areas: frozenset[str] = field(default_factory=frozenset)
    """The capability areas that count; empty: every area."""
    pooled: PooledRule = PooledRule.NONE

    @classmethod
    def of(
        cls,
        sources: Iterable[PledgeSource] | None = None,
        areas: Iterable[str] | None = None,
        pooled: PooledRule | None = None,
    ) -> CountingRules:
        """The rules given, each left out one as without a baseline (every source, every
        area, no pooled contributions)."""
        return cls(
            sources=frozenset(sources) if sources else frozenset(PledgeSource),
            areas=frozenset(areas or ()),
            pooled=pooled or PooledRule.NONE,
        )

    def counts(self, pledge: Pledge, items: Mapping[str, ItemType]) -> bool:
        """Whether `pledge` (cancelled or not) is of a source and area that count."""
        if pledge.source not in self.sources:
            return False
        if not self.areas:
            return True
        item = items.get(pledge.item_type)
        return item is not None and item.area in self.areas

    def describe(self) -> str:
        """The rules in words, as a read-out or a page states them."""
        sources = ", ".join(s.value for s in PledgeSource if s in self.sources) or "no pledges"
        areas = ", ".join(sorted(self.areas)) if self.areas else "every area"
        pooled = {
            PooledRule.NONE: "pooled contributions do not count",
            PooledRule.CONTRIBUTED: "pooled contributions count in the year pledged",
            PooledRule.ATTRIBUTED: "pooled funds' packages count pro rata to contributions",
        }[self.pooled]
        return f"{sources}; {areas}; {pooled}"


ALL_SOURCES = CountingRules()
"""Every pledge source, every area, no pooled contributions: the rule without a baseline."""


@dataclass(frozen=True, slots=True)
class Baseline:
    """An agreed annual amount (EUR) shared by GDP over `first_year..last_year`."""

    code: str
    name: str
    annual_eur: Decimal
    first_year: int
    last_year: int
    rules: CountingRules
    note: str = ""
    version: int = 0

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


@event("BaselineAgreed", aggregate="baseline")
@dataclass(frozen=True, slots=True)
class BaselineAgreed(Event):
    code: str
    name: str
    annual_eur: Decimal
    first_year: int
    last_year: int
    sources: frozenset[PledgeSource]
    areas: frozenset[str]
    pooled: PooledRule
    note: str

    def aggregate_id(self) -> str:
        return self.code


@event("BaselineRevised", aggregate="baseline")
@dataclass(frozen=True, slots=True)
class BaselineRevised(Event):
    """The whole agreement as revised: amount, span and counting rules."""

    code: str
    name: str
    annual_eur: Decimal
    first_year: int
    last_year: int
    sources: frozenset[PledgeSource]
    areas: frozenset[str]
    pooled: PooledRule
    note: str

    def aggregate_id(self) -> str:
        return self.code


def checked(baseline: Baseline) -> Baseline:
    """`baseline` validated, its name and note trimmed and its amount in cents."""
    name = baseline.name.strip()
    if not name:
        raise InvalidValue("name", "A baseline needs a name.")
    if len(name) > NAME_LENGTH:
        raise InvalidValue("name", f"A name has at most {NAME_LENGTH} characters.")
    if len(baseline.note) > NOTE_LENGTH:
        raise InvalidValue("note", f"A note has at most {NOTE_LENGTH} characters.")
    annual = baseline.annual_eur
    if not annual.is_finite() or annual <= 0:
        raise InvalidValue("annual_eur", f"An annual baseline must be positive ({annual}).")
    if annual != annual.quantize(CENT):
        raise InvalidValue("annual_eur", f"An annual baseline is in whole cents ({annual}).")
    first, last = baseline.first_year, baseline.last_year
    for field_, year in (("first_year", first), ("last_year", last)):
        if not 1900 <= year <= 2999:
            raise InvalidValue(field_, f"{year} is not a year this record can hold.")
    if last < first:
        raise InvalidValue(
            "last_year", f"A baseline cannot end ({last}) before it starts ({first})."
        )
    if last - first + 1 > LONGEST_SPAN:
        raise InvalidValue("last_year", f"A baseline spans at most {LONGEST_SPAN} years.")
    rules = baseline.rules
    if not rules.sources and rules.pooled is PooledRule.NONE:
        raise InvalidValue(
            "sources", "Nothing would count: name a source, or count pooled contributions."
        )
    for area in rules.areas:
        validate_slug("areas", area)
    return replace(
        baseline,
        code=validate_slug("code", baseline.code),
        name=name,
        annual_eur=annual.quantize(CENT),
        note=baseline.note.strip(),
    )


def agree(baseline: Baseline) -> BaselineAgreed:
    b = checked(baseline)
    return BaselineAgreed(
        code=b.code,
        name=b.name,
        annual_eur=b.annual_eur,
        first_year=b.first_year,
        last_year=b.last_year,
        sources=b.rules.sources,
        areas=b.rules.areas,
        pooled=b.rules.pooled,
        note=b.note,
    )


def revise(current: Baseline, revised: Baseline) -> BaselineRevised:
    """The whole agreement as `revised` states it (its code is `current`'s)."""
    b = checked(replace(revised, code=current.code))
    return BaselineRevised(
        code=b.code,
        name=b.name,
        annual_eur=b.annual_eur,
        first_year=b.first_year,
        last_year=b.last_year,
        sources=b.rules.sources,
        areas=b.rules.areas,
        pooled=b.rules.pooled,
        note=b.note,
    )
