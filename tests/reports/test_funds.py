"""Pooled funds: attribution of a fund's deliveries to its contributors, to the cent.

The fund PF has three contributors: DEU (EUR 1,000, paid), NLD (EUR 1,000, pledged) and SWE
(EUR 1,000, pledged), and ITA's EUR 500 was cancelled. Its package of 3 radars is worth
EUR 100.00; 2 have been dispatched, worth 2/3 of EUR 100 = EUR 66.67 to the cent. A third
of that is EUR 22.2233...: each contributor gets EUR 22.22 and the cent left over goes to
the first by code (the remainders tie), DEU: 22.23 + 22.22 + 22.22 = 66.67.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ramstein.domain.catalogue import ItemType
from ramstein.domain.funds import ContributionStatus, FundContribution
from ramstein.domain.participants import Participant, ParticipantKind, ParticipantStatus
from ramstein.domain.pledges import Money, Pledge, PledgeSource, PledgeStatus, Tranche
from ramstein.domain.releasability import PUBLIC_LABEL, WITHHELD, Label, Releasability
from ramstein.reports.analytics import FundShare, apportion, donor_totals
from ramstein.reports.funds import (
    FundReport,
    fund_report,
    package_delivered_eur,
    shares_by_contributor,
)

D = Decimal
ITEMS = {"radar": ItemType("radar", "Radar", "ad", "system", D(50))}
FUND = Participant(
    "PF", "Pooled fund", ParticipantKind.FUND, ParticipantStatus.MEMBER, date(2025, 1, 1)
)
PEOPLE = {
    code: Participant(code, name, ParticipantKind.STATE, ParticipantStatus.MEMBER, date(2020, 1, 1))
    for code, name in (("DEU", "Germany"), ("NLD", "Netherlands"), ("SWE", "Sweden"))
}
RESTRICTED = Label(Releasability.RESTRICTED, frozenset({"PF"}))


def _given(
    cid: int,
    who: str,
    eur: str,
    status: ContributionStatus = ContributionStatus.PLEDGED,
    label: Label = PUBLIC_LABEL,
) -> FundContribution:
    return FundContribution(
        id=cid,
        fund="PF",
        contributor=who,
        value=Money.eur_amount(D(eur)),
        on=date(2025, 3, 1),
        status=status,
        status_on=date(2025, 3, 1),
        label=label,
    )


def _package(
    pledge_id: int, quantity: int, delivered: int, eur: str | None, status: PledgeStatus
) -> Pledge:
    return Pledge(
        id=pledge_id,
        donor="PF",
        item_type="radar",
        quantity=quantity,
        value=Money.eur_amount(D(eur)) if eur is not None else None,
        source=PledgeSource.PROCUREMENT,
        years=(2025,),
        meeting=None,
        announced_on=date(2025, 4, 1),
        status=status,
        label=PUBLIC_LABEL,
        tranches=(Tranche(pledge_id, 1, quantity, date(2025, 9, 1), date(2025, 9, 1), delivered),),
    )


CONTRIBUTIONS = [
    _given(1, "DEU", "1000", ContributionStatus.PAID),
    _given(2, "NLD", "1000"),
    _given(3, "SWE", "1000"),
    _given(4, "ITA", "500", ContributionStatus.CANCELLED),
]
PACKAGE = _package(1, 3, 2, "100.00", PledgeStatus.DELIVERING)


def _report(
    contributions: Sequence[FundContribution] = CONTRIBUTIONS,
    packages: Sequence[Pledge] = (PACKAGE,),
    visible: Callable[[FundContribution], bool] = lambda c: True,
) -> FundReport:
    return fund_report(
        FUND,
        packages=packages,
        contributions=contributions,
        items=ITEMS,
        participants=PEOPLE,
        visible=visible,
    )


def test_a_delivery_is_attributed_to_the_contributors_to_the_cent() -> None:
    report = _report()
    assert [(a.contributor, a.delivered_eur) for a in report.attributions] == [
        ("DEU", D("22.23")),
        ("NLD", D("22.22")),
        ("SWE", D("22.22")),
    ]
    assert report.delivered_eur == D("66.67")
    assert sum(a.delivered_eur for a in report.attributions) == report.delivered_eur
    assert [a.share for a in report.attributions] == [D("0.333333")] * 3
    assert (report.contributed_eur, report.paid_eur, report.contributions) == (
        D(3000),
        D(1000),
        3,
    )
    assert (report.packages, report.packaged_eur, report.attributed) == (1, D("100.00"), True)


def test_shares_follow_the_amounts_and_a_cancelled_contribution_gets_none() -> None:
    report = _report(
        [
            _given(1, "DEU", "750"),
            _given(2, "NLD", "250"),
            _given(3, "SWE", "9", ContributionStatus.CANCELLED),
        ],
        [_package(1, 4, 4, "1000.00", PledgeStatus.DELIVERED)],
    )
    assert [(a.contributor, a.share, a.delivered_eur) for a in report.attributions] == [
        ("DEU", D("0.75"), D("750.00")),
        ("NLD", D("0.25"), D("250.00")),
    ]


def test_a_cancelled_package_keeps_what_it_delivered_but_is_no_longer_a_package() -> None:
    cancelled = _package(2, 10, 3, None, PledgeStatus.CANCELLED)  # 3 x EUR 50 reference
    report = _report(packages=(PACKAGE, cancelled))
    assert report.packages == 1
    assert report.delivered_eur == D("66.67") + D(150)
    assert sum(a.delivered_eur for a in report.attributions) == report.delivered_eur


def test_without_contributions_what_was_delivered_is_unattributed() -> None:
    report = _report(contributions=[])
    assert (report.attributions, report.unattributed_eur) == ((), D("66.67"))


def test_one_hidden_contributor_withholds_the_attribution() -> None:
    hidden = [*CONTRIBUTIONS[:2], _given(3, "SWE", "1000", label=RESTRICTED)]
    report = _report(hidden, visible=lambda c: c.label.is_public)
    assert not report.attributed
    assert [(a.contributor, a.contributed_eur, a.share, a.delivered_eur)
            for a in report.attributions] == [
        ("DEU", D(1000), None, None),
        ("NLD", D(1000), None, None),
    ]  # fmt: skip
    assert report.contributed_eur == D(2000)
    assert WITHHELD not in {a.contributor for a in report.attributions}


def test_three_hidden_contributors_show_as_one_withheld_row() -> None:
    hidden = [
        _given(1, "DEU", "1000"),
        _given(2, "NLD", "1000", label=RESTRICTED),
        _given(3, "SWE", "1000", label=RESTRICTED),
        _given(5, "POL", "1000", label=RESTRICTED),
    ]
    report = _report(hidden, visible=lambda c: c.label.is_public)
    assert report.attributed
    assert [(a.contributor, a.contributed_eur, a.delivered_eur) for a in report.attributions] == [
        ("DEU", D(1000), D("16.67")),
        (WITHHELD, D(3000), D("50.00")),
    ]
    assert report.attributions[-1].name == "3 donors not releasable to you"
    assert report.contributed_eur == D(4000)


def test_a_donors_totals_show_what_it_gave_through_funds_beside_its_pledges() -> None:
    shares = shares_by_contributor([_report()])
    assert shares == {
        "DEU": FundShare(D(1000), D("22.23")),
        "NLD": FundShare(D(1000), D("22.22")),
        "SWE": FundShare(D(1000), D("22.22")),
    }  # ITA's contribution was cancelled: it gave nothing through the fund
    totals = {d.donor: d for d in donor_totals([PACKAGE], ITEMS, [FUND, *PEOPLE.values()], shares)}
    # the fund's package is the fund's pledge; DEU has no pledge of its own but is listed
    assert (totals["PF"].pledged_eur, totals["PF"].delivered_eur) == (D("100.00"), D("66.67"))
    assert (totals["PF"].to_funds_eur, totals["PF"].via_funds_eur) == (D(0), D(0))
    deu = totals["DEU"]
    assert (deu.pledges, deu.pledged_eur, deu.to_funds_eur, deu.via_funds_eur) == (
        0, D(0), D(1000), D("22.23"),
    )  # fmt: skip
    assert sum(d.via_funds_eur or D(0) for d in totals.values()) == totals["PF"].delivered_eur


def test_a_fund_that_withholds_its_attribution_leaves_the_donors_part_unknown() -> None:
    hidden = [*CONTRIBUTIONS[:2], _given(3, "SWE", "1000", label=RESTRICTED)]
    withheld = _report(hidden, visible=lambda c: c.label.is_public)
    other = fund_report(
        Participant("PG", "Other fund", ParticipantKind.FUND, ParticipantStatus.MEMBER,
                    date(2025, 1, 1)),
        packages=[],
        contributions=[replace(_given(9, "DEU", "400"), fund="PG")],
        items=ITEMS,
        participants=PEOPLE,
        visible=lambda c: True,
    )  # fmt: skip
    shares = shares_by_contributor([other, withheld])
    # DEU's part of PG is known (nothing delivered) but PF withholds its: the sum is unknown
    assert shares["DEU"] == FundShare(D(1400), None)
    assert shares["NLD"] == FundShare(D(1000), None)
    assert "SWE" not in shares


def test_apportion_adds_up_and_breaks_ties_by_key() -> None:
    assert apportion(D("0.02"), {"b": D(1), "a": D(1), "c": D(1)}) == {
        "a": D("0.01"),
        "b": D("0.01"),
        "c": D("0.00"),
    }


@settings(max_examples=200, deadline=None)
@given(
    amounts=st.lists(st.integers(1, 10**9), min_size=1, max_size=8),
    packages=st.lists(
        st.tuples(st.integers(1, 500), st.integers(0, 500), st.integers(1, 10**11)),
        min_size=1,
        max_size=5,
    ),
)
def test_attribution_always_sums_exactly_to_what_was_delivered(
    amounts: list[int], packages: list[tuple[int, int, int]]
) -> None:
    contributions = [
        _given(n, f"C{n:02d}", str(D(cents) / 100)) for n, cents in enumerate(amounts, start=1)
    ]
    made = [
        _package(n, quantity, min(sent, quantity), str(D(cents) / 100), PledgeStatus.DELIVERING)
        for n, (quantity, sent, cents) in enumerate(packages, start=1)
    ]
    report = _report(contributions, made)
    assert report.delivered_eur == sum(package_delivered_eur(p, ITEMS) for p in made)
    assert sum(a.delivered_eur for a in report.attributions) == report.delivered_eur
    assert all(a.delivered_eur >= 0 for a in report.attributions)
    assert sum(a.share for a in report.attributions) <= 1 + D("0.00001") * len(amounts)
