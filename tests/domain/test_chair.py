"""The chairmanship: the first chair and handovers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ramstein.domain import chair
from ramstein.domain.chair import ChairTerm
from ramstein.domain.errors import InactiveParticipant, InvalidValue
from ramstein.domain.participants import Participant, ParticipantKind, ParticipantStatus

SINCE = date(2022, 4, 26)
USA = Participant("USA", "United States", ParticipantKind.STATE, ParticipantStatus.MEMBER, SINCE)
NATO = Participant("NATO", "NATO", ParticipantKind.ORGANISATION, ParticipantStatus.MEMBER, SINCE)
TERM = ChairTerm(number=1, chair="USA", since=SINCE)


def test_the_first_chair() -> None:
    event = chair.assume(None, USA, SINCE, note=" lead nation ")
    assert (event.chair, event.note) == ("USA", "lead nation")
    with pytest.raises(InvalidValue, match="USA has chaired since 2022-04-26; the chair changes"):
        chair.assume(TERM, NATO, SINCE)


def test_handover() -> None:
    event = chair.hand_over(TERM, NATO, date(2025, 1, 1))
    assert (event.outgoing, event.incoming) == ("USA", "NATO")


@pytest.mark.parametrize(
    ("current", "incoming", "on", "error", "says"),
    [
        (None, NATO, SINCE, InvalidValue, "Nobody chairs the coalition yet"),
        (TERM, USA, SINCE, InvalidValue, "USA already chairs the coalition"),
        (
            TERM,
            NATO,
            date(2022, 4, 25),
            InvalidValue,
            "USA has chaired since 2022-04-26; a handover cannot precede it",
        ),
        (
            TERM,
            replace(NATO, status=ParticipantStatus.LEFT, left_on=SINCE),
            SINCE,
            InactiveParticipant,
            "can no longer chair the coalition",
        ),
    ],
)
def test_handover_refusals(
    current: ChairTerm | None, incoming: Participant, on: date, error: type[Exception], says: str
) -> None:
    with pytest.raises(error) as caught:
        chair.hand_over(current, incoming, on)
    assert says in str(caught.value)
