"""Participants: codes, GDP, joining and leaving, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ramstein.domain import participants
from ramstein.domain.errors import InactiveParticipant, InvalidValue
from ramstein.domain.participants import Participant, ParticipantKind, ParticipantStatus

DAY = date(2022, 4, 26)


def register(**overrides: Any) -> participants.ParticipantRegistered:
    args: dict[str, Any] = {
        "code": "DEU",
        "name": " Germany ",
        "kind": ParticipantKind.STATE,
        "status": ParticipantStatus.MEMBER,
        "joined_on": DAY,
        "gdp_eur_bn": Decimal("4121.160175"),
    }
    args.update(overrides)
    return participants.register(**args)


@pytest.mark.parametrize("code", ["DEU", "NATO", "EU", "UN-OCHA", "G7_FIN"])
def test_valid_codes(code: str) -> None:
    assert register(code=code).code == code


@pytest.mark.parametrize("code", ["deu", "D", "1DE", "DEU ", "VERY-LONG-CODE-NAME", "DE.U"])
def test_invalid_codes_are_refused_with_an_example(code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        register(code=code)
    assert caught.value.field == "code"
    assert f"Participant code {code!r} is not valid" in str(caught.value)
    assert "(e.g. DEU)" in str(caught.value)


@pytest.mark.parametrize(
    ("overrides", "field", "says"),
    [
        ({"name": "  "}, "name", "A participant needs a name."),
        ({"status": ParticipantStatus.LEFT}, "status", "cannot join with status 'left'"),
        ({"gdp_eur_bn": Decimal("-1")}, "gdp_eur_bn", "GDP cannot be negative (got -1)"),
        ({"gdp_eur_bn": Decimal("1.1234567")}, "gdp_eur_bn", "more than 6 decimal places"),
    ],
)
def test_register_refusals(overrides: dict[str, Any], field: str, says: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        register(**overrides)
    assert caught.value.field == field
    assert says in str(caught.value)


def test_register_trims_the_name_and_keeps_gdp_exact() -> None:
    event = register()
    assert (event.name, event.gdp_eur_bn) == ("Germany", Decimal("4121.160175"))
    assert register(gdp_eur_bn=None).gdp_eur_bn is None


def germany(status: ParticipantStatus = ParticipantStatus.MEMBER) -> Participant:
    left = date(2024, 9, 1) if status is ParticipantStatus.LEFT else None
    return Participant("DEU", "Germany", ParticipantKind.STATE, status, DAY, left_on=left)


def test_a_change_cannot_precede_joining() -> None:
    with pytest.raises(InvalidValue, match="DEU joined on 2022-04-26; a change cannot precede it"):
        participants.change_status(germany(), ParticipantStatus.LEFT, date(2022, 4, 25))


def test_a_participant_that_left_is_inactive_and_says_when() -> None:
    assert germany().is_active and germany(ParticipantStatus.OBSERVER).is_active
    gone = germany(ParticipantStatus.LEFT)
    assert not gone.is_active
    with pytest.raises(InactiveParticipant) as caught:
        gone.require_active("attend a meeting")
    assert str(caught.value) == (
        "Germany (DEU) left the coalition on 2024-09-01; it can no longer attend a meeting. "
        "Record it as a member again first if it has rejoined."
    )


def test_revise() -> None:
    event = participants.revise(germany(), name=" Federal Republic ", gdp_eur_bn=Decimal("4200"))
    assert (event.name, event.gdp_eur_bn) == ("Federal Republic", Decimal("4200"))
    with pytest.raises(InvalidValue, match="A participant needs a name"):
        participants.revise(germany(), name="", gdp_eur_bn=None)
