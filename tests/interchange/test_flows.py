"""Pledges and deliveries as FTS-shaped flows, and the shares of a pledge's value they carry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ramstein.domain.pledges import Money, PledgeStatus
from ramstein.interchange.flows import flows_json
from ramstein.interchange.records import Records
from ramstein.interchange.shares import by_year, pro_rata
from ramstein.store.engine import Store
from tests.interchange.aidformats_records import (
    DELIVERIES,
    NOT_PUBLIC_PLEDGES,
    PLEDGES,
    Scripted,
    chair_records,
    public_records,
    scripted,
)

OBJECT_TYPES = {"Organization", "Location", "GlobalCluster", "UsageYear"}


@pytest.fixture(scope="module")
def store_records(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scripted]:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('flows') / 'ramstein.sqlite'}")
    try:
        yield scripted(store)
    finally:
        store.dispose()


def flows(records: Records) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = flows_json(records)["data"]["flows"]
    return found


def of(records: Records, pledge_id: int) -> list[tuple[str, str, int]]:
    return [
        (f["id"], f["status"], f["quantity"]) for f in flows(records) if f["pledge_id"] == pledge_id
    ]


def total(found: list[dict[str, Any]], pledge_id: int, field: str) -> Decimal:
    return sum((Decimal(f[field]) for f in found if f["pledge_id"] == pledge_id), Decimal(0))


# --- statuses ----------------------------------------------------------------------------


def test_each_pledge_gives_flows_by_its_status() -> None:
    records = chair_records()

    assert of(records, 1) == [
        ("delivery-1", "paid", 100),
        ("delivery-2", "paid", 100),
        ("delivery-3", "paid", 100),
    ]  # delivered
    assert of(records, 2) == [("pledge-2", "commitment", 2), ("delivery-4", "paid", 1)]
    assert of(records, 3) == [("pledge-3", "pledge", 1000)]  # announced
    assert of(records, 4) == [("pledge-4", "commitment", 500)]  # contracted
    assert of(records, 5) == []  # cancelled
    assert of(records, 6) == [
        ("pledge-6", "commitment", 1),
        *((f"delivery-{n}", "paid", 1) for n in range(5, 11)),
    ]


@pytest.mark.parametrize("status", list(PledgeStatus))
def test_an_undelivered_pledge_is_a_pledge_once_announced_and_a_commitment_once_committed(
    status: PledgeStatus,
) -> None:
    records = replace(chair_records(), pledges=[replace(PLEDGES[2], status=status)])

    expected = {
        PledgeStatus.ANNOUNCED: ["pledge"],
        PledgeStatus.CANCELLED: [],
    }.get(status, ["commitment"])
    assert [f["status"] for f in flows(records)] == expected


def test_a_cancelled_pledge_has_no_pledge_or_commitment_flow_but_keeps_what_it_delivered() -> None:
    records = chair_records()
    cancelled = replace(PLEDGES[1], status=PledgeStatus.CANCELLED)

    found = flows(replace(records, pledges=[cancelled]))

    assert [(f["id"], f["status"]) for f in found] == [("delivery-4", "paid")]


def test_a_flow_has_the_fts_fields_with_ramstein_s_amounts() -> None:
    flow = next(f for f in flows(chair_records()) if f["id"] == "pledge-3")

    assert flow == {
        "id": "pledge-3",
        "pledge_id": 3,
        "status": "pledge",
        "date": "2025-03-10",
        "amount_eur": "1140070.09",
        "amount": "1234567.89",
        "currency": "USD",
        "eur_rate": "0.92345678",
        "quantity": 1000,
        "description": "Pledge 3, Poland: 1000 x FPV drone (unit: unit).",
        "releasability": "coalition",
        "sourceObjects": [
            {"type": "Organization", "id": "POL", "name": "Poland"},
            {"type": "Location", "id": "POL", "name": "Poland"},
            {"type": "UsageYear", "id": "2025", "name": "2025"},
            {"type": "UsageYear", "id": "2026", "name": "2026"},
        ],
        "destinationObjects": [
            {"type": "Organization", "id": "UKR", "name": "Ukraine"},
            {"type": "Location", "id": "UKR", "name": "Ukraine"},
            {"type": "GlobalCluster", "id": "drones", "name": "Drones"},
            {"type": "UsageYear", "id": "2025", "name": "2025"},
            {"type": "UsageYear", "id": "2026", "name": "2026"},
        ],
    }


def test_objects_are_typed_and_a_paid_flow_is_used_in_its_year_of_dispatch() -> None:
    found = flows(chair_records())

    for flow in found:
        for obj in flow["sourceObjects"] + flow["destinationObjects"]:
            assert obj["type"] in OBJECT_TYPES and obj["id"] and obj["name"]
    nato = next(f for f in found if f["pledge_id"] == 4)
    assert [o["type"] for o in nato["sourceObjects"]] == ["Organization", "UsageYear"]
    paid = next(f for f in found if f["id"] == "delivery-1")
    years = [o["id"] for o in paid["destinationObjects"] if o["type"] == "UsageYear"]
    assert years == ["2025"] and paid["date"] == "2025-02-10"


# --- sums --------------------------------------------------------------------------------


def test_a_pledge_s_flows_add_up_to_its_value_in_eur_and_in_its_currency() -> None:
    found = flows(chair_records())

    for pledge in PLEDGES:
        if pledge.value is None or pledge.status is PledgeStatus.CANCELLED:
            continue
        assert total(found, pledge.id, "amount_eur") == pledge.value.eur, pledge.id
        assert total(found, pledge.id, "amount") == pledge.value.amount, pledge.id


def test_paid_flows_carry_each_delivery_s_share_the_last_taking_the_remainder() -> None:
    found = {f["id"]: f for f in flows(chair_records())}

    assert [found[f"delivery-{n}"]["amount_eur"] for n in (1, 2, 3)] == [
        "333333.33",
        "333333.33",
        "333333.34",
    ]
    assert found["delivery-4"]["amount_eur"] == "140000000.03"
    assert found["pledge-2"]["amount_eur"] == "280000000.07"
    tiny = [Decimal(found[f"delivery-{n}"]["amount_eur"]) for n in range(5, 11)]
    assert all(v >= 0 for v in tiny) and sum(tiny) <= Decimal("0.05")
    assert Decimal(found["pledge-6"]["amount_eur"]) == Decimal("0.05") - sum(tiny)


def test_a_pledge_without_a_value_gives_flows_without_amounts() -> None:
    flow = next(f for f in flows(chair_records()) if f["pledge_id"] == 4)

    assert [flow[k] for k in ("amount_eur", "amount", "currency", "eur_rate")] == [None] * 4


# --- JSON and releasability -------------------------------------------------------------


def test_the_result_is_json_with_decimals_as_strings_and_the_export_s_meta() -> None:
    result = flows_json(chair_records())

    text = json.dumps(result)
    again = json.loads(text)
    assert again == result
    assert again["meta"] == {
        "audience": "USA (chair)",
        "generated_at": "2025-06-30T12:00:00+00:00",
        "log_size": 123,
        "group": "Ukraine Defense Contact Group",
    }
    for flow in again["data"]["flows"]:
        for key in ("amount_eur", "amount", "eur_rate"):
            assert flow[key] is None or (isinstance(flow[key], str) and Decimal(flow[key]) >= 0)


def test_a_public_export_holds_no_restricted_or_coalition_flow() -> None:
    result = flows_json(public_records())
    text = json.dumps(result)

    pledge_ids = {f["pledge_id"] for f in result["data"]["flows"]}
    assert pledge_ids == {p.id for p in PLEDGES if p.label.is_public} - {5}  # 5 is cancelled
    assert {f["releasability"] for f in result["data"]["flows"]} == {"public"}
    assert pledge_ids.isdisjoint(p.id for p in NOT_PUBLIC_PLEDGES)
    assert "United Kingdom" not in text and "Poland" not in text
    assert result["meta"]["audience"] == "public"
    hidden = {d.id for d in DELIVERIES if not d.label.is_public}
    assert not any(f["id"] == f"delivery-{n}" for f in result["data"]["flows"] for n in hidden)


def test_a_store_s_flows_sum_to_the_delivered_pledge_and_hide_what_the_public_may_not_see(
    store_records: Scripted,
) -> None:
    chair = flows(store_records.chair)
    public = flows(store_records.public)
    delivered = next(p for p in store_records.chair.pledges if p.id == store_records.delivered)
    assert delivered.value is not None

    mine = [f for f in chair if f["pledge_id"] == delivered.id]
    assert [f["status"] for f in mine] == ["paid", "paid"]
    assert total(chair, delivered.id, "amount_eur") == delivered.value.eur
    assert total(chair, delivered.id, "amount") == delivered.value.amount
    hidden = {store_records.restricted, store_records.coalition}
    assert hidden <= {f["pledge_id"] for f in chair}
    assert hidden.isdisjoint(f["pledge_id"] for f in public)
    assert "United Kingdom" not in json.dumps(flows_json(store_records.public))


# --- the shares ------------------------------------------------------------------------------


def test_shares_of_a_whole_give_the_remainder_to_the_last() -> None:
    assert pro_rata(Decimal("100.00"), [1, 1, 1], 3) == (
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    )
    assert pro_rata(Decimal("100.00"), [1, 1], 3) == (Decimal("33.33"), Decimal("33.33"))
    assert by_year(Money(Decimal("10.00"), "USD", Decimal("0.9")), [2025, 2026, 2027]) == (
        (2025, Money(Decimal("3.33"), "USD", Decimal("0.9"))),
        (2026, Money(Decimal("3.33"), "USD", Decimal("0.9"))),
        (2027, Money(Decimal("3.34"), "USD", Decimal("0.9"))),
    )


def test_shares_refuse_parts_beyond_the_whole() -> None:
    with pytest.raises(ValueError, match="more than the whole"):
        pro_rata(Decimal("1.00"), [2, 2], 3)


amounts = st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False)


@given(total=amounts, parts=st.lists(st.integers(1, 1000), min_size=1, max_size=12), data=st.data())
def test_shares_are_cents_never_negative_and_exact_once_complete(
    total: Decimal, parts: list[int], data: st.DataObject
) -> None:
    extra = data.draw(st.integers(0, 1000))
    whole = sum(parts) + extra

    shares = pro_rata(total, parts, whole)

    assert len(shares) == len(parts)
    assert all(s >= 0 and s == s.quantize(Decimal("0.01")) for s in shares)
    assert sum(shares) <= total
    if extra == 0:
        assert sum(shares) == total
    for share, part in zip(shares, parts, strict=True):
        assert abs(share - total * part / whole) < Decimal("0.01") * len(parts)
