"""Pledges and their tranches: announce, revise, lifecycle, history; and who may change them."""

from __future__ import annotations

from tests.cli.support import Cli, add_pledge


def test_add_a_pledge_with_tranches_and_value(coalition: Cli) -> None:
    pledge = add_pledge(
        coalition,
        "DEU",
        "--value 1000000 --currency USD --rate 0.92 --year 2025 --year 2026 "
        "--tranche 200@2025-03-01 --tranche 300@2025-06-30 --ref PKG-12",
    )

    assert pledge["donor"] == "DEU"
    assert pledge["quantity"] == 500
    assert pledge["status"] == "announced"
    assert pledge["value"] == {
        "amount": "1000000",
        "currency": "USD",
        "eur_rate": "0.92",
        "eur": "920000.00",
    }
    assert pledge["years"] == [2025, 2026]
    assert pledge["external_ref"] == "PKG-12"
    assert [(t["number"], t["quantity"], t["expected_on"]) for t in pledge["tranches"]] == [
        (1, 200, "2025-03-01"),
        (2, 300, "2025-06-30"),
    ]
    assert pledge["history"][0]["status"] == "announced"
    shown = coalition.ok(f"pledges show {pledge['id']}")
    assert "Tranches" in shown and "2025-06-30" in shown and "920,000.00" in shown


def test_without_tranches_the_whole_quantity_is_one_tranche(coalition: Cli) -> None:
    plain = add_pledge(coalition, "DEU", quantity=40)
    later = add_pledge(coalition, "POL", "--expected-on 2025-09-01", quantity=60)

    assert [(t["quantity"], t["expected_on"]) for t in plain["tranches"]] == [(40, "2025-02-01")]
    assert [(t["quantity"], t["expected_on"]) for t in later["tranches"]] == [(60, "2025-09-01")]


def test_bad_pledge_input_is_one_sentence(coalition: Cli) -> None:
    base = "pledges add --donor DEU --item 155mm-shell --source stocks --announced-on 2025-02-01"

    assert "must be positive" in coalition.fails(f"{base} --quantity 0")
    assert "QTY@YYYY-MM-DD" in coalition.fails(f"{base} --quantity 5 --tranche 5@soon")
    assert "more than the 5 pledged" in coalition.fails(
        f"{base} --quantity 5 --tranche 6@2025-03-01"
    )
    assert "--rate" in coalition.fails(f"{base} --quantity 5 --value 100 --currency USD")
    assert "is not a number" in coalition.fails(f"{base} --quantity 5 --value lots")
    assert coalition.fails("pledges add --item 155mm-shell --quantity 5 --source stocks") == (
        "Name the donor with --donor (or act as it with --as)."
    )
    assert coalition.json("pledges list") == []


def test_status_history_and_an_illegal_transition(coalition: Cli) -> None:
    pledge = add_pledge(coalition, "DEU")
    pid = pledge["id"]

    coalition.ok(f"pledges status {pid} committed --on 2025-02-10")
    message = coalition.fails(f"pledges status {pid} announced")
    coalition.ok(f"pledges status {pid} cancelled --on 2025-03-01 --reason 'Stocks exhausted'")

    assert message == (
        "A pledge that is committed cannot become announced; from committed it may become: "
        "cancelled, contracted, delivering."
    )
    history = coalition.json(f"pledges history {pid}")
    assert [(h["status"], h["on"]) for h in history] == [
        ("announced", "2025-02-01"),
        ("committed", "2025-02-10"),
        ("cancelled", "2025-03-01"),
    ]
    assert history[-1]["reason"] == "Stocks exhausted"
    assert coalition.json(f"pledges show {pid}")["cancel_reason"] == "Stocks exhausted"


def test_a_stale_expected_version_is_refused(coalition: Cli) -> None:
    pledge = add_pledge(coalition, "DEU")
    pid, version = pledge["id"], pledge["version"]

    coalition.ok(f"pledges update {pid} --quantity 600 --expected-version {version}")
    message = coalition.fails(f"pledges update {pid} --quantity 700 --expected-version {version}")

    assert message.startswith(f"Pledge {pid} has changed since you read it")
    assert coalition.json(f"pledges show {pid}")["quantity"] == 600


