"""Forecasts, scenarios and firm funding on a coalition small enough to work out by hand.

DEU delivered its first pledge 30 days late, so every one of its tranches, and those of POL,
which has no record yet, is expected 30 days after its date in every run:

- DEU, committed: 40 shells expected 10 March 2026 (so 9 April), 60 on 1 August (31 August);
- POL, announced: 2 trucks expected 20 June 2026 (20 July).

The recipient needs 150 shells (P1, by 30 June 2026; 50 have arrived) and 4 trucks (P2).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ramstein.domain.catalogue import ItemType
from ramstein.domain.deliveries import Delivery, DeliveryStatus
from ramstein.domain.errors import InvalidValue
from ramstein.domain.needs import Need, NeedStatus, Priority
from ramstein.domain.pledges import Pledge, PledgeSource, PledgeStatus, Tranche
from ramstein.domain.releasability import PUBLIC_LABEL
from ramstein.reports import forecast as fc
from ramstein.reports.forecast import Scenario

D = Decimal
AS_OF = date(2026, 1, 15)
ITEMS = {
    "shell": ItemType("shell", "155 mm shell", "arty", "round", D(1000)),
    "truck": ItemType("truck", "Truck", "mob", "vehicle", D(50000)),
}


def _pledge(
    pledge_id: int,
    donor: str,
    item: str,
    status: PledgeStatus,
    tranches: list[tuple[int, date, int]],
    quantity: int | None = None,
) -> Pledge:
    return Pledge(
        id=pledge_id,
        donor=donor,
        item_type=item,
        quantity=quantity or sum(q for q, _, _ in tranches),
        value=None,
        source=PledgeSource.STOCKS,
        years=(2025, 2026),
        meeting=None,
        announced_on=date(2025, 6, 1),
        status=status,
        label=PUBLIC_LABEL,
        tranches=tuple(
            Tranche(pledge_id, n, q, on, on, sent)
            for n, (q, on, sent) in enumerate(tranches, start=1)
        ),
    )


def _need(need_id: int, item: str, quantity: int, priority: Priority, by: date) -> Need:
    return Need(
        need_id, "UKR", item, quantity, priority, by, date(2025, 6, 1), "", NeedStatus.OPEN,
        PUBLIC_LABEL,
    )  # fmt: skip


PLEDGES = [
    _pledge(1, "DEU", "shell", PledgeStatus.DELIVERED, [(50, date(2025, 10, 1), 50)]),
    _pledge(
        2, "DEU", "shell", PledgeStatus.COMMITTED,
        [(40, date(2026, 3, 10), 0), (60, date(2026, 8, 1), 0)],
    ),
    _pledge(3, "POL", "truck", PledgeStatus.ANNOUNCED, [(2, date(2026, 6, 20), 0)], quantity=3),
]  # fmt: skip
DELIVERIES = [
    Delivery(1, 1, 1, 50, date(2025, 10, 31), "", DeliveryStatus.RECEIVED, "DEU", PUBLIC_LABEL)
]
NEEDS = [
    _need(1, "shell", 150, Priority.P1, date(2026, 6, 30)),
    _need(2, "truck", 4, Priority.P2, date(2026, 12, 31)),
]


RECORDS = fc.Records(NEEDS, PLEDGES, DELIVERIES, ITEMS)


def _forecast() -> fc.Forecast:
    return fc.forecast(RECORDS, as_of=AS_OF, runs=50)


def _scenario(scenario: Scenario, seed: int = 0) -> fc.ScenarioReport:
    return fc.scenario_report(RECORDS, scenario, as_of=AS_OF, runs=50, seed=seed)


def _column(quarters: tuple[fc.QuarterFigures, ...], name: str) -> list[object]:
    return [getattr(q, name) for q in quarters[:4]]


def test_the_forecast_moves_each_tranche_by_its_donors_record_of_delays() -> None:
    found = _forecast()

    assert [q.quarter for q in found.quarters] == [
        f"{y}-Q{q}" for y in (2026, 2027) for q in (1, 2, 3, 4)
    ]
    assert found.quarters[0].ends_on == date(2026, 3, 31)
    assert _column(found.quarters, "planned_eur") == [D(40000), D(100000), D(60000), D(0)]
    assert _column(found.quarters, "expected_eur") == [D(0), D(40000), D(160000), D(0)]
    assert _column(found.quarters, "low_eur") == _column(found.quarters, "expected_eur")
    assert _column(found.quarters, "high_eur") == _column(found.quarters, "expected_eur")
    # needed: 150 shells (150,000) and 4 trucks (200,000); 50 shells have arrived
    assert _column(found.quarters, "coverage_planned") == [
        D("0.257143"), D("0.542857"), D("0.714286"), D("0.714286"),
    ]  # fmt: skip
    assert _column(found.quarters, "coverage_expected") == [
        D("0.142857"), D("0.257143"), D("0.714286"), D("0.714286"),
    ]  # fmt: skip
    arty = next(a for a in found.areas if a.area == "arty")
    assert arty.needed_eur == D(150000)
    assert _column(arty.quarters, "coverage_expected") == [
        D("0.333333"), D("0.6"), D(1), D(1),
    ]  # fmt: skip
    assert found.later_expected_eur == D(0)
    assert found.unscheduled_eur == D(50000)  # POL's third truck has no tranche


def test_a_donor_that_stops_loses_what_would_arrive_after_the_day_and_exposes_p1_needs() -> None:
    report = _scenario(Scenario(stops=(("DEU", date(2026, 3, 31)),)))

    assert report.forecast == _forecast()
    assert _column(report.stressed.quarters, "expected_eur") == [D(0), D(0), D(100000), D(0)]
    assert _column(report.stressed.quarters, "coverage_expected") == [
        D("0.142857"), D("0.142857"), D("0.428571"), D("0.428571"),
    ]  # fmt: skip
    (need,) = report.exposed
    assert (need.need_id, need.expected_units, need.scenario_units) == (1, D(90), D(50))
    arty, mob = report.dependence
    assert (arty.area, arty.expected_eur, arty.top_donor, arty.top_donor_share) == (
        "arty", D(100000), "DEU", D(1),
    )  # fmt: skip
    assert (arty.scenario_eur, arty.lost_share) == (D(0), D(1))
    assert (mob.top_donor, mob.lost_share) == ("POL", D(0))


def test_a_stop_after_every_arrival_changes_nothing() -> None:
    report = _scenario(Scenario(stops=(("DEU", date(2027, 1, 1)),)))

    assert report.stressed.quarters == report.forecast.quarters
    assert report.exposed == ()


def test_every_donor_cutting_by_half_keeps_the_floor_of_each_tranche() -> None:
    report = _scenario(Scenario(cut_donors=D(1), cut_by=D("0.5")))

    # DEU 40 -> 20 and 60 -> 30 shells; POL 2 -> 1 truck
    assert _column(report.stressed.quarters, "expected_eur") == [D(0), D(20000), D(80000), D(0)]


def test_the_same_seed_gives_the_same_forecast_and_the_band_holds_the_mean() -> None:
    # DEU's record: 30 days late once (pledge 1), on time once (pledge 4)
    pledges = [
        *PLEDGES,
        _pledge(4, "DEU", "shell", PledgeStatus.DELIVERED, [(10, date(2025, 12, 1), 10)]),
    ]
    deliveries = [
        *DELIVERIES,
        Delivery(2, 4, 1, 10, date(2025, 12, 1), "", DeliveryStatus.RECEIVED, "DEU", PUBLIC_LABEL),
    ]
    assert fc.observed_delays(pledges, deliveries, AS_OF) == {"DEU": (0, 30)}

    def run(seed: int) -> fc.Forecast:
        records = fc.Records(NEEDS, pledges, deliveries, ITEMS)
        return fc.forecast(records, as_of=AS_OF, runs=400, seed=seed)

    first, again, other = run(7), run(7), run(8)
    assert first == again
    assert first != other
    q1 = first.quarters[0]
    assert (q1.low_eur, q1.high_eur) == (D(0), D(40000))  # 30 days late, or on time
    assert D(0) < q1.expected_eur < D(40000)
    for q in first.quarters:
        assert q.low_eur <= q.expected_eur <= q.high_eur
        assert q.coverage_low <= q.coverage_expected <= q.coverage_high  # type: ignore[operator]
    remaining = sum((q.planned_eur for q in first.quarters), D(0))
    assert sum((q.expected_eur for q in first.quarters), first.later_expected_eur) == remaining


@pytest.mark.parametrize(
    "scenario",
    [
        Scenario(stops=(("DEU", date(2026, 5, 1)),)),
        Scenario(stops=(("POL", date(2026, 1, 1)), ("DEU", date(2026, 9, 1)))),
        Scenario(cut_donors=D("0.5"), cut_by=D("0.3")),
        Scenario(stops=(("DEU", date(2026, 8, 1)),), cut_donors=D("0.5"), cut_by=D(1)),
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_scenario_never_adds_to_what_arrives_or_to_coverage(
    scenario: Scenario, seed: int
) -> None:
    report = _scenario(scenario, seed=seed)

    pairs = [(report.forecast.quarters, report.stressed.quarters)] + [
        (a.quarters, b.quarters)
        for a, b in zip(report.forecast.areas, report.stressed.areas, strict=True)
    ]
    for base, hit in pairs:
        for before, after in zip(base, hit, strict=True):
            for name in ("expected_eur", "low_eur", "high_eur"):
                assert getattr(after, name) <= getattr(before, name), (before.quarter, name)
            for name in ("coverage_expected", "coverage_low", "coverage_high"):
                if getattr(before, name) is not None:
                    assert getattr(after, name) <= getattr(before, name), (before.quarter, name)
    for need in report.exposed:
        assert need.scenario_units < need.expected_units


def test_firm_funding_counts_committed_tranches_due_within_twelve_months() -> None:
    records = fc.Records(NEEDS, PLEDGES, DELIVERIES, ITEMS, areas=["arty", "mob", "air"])
    found = fc.firm_funding(records, AS_OF)

    air, arty, mob = found
    assert (air.needed_eur, air.firm_share) == (D(0), None)
    # 150 shells due by 30 June; DEU's committed 100 are expected by then (as planned)
    assert (arty.needed_eur, arty.firm_eur, arty.announced_eur) == (D(150000), D(100000), D(0))
    assert arty.firm_share == D("0.666667")
    # 4 trucks due by 31 December: POL's 2 are announced only
    assert (mob.needed_eur, mob.firm_eur, mob.announced_eur) == (D(200000), D(0), D(100000))
    assert mob.firm_share == D(0)


@pytest.mark.parametrize("text", ["DEU", "DEU:2026-02-30", ":2026-01-01", "DEU:tomorrow"])
def test_a_stop_is_a_donor_and_a_date(text: str) -> None:
    assert fc.parse_stop("DEU:2026-06-30") == ("DEU", date(2026, 6, 30))
    with pytest.raises(InvalidValue, match="is not DONOR:YYYY-MM-DD"):
        fc.parse_stop(text)


def test_quarters_run_across_years() -> None:
    assert fc.quarters_from(date(2026, 11, 30), 3) == [(2026, 4), (2027, 1), (2027, 2)]
    assert fc.quarter_end((2026, 4)) == date(2026, 12, 31)
    assert fc.quarter_end((2028, 1)) == date(2028, 3, 31)
