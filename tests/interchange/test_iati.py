"""Pledges as IATI 2.03 activities: valid against the official schema, the right codes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from ramstein.domain.pledges import PledgeStatus
from ramstein.interchange.iati import NAMESPACE, NothingToReport, iati_activities
from ramstein.interchange.records import Records
from ramstein.store.engine import Store
from tests.interchange.aidformats_records import (
    NOT_PUBLIC_PLEDGES,
    P2,
    P3,
    PLEDGES,
    Scripted,
    chair_records,
    public_records,
    scripted,
)

DATA = Path(__file__).parent.parent / "data" / "iati-2.03"
REF = "XI-IATI-UDCG"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / "iati-activities-schema.xsd")))


@pytest.fixture(scope="module")
def store_records(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scripted]:
    """`every_event_script` and more on a SQLite store, gathered for the chair and public."""
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('iati') / 'ramstein.sqlite'}")
    try:
        yield scripted(store)
    finally:
        store.dispose()


def write(records: Records) -> bytes:
    return iati_activities(records, reporting_org_ref=REF, reporting_org_name="Contact group")


def activities(data: bytes) -> dict[int, etree._Element]:
    root = etree.fromstring(data)
    return {
        int(a.findtext("iati-identifier").rsplit("-", 1)[1]): a
        for a in root.iterfind("iati-activity")
    }


def codes(activity: etree._Element) -> list[str]:
    return activity.xpath("transaction/transaction-type/@code")


def values(activity: etree._Element, path: str) -> list[Decimal]:
    return [Decimal(v.text) for v in activity.xpath(path)]


def assert_valid(schema: etree.XMLSchema, data: bytes) -> None:
    document = etree.fromstring(data)
    assert schema.validate(document), schema.error_log


# --- the schema and the codelists --------------------------------------------------------


@pytest.mark.parametrize("records", [chair_records(), public_records()], ids=["chair", "public"])
def test_the_file_validates_against_the_iati_2_03_schema(
    schema: etree.XMLSchema, records: Records
) -> None:
    data = write(records)

    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert_valid(schema, data)
    root = etree.fromstring(data)
    assert root.get("version") == "2.03"
    assert root.get("generated-datetime") == "2025-06-30T12:00:00Z"
    assert root.get(f"{{{NAMESPACE}}}audience") == records.audience
    assert len(activities(data)) == len(records.pledges)


def _codelist(name: str) -> set[str]:
    root = etree.parse(str(DATA / "codelists" / f"{name}.xml"))
    return {
        item.findtext("code")
        for item in root.iter("codelist-item")
        if item.get("status") != "withdrawn"
    }


def test_every_coded_value_is_an_active_code_of_its_2_03_codelist() -> None:
    """Driven by the standard's own codelist-mapping.xml, for the codelists kept here."""
    root = etree.fromstring(write(chair_records()))
    mapping = etree.parse(str(DATA / "codelist-mapping.xml"))
    checked: set[str] = set()
    for m in mapping.iter("mapping"):
        name = m.find("codelist").get("ref")
        if not (DATA / "codelists" / f"{name}.xml").exists():
            continue
        path = m.findtext("path")
        if "/@" not in path:
            continue  # text() paths (crs-add) are not written
        element_path, attribute = path.rsplit("/@", 1)
        condition = m.findtext("condition")
        allowed = _codelist(name)
        for element in root.xpath(element_path):
            if condition and not element.xpath(f"boolean({condition})"):
                continue
            value = element.get(attribute)
            if value is not None:
                assert value in allowed, f"{path} = {value!r} is not in {name}"
                checked.add(name)
    assert checked >= {
        "ActivityDateType",
        "ActivityStatus",
        "BudgetStatus",
        "Currency",
        "DescriptionType",
        "DisbursementChannel",
        "FinanceType",
        "OrganisationRole",
        "OrganisationType",
        "OtherIdentifierType",
        "SectorVocabulary",
        "TransactionType",
        "Version",
    }


def test_dates_are_in_the_order_the_iati_rules_ask() -> None:
    for activity in activities(write(chair_records())).values():
        dates = {d.get("type"): d.get("iso-date") for d in activity.iterfind("activity-date")}
        assert "1" in dates
        assert dates["1"] <= dates.get("3", dates["1"])
        if "4" in dates:
            assert dates["2"] <= dates["4"]
        for budget in activity.iterfind("budget"):
            start = budget.find("period-start").get("iso-date")
            end = budget.find("period-end").get("iso-date")
            assert start[:4] == end[:4] and start <= end


