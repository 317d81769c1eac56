"""Fair-share baselines year by year, with their counting rules, on a small coalition worked
by hand.

DEU (GDP 300) and POL (GDP 100) share EUR 1,000,000.00 a year: targets 750,000.00 and
250,000.00. DEU pledged 100 shells from stocks for 2025-2026 (EUR 100,000, so 50,000 a
year); POL pledged training worth EUR 20,000 for 2025 and 10 drones it will buy (EUR 5,000,
2025). The pooled fund PF has DEU's EUR 300 (2025, paid) and POL's EUR 100 (2025) and EUR 50
(2026); its package of 2 drones (EUR 1,000.00, 2025) splits 300 : 150, so 666.67 to DEU and
333.33 to POL, to the cent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ramstein.domain.baselines import Baseline, CountingRules, PooledRule
from ramstein.domain.catalogue import ItemType
from ramstein.domain.funds import ContributionStatus, FundContribution
from ramstein.domain.participants import Participant, ParticipantKind, ParticipantStatus
from ramstein.domain.pledges import Money, Pledge, PledgeSource, PledgeStatus
from ramstein.domain.releasability import PUBLIC_LABEL, Label, Releasability
from ramstein.reports.baselines import BaselineReport, baseline_report

D = Decimal
ITEMS = {
    "shell": ItemType("shell", "155mm shell", "artillery", "round", D(1000)),
    "drone": ItemType("drone", "Drone", "drones", "system", D(500)),
    "course": ItemType("course", "Training course", "training", "course", D(2000)),
}


def _member(code: str, kind: ParticipantKind, gdp: str | None = None) -> Participant:
    return Participant(
        code,
        code,
        kind,
        ParticipantStatus.MEMBER,
        date(2020, 1, 1),
        gdp_eur_bn=D(gdp) if gdp is not None else None,
    )


PARTICIPANTS = [
    _member("DEU", ParticipantKind.STATE, "300"),
    _member("POL", ParticipantKind.STATE, "100"),
    _member("PF", ParticipantKind.FUND),
]


def _pledge(
    pid: int,
    donor: str,
    item: str,
    quantity: int,
    source: PledgeSource,
    years: tuple[int, ...] = (2025,),
) -> Pledge:
    return Pledge(
        id=pid,
        donor=donor,
        item_type=item,
        quantity=quantity,
        value=None,
        source=source,
        years=years,
        meeting=None,
        announced_on=date(2025, 1, 10),
        status=PledgeStatus.COMMITTED,
        label=PUBLIC_LABEL,
        tranches=(),
    )


PLEDGES = [
    _pledge(1, "DEU", "shell", 100, PledgeSource.STOCKS, (2025, 2026)),
    _pledge(2, "POL", "course", 10, PledgeSource.TRAINING),
    _pledge(3, "POL", "drone", 10, PledgeSource.PROCUREMENT),
    _pledge(4, "PF", "drone", 2, PledgeSource.PROCUREMENT),
]


def _given(
    cid: int,
    who: str,
    eur: str,
    on: date,
    status: ContributionStatus = ContributionStatus.PLEDGED,
    label: Label = PUBLIC_LABEL,
) -> FundContribution:
    return FundContribution(
        id=cid,
        fund="PF",
        contributor=who,
        value=Money.eur_amount(D(eur)),
        on=on,
        status=status,
        status_on=on,
        label=label,
    )


CONTRIBUTIONS = [
    _given(1, "DEU", "300", date(2025, 2, 1), ContributionStatus.PAID),
    _given(2, "POL", "100", date(2025, 3, 1)),
    _given(3, "POL", "50", date(2026, 1, 5)),
    _given(4, "DEU", "999", date(2025, 4, 1), ContributionStatus.CANCELLED),
]


def _report(
    rules: CountingRules,
    *,
    contributions: Sequence[FundContribution] = CONTRIBUTIONS,
    visible: Callable[[FundContribution], bool] = lambda c: True,
    annual: str = "1000000.00",
) -> BaselineReport:
    baseline = Baseline("b", "B", D(annual), 2025, 2026, rules)
    return baseline_report(
        baseline,
        participants=PARTICIPANTS,
        pledges=PLEDGES,
        contributions=contributions,
        items=ITEMS,
        visible=visible,
    )


def _counted(found: BaselineReport) -> dict[int, dict[str, tuple[Decimal, Decimal]]]:
    return {y.year: {d.donor: (d.counted_eur, d.pooled_eur) for d in y.donors} for y in found.years}


def test_every_source_counts_by_default_and_targets_follow_gdp() -> None:
    found = _report(CountingRules())
    y2025, y2026 = found.years
    assert [(d.donor, d.target_eur) for d in y2025.donors] == [
        ("DEU", D("750000.00")),
        ("POL", D("250000.00")),
    ]
    # POL: training 20,000 + drones 5,000; the fund's package counts for nobody.
    assert _counted(found) == {
        2025: {"DEU": (D("50000.00"), D(0)), "POL": (D("25000.00"), D(0))},
        2026: {"DEU": (D("50000.00"), D(0)), "POL": (D("0.00"), D(0))},
    }
    assert y2025.counted_eur == D("75000.00")
    assert y2025.gap_eur == D("700000.00") + D("225000.00")
    assert y2025.attainment == D("0.075000")
    deu = y2025.donors[0]
    assert (deu.attainment, deu.gap_eur) == (D("0.066667"), D("700000.00"))


def test_sources_and_areas_are_the_baselines_rules() -> None:
    no_training = _report(CountingRules.of([PledgeSource.STOCKS, PledgeSource.PROCUREMENT]))
    assert _counted(no_training)[2025]["POL"] == (D("5000.00"), D(0))
    drones_only = _report(CountingRules.of(areas=["drones"]))
    assert _counted(drones_only)[2025] == {"DEU": (D("0.00"), D(0)), "POL": (D("5000.00"), D(0))}


def test_contributions_count_in_the_year_they_were_pledged() -> None:
    found = _counted(_report(CountingRules.of(pooled=PooledRule.CONTRIBUTED)))
    # DEU's cancelled EUR 999 does not count; POL's EUR 50 counts in 2026.
    assert found[2025] == {
        "DEU": (D("50300.00"), D("300.00")),
        "POL": (D("25100.00"), D("100.00")),
    }
    assert found[2026]["POL"] == (D("50.00"), D("50.00"))


def test_attributed_packages_are_credited_pro_rata_to_the_cent() -> None:
    rules = CountingRules.of(areas=["drones"], pooled=PooledRule.ATTRIBUTED)
    found = _counted(_report(rules))
    assert found[2025] == {
        "DEU": (D("666.67"), D("666.67")),
        "POL": (D("5333.33"), D("333.33")),
    }
    # The package covers 2025 only, and an area that does not count credits nobody.
    assert found[2026]["DEU"] == (D("0.00"), D("0.00"))
    artillery = _counted(
        _report(CountingRules.of(areas=["artillery"], pooled=PooledRule.ATTRIBUTED))
    )
    assert artillery[2025]["POL"] == (D("0.00"), D("0.00"))


def test_a_hidden_contribution_withholds_the_funds_credit() -> None:
    secret = _given(5, "NLD", "150", date(2025, 5, 1), label=Label(Releasability.RESTRICTED))
    rules = CountingRules.of(pooled=PooledRule.ATTRIBUTED)
    found = _report(rules, contributions=[*CONTRIBUTIONS, secret], visible=lambda c: c.id != 5)
    year = found.years[0]
    assert year.withheld_funds == ("PF",)
    assert {d.donor: d.pooled_eur for d in year.donors} == {"DEU": D(0), "POL": D(0)}
    # Seen whole, NLD's share dilutes DEU's and POL's: 1000 x 300/600 and 1000 x 150/600.
    whole = _report(rules, contributions=[*CONTRIBUTIONS, secret]).years[0]
    assert whole.withheld_funds == ()
    assert {d.donor: d.pooled_eur for d in whole.donors} == {
        "DEU": D("500.00"),
        "POL": D("250.00"),
    }
    # Under `contributed`, what the viewer may not see simply does not count.
    contributed = _report(
        CountingRules.of(pooled=PooledRule.CONTRIBUTED),
        contributions=[*CONTRIBUTIONS, secret],
        visible=lambda c: c.id != 5,
    )
    assert contributed.years[0].withheld_funds == ()


@settings(max_examples=150, deadline=None)
@given(
    gdps=st.lists(st.integers(1, 10**6), min_size=1, max_size=12),
    cents=st.integers(1, 10**14),
)
def test_targets_add_up_to_the_baseline_every_year(gdps: list[int], cents: int) -> None:
    people = [_member(f"S{i:02d}", ParticipantKind.STATE, str(g)) for i, g in enumerate(gdps)]
    annual = D(cents) / 100
    found = baseline_report(
        Baseline("b", "B", annual, 2025, 2027, CountingRules()),
        participants=people,
        pledges=[],
        contributions=[],
        items=ITEMS,
        visible=lambda c: True,
    )
    for year in found.years:
        assert sum(d.target_eur for d in year.donors) == annual
        assert year.gap_eur == annual
