"""A read-out's long-term sections through the services: the need firmly funded for the next
12 months, the forecast, the agreed baseline's year and the pooled funds, each audience
reading only what it may, and the public what the small-cell rule lets through."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from ramstein.domain.baselines import Baseline, CountingRules
from ramstein.domain.meetings import MeetingFormat
from ramstein.domain.needs import Priority
from ramstein.domain.pledges import PledgeStatus
from ramstein.domain.releasability import Principal
from ramstein.reports.readout import Audience, FirmLine, Format, Readout
from ramstein.reports.render import render
from ramstein.services import baselines, meetings, readouts
from ramstein.store.engine import Store
from tests import factories as f
from tests.factories import BASE, CLOCK, DRONE, SHELL, Principals

DAY = timedelta(days=1)
HELD_ON = BASE + 10 * DAY
SHELL_EUR = Decimal("3200.00")
DRONE_EUR = Decimal("420.50")


@pytest.fixture
def cell(store: Store, coalition: Principals) -> Principals:
    """Meeting 1 on 25 January 2025; a public need of 1,000 shells and a coalition one of 50
    drones; firm pledges of shells from DEU (public, 200 due), GBR (coalition, 100 due) and of
    drones from POL (restricted to GBR, 20 due); a baseline for 2025 of EUR 40 bn."""
    c = coalition
    with store.write(clock=CLOCK) as uow:
        meetings.schedule_meeting(
            uow=uow, actor=c.chair, held_on=HELD_ON, format=MeetingFormat.VIRTUAL, chair="USA"
        )
        baselines.agree_baseline(
            uow=uow, actor=c.chair,
            baseline=Baseline(
                code="annual", name="Annual baseline", annual_eur=Decimal("40000000000"),
                first_year=2025, last_year=2026, rules=CountingRules.of(),
            ),
        )  # fmt: skip
    f.submit_need(store, c.recipient, item_type=SHELL, quantity=1000, label=f.PUBLIC)
    f.submit_need(store, c.recipient, item_type=DRONE, quantity=50, priority=Priority.P2)
    for donor, item, units, due, label in (
        ("DEU", SHELL, 200, 20, f.PUBLIC),
        ("GBR", SHELL, 100, 40, f.COALITION_LABEL),
        ("POL", DRONE, 20, 30, f.restricted("GBR")),
    ):
        pledge = f.announce(
            store, c.donor(donor), item_type=item, quantity=units, label=label,
            tranches=((units, BASE + due * DAY),),
        )  # fmt: skip
        f.move(store, c.donor(donor), pledge.id, PledgeStatus.COMMITTED)
    return c


def readout(store: Store, requester: Principal, audience: str) -> Readout:
    with store.read() as conn:
        return readouts.build(
            conn=conn, requester=requester, number=1, audience=Audience.parse(audience), group="G"
        )


def _area(lines: tuple[FirmLine, ...], area: str) -> FirmLine:
    return next(line for line in lines if line.area == area)


def test_firm_funding_per_area_for_each_audience(store: Store, cell: Principals) -> None:
    coalition = readout(store, cell.donor("NLD"), "coalition")
    shells = _area(coalition.firm_funding, "artillery")
    assert (shells.needed_eur, shells.firm_eur) == (1000 * SHELL_EUR, 300 * SHELL_EUR)
    assert shells.firm_share == Decimal("0.3")
    drones = _area(coalition.firm_funding, "drones")
    assert (drones.needed_eur, drones.firm_eur) == (50 * DRONE_EUR, 0)  # POL's is hidden
    assert _area(readout(store, cell.donor("GBR"), "GBR").firm_funding, "drones").firm_eur == (
        20 * DRONE_EUR
    )

    public = readout(store, cell.public, "public")
    shells = _area(public.firm_funding, "artillery")
    # The shell need is public; the firm shells are DEU's (public) and GBR's (coalition):
    # two donors, so the figure is withheld, and so is the share.
    assert shells.needed_eur == 1000 * SHELL_EUR
    assert shells.firm_eur is None and shells.firm_share is None
    # The drone need is not public: every figure of the area is withheld.
    drones = _area(public.firm_funding, "drones")
    assert drones.needed_eur is None and drones.firm_eur is None and public.withholds

    # A third donor's firm shells: the small-cell rule lets the figure through.
    nld = f.announce(store, cell.donor("NLD"), quantity=50, tranches=((50, BASE + 50 * DAY),))
    f.move(store, cell.donor("NLD"), nld.id, PledgeStatus.COMMITTED)
    shells = _area(readout(store, cell.public, "public").firm_funding, "artillery")
    assert shells.firm_eur == 350 * SHELL_EUR and shells.firm_share == Decimal("0.35")


def test_the_forecast_is_over_what_the_audience_may_see_and_reproducible(
    store: Store, cell: Principals
) -> None:
    coalition = readout(store, cell.donor("NLD"), "coalition")
    first = coalition.forecast[0]
    assert len(coalition.forecast) == readouts.FORECAST_QUARTERS
    assert first.quarter == "2025-Q1" and first.planned_eur == 300 * SHELL_EUR
    assert coalition.forecast_note is not None and coalition.forecast_note.seed == 1
    assert not coalition.forecast_note.coverage_withheld

    public = readout(store, cell.public, "public")
    # Three donors' tranches are due in the first quarter: the public sees its total, all
    # of it (POL's restricted drones too), but not the coverage of a need it may not see.
    assert public.forecast[0].planned_eur == 300 * SHELL_EUR + 20 * DRONE_EUR
    assert public.forecast[0].coverage_expected is None
    assert public.forecast_note is not None and public.forecast_note.coverage_withheld
    assert readout(store, cell.public, "public") == public  # the same seed, the same figures


def test_the_baseline_year_shows_a_donors_count_only_where_its_public_records_give_it(
    store: Store, cell: Principals
) -> None:
    chair = readout(store, cell.chair, "coalition")
    assert chair.baseline is not None and chair.baseline.year == 2025
    assert sum(d.target_eur for d in chair.baseline.donors) == Decimal("40000000000")
    counted = {d.donor: d.counted_eur for d in chair.baseline.donors}
    assert counted["DEU"] == 200 * SHELL_EUR and counted["GBR"] == 100 * SHELL_EUR
    assert counted["POL"] == 0  # restricted away from the coalition

    public = readout(store, cell.public, "public").baseline
    assert public is not None
    shown = {d.donor: d for d in public.donors}
    assert shown["DEU"].counted_eur == 200 * SHELL_EUR  # its own public pledge
    assert shown["GBR"].counted_eur is None and shown["GBR"].gap_eur is None
    assert shown["POL"].counted_eur is None
    assert shown["GBR"].target_eur == next(
        d.target_eur for d in chair.baseline.donors if d.donor == "GBR"
    )  # a target is public: the baseline and the GDP are
    # Three donors are behind the year's total: it is shown, POL's drones included.
    assert public.counted_eur == 300 * SHELL_EUR + 20 * DRONE_EUR
    document = render(readout(store, cell.public, "public"), Format.MARKDOWN).decode()
    assert "## Fair-share baseline, 2025" in document and "withheld" in document


def test_a_pooled_funds_attribution_follows_the_audience(store: Store, cell: Principals) -> None:
    with store.write(clock=CLOCK) as uow:
        f.fund_script(uow, cell.chair)
    public = readout(store, cell.public, "public")
    (fund,) = public.funds
    assert fund.fund == f.FUND and not fund.attributed and public.withholds
    (full,) = readout(store, cell.chair, "POL").funds
    assert full.attributed and {a.contributor for a in full.attributions} == {"DEU", "GBR"}
    document = render(public, Format.MARKDOWN).decode()
    assert "whose share it is is withheld" in document and "first half" not in document


def test_each_areas_dependence_on_its_largest_donor_follows_the_audience(
    store: Store, cell: Principals
) -> None:
    coalition = readout(store, cell.donor("NLD"), "coalition")
    (artillery,) = coalition.dependence  # POL's drones are hidden from the coalition
    assert artillery.figures is not None
    assert artillery.figures.expected_eur == 300 * SHELL_EUR
    assert (artillery.figures.top_donor, artillery.figures.donors) == ("DEU", 2)
    assert artillery.figures.top_donor_share == Decimal("0.666667")  # 200 of 300 shells
    gbr = {d.area: d.figures for d in readout(store, cell.donor("GBR"), "GBR").dependence}
    assert gbr["drones"] is not None and gbr["drones"].top_donor_share == 1  # POL's alone

    public = readout(store, cell.public, "public")
    # It names a donor's share: withheld where a donor behind it has a pledge not public.
    assert [(d.area, d.figures) for d in public.dependence] == [
        ("artillery", None),
        ("drones", None),
    ]
    assert public.withholds
    document = render(coalition, Format.MARKDOWN).decode()
    assert "## Dependence on single donors" in document and "66.7 %" in document


def test_promised_and_actual_dates_per_donor_and_area_follow_the_audience(
    store: Store, cell: Principals
) -> None:
    early = BASE - 20 * DAY
    for donor, label, due, sent in (
        ("DEU", f.PUBLIC, BASE - 10 * DAY, BASE - 5 * DAY),  # 5 days late
        ("GBR", f.COALITION_LABEL, BASE, None),  # not sent by the meeting: 10 days late
        ("NLD", f.PUBLIC, BASE - 10 * DAY, BASE - 10 * DAY),  # on time
    ):
        pledge = f.announce(
            store, cell.donor(donor), quantity=10, label=label, tranches=((10, due),),
            announced_on=early,
        )  # fmt: skip
        f.move(store, cell.donor(donor), pledge.id, PledgeStatus.COMMITTED)
        if sent is not None:
            f.deliver(store, cell.donor(donor), pledge.id, quantity=10, dispatched_on=sent)

    coalition = readout(store, cell.donor("NLD"), "coalition")
    by_donor = {line.key: line.figures for line in coalition.reliability_donors}
    assert {k: (r.due, r.on_time, r.p90_slip_days) for k, r in by_donor.items() if r} == {
        "DEU": (1, 0, 5),
        "GBR": (1, 0, 10),
        "NLD": (1, 1, 0),
    }
    (artillery,) = coalition.reliability_areas
    assert artillery.figures is not None and artillery.figures.due == 3
    assert artillery.figures.mean_slip_days == 5  # (5 + 10 + 0) / 3

    public = readout(store, cell.public, "public")
    shown = {line.key: line.figures for line in public.reliability_donors}
    assert shown["DEU"] == by_donor["DEU"] and shown["NLD"] == by_donor["NLD"]
    assert shown["GBR"] is None  # its tranche is the coalition's to know
    # Three donors are behind the area's figure: the small-cell rule lets it through.
    assert public.reliability_areas[0].figures == artillery.figures
    document = render(public, Format.MARKDOWN).decode()
    assert "## Promised and actual delivery dates, by donor" in document


def test_multi_year_commitments_from_the_meetings_year_follow_the_audience(
    store: Store, cell: Principals
) -> None:
    coalition = readout(store, cell.donor("NLD"), "coalition")
    (year,) = coalition.commitments  # every pledge covers 2025 alone
    assert year.year == 2025 and year.figures is not None
    assert year.figures.unplanned_eur == 300 * SHELL_EUR  # POL's drones are hidden
    public = readout(store, cell.public, "public").commitments[0].figures
    assert public is not None  # three donors behind it: POL's drones counted too
    assert public.total_eur == 300 * SHELL_EUR + 20 * DRONE_EUR
    document = render(coalition, Format.MARKDOWN).decode()
    assert "## Multi-year commitments" in document
