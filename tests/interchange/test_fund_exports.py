"""Pooled funds in the open-data exports: IATI names the fund and its funders, the flow JSON
has the contributions as flows into the fund, and the lists hold contributions and their
attribution, each as the audience may see them (`factories.fund_script`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from ramstein.domain.releasability import PUBLIC_VIEWER
from ramstein.interchange import writers
from ramstein.interchange.flows import flows_json
from ramstein.interchange.iati import iati_activities
from ramstein.interchange.records import Records
from ramstein.services import exports
from ramstein.store.engine import Store
from tests import factories as f

SCHEMA = Path(__file__).parent.parent / "data" / "iati-2.03" / "iati-activities-schema.xsd"


@pytest.fixture(scope="module")
def gathered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Records]]:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('funds') / 'ramstein.sqlite'}")
    try:
        c = f.setup_coalition(store)
        with store.write(clock=f.CLOCK) as uow:
            f.fund_script(uow, c.chair)
        with store.read() as conn:
            yield {
                who: exports.gather(conn=conn, viewer=viewer, group_name="Contact group")
                for who, viewer in (("chair", c.chair), ("public", PUBLIC_VIEWER))
            }
    finally:
        store.dispose()


@pytest.mark.parametrize("audience", ["chair", "public"])
def test_a_package_names_the_fund_as_extending_and_its_contributors_as_funding(
    gathered: dict[str, Records], audience: str
) -> None:
    data = iati_activities(gathered[audience], reporting_org_ref="XM-T", reporting_org_name="G")
    root = etree.fromstring(data)
    assert etree.XMLSchema(etree.parse(str(SCHEMA))).validate(root)
    (package,) = root.iterfind("iati-activity")
    orgs = [
        (o.get("ref"), o.get("role"), o.get("type")) for o in package.iterfind("participating-org")
    ]
    funders = [("DEU", "1", "10"), ("GBR", "1", "10")][: 2 if audience == "chair" else 1]
    assert orgs == [(f.FUND, "3", "40"), *funders, ("UKR", "4", None)]


def test_contributions_are_flows_from_the_contributor_into_the_fund(
    gathered: dict[str, Records],
) -> None:
    chair = [x for x in flows_json(gathered["chair"])["data"]["flows"] if "contribution_id" in x]
    assert [(x["status"], x["date"], x["amount_eur"], x["currency"]) for x in chair] == [
        ("paid", "2025-06-20", "923456.79", "USD"),
        ("pledge", "2025-06-03", "250000.00", "EUR"),
    ]  # POL's cancelled contribution is no flow
    assert chair[0]["sourceObjects"][:2] == [
        {"type": "Organization", "id": "DEU", "name": "Germany"},
        {"type": "Location", "id": "DEU", "name": "Germany"},
    ]
    assert chair[0]["destinationObjects"] == [
        {"type": "Organization", "id": f.FUND, "name": "Pooled fund"},
        {"type": "UsageYear", "id": "2025", "name": "2025"},
    ]
    public = flows_json(gathered["public"])["data"]["flows"]
    assert [x["id"] for x in public if "contribution_id" in x] == [chair[0]["id"]]


def test_the_lists_hold_contributions_and_the_attribution_that_sums_to_the_delivery(
    gathered: dict[str, Records],
) -> None:
    table = writers.table("attributions", gathered["chair"])
    rows = [dict(zip(table.columns, r, strict=True)) for r in table.rows]
    assert [r["contributor"] for r in rows] == ["DEU", "GBR"]
    assert sum(r["delivered_eur"] for r in rows) == rows[0]["fund_delivered_eur"] == 1500
    public = writers.table("attributions", gathered["public"])
    assert [(r[2], r[6], r[8]) for r in public.rows] == [("DEU", None, None)]
    contributions = writers.table("contributions", gathered["public"])
    assert [r[2] for r in contributions.rows] == ["DEU"]
