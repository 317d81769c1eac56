"""`ramstein analytics`: the figures each participant may add up from what it may see."""

from __future__ import annotations

from decimal import Decimal

from tests.cli.support import Cli, add_need, add_pledge


def _pledges(coalition: Cli) -> None:
    add_pledge(coalition, "DEU", "--releasability restricted", quantity=500)  # 1,750,000 EUR
    add_pledge(coalition, "POL", "--releasability coalition", quantity=100)  # 350,000 EUR


def test_donor_totals_hold_only_what_the_viewer_may_see(coalition: Cli) -> None:
    _pledges(coalition)
    everything = coalition.json("analytics donors")
    assert [(d["donor"], d["pledged_eur"], d["pledged_units"]) for d in everything] == [
        ("DEU", "1750000.00", 500),
        ("POL", "350000.00", 100),
    ]
    as_poland = coalition.json("analytics donors", as_="POL")
    assert [d["donor"] for d in as_poland] == ["POL"]  # Germany's restricted pledge is not there
    areas = coalition.json("analytics areas", as_="POL")
    assert [(a["area"], a["pledged_eur"], a["donors"]) for a in areas] == [
        ("artillery", "350000.00", 1)
    ]
    table = coalition.ok("analytics donors")
    assert "DEU" in table and "1,750,000.00" in table


def test_fair_shares_need_gdp_and_a_positive_baseline(coalition: Cli) -> None:
    _pledges(coalition)
    assert coalition.json("analytics fair-share --year 2025") == []
    assert "No donor state has a GDP on record" in coalition.ok("analytics fair-share")
    coalition.ok("participants update DEU --gdp 3000")
    coalition.ok("participants update POL --gdp 1000")
    shares = coalition.json("analytics fair-share --year 2025 --baseline-bn 4")
    assert [(s["donor"], s["target_eur"], s["counted_eur"]) for s in shares] == [
        ("DEU", "3000000000.00", "1750000.00"),
        ("POL", "1000000000.00", "350000.00"),
    ]
    assert "must be positive" in coalition.fails("analytics fair-share --baseline-bn 0")


def test_reliability_counts_days_since_an_undelivered_tranche_was_promised(
    coalition: Cli,
) -> None:
    _pledges(coalition)  # one tranche each, expected on the day announced, 2025-02-01
    report = coalition.json("analytics reliability --as-of 2025-03-03")
    assert report["as_of"] == "2025-03-03"
    assert [(r["key"], r["due"], r["on_time"], r["p90_slip_days"]) for r in report["donors"]] == [
        ("DEU", 1, 0, 30),
        ("POL", 1, 0, 30),
    ]
    assert [(r["key"], r["due"]) for r in report["areas"]] == [("artillery", 2)]
    assert "No tranche was due" in coalition.ok("analytics reliability --as-of 2025-01-01")


def test_coverage_is_a_series_of_month_ends_and_refuses_a_backward_or_endless_one(
    coalition: Cli,
) -> None:
    coalition.ok("coalitions add arty-c --name 'Artillery coalition' --area artillery --lead POL")
    coalition.ok(
        "needs add --item 155mm-shell --quantity 1000 --priority P1 --needed-by 2025-06-01 "
        "--raised-on 2025-01-10"
    )
    _pledges(coalition)  # 600 shells, announced on 2025-02-01
    series = coalition.json("analytics coverage --from 2025-01-01 --until 2025-03-15")
    assert [(p["on"], p["area"], p["coalitions"], p["pledged_coverage"]) for p in series] == [
        ("2025-01-31", "artillery", ["arty-c"], "0.000000"),
        ("2025-02-28", "artillery", ["arty-c"], "0.600000"),
        ("2025-03-31", "artillery", ["arty-c"], "0.600000"),
    ]
    assert "cannot start" in coalition.fails(
        "analytics coverage --from 2025-03-01 --until 2025-01-01"
    )
    assert "at most 120 months" in coalition.fails("analytics coverage --from 2000-01-01")


def _planned(coalition: Cli) -> None:
    """DEU: 500 shells in two tranches (March and September 2025); POL: 100 shells, committed,
    in June. Shells are worth 3,500 EUR; the recipient needs 1,000 by the end of 2025."""
    add_need(coalition)
    add_pledge(coalition, "DEU", "--tranche 200@2025-03-15 --tranche 300@2025-09-15", quantity=500)
    pol = add_pledge(coalition, "POL", "--tranche 100@2025-06-15", quantity=100)
    coalition.ok(f"pledges status {pol['id']} committed --on 2025-02-10")


