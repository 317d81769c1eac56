"""Analytics against figures worked out by hand on a small scenario."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from ramstein.domain.baselines import CountingRules
from ramstein.domain.catalogue import ItemType
from ramstein.domain.deliveries import Delivery, DeliveryStatus
from ramstein.domain.needs import Need, NeedStatus, Priority
from ramstein.domain.participants import Participant, ParticipantKind, ParticipantStatus
from ramstein.domain.pledges import (
    Money,
    Pledge,
    PledgeSource,
    PledgeStatus,
    Tranche,
    YearPlan,
    YearStatus,
)
from ramstein.domain.releasability import PUBLIC_LABEL
from ramstein.reports import analytics as a

D = Decimal
ITEMS = {
    "shell": ItemType("shell", "155 mm shell", "arty", "round", D(1000)),
    "truck": ItemType("truck", "Truck", "mob", "vehicle", D(50000)),
}


def _member(
    code: str, kind: ParticipantKind = ParticipantKind.STATE, gdp: int | None = None
) -> Participant:
    status = ParticipantStatus.OBSERVER if kind is ParticipantKind.ORGANISATION else None
    return Participant(
        code,
        {"DEU": "Germany", "POL": "Poland"}.get(code, code),
        kind,
        status or ParticipantStatus.MEMBER,
        date(2022, 4, 26),
        gdp_eur_bn=None if gdp is None else D(gdp),
    )


PARTICIPANTS = [
    _member("DEU", gdp=3000),
    _member("POL", gdp=1000),
    _member("EU", ParticipantKind.ORGANISATION, gdp=15000),  # not a state: no fair share
    _member("UKR", ParticipantKind.RECIPIENT),
]


def _pledge(
    pledge_id: int,
    donor: str,
    item: str,
    quantity: int,
    status: PledgeStatus,
    tranches: list[tuple[int, date, int]],
    *,
    value: Money | None = None,
    source: PledgeSource = PledgeSource.STOCKS,
    years: tuple[int, ...] = (2025,),
) -> Pledge:
    return Pledge(
        id=pledge_id,
        donor=donor,
        item_type=item,
        quantity=quantity,
        value=value,
        source=source,
        years=years,
        meeting=None,
        announced_on=date(2025, 1, 15),
        status=status,
        label=PUBLIC_LABEL,
        tranches=tuple(
            Tranche(pledge_id, n, q, promised, promised, delivered)
            for n, (q, promised, delivered) in enumerate(tranches, start=1)
        ),
    )


PLEDGES = [
    _pledge(
        1, "DEU", "shell", 100, PledgeStatus.COMMITTED,
        [(60, date(2025, 3, 1), 60), (40, date(2025, 6, 1), 40)],
        value=Money(D(120000), "EUR", D(1)), source=PledgeSource.PROCUREMENT,
    ),
    _pledge(
        2, "DEU", "truck", 2, PledgeStatus.ANNOUNCED, [(2, date(2025, 5, 1), 0)],
        years=(2025, 2026),
    ),
    _pledge(
        3, "POL", "shell", 50, PledgeStatus.DELIVERING, [(50, date(2025, 4, 1), 50)],
        value=Money(D(10000), "USD", D("0.9")), source=PledgeSource.FUNDING,
    ),
    _pledge(4, "POL", "shell", 10, PledgeStatus.CANCELLED, [(10, date(2025, 2, 1), 0)]),
]  # fmt: skip


def _delivery(delivery_id: int, pledge_id: int, tranche: int, quantity: int, on: date) -> Delivery:
    donor = next(p.donor for p in PLEDGES if p.id == pledge_id)
    return Delivery(
        delivery_id, pledge_id, tranche, quantity, on, "", DeliveryStatus.DISPATCHED, donor,
        PUBLIC_LABEL,
    )  # fmt: skip


DELIVERIES = [
    _delivery(1, 1, 1, 60, date(2025, 3, 1)),
    _delivery(2, 1, 2, 20, date(2025, 6, 10)),
    _delivery(3, 1, 2, 20, date(2025, 6, 21)),
    _delivery(4, 3, 1, 50, date(2025, 3, 20)),
]


def _need(need_id: int, item: str, quantity: int, status: NeedStatus = NeedStatus.OPEN) -> Need:
    return Need(
        need_id, "UKR", item, quantity, Priority.P1, date(2025, 6, 1), date(2025, 1, 1), "",
        status, PUBLIC_LABEL,
    )  # fmt: skip


NEEDS = [_need(1, "shell", 200), _need(2, "shell", 50, NeedStatus.WITHDRAWN), _need(3, "truck", 4)]


def test_donor_totals_count_pledged_committed_and_delivered_in_eur_and_units() -> None:
    deu, pol = a.donor_totals(PLEDGES, ITEMS, PARTICIPANTS)
    assert (deu.donor, deu.name, deu.pledges) == ("DEU", "Germany", 2)
    # 120,000 stated + 2 trucks at 50,000; committed: the shells only; all 100 shells arrived
    assert (deu.pledged_eur, deu.committed_eur, deu.delivered_eur) == (
        D("220000.00"), D("120000.00"), D("120000.00"),
    )  # fmt: skip
    assert (deu.pledged_units, deu.committed_units, deu.delivered_units) == (102, 100, 100)
    assert deu.pledged_pct_gdp == D("0.000007")  # 100 × 220,000 / 3,000 bn, to six places
    # USD 10,000 at 0.9; the cancelled pledge counts nowhere
    assert (pol.pledges, pol.pledged_eur, pol.committed_eur, pol.delivered_eur) == (
        1, D("9000.00"), D("9000.00"), D("9000.00"),
    )  # fmt: skip


def test_fair_shares_follow_gdp_and_count_each_year_its_part_of_a_multi_year_pledge() -> None:
    deu, pol = a.fair_shares(year=2025, participants=PARTICIPANTS, pledges=PLEDGES, items=ITEMS)
    assert (deu.donor, deu.gdp_share, deu.target_eur) == ("DEU", D("0.75"), D("30000000000.00"))
    assert (pol.donor, pol.target_eur) == ("POL", D("10000000000.00"))
    assert deu.counted_eur == D("170000.00")  # 120,000 + half of the two-year 100,000
    assert deu.gap_eur == D("30000000000.00") - D("170000.00")
    assert pol.counted_eur == D("9000.00")
    later = a.fair_shares(year=2026, participants=PARTICIPANTS, pledges=PLEDGES, items=ITEMS)
    assert [r.counted_eur for r in later] == [D("50000.00"), D("0.00")]
    stocks = a.fair_shares(
        year=2025,
        participants=PARTICIPANTS,
        pledges=PLEDGES,
        items=ITEMS,
        rules=CountingRules.of([PledgeSource.STOCKS]),
    )
    assert [r.counted_eur for r in stocks] == [D("50000.00"), D("0.00")]


def test_commitments_by_year_split_each_years_part_by_how_firm_it_is() -> None:
    planned = replace(
        _pledge(5, "POL", "truck", 6, PledgeStatus.COMMITTED, [], years=(2025, 2026, 2027)),
        year_plans=(
            YearPlan(2025, D(150000), YearStatus.DELIVERED),
            YearPlan(2026, D(100000), YearStatus.COMMITTED),
            YearPlan(2027, D(20000), YearStatus.INDICATIVE),
        ),
    )
    cancelled_year = replace(
        _pledge(6, "DEU", "shell", 10, PledgeStatus.ANNOUNCED, [], years=(2026, 2027)),
        year_plans=(YearPlan(2027, D(4000), YearStatus.CANCELLED),),
    )
    found = a.commitments_by_year([*PLEDGES, planned, cancelled_year], ITEMS, [2025, 2026, 2027])
    rows = [
        (y.year, y.committed_eur, y.indicative_eur, y.delivered_eur, y.unplanned_eur, y.donors)
        for y in found
    ]
    # 2025: pledges 1 and 3, half of pledge 2 unplanned; pledge 5's year delivered
    # 2026: half of pledge 2; pledge 5's committed year; pledge 6's value less its cancelled
    # 2027 (what was planned for a cancelled year is not moved to another)
    assert rows == [
        (2025, D(0), D(0), D("150000.00"), D("120000") + D("9000") + D("50000"), 2),
        (2026, D("100000.00"), D(0), D(0), D("50000.00") + D("6000.00"), 2),
        (2027, D(0), D("20000.00"), D(0), D(0), 1),
    ]
    assert found[0].total_eur == D("329000.00") and found[0].pledges == 4
    assert a.commitments_by_year([], ITEMS, [2030]) == [
        a.YearCommitments(2030, D(0), D(0), D(0), D(0), 0, 0)
    ]


def test_fair_share_targets_add_up_to_the_baseline_to_the_cent() -> None:
    equal = [_member(code, gdp=1) for code in ("AAA", "BBB", "CCC")]
    rows = a.fair_shares(
        year=2025, participants=equal, pledges=[], items=ITEMS, baseline_eur=D(100)
    )
    assert [(r.donor, r.target_eur) for r in rows] == [
        ("AAA", D("33.34")), ("BBB", D("33.33")), ("CCC", D("33.33")),
    ]  # fmt: skip
    assert sum(r.target_eur for r in rows) == D(100)
    assert all(r.attainment == 0 and r.gap_eur == r.target_eur for r in rows)


def test_reliability_counts_days_late_from_the_first_promised_date() -> None:
    donors, areas = a.reliability(PLEDGES, DELIVERIES, ITEMS, date(2025, 7, 1))
    deu, pol = donors
    # on time; done on the second dispatch, 20 days late; not delivered, 61 days since 1 May
    assert (deu.key, deu.due, deu.on_time) == ("DEU", 3, 1)
    assert (deu.on_time_share, deu.mean_slip_days, deu.p90_slip_days) == (
        D("0.333333"), D("27.000000"), 61,
    )  # fmt: skip
    assert (pol.due, pol.on_time, pol.on_time_share, pol.p90_slip_days) == (1, 1, D(1), 0)
    arty, mob = areas
    assert (arty.key, arty.due, arty.on_time, arty.mean_slip_days, arty.p90_slip_days) == (
        "arty", 3, 2, D("6.666667"), 20,
    )  # fmt: skip
    assert (mob.key, mob.due, mob.on_time_share, mob.p90_slip_days) == ("mob", 1, D(0), 61)


def test_reliability_only_counts_tranches_promised_by_the_date() -> None:
    donors, _ = a.reliability(PLEDGES, DELIVERIES, ITEMS, date(2025, 5, 15))
    deu = donors[0]
    assert (deu.due, deu.on_time, deu.mean_slip_days) == (2, 1, D(7))  # 0 and 14 days
    nothing, _ = a.reliability(PLEDGES, DELIVERIES, ITEMS, date(2024, 1, 1))
    assert nothing == []


def test_area_coverage_caps_each_item_at_its_need_and_names_the_largest_donor() -> None:
    air, arty, mob = a.area_coverage(NEEDS, PLEDGES, ITEMS, areas=["air", "arty", "mob"])
    assert (air.needed_eur, air.pledged_coverage, air.donors, air.top_donor) == (
        D("0.00"), None, 0, None,
    )  # fmt: skip
    # 200 shells needed (the withdrawn need does not count) at 1,000; 150 pledged and arrived
    assert (arty.needed_eur, arty.pledged_eur, arty.delivered_eur) == (
        D("200000.00"), D("129000.00"), D("129000.00"),
    )  # fmt: skip
    assert (arty.pledged_coverage, arty.delivered_coverage) == (D("0.75"), D("0.75"))
    assert (arty.donors, arty.top_donor, arty.top_donor_share) == (2, "DEU", D("0.930233"))
    assert arty.concentration == D("0.870200")  # (120/129)² + (9/129)²
    assert (mob.needed_eur, mob.pledged_coverage, mob.delivered_coverage) == (
        D("200000.00"), D("0.5"), D(0),
    )  # fmt: skip
    assert (mob.top_donor, mob.top_donor_share, mob.concentration) == ("DEU", D(1), D(1))


def test_month_ends_run_from_the_first_month_to_the_last() -> None:
    assert a.month_ends(date(2024, 11, 15), date(2025, 2, 3)) == [
        date(2024, 11, 30), date(2024, 12, 31), date(2025, 1, 31), date(2025, 2, 28),
    ]  # fmt: skip


def test_coverage_over_time_counts_what_had_been_dispatched_by_each_month_end() -> None:
    days = [date(2025, 2, 28), date(2025, 3, 31), date(2025, 6, 30)]
    points = a.coverage_over_time(
        NEEDS, PLEDGES, DELIVERIES, ITEMS, days, {"ARTY-C": "arty", "AIR-C": "air"}
    )
    arty = [p for p in points if p.area == "arty"]
    assert [(p.on, p.pledged_coverage, p.delivered_coverage) for p in arty] == [
        (date(2025, 2, 28), D("0.75"), D(0)),  # nothing dispatched before 1 March
        (date(2025, 3, 31), D("0.75"), D("0.55")),  # 60 + 50 of the 200 shells needed
        (date(2025, 6, 30), D("0.75"), D("0.75")),
    ]
    assert all(p.coalitions == ("ARTY-C",) for p in arty)
    air = [p for p in points if p.area == "air"]  # a coalition's area with nothing in it
    assert [(p.needed_eur, p.pledged_coverage) for p in air] == [(D("0.00"), None)] * 3
    before = a.coverage_over_time(NEEDS, PLEDGES, DELIVERIES, ITEMS, [date(2024, 12, 31)])
    assert before == []  # nothing raised or announced yet
