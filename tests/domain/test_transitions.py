"""Every lifecycle table, pair by pair: legal moves pass, illegal ones name the allowed moves."""

from __future__ import annotations

import itertools
from datetime import date
from enum import StrEnum

import pytest

from ramstein.domain import deliveries, meetings, needs, participants, pledges
from ramstein.domain.deliveries import DELIVERY_TRANSITIONS, Delivery, DeliveryStatus
from ramstein.domain.errors import IllegalTransition
from ramstein.domain.meetings import MEETING_TRANSITIONS, Meeting, MeetingFormat, MeetingStatus
from ramstein.domain.needs import NEED_TRANSITIONS, Need, NeedStatus, Priority
from ramstein.domain.participants import (
    PARTICIPANT_TRANSITIONS,
    Participant,
    ParticipantKind,
    ParticipantStatus,
)
from ramstein.domain.pledges import (
    PLEDGE_TRANSITIONS,
    Pledge,
    PledgeSource,
    PledgeStatus,
    Tranche,
)
from ramstein.domain.releasability import Label
from ramstein.domain.transitions import Transitions

P, N, M, D, S = PledgeStatus, NeedStatus, MeetingStatus, DeliveryStatus, ParticipantStatus

# The lifecycles as the design states them; the code's tables must be exactly these.
EXPECTED: dict[str, tuple[Transitions[StrEnum], type[StrEnum], dict[StrEnum, set[StrEnum]]]] = {
    "pledge": (
        PLEDGE_TRANSITIONS,
        PledgeStatus,
        {
            P.ANNOUNCED: {P.COMMITTED, P.CANCELLED},
            P.COMMITTED: {P.CONTRACTED, P.DELIVERING, P.CANCELLED},
            P.CONTRACTED: {P.DELIVERING, P.CANCELLED},
            P.DELIVERING: {P.DELIVERED, P.CANCELLED},
            P.DELIVERED: set(),
            P.CANCELLED: set(),
        },
    ),
    "need": (
        NEED_TRANSITIONS,
        NeedStatus,
        {
            N.OPEN: {N.PARTLY_COVERED, N.COVERED, N.WITHDRAWN},
            N.PARTLY_COVERED: {N.OPEN, N.COVERED, N.WITHDRAWN},
            N.COVERED: {N.OPEN, N.PARTLY_COVERED, N.WITHDRAWN},
            N.WITHDRAWN: set(),
        },
    ),
    "meeting": (
        MEETING_TRANSITIONS,
        MeetingStatus,
        {
            M.SCHEDULED: {M.INVITED, M.CANCELLED},
            M.INVITED: {M.HELD, M.CANCELLED},
            M.HELD: {M.CLOSED},
            M.CLOSED: set(),
            M.CANCELLED: set(),
        },
    ),
    "delivery": (
        DELIVERY_TRANSITIONS,
        DeliveryStatus,
        {D.DISPATCHED: {D.RECEIVED}, D.RECEIVED: set()},
    ),
    "participant": (
        PARTICIPANT_TRANSITIONS,
        ParticipantStatus,
        {
            S.MEMBER: {S.OBSERVER, S.LEFT},
            S.OBSERVER: {S.MEMBER, S.LEFT},
            S.LEFT: {S.MEMBER, S.OBSERVER},
        },
    ),
}


def _pairs() -> list[tuple[str, StrEnum, StrEnum]]:
    out = []
    for kind, (_, states, _) in EXPECTED.items():
        out += [(kind, a, b) for a, b in itertools.product(states, states)]
    return out


PAIRS = _pairs()
PAIR_IDS = [f"{k}:{a.value}->{b.value}" for k, a, b in PAIRS]


def _allowed_in_message(message: str) -> set[str]:
    tail = message.rsplit("may become: ", 1)[1].rstrip(".")
    return set() if tail == "none (it is final)" else set(tail.split(", "))


def assert_names_allowed(
    error: IllegalTransition, kind: str, current: StrEnum, wanted: StrEnum, allowed: set[StrEnum]
) -> None:
    message = str(error)
    assert error.code == "illegal-transition"
    assert message.startswith(f"A {kind} that is {current.value} cannot become {wanted.value};")
    assert _allowed_in_message(message) == {s.value for s in allowed}
    assert error.allowed == frozenset(s.value for s in allowed)
    if not allowed:
        assert "none (it is final)" in message