# --- what each pledge becomes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("pledge_id", "status", "transactions"),
    [
        (1, "3", ["12", "2", "3", "3", "3"]),  # delivered
        (2, "2", ["12", "2", "3"]),  # delivering
        (3, "1", ["12"]),  # announced
        (4, "2", []),  # contracted, no value
        (5, "5", ["12"]),  # cancelled
        (6, "2", ["12", "2", *["3"] * 6]),  # delivering
    ],
)
def test_activity_status_and_transaction_types_follow_the_pledge(
    pledge_id: int, status: str, transactions: list[str]
) -> None:
    activity = activities(write(chair_records()))[pledge_id]

    assert activity.find("activity-status").get("code") == status
    assert codes(activity) == transactions


def test_a_pledge_is_an_outgoing_pledge_at_announcement_and_a_commitment_once_committed() -> None:
    for status in PledgeStatus:
        pledge = replace(P3, status=status)
        records = replace(chair_records(), pledges=[pledge], deliveries=[])

        found = codes(activities(write(records))[pledge.id])

        committed = status not in (PledgeStatus.ANNOUNCED, PledgeStatus.CANCELLED)
        assert found == (["12", "2"] if committed else ["12"]), status


def test_the_identifier_dates_and_organisations_of_an_activity() -> None:
    activity = activities(write(chair_records()))[1]

    assert activity.findtext("iati-identifier") == f"{REF}-PLEDGE-1"
    assert activity.find("other-identifier").attrib == {"ref": "DEU-MOD-2025-001", "type": "A9"}
    assert activity.find("reporting-org").get("secondary-reporter") == "1"
    orgs = [
        (o.get("ref"), o.get("role"), o.get("type"), o.findtext("narrative"))
        for o in activity.iterfind("participating-org")
    ]
    assert orgs == [("DEU", "1", "10", "Germany"), ("UKR", "4", None, "Ukraine")]
    dates = [(d.get("type"), d.get("iso-date")) for d in activity.iterfind("activity-date")]
    assert dates == [
        ("1", "2025-01-15"),  # announced
        ("2", "2025-02-10"),  # first dispatch
        ("3", "2025-05-01"),  # last tranche expected
        ("4", "2025-05-02"),  # last dispatch
    ]
    sector = activity.find("sector")
    assert (sector.get("vocabulary"), sector.get("code"), sector.findtext("narrative")) == (
        "99",
        "artillery",
        "Artillery",
    )
    assert activity.findtext("title/narrative") == "Germany: 300 x 155 mm artillery shell"
    assert activity.find("default-finance-type").get("code") == "110"


def test_an_organisation_donor_is_multilateral() -> None:
    activity = activities(write(chair_records()))[4]

    funding = activity.find("participating-org[@role='1']")
    assert (funding.get("ref"), funding.get("type")) == ("NATO", "40")


def test_budgets_split_the_value_equally_over_the_years_and_sum_to_it() -> None:
    found = activities(write(chair_records()))

    delivered = found[1].findall("budget")
    assert [b.find("period-start").get("iso-date") for b in delivered] == [
        "2025-01-01",
        "2026-01-01",
        "2027-01-01",
    ]
    assert [b.find("period-end").get("iso-date") for b in delivered] == [
        "2025-12-31",
        "2026-12-31",
        "2027-12-31",
    ]
    assert values(found[1], "budget/value") == [
        Decimal("333333.33"),
        Decimal("333333.33"),
        Decimal("333333.34"),
    ]
    assert {b.get("status") for b in delivered} == {"2"}  # committed

    announced = found[3].findall("budget")
    assert {b.get("status") for b in announced} == {"1"}  # indicative
    assert [b.find("value").get("currency") for b in announced] == ["USD", "USD"]
    assert P3.value is not None
    assert sum(values(found[3], "budget/value")) == P3.value.amount


def test_disbursements_of_a_fully_delivered_pledge_sum_to_its_value_and_are_in_kind() -> None:
    activity = activities(write(chair_records()))[1]
    disbursements = activity.xpath("transaction[transaction-type/@code='3']")

    assert values(activity, "transaction[transaction-type/@code='3']/value") == [
        Decimal("333333.33"),
        Decimal("333333.33"),
        Decimal("333333.34"),
    ]
    assert sum(values(activity, "transaction[transaction-type/@code='3']/value")) == Decimal(
        "1000000.00"
    )
    assert [t.find("disbursement-channel").get("code") for t in disbursements] == ["4"] * 3
    assert [t.find("transaction-date").get("iso-date") for t in disbursements] == [
        "2025-02-10",
        "2025-03-01",
        "2025-05-02",
    ]
    assert [t.find("value").get("currency") for t in disbursements] == ["EUR"] * 3
    first, _, last = (t.findtext("description/narrative") for t in disbursements)
    assert "98 received on 2025-02-14 (2 damaged)" in first
    assert "receipt not yet confirmed" in last
    assert {t.find("provider-org").get("ref") for t in disbursements} == {"DEU"}
    assert {t.find("receiver-org").get("ref") for t in disbursements} == {"UKR"}


def test_aid_funded_through_a_third_party_is_in_kind_through_a_third_party() -> None:
    activity = activities(write(chair_records()))[2]

    channels = activity.xpath("transaction/disbursement-channel/@code")
    assert channels == ["3"]


