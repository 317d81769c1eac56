"""Fair-share baselines on the command line: agreed, shown year by year, revised, refused."""

from __future__ import annotations

from tests.cli.support import Cli, add_pledge


def _baseline(cli: Cli) -> None:
    cli.ok("participants update DEU --gdp 3000")
    cli.ok("participants update POL --gdp 1000")
    add_pledge(cli, "DEU", "--year 2025 --year 2026")  # 500 shells at EUR 3,500: 875,000 a year
    add_pledge(cli, "POL", "--source training --value 20000", quantity=1)
    cli.ok(
        "baselines agree long-term --name 'Long-term pledge' --annual-bn 4 --from 2025 --to 2026 "
        "--source stocks --source procurement"
    )


def test_a_baseline_counts_by_its_rules_year_by_year(coalition: Cli) -> None:
    _baseline(coalition)
    listed = coalition.json("baselines list")
    assert [(b["code"], b["annual_eur"], b["first_year"]) for b in listed] == [
        ("long-term", "4000000000.00", 2025)
    ]
    report = coalition.json("baselines show long-term")
    assert [y["year"] for y in report["years"]] == [2025, 2026]
    first = report["years"][0]
    assert [(d["donor"], d["target_eur"], d["counted_eur"]) for d in first["donors"]] == [
        ("DEU", "3000000000.00", "875000.00"),
        ("POL", "1000000000.00", "0.00"),  # its training does not count under these rules
    ]
    assert first["counted_eur"] == "875000.00"
    shown = coalition.ok("baselines show long-term --year 2026")
    assert "2026: each donor state's share" in shown and "2025: each" not in shown
    assert "stocks, procurement" in shown

    revised = coalition.ok(
        "baselines revise long-term --source stocks --source training --expected-version 1"
    )
    assert "version 2" in revised
    again = coalition.json("baselines show long-term --year 2025")["years"][0]
    assert [d["counted_eur"] for d in again["donors"]] == ["875000.00", "20000.00"]
    what_if = coalition.json("analytics fair-share --year 2025 --baseline-bn 4 --source training")
    assert [s["counted_eur"] for s in what_if] == ["0.00", "20000.00"]


def test_bad_baselines_are_refused_with_one_sentence(coalition: Cli) -> None:
    _baseline(coalition)
    assert "already" in coalition.fails(
        "baselines agree long-term --name Again --annual-bn 1 --from 2025"
    )
    assert "cannot end (2024) before it starts (2025)" in coalition.fails(
        "baselines agree other --name Other --annual-bn 1 --from 2025 --to 2024"
    )
    assert "No capability area naval" in coalition.fails("baselines revise long-term --area naval")
    assert "2030 is outside it" in coalition.fails("baselines show long-term --year 2030")
    assert "Only the chair" in coalition.fails("baselines revise long-term --name X", as_="POL")
    assert "version" in coalition.fails("baselines revise long-term --name X --expected-version 9")
