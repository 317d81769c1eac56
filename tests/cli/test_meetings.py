"""Meetings: schedule, run, attendance, the agenda, the round, decisions, actions, read-outs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.cli.support import Cli
from tests.conftest import require


def test_schedule_run_attend_and_decide(coalition: Cli) -> None:
    out = coalition.ok(
        "meetings add --date 2025-03-12 --format hybrid --venue 'Ramstein Air Base' --co-chair DEU"
    )
    assert "Scheduled meeting 1 on 2025-03-12." in out

    coalition.ok("meetings status 1 invited")
    coalition.ok("meetings attend 1 DEU --level minister")
    coalition.ok("meetings attend 1 POL --level deputy_minister")
    coalition.ok("meetings status 1 held")
    coalition.ok("meetings decide 1", "Open a demining coalition", "--owner", "DEU")
    coalition.ok("meetings decide 1", "Fund the shell initiative", "--owner", "USA", "--to", "POL")

    meeting = coalition.json("meetings show 1")
    assert meeting["number"] == 1
    assert meeting["held_on"] == "2025-03-12"
    assert meeting["format"] == "hybrid"
    assert meeting["venue"] == "Ramstein Air Base"
    assert meeting["chair"] == "USA"  # the sitting chair, by default
    assert meeting["co_chairs"] == ["DEU"]
    assert meeting["status"] == "held"
    assert meeting["attendance"] == {"DEU": "minister", "POL": "deputy_minister"}
    assert [(d["text"], d["label"]) for d in meeting["decisions"]] == [
        ("Open a demining coalition", {"level": "coalition", "named": []}),
        ("Fund the shell initiative", {"level": "restricted", "named": ["POL"]}),
    ]
    shown = coalition.ok("meetings show 1")
    assert "Attendance" in shown and "deputy_minister" in shown
    assert "restricted (POL)" in shown
    assert [m["status"] for m in coalition.json("meetings list")] == ["held"]


def test_a_restricted_decision_is_hidden_from_a_donor_not_named(coalition: Cli) -> None:
    coalition.ok("meetings add --date 2025-03-12 --format virtual")
    coalition.ok("meetings status 1 invited")
    coalition.ok("meetings status 1 held")
    coalition.ok("meetings decide 1", "Only for Poland", "--owner", "USA", "--to", "POL")

    assert coalition.json("meetings show 1", as_="DEU")["decisions"] == []
    assert len(coalition.json("meetings show 1", as_="POL")["decisions"]) == 1


def test_illegal_meeting_steps_are_one_sentence(coalition: Cli) -> None:
    coalition.ok("meetings add --date 2025-03-12 --format virtual")

    assert coalition.fails("meetings status 1 held") == (
        "A meeting that is scheduled cannot become held; from scheduled it may become: "
        "cancelled, invited."
    )
    assert "decisions are recorded while it is held" in coalition.fails(
        "meetings decide 1", "Too early", "--owner", "USA"
    )
    assert coalition.fails("meetings add --date 2025-04-09 --format in_person") == (
        "An in-person meeting needs a venue."
    )
    assert "Only the chair may schedule meetings" in coalition.fails(
        "meetings add --date 2025-04-09 --format virtual", as_="DEU"
    )


def test_revise_a_meeting_with_expected_version(coalition: Cli) -> None:
    coalition.ok("meetings add --date 2025-03-12 --format virtual")
    version = coalition.json("meetings show 1")["version"]

    coalition.ok(f"meetings update 1 --date 2025-03-19 --co-chair DEU --expected-version {version}")
    message = coalition.fails(f"meetings status 1 invited --expected-version {version}")

    assert "has changed since you read it" in message
    assert coalition.json("meetings show 1")["held_on"] == "2025-03-19"
    assert coalition.json("meetings show 1")["co_chairs"] == ["DEU"]
    coalition.ok("meetings update 1 --no-co-chairs")
    assert coalition.json("meetings show 1")["co_chairs"] == []


def test_a_meeting_cycle_from_the_command_line(coalition: Cli, tmp_path: Path) -> None:
    coalition.ok("meetings add --date 2025-03-12 --format virtual")
    coalition.ok("meetings add --date 2025-04-09 --format virtual")
    coalition.ok("meetings invite 1")
    coalition.ok("meetings hold 1")
    assert "cannot become held" in coalition.fails("meetings hold 1")
    round_ = tmp_path / "round.csv"
    round_.write_text(
        "donor,item_type,quantity,tranches,releasability\n"
        "DEU,155mm-shell,300,100@2025-03-20,public\n"
        "POL,155mm-shell,200,,coalition\n"
    )
    checked = coalition.ok(f"meetings announce 1 --file {round_} --dry-run")
    assert "valid; nothing was recorded" in checked
    assert coalition.json("pledges list") == []
    coalition.ok(f"meetings announce 1 --file {round_}")
    assert [p["meeting"] for p in coalition.json("pledges list")] == [1, 1]
    bad = tmp_path / "bad.csv"
    bad.write_text("donor,item_type,quantity\nDEU,155mm-shell,many\nPOL,,5\n")
    refused = coalition.fails(f"meetings announce 1 --file {bad}")
    assert "line 2, column quantity ('many')" in refused and "line 3, column item_type" in refused
    coalition.ok("meetings decide 1", "Report stocks", "--owner", "POL", "--action", "--due",
                 "2025-04-09")  # fmt: skip
    coalition.ok("meetings close 1")
    assert [(a["meeting"], a["number"]) for a in coalition.json("meetings actions --open")] == [
        (1, 1)
    ]

    agenda = coalition.json("meetings agenda 2")
    assert [i["key"] for i in agenda["items"]] == ["priorities", "pledges", "overdue", "actions"]
    assert [a["text"] for a in agenda["items"][3]["actions"]] == ["Report stocks"]
    coalition.ok("meetings agenda 2 --add 'Winter energy' --text 'EU brief' --at 1")
    coalition.ok("meetings agenda 2 --drop overdue")
    shown = coalition.ok("meetings agenda 2")
    assert "version 2" in shown and "1. Winter energy" in shown and "EU brief" in shown
    assert [i["key"] for i in coalition.json("meetings agenda 2 --version 1")["items"]] == [
        "item:1", "priorities", "pledges", "overdue", "actions",
    ]  # fmt: skip

    coalition.ok("meetings close-action 1/1 --note 'Stocks reported'", as_="POL")
    assert coalition.json("meetings actions --open") == []

    public = coalition.ok("meetings readout 1 --audience public")
    assert "meeting 1 read-out" in public and "Germany" in public and "Poland" not in public
    assert "Poland" in coalition.ok("meetings readout 1 --audience coalition")
    assert "not an audience" in coalition.fails("meetings readout 1 --audience 'no one'")
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        require(f"WeasyPrint cannot load its system libraries ({error})")
    pdf = tmp_path / "readout.pdf"
    done = coalition.ok(f"meetings readout 1 --audience coalition --format pdf --output {pdf}")
    assert str(pdf) in done and pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        require("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "meeting 1 read-out" in text and "Coalition members" in text
