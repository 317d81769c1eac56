"""Participants, areas, coalitions, catalogue and the chair."""

from __future__ import annotations

from tests.cli.support import Cli


def test_participants_add_update_status_and_list(coalition: Cli) -> None:
    coalition.ok("participants add NATO --name 'North Atlantic Alliance' --kind organisation")
    version = coalition.json("participants show NATO")["version"]

    coalition.ok(f"participants update NATO --gdp 1.5 --expected-version {version}")
    coalition.ok("participants status POL observer --on 2025-01-01")

    nato = coalition.json("participants show NATO")
    assert nato["kind"] == "organisation"
    assert nato["gdp_eur_bn"] == "1.5"
    assert [p["code"] for p in coalition.json("participants list --status observer")] == ["POL"]
    assert [p["code"] for p in coalition.json("participants list --kind recipient")] == ["UKR"]
    assert "already exists" in coalition.fails("participants add DEU --name Germany --kind state")
    assert "is not valid" in coalition.fails("participants add deu --name x --kind state")


def test_areas_and_catalogue(coalition: Cli) -> None:
    coalition.ok("areas add air-defence --name 'Air defence'", "--description", "SAM systems")
    coalition.ok("areas update air-defence --name 'Air and missile defence'")
    coalition.ok(
        "catalogue add iris-t --name IRIS-T --area air-defence --unit system --value 140000000"
    )
    coalition.ok("catalogue update iris-t --value 145000000.50")
    coalition.ok("catalogue substitute iris-t 155mm-shell 0.25")

    assert coalition.json("areas show air-defence")["name"] == "Air and missile defence"
    assert [a["code"] for a in coalition.json("areas list")] == ["air-defence", "artillery"]
    item = coalition.json("catalogue show iris-t")
    assert item["unit_value_eur"] == "145000000.5"
    assert [i["code"] for i in coalition.json("catalogue list --area air-defence")] == ["iris-t"]
    assert coalition.json("catalogue substitutions --item iris-t") == [
        {"offer_type": "iris-t", "need_type": "155mm-shell", "ratio": "0.25"}
    ]
    coalition.ok("catalogue substitute iris-t 155mm-shell --remove")
    assert coalition.json("catalogue substitutions") == []
    assert coalition.fails("catalogue substitute iris-t 155mm-shell") == (
        "Give either a RATIO or --remove."
    )
    assert coalition.fails("catalogue show nothing-here") == "There is no item type nothing-here."


def test_coalitions_add_and_member(coalition: Cli) -> None:
    coalition.ok(
        "coalitions add artillery-coalition --name 'Artillery coalition' --area artillery "
        "--lead DEU --member POL"
    )
    coalition.ok("coalitions member artillery-coalition USA")
    coalition.ok("coalitions member artillery-coalition POL --role lead")

    found = coalition.json("coalitions show artillery-coalition")
    assert found["area"] == "artillery"
    assert found["members"] == {"DEU": "lead", "POL": "lead", "USA": "member"}
    assert [c["code"] for c in coalition.json("coalitions list --participant USA")] == [
        "artillery-coalition"
    ]
    assert "Members" in coalition.ok("coalitions show artillery-coalition")


def test_coalitions_update_renames_and_moves_with_a_version_check(coalition: Cli) -> None:
    coalition.ok("coalitions add arty --name Artillery --area artillery --lead DEU")
    version = coalition.json("coalitions show arty")["version"]

    coalition.ok(
        f"coalitions update arty --name 'Artillery coalition' --expected-version {version}"
    )
    stale = coalition.fails(f"coalitions update arty --name Again --expected-version {version}")
    unknown = coalition.fails("coalitions update arty --area nowhere")

    found = coalition.json("coalitions show arty")
    assert (found["name"], found["version"]) == ("Artillery coalition", version + 1)
    assert "has changed since you read it" in stale
    assert unknown == "There is no capability area nowhere."
    assert "Only the chair" in coalition.fails("coalitions update arty --name X", as_="DEU")


def test_a_coalition_lead_manages_membership_and_a_member_cannot(coalition: Cli) -> None:
    coalition.ok(
        "coalitions add artillery-coalition --name Artillery --area artillery --lead DEU "
        "--member POL"
    )

    refused = coalition.fails("coalitions member artillery-coalition USA", as_="POL")
    coalition.ok("coalitions member artillery-coalition USA", as_="DEU")
    coalition.ok("coalitions member artillery-coalition POL --role none", as_="DEU")

    assert refused == "Only the chair or a lead of artillery-coalition may change its membership."
    assert coalition.json("coalitions show artillery-coalition")["members"] == {
        "DEU": "lead",
        "USA": "member",
    }


def test_chair_show_history_and_handover(coalition: Cli) -> None:
    assert coalition.json("chair show")["chair"] == "USA"

    coalition.ok("chair handover DEU --on 2025-01-01", "--note", "Rotation")
    # The host operator now acts for the new chair; USA no longer holds the chair role.
    refused = coalition.fails("areas add demining --name Demining", as_="USA")
    coalition.ok("areas add demining --name Demining", as_="DEU")

    history = coalition.json("chair history")
    assert [(t["chair"], t["since"], t["until"]) for t in history] == [
        ("USA", "2022-04-26", "2025-01-01"),
        ("DEU", "2025-01-01", None),
    ]
    assert refused == "Only the chair may define capability areas; USA is not the chair."
    assert "already chairs" in coalition.fails("chair handover DEU")
    assert "changes hands only by a handover" in coalition.fails("chair assume POL")


def test_chair_show_before_anyone_chairs(cli: Cli) -> None:
    assert cli.json("chair show") is None
    assert "Nobody chairs the coalition yet" in cli.ok("chair show")