@pytest.mark.parametrize("kind", EXPECTED)
def test_every_state_has_a_row_and_the_table_is_the_designed_one(kind: str) -> None:
    table, states, expected = EXPECTED[kind]
    assert set(table.table) == set(states)
    assert {s: set(table.allowed(s)) for s in states} == expected
    assert {s for s in states if table.is_final(s)} == {s for s, nxt in expected.items() if not nxt}


@pytest.mark.parametrize(("kind", "current", "wanted"), PAIRS, ids=PAIR_IDS)
def test_table_check(kind: str, current: StrEnum, wanted: StrEnum) -> None:
    table, _, expected = EXPECTED[kind]
    if wanted in expected[current]:
        table.check(current, wanted)
        assert table.is_allowed(current, wanted)
    else:
        with pytest.raises(IllegalTransition) as caught:
            table.check(current, wanted)
        assert not table.is_allowed(current, wanted)
        assert_names_allowed(caught.value, kind, current, wanted, expected[current])


# --- the same pairs through each aggregate's own command --------------------------------

DAY = date(2025, 1, 15)
LATER = date(2025, 6, 1)


def _pledge(status: PledgeStatus) -> Pledge:
    # Fully delivered, so that a legal move to "delivered" is not refused for quantity.
    return Pledge(
        id=7,
        donor="DEU",
        item_type="155mm-shell",
        quantity=10,
        value=None,
        source=PledgeSource.STOCKS,
        years=(2025,),
        meeting=None,
        announced_on=DAY,
        status=status,
        label=Label(),
        tranches=(Tranche(7, 1, 10, DAY, DAY, delivered=10),),
    )


def _need(status: NeedStatus) -> Need:
    return Need(
        id=3,
        recipient="UKR",
        item_type="155mm-shell",
        quantity=100,
        priority=Priority.P1,
        needed_by=LATER,
        raised_on=DAY,
        rationale="",
        status=status,
        label=Label(),
    )


def _meeting(status: MeetingStatus) -> Meeting:
    return Meeting(
        number=1,
        held_on=DAY,
        format=MeetingFormat.VIRTUAL,
        venue="virtual",
        chair="USA",
        co_chairs=(),
        status=status,
    )


def _participant(status: ParticipantStatus) -> Participant:
    return Participant(
        code="DEU",
        name="Germany",
        kind=ParticipantKind.STATE,
        status=status,
        joined_on=DAY,
        left_on=DAY if status is ParticipantStatus.LEFT else None,
    )


def _delivery(status: DeliveryStatus) -> Delivery:
    return Delivery(
        id=5,
        pledge_id=7,
        tranche=1,
        quantity=10,
        dispatched_on=DAY,
        note="",
        status=status,
        donor="DEU",
        label=Label(),
        received_quantity=10 if status is DeliveryStatus.RECEIVED else None,
    )


def _command(kind: str, current: StrEnum, wanted: StrEnum) -> object:
    if kind == "pledge":
        return pledges.change_status(_pledge(P(current)), P(wanted), LATER, reason="budget cut")
    if kind == "need":
        return needs.change_status(_need(N(current)), N(wanted), reason="no longer needed")
    if kind == "meeting":
        return meetings.change_status(_meeting(M(current)), M(wanted))
    if kind == "participant":
        return participants.change_status(_participant(S(current)), S(wanted), LATER)
    assert wanted is D.RECEIVED  # a delivery's only command moves it to received
    return deliveries.confirm_receipt(
        _delivery(D(current)), received_quantity=10, received_on=LATER
    )


COMMAND_PAIRS = [p for p in PAIRS if p[0] != "delivery" or p[2] is D.RECEIVED]


@pytest.mark.parametrize(
    ("kind", "current", "wanted"),
    COMMAND_PAIRS,
    ids=[f"{k}:{a.value}->{b.value}" for k, a, b in COMMAND_PAIRS],
)
def test_domain_command_obeys_its_table(kind: str, current: StrEnum, wanted: StrEnum) -> None:
    _, _, expected = EXPECTED[kind]
    if wanted in expected[current]:
        event = _command(kind, current, wanted)
        status = getattr(event, "status", D.RECEIVED)
        assert status == wanted
    else:
        with pytest.raises(IllegalTransition) as caught:
            _command(kind, current, wanted)
        assert_names_allowed(caught.value, kind, current, wanted, expected[current])