def test_the_forecast_places_each_tranche_in_its_quarter(coalition: Cli) -> None:
    _planned(coalition)

    found = coalition.json("analytics forecast --as-of 2025-02-15 --quarters 4 --runs 20")

    quarters = [(q["quarter"], q["planned_eur"], q["expected_eur"]) for q in found["quarters"]]
    # nobody has a record of delays yet: as planned, in every run
    assert quarters == [
        ("2025-Q1", "700000.00", "700000.00"),
        ("2025-Q2", "350000.00", "350000.00"),
        ("2025-Q3", "1050000.00", "1050000.00"),
        ("2025-Q4", "0.00", "0.00"),
    ]
    assert found["quarters"][2]["coverage_expected"] == "0.600000"  # 600 of the 1,000 shells
    assert found["runs"] == 20
    table = coalition.ok("analytics forecast --as-of 2025-02-15 --quarters 4 --runs 20")
    assert "2025-Q3" in table and "1,050,000.00" in table
    only = coalition.ok("analytics forecast --as-of 2025-02-15 --area artillery --runs 20")
    assert "area artillery" in only
    assert "no area nowhere" in coalition.fails("analytics forecast --area nowhere --runs 5")


def test_a_scenario_of_a_donor_stopping_exposes_the_p1_need(coalition: Cli) -> None:
    _planned(coalition)

    report = coalition.json(
        "analytics scenario --stop DEU:2025-06-30 --as-of 2025-02-15 --quarters 4 --runs 20"
    )

    assert [q["expected_eur"] for q in report["stressed"]["quarters"]] == [
        "700000.00", "350000.00", "0.00", "0.00",
    ]  # fmt: skip
    (need,) = report["exposed"]
    assert (need["expected_units"], need["scenario_units"]) == ("600.00", "300.00")
    assert report["allocation"] is None
    asked = "analytics scenario --stop DEU:2025-06-30 --as-of 2025-02-15 --runs 20"
    table = coalition.ok(asked)
    assert "P1 needs exposed" in table and "Dependence on single donors" in table
    assert "No matching plan you may read" in table
    plan = coalition.json("match run")["plan"]["id"]
    stressed = coalition.json(f"{asked} --plan {plan}")["allocation"]
    assert (stressed["plan"], stressed["scenario"]) == (plan, "DEU stops after 2025-06-30")
    assert stressed["coverage_lost"]["P1"]["units"] == 300  # DEU's September tranche
    assert f"Plan {plan}, DEU stops after 2025-06-30" in coalition.ok(asked)
    assert "no plan 99" in coalition.fails(f"{asked} --plan 99").lower()
    assert "DONOR:YYYY-MM-DD" in coalition.fails("analytics scenario --stop 2025-06-30")
    assert "both" in coalition.fails("analytics scenario --cut-donors 0.5")


def test_commitments_by_year_from_the_command_line(coalition: Cli) -> None:
    _pledges(coalition)
    everything = coalition.json("analytics commitments --first 2025 --last 2026")
    years = [(y["year"], y["donors"], y["total_eur"]) for y in everything]
    assert years[0][:2] == (2025, 2) and years[1][1] == 0
    assert sum(Decimal(y["total_eur"]) for y in everything) == Decimal("2100000.00")
    assert [y["donors"] for y in coalition.json("analytics commitments --first 2025", as_="POL")][
        0
    ] == 1  # Germany's restricted pledge is not there
    assert "Commitments by year" in coalition.ok("analytics commitments --first 2025")
    assert "comes before" in coalition.fails("analytics commitments --first 2026 --last 2025")


def test_firm_funding_counts_only_committed_pledges(coalition: Cli) -> None:
    _planned(coalition)

    (artillery,) = coalition.json("analytics firm-funding --as-of 2025-02-15")

    assert artillery["area"] == "artillery"
    assert (artillery["needed_eur"], artillery["firm_eur"], artillery["announced_eur"]) == (
        "3500000.00", "350000.00", "1750000.00",
    )  # fmt: skip
    assert artillery["firm_share"] == "0.100000"
