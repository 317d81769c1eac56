"""File mode: good files give a plan and summary; every bad row is refused with where and why."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ramstein.cli.main import app
from ramstein.domain.needs import Priority
from ramstein.matching.files import MatchInputError, parse_weights, read_problem_files

NEEDS = """need_id,item_type,quantity,priority,needed_by,weight
N1,shell-155,10,P1,2026-03-01,
N2,shell-155,5,P3,2026-03-10,
N3,generator,2,P2,2026-03-05,80
"""
OFFERS = """offer_id,donor,item_type,quantity,available
O1,DE,shell-155,8,2026-03-01
O2,FR,shell-152,4,2026-03-04
O3,PL,generator,3,2026-03-08
"""
SUBS = """offer_type,need_type,ratio
shell-152,shell-155,1
"""


def write(tmp_path: Path, needs: str = NEEDS, offers: str = OFFERS, subs: str = SUBS) -> list[Path]:
    paths = [tmp_path / "needs.csv", tmp_path / "offers.csv", tmp_path / "subs.csv"]
    for path, text in zip(paths, (needs, offers, subs), strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


def refused(tmp_path: Path, **texts: str) -> list[tuple[str, int, str]]:
    with pytest.raises(MatchInputError) as caught:
        read_problem_files(*write(tmp_path, **texts))
    return [(e.file, e.line, e.column) for e in caught.value.errors]


def test_good_files_are_read(tmp_path: Path) -> None:
    needs, offers, subs = read_problem_files(*write(tmp_path))
    assert [n.need_id for n in needs] == ["N1", "N2", "N3"]
    assert needs[0].weight is None and needs[2].weight == 80
    assert offers[1].donor == "FR" and subs[0].ratio == 1


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        (
            "needs",
            NEEDS.replace("N2,shell-155,5,", "N2,shell-155,five,"),
            ("needs.csv", 3, "quantity"),
        ),
        (
            "needs",
            NEEDS.replace("N2,shell-155,5,", "N2,shell-155,0,"),
            ("needs.csv", 3, "quantity"),
        ),
        ("needs", NEEDS.replace(",P3,", ",P9,"), ("needs.csv", 3, "priority")),
        ("needs", NEEDS.replace("2026-03-10", "10/03/2026"), ("needs.csv", 3, "needed_by")),
        ("needs", NEEDS.replace(",80", ",-1"), ("needs.csv", 4, "weight")),
        ("needs", NEEDS.replace("N2,", "N1,"), ("needs.csv", 3, "need_id")),
        ("needs", NEEDS.replace("N3,generator", ",generator"), ("needs.csv", 4, "need_id")),
        (
            "needs",
            NEEDS.replace("needed_by", "due"),
            [("needs.csv", 1, "needed_by"), ("needs.csv", 1, "due")],
        ),
        ("needs", NEEDS.replace(",weight", ",weight,colour"), ("needs.csv", 1, "colour")),
        (
            "needs",
            NEEDS.replace("N2,shell-155,5,P3,2026-03-10,", "N2,shell-155"),
            ("needs.csv", 3, ""),
        ),
        ("offers", OFFERS.replace("2026-03-04", "2026-02-30"), ("offers.csv", 3, "available")),
        ("offers", OFFERS.replace("O3,PL", "O3,"), ("offers.csv", 4, "donor")),
        ("offers", OFFERS.replace("O2,", "O1,"), ("offers.csv", 3, "offer_id")),
        ("subs", SUBS.replace(",1\n", ",0\n"), ("subs.csv", 2, "ratio")),
        ("subs", SUBS + "shell-152,shell-155,2\n", ("subs.csv", 3, "need_type")),
        ("subs", SUBS + "shell-152,shell-152,2\n", ("subs.csv", 3, "ratio")),
        ("offers", "", ("offers.csv", 1, "")),
    ],
)
def test_each_kind_of_bad_row_is_refused_with_line_column_reason(
    tmp_path: Path,
    kind: str,
    text: str,
    expected: tuple[str, int, str] | list[tuple[str, int, str]],
) -> None:
    want = expected if isinstance(expected, list) else [expected]
    assert refused(tmp_path, **{kind: text}) == want


def test_every_bad_row_of_every_file_is_reported_together(tmp_path: Path) -> None:
    errors = refused(
        tmp_path,
        needs=NEEDS.replace(",P3,", ",P9,").replace(",80", ",x"),
        offers=OFFERS.replace(",8,", ",-8,"),
    )
    assert errors == [
        ("needs.csv", 3, "priority"),
        ("needs.csv", 4, "weight"),
        ("offers.csv", 2, "quantity"),
    ]


def test_weights_option() -> None:
    weights = parse_weights("P1=200,p4=0.5")
    assert weights == {Priority.P1: 200, Priority.P2: 40, Priority.P3: 15, Priority.P4: 0.5}
    with pytest.raises(ValueError, match="P7"):
        parse_weights("P7=1")


def test_cli_solves_files_and_writes_plan_and_summary(tmp_path: Path) -> None:
    needs, offers, subs = write(tmp_path)
    plan, summary = tmp_path / "plan.csv", tmp_path / "summary.json"
    argv = ["match", "solve", "--needs", str(needs), "--offers", str(offers)]
    argv += ["--substitutions", str(subs), "--out", str(plan), "--summary", str(summary)]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(plan.read_text().splitlines()))
    got = {(r["offer_id"], r["need_id"]): int(r["quantity"]) for r in rows}
    # O1 (on time) covers 8 of P1's 10; O2 (3 days late for N1, gain 97 > P3's 15) the rest.
    assert got == {("O1", "N1"): 8, ("O2", "N1"): 2, ("O2", "N2"): 2, ("O3", "N3"): 2}
    data = json.loads(summary.read_text())
    assert data["objective"] == 8 * 100 + 2 * 97 + 2 * 15 + 2 * (80 - 3)
    assert data["units_allocated"] == 14
    assert data["priority_coverage"]["P1"]["share"] == 1.0
    assert data["solver"]["solvers"] == ["min_cost_flow"]
    assert "seconds" in data

    # A penalty and weights from the command line change the plan: P3 now outweighs lateness.
    argv2 = argv + ["--weights", "P1=10,P3=9", "--late-penalty", "5"]
    result = CliRunner().invoke(app, argv2)
    assert result.exit_code == 0, result.output
    got = {
        (r["offer_id"], r["need_id"]): int(r["quantity"])
        for r in csv.DictReader(plan.read_text().splitlines())
    }
    assert got[("O1", "N1")] == 8 and ("O2", "N1") not in got


def test_cli_refuses_bad_files_with_row_column_and_reason(tmp_path: Path) -> None:
    needs, offers, subs = write(tmp_path, offers=OFFERS.replace(",3,2026-03-08", ",3,soon"))
    plan = tmp_path / "plan.csv"
    argv = ["match", "solve", "--needs", str(needs), "--offers", str(offers), "--substitutions"]
    argv += [str(subs), "--out", str(plan), "--summary", str(tmp_path / "s.json")]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 1
    assert "offers.csv, line 4, column available" in result.stderr
    assert "not an ISO 8601 date" in result.stderr
    assert not plan.exists()
