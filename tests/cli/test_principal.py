"""Who a command acts as: the sitting chair by default, or the participant given with --as."""

from __future__ import annotations

from ramstein.cli.context import resolve_principal
from ramstein.domain.releasability import Principal, Role
from ramstein.store.engine import Store
from tests.cli.support import Cli, add_need


def _principal(url: str, acting_as: str | None) -> Principal:
    store = Store(url)
    try:
        with store.read() as conn:
            return resolve_principal(conn, acting_as=acting_as, user="cli:test")
    finally:
        store.dispose()


def test_roles_follow_the_participant(coalition: Cli) -> None:
    coalition.ok("coalitions add arty --name Artillery --area artillery --lead DEU --member POL")

    assert _principal(coalition.url, None) == Principal("USA", frozenset({Role.CHAIR}), "cli:test")
    assert _principal(coalition.url, "UKR").roles == {Role.RECIPIENT}
    assert _principal(coalition.url, "DEU").roles == {Role.DONOR, Role.COALITION_LEAD}
    assert _principal(coalition.url, "POL").roles == {Role.DONOR}
    assert _principal(coalition.url, "USA").roles == {Role.DONOR, Role.CHAIR}


def test_the_default_principal_before_anyone_chairs(cli: Cli) -> None:
    assert _principal(cli.url, None).participant is None
    out = cli.ok("participants add DEU --name Germany --kind state")

    assert "Registered participant DEU." in out


def test_acting_as_an_unknown_participant_is_refused(coalition: Cli) -> None:
    assert coalition.fails("needs list", as_="XXX") == "There is no participant XXX."


def test_a_participant_that_left_reads_only_public_records(coalition: Cli) -> None:
    add_need(coalition)
    public = add_need(coalition, "--releasability public")
    coalition.ok("participants status POL left --on 2025-01-01")

    assert [n["id"] for n in coalition.json("needs list", as_="POL")] == [public["id"]]
    assert len(coalition.json("needs list", as_="DEU")) == 2
