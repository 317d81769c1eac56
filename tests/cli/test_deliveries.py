"""Deliveries against tranches and the recipient's receipt."""

from __future__ import annotations

from typing import Any

from tests.cli.support import Cli, add_pledge


def _committed(cli: Cli) -> dict[str, Any]:
    pledge = add_pledge(cli, "DEU", "--tranche 200@2025-03-01 --tranche 300@2025-06-30")
    cli.ok(f"pledges status {pledge['id']} committed --on 2025-02-10")
    return pledge


def test_deliver_then_confirm_receipt(coalition: Cli) -> None:
    pid = _committed(coalition)["id"]

    out = coalition.ok(
        f"deliveries add {pid} --tranche 1 --quantity 120 --dispatched-on 2025-03-05",
        "--note",
        "By rail via Rzeszów",
    )
    assert "Recorded delivery 1 of pledge 1." in out
    coalition.ok("deliveries receive 1 --quantity 110 --on 2025-03-09", "--discrepancy", "10 lost")

    delivery = coalition.json("deliveries show 1")
    assert delivery["pledge_id"] == pid
    assert delivery["tranche"] == 1
    assert delivery["quantity"] == 120
    assert delivery["note"] == "By rail via Rzeszów"
    assert delivery["status"] == "received"
    assert delivery["received_quantity"] == 110
    assert delivery["received_on"] == "2025-03-09"
    assert delivery["discrepancy"] == "10 lost"
    assert coalition.json(f"deliveries list --pledge {pid}") == [delivery]
    pledge = coalition.json(f"pledges show {pid}")
    assert pledge["status"] == "delivering"
    assert pledge["tranches"][0]["delivered"] == 120


def test_receiving_more_than_was_delivered_is_refused(coalition: Cli) -> None:
    pid = _committed(coalition)["id"]
    coalition.ok(f"deliveries add {pid} --quantity 50 --dispatched-on 2025-03-05")

    message = coalition.fails("deliveries receive 1 --quantity 51 --on 2025-03-06")

    assert message == (
        "Delivery 1 dispatched 50; 51 cannot have been received. Record the surplus as a "
        "separate delivery."
    )
    assert coalition.json("deliveries show 1")["status"] == "dispatched"


def test_delivering_more_than_the_tranche_is_refused(coalition: Cli) -> None:
    pid = _committed(coalition)["id"]

    message = coalition.fails(f"deliveries add {pid} --tranche 1 --quantity 201")

    assert message.startswith("Tranche 1 of pledge 1 has 200 of 200 left to deliver")
    assert coalition.json("deliveries list") == []


def test_only_the_recipient_or_chair_confirms_receipt(coalition: Cli) -> None:
    pid = _committed(coalition)["id"]
    coalition.ok(f"deliveries add {pid} --quantity 50 --dispatched-on 2025-03-05")

    message = coalition.fails("deliveries receive 1 --quantity 50", as_="DEU")
    coalition.ok("deliveries receive 1 --quantity 50 --on 2025-03-07", as_="UKR")

    assert message == "Only the recipient or the chair may confirm receipt of a delivery."
    assert coalition.json("deliveries list --status received")[0]["received_quantity"] == 50


def test_delivering_the_whole_pledge_marks_it_delivered(coalition: Cli) -> None:
    pid = _committed(coalition)["id"]

    coalition.ok(f"deliveries add {pid} --tranche 1 --quantity 200 --dispatched-on 2025-03-05")
    coalition.ok(f"deliveries add {pid} --tranche 2 --quantity 300 --dispatched-on 2025-07-01")

    assert coalition.json(f"pledges show {pid}")["status"] == "delivered"
    assert [d["id"] for d in coalition.json("deliveries list --from 2025-06-01")] == [2]
