"""A fair-share baseline year by year: each donor state's target, what its counting rules
credit it with, its attainment and its gap.

Pure functions over domain records, like `reports.analytics`: the caller passes the pledges
the viewer may see and every contribution to the funds with a predicate saying which the
viewer may see, because the pro rata rule needs a fund's whole weight (`reports.funds`).

Pooled funds under the baseline's `PooledRule`:

- `contributed`: each contribution the viewer may see, pledged or paid, counts for its
  contributor in the year it was pledged, at its EUR value;
- `attributed`: each package of a fund that the rules count (by source and area) counts for
  the year as a pledge does (`analytics.year_eur`), in cents, apportioned to the fund's
  contributors pro rata to their contributions by the largest remainder, so the credits add
  up to the packages' year amount exactly. The part of contributions the viewer may not see
  is credited to nobody; where those come from fewer than `SMALL_CELL_MIN_DONORS` donors the
  fund's packages are credited to nobody at all and the fund is named in `withheld_funds`
  (the credits would let a reader work out a single hidden figure).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ramstein.domain.baselines import Baseline, CountingRules, PooledRule
from ramstein.domain.catalogue import ItemType
from ramstein.domain.funds import FundContribution
from ramstein.domain.participants import Participant, ParticipantKind
from ramstein.domain.pledges import Pledge, PledgeStatus
from ramstein.domain.releasability import WITHHELD
from ramstein.reports.analytics import FairShare, _cents, _ratio, apportion, fair_shares, year_eur
from ramstein.reports.funds import contributor_weights


@dataclass(frozen=True, slots=True)
class PooledCredits:
    credits: dict[str, Decimal]
    """EUR, in cents, per contributor."""
    withheld_funds: tuple[str, ...]


def pooled_credits(
    *,
    year: int,
    rules: CountingRules,
    funds: Iterable[str],
    packages: Iterable[Pledge],
    contributions: Sequence[FundContribution],
    items: Mapping[str, ItemType],
    visible: Callable[[FundContribution], bool],
) -> PooledCredits:
    """What `rules` credit each contributor with through the pooled `funds` in `year`."""
    credits: dict[str, Decimal] = defaultdict(Decimal)
    withheld: list[str] = []
    if rules.pooled is PooledRule.CONTRIBUTED:
        for c in contributions:
            if c.counted and c.on.year == year and visible(c):
                credits[c.contributor] += c.value.eur
    elif rules.pooled is PooledRule.ATTRIBUTED:
        by_fund: dict[str, list[Pledge]] = defaultdict(list)
        for p in packages:
            if p.status is not PledgeStatus.CANCELLED and rules.counts(p, items):
                by_fund[p.donor].append(p)
        for fund in sorted(funds):
            amount = _cents(sum((year_eur(p, year, items) for p in by_fund[fund]), Decimal(0)))
            if not amount:
                continue
            split = contributor_weights(fund, contributions, visible)
            if not split.attributed:
                withheld.append(fund)
                continue
            if not split.weights:
                continue
            for key, part in apportion(amount, split.weights).items():
                if key != WITHHELD:
                    credits[key] += part
    return PooledCredits(
        credits={k: _cents(v) for k, v in credits.items()}, withheld_funds=tuple(withheld)
    )


@dataclass(frozen=True, slots=True)
class BaselineYear:
    year: int
    target_eur: Decimal
    """The baseline's annual amount: what the donors' targets add up to."""
    counted_eur: Decimal
    attainment: Decimal | None
    """counted / target over all donors."""
    gap_eur: Decimal
    """The donors' gaps added up (what those short of their share are missing)."""
    donors: tuple[FairShare, ...]
    withheld_funds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BaselineReport:
    baseline: Baseline
    years: tuple[BaselineYear, ...]


def baseline_report(
    baseline: Baseline,
    *,
    participants: Sequence[Participant],
    pledges: Sequence[Pledge],
    contributions: Sequence[FundContribution],
    items: Mapping[str, ItemType],
    visible: Callable[[FundContribution], bool],
    years: Iterable[int] | None = None,
) -> BaselineReport:
    """`baseline` for each of `years` (all of its years unless given)."""
    funds = [p.code for p in participants if p.kind is ParticipantKind.FUND]
    rules = baseline.rules
    fund_codes = set(funds)
    packages = [p for p in pledges if p.donor in fund_codes]
    rows = []
    for year in baseline.years if years is None else years:
        pooled = pooled_credits(
            year=year,
            rules=rules,
            funds=funds,
            packages=packages,
            contributions=contributions,
            items=items,
            visible=visible,
        )
        donors = fair_shares(
            year=year,
            participants=participants,
            pledges=pledges,
            items=items,
            baseline_eur=baseline.annual_eur,
            rules=rules,
            pooled=pooled.credits,
        )
        counted = sum((d.counted_eur for d in donors), Decimal(0))
        rows.append(
            BaselineYear(
                year=year,
                target_eur=baseline.annual_eur,
                counted_eur=counted,
                attainment=_ratio(counted / baseline.annual_eur) if donors else None,
                gap_eur=sum((d.gap_eur for d in donors), Decimal(0)),
                donors=tuple(donors),
                withheld_funds=pooled.withheld_funds,
            )
        )
    return BaselineReport(baseline, tuple(rows))
