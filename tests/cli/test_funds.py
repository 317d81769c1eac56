"""Pooled funds on the command line: a fund, contributions, a package and its attribution."""

from __future__ import annotations

from tests.cli.support import Cli, add_pledge


def _fund(cli: Cli) -> None:
    cli.ok("participants add PF --name 'Pooled fund' --kind fund --joined-on 2025-01-01")
    cli.ok("funds contribute PF --contributor DEU --amount 2000 --on 2025-01-10")
    cli.ok("funds contribute PF --contributor POL --amount 1000 --on 2025-01-11 --note 'half'")


def test_a_package_delivery_is_attributed_to_the_contributors(coalition: Cli) -> None:
    _fund(coalition)
    package = add_pledge(coalition, "PF", "--value 3000.00", quantity=3)
    coalition.ok(f"pledges status {package['id']} committed --on 2025-02-02")
    coalition.ok(f"deliveries add {package['id']} --quantity 1 --dispatched-on 2025-03-01")

    report = coalition.json("funds show PF")
    assert (report["delivered_eur"], report["contributed_eur"], report["packages"]) == (
        "1000.00",
        "3000.00",
        1,
    )
    assert [(a["contributor"], a["delivered_eur"]) for a in report["attributions"]] == [
        ("DEU", "666.67"),
        ("POL", "333.33"),
    ]
    shown = coalition.ok("funds show PF")
    assert "Attribution of what was delivered" in shown and "666.67" in shown
    assert "66.67%" in shown
    assert [r["fund"] for r in coalition.json("funds list")] == ["PF"]

    # the donors' totals keep the package the fund's pledge and show each donor's part beside
    donors = {d["donor"]: d for d in coalition.json("analytics donors")}
    assert (donors["PF"]["delivered_eur"], donors["PF"]["to_funds_eur"]) == ("1000.00", "0.00")
    assert (donors["DEU"]["to_funds_eur"], donors["DEU"]["via_funds_eur"]) == ("2000.00", "666.67")
    assert "To funds EUR" in coalition.ok("analytics donors")


def test_contributions_are_listed_settled_and_refused_with_one_sentence(coalition: Cli) -> None:
    _fund(coalition)
    listed = coalition.json("funds contributions --fund PF")
    assert [(c["contributor"], c["status"], c["note"]) for c in listed] == [
        ("POL", "pledged", "half"),
        ("DEU", "pledged", ""),
    ]
    deu = listed[1]["id"]
    assert "is paid" in coalition.ok(f"funds status {deu} paid --on 2025-02-01")
    assert coalition.json("funds contributions --status paid")[0]["id"] == deu
    assert "Say why" in coalition.fails(f"funds status {deu} cancelled")
    assert "not a pooled fund" in coalition.fails(
        "funds contribute DEU --contributor POL --amount 5"
    )
    assert "positive amount" in coalition.fails("funds contribute PF --contributor POL --amount 0")
    assert "--rate" in coalition.fails(
        "funds contribute PF --contributor POL --amount 5 --currency USD"
    )
    assert coalition.fails("funds contribute PF --amount 5") == (
        "Name the contributor with --contributor (or act as it with --as)."
    )
    assert coalition.fails("funds show DEU") == "There is no pooled fund DEU."
