"""The recipient's needs: submission, revision and status, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from ramstein.domain import needs
from ramstein.domain.errors import DomainError, InactiveParticipant, InvalidValue, NotPermitted
from ramstein.domain.needs import PRIORITY_WEIGHTS, Need, NeedStatus, Priority
from ramstein.domain.participants import Participant, ParticipantKind, ParticipantStatus
from ramstein.domain.releasability import Label

DAY = date(2025, 1, 15)
UKRAINE = Participant("UKR", "Ukraine", ParticipantKind.RECIPIENT, ParticipantStatus.MEMBER, DAY)
GERMANY = Participant("DEU", "Germany", ParticipantKind.STATE, ParticipantStatus.MEMBER, DAY)


def submit(**overrides: Any) -> needs.NeedSubmitted:
    args: dict[str, Any] = {
        "need_id": 1,
        "recipient": UKRAINE,
        "item_type": "155mm-shell",
        "quantity": 500,
        "priority": Priority.P1,
        "needed_by": DAY + timedelta(days=60),
        "raised_on": DAY,
        "rationale": "  counter-battery  ",
        "label": Label(),
    }
    args.update(overrides)
    return needs.submit(**args)


def test_a_valid_need() -> None:
    event = submit(needed_by=DAY)  # needed the day it is raised is allowed
    assert (event.recipient, event.quantity, event.rationale) == ("UKR", 500, "counter-battery")


@pytest.mark.parametrize(
    ("overrides", "error", "says"),
    [
        ({"recipient": GERMANY}, NotPermitted, "Germany (DEU) is not a recipient"),
        (
            {"recipient": replace(UKRAINE, status=ParticipantStatus.LEFT, left_on=DAY)},
            InactiveParticipant,
            "Ukraine (UKR) left the coalition on 2025-01-15; it can no longer submit needs",
        ),
        ({"quantity": 0}, InvalidValue, "A need's quantity must be positive (got 0)"),
        ({"quantity": -1}, InvalidValue, "A need's quantity must be positive (got -1)"),
        (
            {"needed_by": DAY - timedelta(days=1)},
            InvalidValue,
            "A need cannot be needed by 2025-01-14, before it was raised on 2025-01-15",
        ),
    ],
)
def test_submit_refusals(overrides: dict[str, Any], error: type[DomainError], says: str) -> None:
    with pytest.raises(error) as caught:
        submit(**overrides)
    assert says in str(caught.value)


def need(status: NeedStatus = NeedStatus.OPEN) -> Need:
    return Need(
        id=3,
        recipient="UKR",
        item_type="155mm-shell",
        quantity=500,
        priority=Priority.P2,
        needed_by=DAY + timedelta(days=60),
        raised_on=DAY,
        rationale="",
        status=status,
        label=Label(),
    )


def revise(n: Need, **overrides: Any) -> needs.NeedRevised:
    args: dict[str, Any] = {
        "quantity": 400,
        "priority": Priority.P1,
        "needed_by": DAY,
        "rationale": "",
        "label": Label(),
    }
    args.update(overrides)
    return needs.revise(n, **args)


def test_revise() -> None:
    assert revise(need()).quantity == 400
    with pytest.raises(InvalidValue, match="Need 3 was withdrawn; submit a new need instead"):
        revise(need(NeedStatus.WITHDRAWN))
    with pytest.raises(InvalidValue, match="before it was raised on 2025-01-15"):
        revise(need(), needed_by=DAY - timedelta(days=1))
    with pytest.raises(InvalidValue, match=r"must be positive \(got 0\)"):
        revise(need(), quantity=0)


def test_withdrawing_needs_a_reason() -> None:
    with pytest.raises(InvalidValue) as caught:
        needs.change_status(need(), NeedStatus.WITHDRAWN, reason=" ")
    assert (caught.value.field, str(caught.value)) == ("reason", "Say why the need is withdrawn.")
    event = needs.change_status(need(), NeedStatus.WITHDRAWN, reason=" met by industry ")
    assert event.reason == "met by industry"


def test_priority_weights_fall_with_priority() -> None:
    weights = [PRIORITY_WEIGHTS[p] for p in Priority]
    assert weights == sorted(weights, reverse=True)
    assert len(set(weights)) == len(weights)
