"""Needs: submit, list, show, revise, change status; and who may see them."""

from __future__ import annotations

from tests.cli.support import Cli, add_need


def test_add_list_and_show_a_need(coalition: Cli) -> None:
    out = coalition.ok(
        "needs add --item 155mm-shell --quantity 1000 --priority P1 --raised-on 2025-01-05 "
        "--needed-by 2025-12-31 --ref REQ-7",
        "--rationale",
        "Winter counter-battery fire",
    )

    assert "Submitted need 1." in out
    assert "UKR" in out  # the only recipient, taken by default
    listed = coalition.json("needs list")
    assert [n["id"] for n in listed] == [1]
    shown = coalition.json("needs show 1")
    assert shown == listed[0]
    assert shown["recipient"] == "UKR"
    assert shown["item_type"] == "155mm-shell"
    assert shown["quantity"] == 1000
    assert shown["priority"] == "P1"
    assert shown["needed_by"] == "2025-12-31"
    assert shown["status"] == "open"
    assert shown["rationale"] == "Winter counter-battery fire"
    assert shown["external_ref"] == "REQ-7"
    assert shown["label"] == {"level": "coalition", "named": []}
    table = coalition.ok("needs list")
    assert "155mm-shell" in table and "coalition" in table and "Needs (1)" in table


def test_list_filters_by_priority_status_and_dates(coalition: Cli) -> None:
    add_need(coalition)
    coalition.ok(
        "needs add --item 155mm-shell --quantity 50 --priority P3 --raised-on 2025-01-05 "
        "--needed-by 2026-06-30"
    )

    assert [n["priority"] for n in coalition.json("needs list --priority P3")] == ["P3"]
    assert [n["quantity"] for n in coalition.json("needs list --from 2026-01-01")] == [50]
    assert len(coalition.json("needs list --status open --status covered")) == 2
    assert coalition.json("needs list --status withdrawn") == []
    assert len(coalition.json("needs list --limit 1")) == 1
    assert "No needs match." in coalition.ok("needs list --item other-item")


def test_update_with_the_current_version_then_a_stale_one(coalition: Cli) -> None:
    need = add_need(coalition)

    coalition.ok(f"needs update {need['id']} --quantity 800 --expected-version {need['version']}")
    message = coalition.fails(
        f"needs update {need['id']} --quantity 700 --expected-version {need['version']}"
    )

    assert "has changed since you read it" in message
    assert coalition.json(f"needs show {need['id']}")["quantity"] == 800


def test_status_change_and_an_illegal_transition(coalition: Cli) -> None:
    need = add_need(coalition)

    assert "Say why" in coalition.fails(f"needs status {need['id']} withdrawn")
    coalition.ok(f"needs status {need['id']} withdrawn --reason 'Covered bilaterally'")
    message = coalition.fails(f"needs status {need['id']} open")

    assert message == (
        "A need that is withdrawn cannot become open; from withdrawn it may become: "
        "none (it is final)."
    )
    assert coalition.json(f"needs show {need['id']}")["status"] == "withdrawn"


def test_unknown_item_zero_quantity_and_bad_date_are_one_sentence(coalition: Cli) -> None:
    base = "needs add --priority P2 --raised-on 2025-01-05"

    assert coalition.fails(f"{base} --item xyz --quantity 3 --needed-by 2025-06-01") == (
        "There is no item type xyz."
    )
    assert "must be positive" in coalition.fails(
        f"{base} --item 155mm-shell --quantity 0 --needed-by 2025-06-01"
    )
    assert "YYYY-MM-DD" in coalition.fails(
        f"{base} --item 155mm-shell --quantity 3 --needed-by 2025-02-30"
    )
    assert coalition.json("needs list") == []


def test_a_restricted_need_is_invisible_to_a_donor_not_named(coalition: Cli) -> None:
    need = add_need(coalition, "--releasability restricted --to POL")

    assert need["label"] == {"level": "restricted", "named": ["POL"]}
    assert coalition.json("needs list", as_="DEU") == []
    assert (
        coalition.fails(f"needs show {need['id']}", as_="DEU") == f"There is no need {need['id']}."
    )
    assert [n["id"] for n in coalition.json("needs list", as_="POL")] == [need["id"]]
    assert [n["id"] for n in coalition.json("needs list", as_="UKR")] == [need["id"]]
    assert "restricted (POL)" in coalition.ok("needs list")


def test_naming_participants_on_a_coalition_record_is_refused(coalition: Cli) -> None:
    message = coalition.fails(
        "needs add --item 155mm-shell --quantity 3 --priority P2 --needed-by 2030-01-01 "
        "--releasability coalition --to POL"
    )

    assert "Only restricted records name participants" in message


def test_a_donor_cannot_submit_needs_but_the_recipient_can(coalition: Cli) -> None:
    base = "needs add --item 155mm-shell --quantity 3 --priority P2 --needed-by 2030-01-01"

    assert "Only UKR or the chair" in coalition.fails(base, as_="DEU")
    assert "Submitted need 1." in coalition.ok(base, as_="UKR")


def test_the_recipient_must_be_named_when_there_is_none(cli: Cli) -> None:
    cli.ok("participants add DEU --name Germany --kind state")
    cli.ok("areas add artillery --name Artillery")
    cli.ok("catalogue add shell --name Shell --area artillery --unit round --value 1")

    message = cli.fails("needs add --item shell --quantity 3 --priority P2 --needed-by 2030-01-01")

    assert message == "Name the recipient with --recipient (recipients: none)."
