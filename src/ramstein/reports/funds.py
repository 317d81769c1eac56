"""Pooled funds: what each fund received, what its packages delivered, and whose share of
that delivery each contributor is.

Attribution rule: a fund's packages (the pledges whose donor is the fund) are paid for by its
contributors in proportion to what each contributed (pledged or paid, not cancelled), so
what a package delivered is attributed to them in that proportion. A package's delivered
value is the units dispatched at its unit value (`reports.analytics`), in cents; each
package's value is apportioned to the cent by the largest remainder (`analytics.apportion`),
so every contributor's attributions add up, over contributors, to exactly what each package
delivered, and over packages to exactly what the fund delivered.

Need-to-know: the caller passes every counted contribution of the fund and says which ones
the viewer may see. Contributions the viewer may not see are not named: where they come from
at least `SMALL_CELL_MIN_DONORS` distinct donors they are shown as one `withheld` row; where
they come from fewer, the shares themselves would let a reader work out a single donor's
figure, so the fund's attribution is withheld (the rows keep only the amounts the viewer may
see). Packages the viewer may not see are not counted at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ramstein.domain.catalogue import ItemType
from ramstein.domain.funds import COUNTED, ContributionStatus, FundContribution
from ramstein.domain.participants import Participant
from ramstein.domain.pledges import Pledge, PledgeStatus
from ramstein.domain.releasability import SMALL_CELL_MIN_DONORS, WITHHELD
from ramstein.reports.analytics import (
    FundShare,
    _cents,
    _ratio,
    _unit_eur,
    apportion,
    pledge_eur,
)


@dataclass(frozen=True, slots=True)
class Attribution:
    """One contributor's part of a fund: what it contributed and what of the fund's
    deliveries is attributed to it (None where the attribution is withheld)."""

    contributor: str
    """A participant code, or `withheld` for the contributions the viewer may not see."""
    name: str
    contributed_eur: Decimal
    paid_eur: Decimal
    share: Decimal | None
    delivered_eur: Decimal | None


@dataclass(frozen=True, slots=True)
class FundReport:
    """One fund: its contributions, its packages, what they delivered and whose it is."""

    fund: str
    name: str
    contributions: int
    contributed_eur: Decimal
    paid_eur: Decimal
    packages: int
    packaged_eur: Decimal
    delivered_eur: Decimal
    attributions: tuple[Attribution, ...]
    attributed: bool
    """False where the attribution is withheld from this viewer (small-cell rule)."""
    unattributed_eur: Decimal
    """Delivered by packages while the fund has no counted contribution to attribute it to."""


@dataclass(frozen=True, slots=True)
class Weights:
    """A fund's counted contributions as one viewer may weigh them: per contributor, and
    those the viewer may not see under `withheld`."""

    contributions: dict[str, list[FundContribution]]
    weights: dict[str, Decimal]
    """EUR per key of `contributions`: what each key's contributions add up to."""
    hidden_donors: frozenset[str]
    attributed: bool
    """False where the hidden contributions come from fewer than `SMALL_CELL_MIN_DONORS`
    donors: shares would then reveal a single donor's figure."""


def contributor_weights(
    fund: str,
    contributions: Iterable[FundContribution],
    visible: Callable[[FundContribution], bool],
) -> Weights:
    """How `fund`'s counted contributions (of `contributions`) weigh in its attribution."""
    mine: dict[str, list[FundContribution]] = defaultdict(list)
    hidden: set[str] = set()
    for c in contributions:
        if c.fund != fund or c.status not in COUNTED:
            continue
        if visible(c):
            mine[c.contributor].append(c)
        else:
            mine[WITHHELD].append(c)
            hidden.add(c.contributor)
    return Weights(
        contributions=dict(mine),
        weights={key: _eur(cs) for key, cs in mine.items()},
        hidden_donors=frozenset(hidden),
        attributed=not hidden or len(hidden) >= SMALL_CELL_MIN_DONORS,
    )


def package_delivered_eur(package: Pledge, items: Mapping[str, ItemType]) -> Decimal:
    """What a package delivered, in cents: the units dispatched at its unit value."""
    return _cents(package.delivered * _unit_eur(package, items))


def fund_report(
    fund: Participant,
    *,
    packages: Iterable[Pledge],
    contributions: Iterable[FundContribution],
    items: Mapping[str, ItemType],
    participants: Mapping[str, Participant],
    visible: Callable[[FundContribution], bool],
) -> FundReport:
    """The report of `fund` for one viewer: `packages` are the fund's pledges the viewer may
    see, `contributions` all of the fund's contributions, `visible` says which the viewer
    may see."""
    split = contributor_weights(fund.code, contributions, visible)
    weights, attributed = split.weights, split.attributed
    whole = sum(weights.values(), Decimal(0))

    own = [p for p in packages if p.donor == fund.code]
    delivered: dict[str, Decimal] = defaultdict(Decimal)
    unattributed = Decimal(0)
    for package in own:
        value = package_delivered_eur(package, items)
        if not value:
            continue
        if not whole:
            unattributed += value
            continue
        for key, part in apportion(value, weights).items():
            delivered[key] += part

    rows = []
    for key, cs in split.contributions.items():
        if key == WITHHELD and not attributed:
            continue
        who = participants.get(key)
        name = who.name if who is not None else key
        rows.append(
            Attribution(
                contributor=key,
                name=f"{len(split.hidden_donors)} donors not releasable to you"
                if key == WITHHELD
                else name,
                contributed_eur=weights[key],
                paid_eur=_eur(c for c in cs if c.status is ContributionStatus.PAID),
                share=_ratio(weights[key] / whole) if attributed else None,
                delivered_eur=delivered[key] if attributed else None,
            )
        )
    rows.sort(key=lambda r: (r.contributor == WITHHELD, -r.contributed_eur, r.contributor))
    live = [p for p in own if p.status is not PledgeStatus.CANCELLED]
    return FundReport(
        fund=fund.code,
        name=fund.name,
        contributions=sum(
            len(cs) for key, cs in split.contributions.items() if key != WITHHELD or attributed
        ),
        contributed_eur=sum((r.contributed_eur for r in rows), Decimal(0)),
        paid_eur=sum((r.paid_eur for r in rows), Decimal(0)),
        packages=len(live),
        packaged_eur=_cents(sum((pledge_eur(p, items) for p in live), Decimal(0))),
        delivered_eur=sum((package_delivered_eur(p, items) for p in own), Decimal(0)),
        attributions=tuple(rows),
        attributed=attributed,
        unattributed_eur=unattributed,
    )


def shares_by_contributor(reports: Iterable[FundReport]) -> dict[str, FundShare]:
    """Per contributor the viewer may see, over every fund: what it contributed and its part
    of what the packages delivered (None if any fund withholds its attribution)."""
    contributed: dict[str, Decimal] = defaultdict(Decimal)
    delivered: dict[str, Decimal | None] = {}
    for report in reports:
        for a in report.attributions:
            if a.contributor == WITHHELD:
                continue
            contributed[a.contributor] += a.contributed_eur
            so_far = delivered.get(a.contributor, Decimal(0))
            delivered[a.contributor] = (
                None if so_far is None or a.delivered_eur is None else so_far + a.delivered_eur
            )
    return {code: FundShare(eur, delivered[code]) for code, eur in contributed.items()}


def _eur(contributions: Iterable[FundContribution]) -> Decimal:
    return sum((c.value.eur for c in contributions), Decimal(0))