def test_shares_of_a_fraction_of_a_cent_are_never_negative_nor_above_the_value() -> None:
    activity = activities(write(chair_records()))[6]

    paid = values(activity, "transaction[transaction-type/@code='3']/value")
    assert len(paid) == 6
    assert all(v >= 0 for v in paid)
    assert sum(paid) <= Decimal("0.05")


def test_a_pledge_in_another_currency_keeps_it_and_records_the_rate() -> None:
    activity = activities(write(chair_records()))[3]
    value = activity.find("transaction/value")

    assert (value.text, value.get("currency"), value.get("value-date")) == (
        "1234567.89",
        "USD",
        "2025-03-10",
    )
    assert value.get(f"{{{NAMESPACE}}}eur-rate") == "0.92345678"
    assert value.get(f"{{{NAMESPACE}}}value-eur") == "1140070.09"
    assert "1234567.89 USD at 0.92345678 EUR per USD, 1140070.09 EUR" in activity.findtext(
        "description[@type='1']/narrative"
    )


def test_a_pledge_without_a_value_keeps_its_activity_without_money_and_says_why() -> None:
    activity = activities(write(chair_records()))[4]

    assert activity.findall("budget") == []
    assert activity.findall("transaction") == []
    assert "No value was recorded" in activity.findtext("description[@type='4']/narrative")


def test_a_cancelled_pledge_says_why() -> None:
    activity = activities(write(chair_records()))[5]

    assert "Cancelled: withdrawn from the offer" in activity.findtext("description/narrative")


def test_a_cancelled_pledge_keeps_what_it_delivered_but_no_commitment() -> None:
    records = chair_records()
    cancelled = replace(P2, status=PledgeStatus.CANCELLED, cancel_reason="budget cut")
    records = replace(
        records, pledges=[cancelled], deliveries=[d for d in records.deliveries if d.pledge_id == 2]
    )

    activity = activities(write(records))[2]

    assert activity.find("activity-status").get("code") == "5"
    assert codes(activity) == ["12", "3"]


# --- releasability and reproducibility -----------------------------------------------------


def test_a_public_file_holds_no_restricted_or_coalition_pledge() -> None:
    data = write(public_records())

    assert set(activities(data)) == {p.id for p in PLEDGES if p.label.is_public}
    for pledge in NOT_PUBLIC_PLEDGES:
        assert f"PLEDGE-{pledge.id}<".encode() not in data
        assert chair_records().participants[pledge.donor].name.encode() not in data
    assert b"POL-2025-17" not in data
    assert b'releasability="public"' in data
    assert b"restricted" not in data and b"coalition" not in data


def test_the_same_records_give_the_same_bytes() -> None:
    assert write(chair_records()) == write(chair_records())
    assert write(public_records()) != write(chair_records())


def test_no_pledge_to_show_is_refused_rather_than_an_invalid_file() -> None:
    with pytest.raises(NothingToReport) as refused:
        write(replace(public_records(), pledges=[]))

    assert refused.value.code == "nothing-to-report"
    assert "public" in str(refused.value)


# --- a larger set, from a store -------------------------------------------------------------


def test_a_store_s_export_validates_for_the_chair_and_the_public(
    schema: etree.XMLSchema, store_records: Scripted
) -> None:
    for records in (store_records.chair, store_records.public):
        assert_valid(schema, write(records))


def test_a_store_s_delivered_pledge_disburses_its_eur_value(store_records: Scripted) -> None:
    records = store_records.chair
    pledge = next(p for p in records.pledges if p.id == store_records.delivered)
    assert pledge.status is PledgeStatus.DELIVERED and pledge.value is not None
    activity = activities(write(records))[pledge.id]

    assert codes(activity) == ["12", "2", "3", "3"]
    assert activity.find("activity-status").get("code") == "3"
    paid = values(activity, "transaction[transaction-type/@code='3']/value")
    assert sum(paid) == pledge.value.eur
    assert values(activity, "transaction[transaction-type/@code='12']/value") == [
        pledge.value.amount
    ]
    assert sum(values(activity, "budget/value")) == pledge.value.amount
    assert len(activity.findall("budget")) == len(pledge.years) == 2


def test_a_store_s_public_export_holds_no_restricted_or_coalition_pledge(
    store_records: Scripted,
) -> None:
    chair = activities(write(store_records.chair))
    data = write(store_records.public)
    public = activities(data)

    assert {store_records.restricted, store_records.coalition} <= set(chair)
    assert store_records.restricted not in public and store_records.coalition not in public
    assert set(public) == {p.id for p in store_records.public.pledges}
    assert all(p.label.is_public for p in store_records.public.pledges)
    assert b"United Kingdom" not in data
    assert chair[store_records.coalition].get(f"{{{NAMESPACE}}}releasability") == "coalition"
