"""`ramstein match` on the database: run, list, show, diff and stress stored plans."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.cli.support import Cli, add_need, add_pledge


@pytest.fixture
def planned(coalition: Cli) -> Cli:
    """1,000 shells needed at P1 and 50 (restricted) at P2; DEU offers 300, POL 200 (restricted)."""
    coalition.ok("coalitions add arty --name Artillery --area artillery --lead POL")
    add_need(coalition)
    add_need(coalition, "--priority P2 --releasability restricted", quantity=50)
    add_pledge(coalition, "DEU", "--tranche 300@2025-06-01")
    add_pledge(coalition, "POL", "--tranche 200@2025-06-01 --releasability restricted")
    return coalition


def test_run_stores_a_plan_and_show_reads_it_back(planned: Cli) -> None:
    head = planned.json("status")["log_size"]

    out = planned.ok("match run")
    report = planned.json("match run --late-penalty 2")

    assert f"Stored plan 1 (inputs read at log position {head})." in out
    assert "Coverage by priority" in out and "Largest gaps by coalition" in out
    assert report["plan"]["id"] == 2 and report["plan"]["late_penalty"] == 2
    assert [p["id"] for p in planned.json("match list")] == [2, 1]
    shown = planned.json("match show 1")
    assert shown["plan"]["log_seq"] == head
    assert shown["plan"]["participant"] == "USA"
    assert shown["plan"]["weights"] == {"P1": 100, "P2": 40, "P3": 15, "P4": 5}
    # Every shell goes to the P1 need; the P2 need stays open.
    assert [(n["need_id"], n["covered"], n["gap"]) for n in shown["needs"]] == [
        (1, 500, 500),
        (2, 0, 50),
    ]
    assert [(g["priority"], g["area"], g["gap"]) for g in shown["area_gaps"]] == [
        ("P1", "artillery", 500),
        ("P2", "artillery", 50),
    ]
    assert [(g["coalition"], g["gap"]) for g in shown["coalition_gaps"]] == [
        ("arty", 500),
        ("arty", 50),
    ]
    allocations = planned.json("match show 1 --allocations")
    assert {(a["offer_id"], a["donor"], a["need_id"], a["quantity"]) for a in allocations} == {
        ("1/1", "DEU", 1, 300),
        ("2/1", "POL", 1, 200),
    }
    assert planned.json("match show 1 --needs") == shown["needs"]
    assert planned.json("match show 1 --gaps")["by_coalition"] == shown["coalition_gaps"]
    assert planned.json("match show 1 --unused") == []
    assert planned.json("match show 1 --overlaps") == []
    rerun = planned.json("match show 1 --rerun")
    assert rerun["reproduced"] is True and rerun["objective_now"] == 500 * 100
    assert "reproduces it exactly" in planned.ok("match show 1 --rerun")
    assert "P1" in planned.ok("match show 1 --gaps") and "DEU" in planned.ok(
        "match show 1 --allocations"
    )


def test_a_donor_plans_on_what_it_may_see_and_cannot_read_the_chairs_plan(planned: Cli) -> None:
    planned.ok("match run")

    deu = planned.json("match run", as_="DEU")

    assert [n["need_id"] for n in deu["needs"]] == [1]  # the restricted need is not DEU's
    assert deu["plan"]["pledges"] == 1  # nor POL's restricted pledge
    assert [p["id"] for p in planned.json("match list", as_="DEU")] == [2]
    assert [p["id"] for p in planned.json("match list --by DEU")] == [2]
    assert planned.fails("match show 1", as_="DEU") == "There is no plan 1."
    assert planned.fails("match diff 2 1", as_="DEU") == "There is no plan 1."


def test_diff_shows_what_changed_between_two_plans(planned: Cli) -> None:
    planned.ok("match run")
    planned.ok("needs update 1 --quantity 400")
    planned.ok("match run")

    found = planned.json("match diff 1 2")
    text = planned.ok("match diff 1 2")

    assert found["inputs"] == [
        {"kind": "need", "key": "1", "change": "changed", "fields": {"quantity": [1000, 400]}}
    ]
    # 100 shells fewer for the P1 need; 50 of them now cover the P2 need.
    assert found["needs"] == [
        {"need_id": 1, "before": 500, "after": 400, "delta": -100},
        {"need_id": 2, "before": 0, "after": 50, "delta": 50},
    ]
    assert found["objective_delta"] == -100 * 100 + 50 * 40
    assert "quantity 1000 -> 400" in text and "Input changes" in text


def test_stress_a_stored_plan_by_priority_area_and_coalition(planned: Cli) -> None:
    assert "You have no stored plan" in planned.fails("match stress --donor DEU")
    planned.ok("match run")

    data = planned.json("match stress --donor DEU")
    every = planned.ok("match stress --plan 1 --all-donors")
    late = planned.json("match stress --plan 1 --delay POL:400")
    cut = planned.ok("match stress --share 0.5")

    assert data["plan"] == 1
    (result,) = data["results"]
    assert result["scenario"] == "remove DEU"
    assert result["coverage_lost"]["P1"]["units"] == 300
    assert result["coverage_lost_by_area"] == [
        {"priority": "P1", "area": "artillery", "needed": 1000, "lost_units": 300, "share": 0.3}
    ]
    assert [c["coalition"] for c in result["coverage_lost_by_coalition"]] == ["arty"]
    assert [(h["need_id"], h["area"], h["remaining"]) for h in result["hurt_needs"]] == [
        (1, "artillery", [])
    ]
    assert every.index("remove DEU") < every.index("remove POL")  # DEU gave more
    assert late["results"][0]["coverage_lost"]["P1"]["units"] == 200  # too late to be worth it
    assert "Coverage lost by area" in cut and "Needs hit hardest" in cut


def test_run_writes_the_plan_and_its_summary_to_files(planned: Cli, tmp_path: Path) -> None:
    plan, summary = tmp_path / "plan.csv", tmp_path / "summary.json"

    planned.ok(f"match run --weights P1=50 --out {plan} --summary {summary}")

    rows = list(csv.DictReader(plan.read_text().splitlines()))
    assert {(r["offer_id"], r["need_id"], r["quantity"]) for r in rows} == {
        ("1/1", "1", "300"),
        ("2/1", "1", "200"),
    }
    data = json.loads(summary.read_text())
    assert (data["plan_id"], data["objective"]) == (1, 500 * 50)
    assert data["solver"]["solvers"] == ["min_cost_flow"]


def test_refusals_are_one_sentence(planned: Cli) -> None:
    planned.ok("match run")

    assert planned.fails("match show 99") == "There is no plan 99."
    assert planned.fails("match diff 1 99") == "There is no plan 99."
    assert planned.fails("match stress --plan 99 --donor DEU") == "There is no plan 99."
    assert "P9" in planned.fails("match run --weights P9=1")
    assert "at most one" in planned.fails("match show 1 --needs --gaps")
    assert "own weights" in planned.fails("match stress --plan 1 --donor DEU --weights P1=1")
    assert "exactly one" in planned.fails("match stress --plan 1")
    assert "--needs" in planned.fails("match stress --plan 1 --needs n.csv --donor DEU")
    assert "both --needs and --offers" in planned.fails("match stress --needs n.csv --donor DEU")
