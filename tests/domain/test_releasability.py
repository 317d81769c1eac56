"""Who may see what: the `can_see` truth table, labels, and the small-cell rule."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ramstein.domain.errors import InvalidValue
from ramstein.domain.releasability import (
    PUBLIC_VIEWER,
    SMALL_CELL_MIN_DONORS,
    Contribution,
    Label,
    Principal,
    Releasability,
    Role,
    can_see,
    can_see_label,
    publishable,
)

OWNER = "DEU"


@dataclass(frozen=True)
class Record:
    label: Label
    owner: str = OWNER


def who(code: str | None, *roles: Role) -> Principal:
    return Principal(participant=code, roles=frozenset(roles))


VIEWERS = {
    "public": PUBLIC_VIEWER,
    "chair": who("USA", Role.CHAIR, Role.DONOR),
    "owner": who(OWNER, Role.DONOR),
    "named": who("GBR", Role.DONOR),
    "other-member": who("POL", Role.DONOR),
    "coalition-lead": who("NLD", Role.COALITION_LEAD),
    "recipient": who("UKR", Role.RECIPIENT),
    "observer": who("EU", Role.OBSERVER),
    "owner-after-leaving": who(OWNER, Role.PUBLIC),
}

LABELS = {
    "public": Label(Releasability.PUBLIC),
    "coalition": Label(Releasability.COALITION),
    "restricted": Label(Releasability.RESTRICTED),
    "restricted-to-GBR": Label(Releasability.RESTRICTED, frozenset({"GBR"})),
    "restricted-to-GBR-UKR": Label(Releasability.RESTRICTED, frozenset({"GBR", "UKR"})),
}

# Rows: viewers; columns: labels in the order above. The design's rules, written out.
TRUTH = {
    "public": (1, 0, 0, 0, 0),
    "chair": (1, 1, 1, 1, 1),
    "owner": (1, 1, 1, 1, 1),
    "named": (1, 1, 0, 1, 1),
    "other-member": (1, 1, 0, 0, 0),
    "coalition-lead": (1, 1, 0, 0, 0),
    "recipient": (1, 1, 0, 0, 1),
    "observer": (1, 1, 0, 0, 0),
    "owner-after-leaving": (1, 0, 0, 0, 0),
}

CASES = [
    (viewer, label, bool(TRUTH[viewer][i])) for viewer in VIEWERS for i, label in enumerate(LABELS)
]


@pytest.mark.parametrize(("viewer", "label", "expected"), CASES)
def test_can_see_truth_table(viewer: str, label: str, expected: bool) -> None:
    record = Record(LABELS[label])
    assert can_see(VIEWERS[viewer], record) is expected
    assert can_see_label(VIEWERS[viewer], LABELS[label], OWNER) is expected


def test_the_chair_sees_a_restricted_record_it_is_not_named_on_even_without_a_participant() -> None:
    host = who(None, Role.CHAIR)
    assert can_see(host, Record(LABELS["restricted"]))


def test_a_viewer_without_a_participant_sees_no_restricted_record() -> None:
    # A signed-in user whose participant is unknown must not match an owner or a name.
    ghost = who(None, Role.DONOR)
    assert can_see(ghost, Record(LABELS["coalition"]))
    assert not can_see(ghost, Record(LABELS["restricted-to-GBR"]))


def test_only_restricted_labels_name_participants() -> None:
    for level in (Releasability.PUBLIC, Releasability.COALITION):
        with pytest.raises(InvalidValue) as caught:
            Label(level, frozenset({"GBR"}))
        assert caught.value.field == "releasable_to"
        assert f"a {level.value} record is already visible to them" in str(caught.value)


def test_an_unknown_level_is_refused_with_the_choices() -> None:
    with pytest.raises(InvalidValue) as caught:
        Label.of("secret")
    assert str(caught.value) == (
        "Releasability 'secret' is unknown; use one of: public, coalition, restricted."
    )
    assert Label.of("restricted", ["GBR"]) == LABELS["restricted-to-GBR"]


# --- small-cell suppression ---------------------------------------------------------------

PUB, COA = Label(Releasability.PUBLIC), Label(Releasability.COALITION)


def cells(*pairs: tuple[str, Label]) -> list[Contribution]:
    return [Contribution(donor, label) for donor, label in pairs]


@pytest.mark.parametrize(
    ("contributions", "shown"),
    [
        (cells(("DEU", PUB)), True),
        (cells(("DEU", PUB), ("DEU", PUB)), True),
        (cells(("DEU", COA)), False),
        (cells(("DEU", COA), ("GBR", PUB)), False),
        (cells(("DEU", COA), ("DEU", PUB), ("DEU", PUB)), False),
        (cells(("DEU", COA), ("GBR", COA), ("GBR", PUB)), False),
        (cells(("DEU", COA), ("GBR", PUB), ("POL", PUB)), True),
        (cells(("DEU", LABELS["restricted"]), ("GBR", COA), ("POL", COA)), True),
    ],
)
def test_small_cell_rule(contributions: list[Contribution], shown: bool) -> None:
    assert publishable(contributions) is shown


donors = st.sampled_from(["DEU", "GBR", "POL", "NLD", "USA"])
labels = st.sampled_from(list(LABELS.values()))


@given(st.lists(st.builds(Contribution, donors, labels), min_size=1, max_size=12))
def test_small_cell_rule_property(contributions: list[Contribution]) -> None:
    all_public = all(c.label.level is Releasability.PUBLIC for c in contributions)
    distinct = len({c.donor for c in contributions})
    assert publishable(contributions) is (all_public or distinct >= SMALL_CELL_MIN_DONORS)
    assert SMALL_CELL_MIN_DONORS == 3
