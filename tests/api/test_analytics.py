"""`/api/v1/analytics`: every figure is made of what the caller may see."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from ramstein.domain.releasability import Role
from ramstein.reports import analytics as figures
from ramstein.services import catalogue, participants, pledges
from ramstein.store.engine import Store
from tests.api.coalition import ApiCoalition, build


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiCoalition:
    return build(tmp_path_factory.mktemp("coalition"))


@pytest.fixture(scope="module")
def client(api: ApiCoalition) -> Iterator[TestClient]:
    with api.client() as c:
        yield c


def test_donor_totals_are_the_sums_of_the_pledges_each_role_may_see(
    api: ApiCoalition, client: TestClient
) -> None:
    store = Store(api.settings.database_url, migrate=False)
    try:
        for role in Role:
            with store.read() as conn:
                seen = pledges.list_pledges(conn=conn, viewer=api.principals[role])
                items = {
                    i.code: i for i in catalogue.list_items(conn=conn, viewer=api.principals[role])
                }
                known = participants.list_participants(conn=conn, viewer=api.principals[role])
            expected = figures.donor_totals(seen, items, known)
            got = client.get("/api/v1/analytics/donors", headers=api.headers(role))
            assert got.status_code == 200, got.text
            rows = {r["donor"]: Decimal(r["pledged_eur"]) for r in got.json()}
            assert rows == {r.donor: r.pledged_eur for r in expected}, role
    finally:
        store.dispose()
    public = client.get("/api/v1/analytics/donors").json()
    chair = client.get("/api/v1/analytics/donors", headers=api.headers(Role.CHAIR)).json()
    assert sum(Decimal(r["pledged_eur"]) for r in public) < sum(
        Decimal(r["pledged_eur"]) for r in chair
    )


def test_fair_share_targets_add_up_to_the_baseline(api: ApiCoalition, client: TestClient) -> None:
    got = client.get(
        "/api/v1/analytics/fair-share",
        params={"year": 2025, "baseline_bn": "40"},
        headers=api.headers(Role.OBSERVER),
    )
    assert got.status_code == 200, got.text
    rows = got.json()
    assert rows and sum(Decimal(r["target_eur"]) for r in rows) == Decimal(40) * 10**9


def test_reliability_and_areas_answer_for_every_viewer(
    api: ApiCoalition, client: TestClient
) -> None:
    for role in Role:
        report = client.get(
            "/api/v1/analytics/reliability",
            params={"as_of": "2026-01-01"},
            headers=api.headers(role),
        )
        assert report.status_code == 200 and report.json()["as_of"] == "2026-01-01"
        areas = client.get("/api/v1/analytics/areas", headers=api.headers(role))
        assert areas.status_code == 200 and areas.json()


@pytest.mark.parametrize(
    "params",
    [{"year": 1200}, {"baseline_bn": "0"}, {"baseline_bn": "-4"}, {"source": "gifts"}],
)
def test_bad_analytics_input_is_a_422_naming_the_field(
    client: TestClient, params: dict[str, object]
) -> None:
    got = client.get("/api/v1/analytics/fair-share", params=params)
    assert got.status_code == 422
    assert got.headers["content-type"] == "application/problem+json"
    assert next(iter(params)) in got.text


def test_coverage_is_a_series_of_month_ends(api: ApiCoalition, client: TestClient) -> None:
    got = client.get(
        "/api/v1/analytics/coverage",
        params={"since": "2025-01-01", "until": "2025-03-15"},
        headers=api.headers(Role.CHAIR),
    )
    assert got.status_code == 200, got.text
    assert sorted({p["on"] for p in got.json()}) == ["2025-01-31", "2025-02-28", "2025-03-31"]
    backward = client.get(
        "/api/v1/analytics/coverage", params={"since": "2025-03-01", "until": "2025-01-01"}
    )
    assert backward.status_code in (400, 422) and "cannot start" in backward.json()["detail"]
