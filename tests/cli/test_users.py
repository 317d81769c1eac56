"""Users and tokens: a token issued on the command line signs in until it is revoked."""

from __future__ import annotations

import re

from ramstein.domain.releasability import Role
from ramstein.services import users
from ramstein.store.engine import Store
from tests.cli.support import Cli


def _authenticate(url: str, secret: str) -> object:
    store = Store(url)
    try:
        with store.read() as conn:
            return users.authenticate(conn=conn, token=secret)
    finally:
        store.dispose()


def test_issue_list_and_revoke_a_token(coalition: Cli) -> None:
    coalition.ok("users add anna@bmvg.example --participant DEU --role donor --role coalition_lead")
    out = coalition.ok("tokens issue anna@bmvg.example --days 30 --note 'Pledge uploads'")

    secrets = re.findall(r"^rst_\S+$", out, flags=re.MULTILINE)
    assert len(secrets) == 1, out
    assert "shown only now" in out
    principal = _authenticate(coalition.url, secrets[0])
    assert principal is not None
    assert principal.participant == "DEU"  # type: ignore[attr-defined]
    assert principal.roles == {Role.DONOR, Role.COALITION_LEAD}  # type: ignore[attr-defined]

    (token,) = coalition.json("tokens list --user anna@bmvg.example")
    assert token["note"] == "Pledge uploads"
    assert token["expires_at"] is not None and token["revoked_at"] is None
    assert secrets[0] not in coalition.ok("tokens list")

    coalition.ok(f"tokens revoke {token['id']}")

    assert _authenticate(coalition.url, secrets[0]) is None
    assert coalition.json("tokens list")[0]["revoked_at"] is not None
    assert (
        coalition.fails(f"tokens revoke {token['id']}")
        == f"There is no active token {token['id']}."
    )


def test_users_list_and_refusals(coalition: Cli) -> None:
    coalition.ok("users add kyiv@mod.example --participant UKR --role recipient")

    assert coalition.json("users list") == [
        {
            "name": "kyiv@mod.example",
            "participant": "UKR",
            "roles": ["recipient"],
            "disabled": False,
        }
    ]
    assert "is not the recipient" in coalition.fails(
        "users add x@example --participant DEU --role recipient"
    )
    assert coalition.fails("users add y@example --participant XYZ --role donor") == (
        "There is no participant XYZ."
    )
    assert coalition.fails("tokens issue nobody") == "There is no user nobody."
