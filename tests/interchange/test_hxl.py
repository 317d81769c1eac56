"""Needs, pledges and deliveries as HXL-tagged CSV: header, hashtags, then the rows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest

from ramstein.domain.errors import InvalidValue
from ramstein.interchange.hxl import KINDS, hxl_csv
from ramstein.interchange.records import Records
from ramstein.store.engine import Store
from tests.interchange.aidformats_records import (
    NEEDS,
    PLEDGES,
    Scripted,
    chair_records,
    public_records,
    scripted,
)

HASHTAG = re.compile(r"^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$")
"""HXL's syntax for a hashtag and its attributes, lower case."""


@pytest.fixture(scope="module")
def store_records(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scripted]:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('hxl') / 'ramstein.sqlite'}")
    try:
        yield scripted(store)
    finally:
        store.dispose()


def read(kind: str, records: Records) -> tuple[list[str], list[str], list[dict[str, str]]]:
    """The header, the hashtags and the rows (by hashtag) of an HXL file."""
    text = hxl_csv(kind, records)
    header, tags, *rows = list(csv.reader(io.StringIO(text, newline="")))
    return header, tags, [dict(zip(tags, row, strict=True)) for row in rows]


@pytest.mark.parametrize("kind", KINDS)
def test_a_header_then_a_row_of_valid_hashtags_then_a_row_per_record_by_id(kind: str) -> None:
    records = chair_records()

    header, tags, rows = read(kind, records)

    assert len(header) == len(tags) == len(set(tags))
    assert all(h and not h.startswith("#") for h in header)
    assert [t for t in tags if not HASHTAG.match(t)] == []
    listed = {"needs": records.needs, "pledges": records.pledges}.get(kind, records.deliveries)
    assert [int(r["#meta+id"]) for r in rows] == sorted(r.id for r in listed)


def test_the_file_is_csv_with_crlf_lines_and_quotes_where_needed() -> None:
    text = hxl_csv("needs", chair_records())

    assert text.count("\r\n") == 2 + len(NEEDS)
    assert '"counter-battery fire, ""east"""' in text
    assert read("needs", chair_records())[2][0]["#description"] == 'counter-battery fire, "east"'


def test_pledge_cells_name_the_donor_item_area_and_value() -> None:
    _, _, rows = read("pledges", chair_records())
    usd = next(r for r in rows if r["#meta+id"] == "3")

    assert usd["#org+funder+name"] == "Poland"
    assert usd["#org+funder+code"] == "POL"
    assert (usd["#item+name"], usd["#item+code"], usd["#item+unit"]) == (
        "FPV drone",
        "fpv-drone",
        "unit",
    )
    assert (usd["#sector+name"], usd["#sector+code"]) == ("Drones", "drones")
    assert usd["#output+num+pledged"] == "1000"
    assert usd["#value+eur"] == "1140070.09"
    assert usd["#value+original"] == "1234567.89"
    assert usd["#currency"] == "USD"
    assert usd["#value+rate"] == "0.92345678"
    assert usd["#modality"] == "funding"
    assert (usd["#date+start"], usd["#date+end"]) == ("2025", "2026")
    assert usd["#date+reported"] == "2025-03-10"
    assert usd["#status"] == "announced"
    assert usd["#meta+ref"] == "POL-2025-17"
    assert usd["#meta+releasability"] == "coalition"

    no_value = next(r for r in rows if r["#meta+id"] == "4")
    assert [no_value[t] for t in ("#value+eur", "#value+original", "#currency")] == ["", "", ""]


def test_numbers_are_plain_decimal_text() -> None:
    number_tags = ("+num", "#value")
    for kind in KINDS:
        _, tags, rows = read(kind, chair_records())
        for row in rows:
            for tag in tags:
                cell = row[tag]
                if any(n in tag for n in number_tags) and cell:
                    assert re.fullmatch(r"\d+(\.\d+)?", cell), (kind, tag, cell)
                    assert Decimal(cell) >= 0


def test_need_cells_name_the_recipient_priority_and_dates() -> None:
    _, _, rows = read("needs", chair_records())

    first = rows[0]
    assert (first["#org+impl+name"], first["#org+impl+code"]) == ("Ukraine", "UKR")
    assert first["#x_priority"] == "P1"
    assert (first["#date+due"], first["#date+reported"]) == ("2025-09-30", "2025-01-10")
    assert first["#output+num+needed"] == "5000"
    assert first["#status"] == "partly_covered"
    restricted = rows[1]
    assert (restricted["#meta+releasability"], restricted["#meta+releasability+named"]) == (
        "restricted",
        "GBR",
    )


def test_delivery_cells_with_and_without_receipt_and_their_share_of_the_value() -> None:
    _, _, rows = read("deliveries", chair_records())
    first, second, third = (r for r in rows if r["#meta+id+pledge"] == "1")

    assert first["#date+dispatched"] == "2025-02-10"
    assert (first["#output+num+received"], first["#date+received"]) == ("98", "2025-02-14")
    assert first["#description+discrepancy"] == "2 damaged"
    assert first["#status"] == "received"
    assert (third["#output+num+received"], third["#date+received"]) == ("", "")
    assert third["#status"] == "dispatched"
    assert [r["#value+eur"] for r in (first, second, third)] == [
        "333333.33",
        "333333.33",
        "333333.34",
    ]
    assert sum(Decimal(r["#value+eur"]) for r in (first, second, third)) == Decimal("1000000.00")
    assert first["#org+funder+code"] == "DEU" and first["#org+impl+code"] == "UKR"


def test_a_public_file_holds_only_public_records() -> None:
    public = public_records()
    text = {kind: hxl_csv(kind, public) for kind in KINDS}

    assert {int(r["#meta+id"]) for r in read("pledges", public)[2]} == {
        p.id for p in PLEDGES if p.label.is_public
    }
    assert {int(r["#meta+id"]) for r in read("needs", public)[2]} == {1}
    assert {r["#meta+id+pledge"] for r in read("deliveries", public)[2]} == {"1", "6"}
    for kind in ("pledges", "deliveries"):
        assert "United Kingdom" not in text[kind] and "Poland" not in text[kind]
        assert "restricted" not in text[kind] and "coalition" not in text[kind]
    assert "cover for the power grid" not in text["needs"]


def test_an_unknown_list_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        hxl_csv("tranches", chair_records())

    assert "needs, pledges, deliveries" in str(refused.value)


def test_a_store_s_public_files_hold_no_restricted_or_coalition_pledge(
    store_records: Scripted,
) -> None:
    hidden = {str(store_records.restricted), str(store_records.coalition)}
    chair_ids = {r["#meta+id"] for r in read("pledges", store_records.chair)[2]}
    public_ids = {r["#meta+id"] for r in read("pledges", store_records.public)[2]}
    public_deliveries = read("deliveries", store_records.public)[2]

    assert hidden <= chair_ids
    assert public_ids.isdisjoint(hidden)
    assert {r["#meta+id+pledge"] for r in public_deliveries}.isdisjoint(hidden)
    assert {r["#meta+releasability"] for r in public_deliveries} == {"public"}
    for kind in KINDS:
        assert "United Kingdom" not in hxl_csv(kind, store_records.public)