def test_a_donor_cannot_update_another_donors_pledge(coalition: Cli) -> None:
    pledge = add_pledge(coalition, "POL")

    message = coalition.fails(f"pledges update {pledge['id']} --quantity 1", as_="DEU")
    coalition.ok(f"pledges update {pledge['id']} --quantity 550", as_="POL")

    assert message == "Only POL or the chair may revise its pledges; DEU acts for someone else."
    assert coalition.json(f"pledges show {pledge['id']}")["quantity"] == 550


def test_a_donor_announces_its_own_pledge_with_as(coalition: Cli) -> None:
    out = coalition.ok(
        "pledges add --item 155mm-shell --quantity 10 --source procurement "
        "--announced-on 2025-02-01 --releasability restricted",
        as_="DEU",
    )

    assert "Announced pledge 1." in out
    assert coalition.json("pledges list", as_="DEU")[0]["donor"] == "DEU"
    assert coalition.json("pledges list", as_="POL") == []  # restricted, POL not named
    assert "restricted" in coalition.ok("pledges list")


def test_list_filters(coalition: Cli) -> None:
    add_pledge(coalition, "DEU")
    second = add_pledge(coalition, "POL", "--releasability public")
    coalition.ok(f"pledges status {second['id']} committed --on 2025-02-02")

    assert [p["donor"] for p in coalition.json("pledges list --donor POL")] == ["POL"]
    assert [p["donor"] for p in coalition.json("pledges list --status committed")] == ["POL"]
    assert [p["donor"] for p in coalition.json("pledges list --releasability public")] == ["POL"]
    assert coalition.json("pledges list --area artillery --from 2025-02-01 --until 2025-02-01")
    assert coalition.json("pledges list --until 2025-01-31") == []


def test_tranches_add_update_and_list(coalition: Cli) -> None:
    pledge = add_pledge(coalition, "DEU", "--tranche 200@2025-03-01")
    pid = pledge["id"]

    coalition.ok(f"tranches add {pid} --quantity 250 --expected-on 2025-05-01")
    coalition.ok(f"tranches update {pid} 1 --expected-on 2025-04-15 --quantity 150")
    tranches = coalition.json(f"tranches list {pid}")

    assert [(t["number"], t["quantity"], t["expected_on"]) for t in tranches] == [
        (1, 150, "2025-04-15"),
        (2, 250, "2025-05-01"),
    ]
    assert tranches[0]["promised_on"] == "2025-03-01"  # kept to measure slippage
    assert "too large" in coalition.fails(
        f"tranches add {pid} --quantity 101 --expected-on 2025-06-01"
    )
    assert "has no tranche 9" in coalition.fails(f"tranches update {pid} 9 --quantity 1")
    version = coalition.json(f"pledges show {pid}")["version"]
    assert "has changed" in coalition.fails(
        f"tranches update {pid} 1 --quantity 100 --expected-version {version - 1}"
    )


def test_a_multi_year_pledge_is_planned_year_by_year(coalition: Cli) -> None:
    pledge = add_pledge(coalition, "DEU", "--tranche 200@2025-06-01 --tranche 300@2026-03-01")
    coalition.ok(f"pledges update {pledge['id']} --year 2025 --year 2026")

    out = coalition.ok(f"pledges year {pledge['id']} 2026 --amount-eur 1000000 --status committed")

    assert "2026 is committed, EUR 1,000,000." in out
    assert "Tranche units" in out
    shown = coalition.json(f"pledges show {pledge['id']}")
    assert shown["year_plans"] == [{"year": 2026, "amount_eur": "1000000", "status": "committed"}]
    assert "Give the amount for 2025" in coalition.fails(f"pledges year {pledge['id']} 2025")
    refused = coalition.fails(f"pledges year {pledge['id']} 2026 --status indicative")
    assert "committed" in refused and "indicative" in refused
