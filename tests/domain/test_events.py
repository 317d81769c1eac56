"""The event codec: every registered event survives the store's path through canonical JSON."""

from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
import types
import typing
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ramstein.domain
from ramstein.domain import pledges
from ramstein.domain.events import REGISTRY, Event, from_payload, to_payload
from ramstein.domain.releasability import Label, Releasability
from ramstein.ledger.entries import canonical

# Import every module of the domain, so that REGISTRY holds every event it defines.
for _module in pkgutil.iter_modules(ramstein.domain.__path__):
    importlib.import_module(f"ramstein.domain.{_module.name}")

JSON_SAFE = 2**53 - 1
"""Canonical JSON (RFC 8785) carries integers only within the IEEE-754 safe range."""

codes = st.from_regex(r"[A-Z]{2,5}", fullmatch=True)
labels = st.one_of(
    st.sampled_from([Releasability.PUBLIC, Releasability.COALITION]).map(Label),
    st.frozensets(codes, max_size=4).map(lambda named: Label(Releasability.RESTRICTED, named)),
)


def strategy_for(hint: Any) -> st.SearchStrategy[Any]:
    """A strategy for one field type of an event (or of a dataclass inside one)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        assert len(inner) == 1, hint
        return st.none() | strategy_for(inner[0])
    if origin is tuple:
        inner, _ = typing.get_args(hint)
        return st.lists(strategy_for(inner), max_size=4).map(tuple)
    if origin is frozenset:
        (inner,) = typing.get_args(hint)
        return st.frozensets(strategy_for(inner), max_size=4)
    if hint is Label:
        return labels
    if hint is Decimal:
        return st.decimals(allow_nan=False, allow_infinity=False, places=None)
    if hint is date:
        return st.dates()
    if hint is int:
        return st.integers(-JSON_SAFE, JSON_SAFE)
    if hint is str:
        return st.text(max_size=40)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return st.sampled_from(list(hint))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return builds(hint)
    raise AssertionError(f"no strategy for {hint!r}; teach this test the new field type")


def builds(cls: type[Any]) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: strategy_for(hints[f.name]) for f in dataclasses.fields(cls)})


def through_the_store(event: Event) -> Event:
    """What the store does: canonical JSON on append, json.loads and decode on replay."""
    stored = canonical(to_payload(event)).decode()
    return from_payload(event.event_name, event.event_version, json.loads(stored))


def test_the_registry_holds_every_event_of_the_domain() -> None:
    names = {name for name, _ in REGISTRY}
    assert {
        "ParticipantRegistered",
        "PledgeAnnounced",
        "PledgeStatusChanged",
        "TrancheScheduled",
        "TrancheRevised",
        "PledgeYearPlanned",
        "DeliveryRecorded",
        "ReceiptConfirmed",
        "NeedSubmitted",
        "MeetingScheduled",
        "DecisionRecorded",
        "ChairAssumed",
        "ChairHandedOver",
        "SubstitutionSet",
        "CoalitionMembershipChanged",
        "BaselineAgreed",
        "BaselineRevised",
    } <= names
    for (name, version), cls in REGISTRY.items():
        assert (cls.event_name, cls.event_version) == (name, version)
        assert cls.aggregate, f"{name} has no aggregate kind"


@pytest.mark.parametrize("key", sorted(REGISTRY), ids=lambda k: f"{k[0]}-v{k[1]}")
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_event_round_trips(key: tuple[str, int], data: st.DataObject) -> None:
    event = data.draw(builds(REGISTRY[key]))
    again = through_the_store(event)
    assert again == event
    assert type(again) is type(event)
    # Decoding restores the declared types, not look-alikes (str for a date, list for a tuple).
    for field in dataclasses.fields(event):
        assert type(getattr(again, field.name)) is type(getattr(event, field.name)), field.name
    # And the payload is stable: encoding the decoded event gives the same bytes.
    assert canonical(to_payload(again)) == canonical(to_payload(event))


def test_an_example_payload_is_plain_json() -> None:
    event = pledges.PledgeAnnounced(
        pledge_id=3,
        donor="DEU",
        item_type="155mm-shell",
        quantity=100,
        value=pledges.Money(Decimal("1000.50"), "USD", Decimal("0.92")),
        source=pledges.PledgeSource.STOCKS,
        years=(2025, 2026),
        meeting=None,
        announced_on=date(2025, 1, 15),
        tranches=(pledges.TrancheSpec(60, date(2025, 2, 14)),),
        label=Label(Releasability.RESTRICTED, frozenset({"UKR", "GBR"})),
        external_ref=None,
    )
    assert to_payload(event) == {
        "pledge_id": 3,
        "donor": "DEU",
        "item_type": "155mm-shell",
        "quantity": 100,
        "value": {"amount": "1000.50", "currency": "USD", "eur_rate": "0.92"},
        "source": "stocks",
        "years": [2025, 2026],
        "meeting": None,
        "announced_on": "2025-01-15",
        "tranches": [{"quantity": 60, "expected_on": "2025-02-14"}],
        "label": {"level": "restricted", "named": ["GBR", "UKR"]},
        "external_ref": None,
    }
    assert through_the_store(event) == event
