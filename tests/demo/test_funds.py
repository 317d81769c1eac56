"""The demo's pooled fund: contributions from several donors, packages that deliver, and
what they deliver attributed back to the contributors."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from ramstein.demo.build import DemoSummary
from ramstein.demo.scenario import BASELINE, plan_scenario
from ramstein.domain.deliveries import DeliveryStatus
from ramstein.domain.funds import ContributionStatus, FundContribution
from ramstein.domain.participants import ParticipantKind
from ramstein.domain.pledges import Pledge, PledgeStatus
from ramstein.domain.releasability import PUBLIC_VIEWER, WITHHELD, Principal, Releasability
from ramstein.services import baselines, deliveries, funds, participants, pledges
from ramstein.store.engine import Store

FUND = "PUF"
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def contributions(demo_store: Store, chair_viewer: Principal) -> list[FundContribution]:
    with demo_store.read() as conn:
        return funds.list_contributions(conn=conn, viewer=chair_viewer, fund=FUND)


@pytest.fixture(scope="module")
def packages(demo_store: Store, chair_viewer: Principal) -> list[Pledge]:
    with demo_store.read() as conn:
        return pledges.list_pledges(conn=conn, viewer=chair_viewer, donor=FUND)


def test_the_fund_is_a_participant_of_kind_fund(
    demo_store: Store, demo_summary: DemoSummary, chair_viewer: Principal
) -> None:
    with demo_store.read() as conn:
        everyone = participants.list_participants(conn=conn, viewer=chair_viewer)
    found = [p for p in everyone if p.kind is ParticipantKind.FUND]
    assert [p.code for p in found] == [FUND]
    assert found[0].name == "Alliance Pooled Procurement Fund"
    assert found[0].is_active
    assert demo_summary.contributions > 0


def test_several_donors_contribute_at_several_labels(
    demo_store: Store, demo_summary: DemoSummary, contributions: list[FundContribution]
) -> None:
    with demo_store.read() as conn:
        fund = participants.get_participant(conn=conn, viewer=PUBLIC_VIEWER, code=FUND)
    assert 6 <= len(contributions) <= 10
    assert len({c.contributor for c in contributions}) == len(contributions)  # one each
    assert demo_summary.contributions == len(contributions)
    for c in contributions:  # after the fund is set up, within the scenario
        assert fund.joined_on <= c.on <= c.status_on <= date(2024, 3, 31)
    levels = Counter(c.label.level for c in contributions)
    assert levels[Releasability.PUBLIC] > len(contributions) / 2
    assert levels[Releasability.COALITION] >= 1 and levels[Releasability.RESTRICTED] == 1
    restricted = next(c for c in contributions if c.label.level is Releasability.RESTRICTED)
    assert FUND in restricted.label.named  # the fund always sees the money it manages
    statuses = Counter(c.status for c in contributions)
    assert statuses[ContributionStatus.PAID] > len(contributions) / 2
    assert statuses[ContributionStatus.CANCELLED] == 1
    cancelled = next(c for c in contributions if c.status is ContributionStatus.CANCELLED)
    assert cancelled.reason
    assert {c.value.currency for c in contributions} > {"EUR"}  # some in their own currency


def test_the_public_sees_only_public_contributions(
    demo_store: Store, contributions: list[FundContribution]
) -> None:
    with demo_store.read() as conn:
        seen = funds.list_contributions(conn=conn, viewer=PUBLIC_VIEWER, fund=FUND)
    public = {c.id for c in contributions if c.label.level is Releasability.PUBLIC}
    assert {c.id for c in seen} == public


def test_the_funds_packages_are_pledges_that_deliver(
    demo_store: Store, chair_viewer: Principal, packages: list[Pledge]
) -> None:
    assert 2 <= len(packages) <= 4
    with demo_store.read() as conn:
        shipped = deliveries.list_deliveries(conn=conn, viewer=chair_viewer, donor=FUND)
    for p in packages:
        assert p.meeting is not None  # announced at a meeting
        assert p.status is not PledgeStatus.CANCELLED and p.tranches
    assert sum(p.delivered for p in packages) > 0
    assert any(p.status is PledgeStatus.DELIVERED for p in packages)
    assert any(d.status is DeliveryStatus.RECEIVED for d in shipped)


def test_what_the_packages_delivered_is_attributed_to_the_contributors(
    demo_store: Store,
    chair_viewer: Principal,
    contributions: list[FundContribution],
    packages: list[Pledge],
) -> None:
    with demo_store.read() as conn:
        report = funds.get_fund_report(conn=conn, viewer=chair_viewer, fund=FUND)
    delivered = sum(
        (
            (p.delivered * p.value.eur / p.quantity).quantize(CENT)  # type: ignore[union-attr]
            for p in packages
        ),
        Decimal(0),
    )
    assert delivered > 0
    assert report.delivered_eur == delivered
    assert report.attributed and report.unattributed_eur == 0
    assert sum((a.delivered_eur or Decimal(0) for a in report.attributions), Decimal(0)) == (
        delivered
    )
    counted = {c.contributor for c in contributions if c.status is not ContributionStatus.CANCELLED}
    assert {a.contributor for a in report.attributions} == counted
    assert report.contributions == len(counted)
    # The fund spends no more on its packages than its donors put in.
    assert report.packaged_eur <= report.contributed_eur
    assert report.paid_eur < report.contributed_eur  # one contribution is not paid yet


def test_the_public_report_withholds_who_gave_in_confidence(
    demo_store: Store, contributions: list[FundContribution]
) -> None:
    with demo_store.read() as conn:
        report = funds.get_fund_report(conn=conn, viewer=PUBLIC_VIEWER, fund=FUND)
    counted = [c for c in contributions if c.status is not ContributionStatus.CANCELLED]
    public = {c.contributor for c in counted if c.label.level is Releasability.PUBLIC}
    hidden = {c.contributor for c in counted} - public
    assert {a.contributor for a in report.attributions} - {WITHHELD} == public
    withheld = [a for a in report.attributions if a.contributor == WITHHELD]
    if report.attributed:  # enough hidden donors to show them as one row
        assert len(hidden) >= 3
        assert [a.name for a in withheld] == [f"{len(hidden)} donors not releasable to you"]
        assert (
            sum((a.delivered_eur or Decimal(0) for a in report.attributions), Decimal(0))
            == report.delivered_eur
        )
    else:
        assert not withheld and all(a.delivered_eur is None for a in report.attributions)


def test_the_fund_is_planned_from_the_seed(
    demo_summary: DemoSummary, contributions: list[FundContribution]
) -> None:
    again = plan_scenario(demo_summary.seed).fund
    other = plan_scenario(7).fund
    assert [(c.contributor, c.value, c.on, c.label) for c in again.contributions] == [
        (c.contributor, c.value, c.on, c.label) for c in sorted(contributions, key=_recorded)
    ]
    assert [(c.contributor, c.value, c.on) for c in other.contributions] != [
        (c.contributor, c.value, c.on) for c in again.contributions
    ]


def _recorded(c: FundContribution) -> tuple[object, ...]:
    return (c.on, c.contributor)


def test_the_agreed_baseline_shares_its_target_and_counts_the_fund_as_its_donors(
    demo_store: Store, chair_viewer: Principal, contributions: list[FundContribution]
) -> None:
    with demo_store.read() as conn:
        listed = baselines.list_baselines(conn=conn, viewer=PUBLIC_VIEWER)
        report = baselines.report(conn=conn, viewer=chair_viewer, code=BASELINE.code)

    assert [b.code for b in listed] == [BASELINE.code]  # a baseline is public
    assert [y.year for y in report.years] == [2023, 2024, 2025]
    for year in report.years:
        assert year.target_eur == BASELINE.annual_eur
        assert sum((d.target_eur for d in year.donors), Decimal(0)) == BASELINE.annual_eur
        assert FUND not in {d.donor for d in year.donors}  # its packages count as its donors'
    first = report.years[0]
    assert Decimal("0.5") < first.attainment < Decimal("1.5")  # type: ignore[operator]
    pooled = {d.donor for d in first.donors if d.pooled_eur > 0}
    paid_in_2023 = {
        c.contributor
        for c in contributions
        if c.status is not ContributionStatus.CANCELLED and c.on.year == 2023
    }
    assert pooled and pooled <= {c.contributor for c in contributions}
    assert paid_in_2023 <= pooled
