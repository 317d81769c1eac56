"""Meetings: schedule, run, attendance and decisions."""

from __future__ import annotations

from tests.cli.support import Cli


def test_schedule_run_attend_and_decide(coalition: Cli) -> None:
    out = coalition.ok(
        "meetings add --date 2025-03-12 --format hybrid --venue 'Ramstein Air Base' --co-chair DEU"
    )
    assert "Scheduled meeting 1 on 2025-03-12." in out

    coalition.ok("meetings status 1 invited")
    coalition.ok("meetings attend 1 DEU --level minister")
    coalition.ok("meetings attend 1 POL --level deputy_minister")
    coalition.ok("meetings status 1 held")
    coalition.ok("meetings decide 1", "Open a demining coalition")
    coalition.ok("meetings decide 1", "Fund the shell initiative", "--to", "POL")

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
    coalition.ok("meetings decide 1", "Only for Poland", "--to", "POL")

    assert coalition.json("meetings show 1", as_="DEU")["decisions"] == []
    assert len(coalition.json("meetings show 1", as_="POL")["decisions"]) == 1


def test_illegal_meeting_steps_are_one_sentence(coalition: Cli) -> None:
    coalition.ok("meetings add --date 2025-03-12 --format virtual")

    assert coalition.fails("meetings status 1 held") == (
        "A meeting that is scheduled cannot become held; from scheduled it may become: "
        "cancelled, invited."
    )
    assert "decisions are recorded while it is held" in coalition.fails(
        "meetings decide 1", "Too early"
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
