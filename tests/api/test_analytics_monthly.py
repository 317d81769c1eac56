"""`GET /api/v1/analytics/monthly`: the monthly series of what the caller may see."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from ramstein.domain.releasability import Role
from ramstein.reports import analytics as figures
from ramstein.services import catalogue, pledges
from ramstein.store.engine import Store
from tests.api.coalition import ApiCoalition, build


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiCoalition:
    return build(tmp_path_factory.mktemp("coalition"))


@pytest.fixture(scope="module")
def client(api: ApiCoalition) -> Iterator[TestClient]:
    with api.client() as c:
        yield c


def test_each_role_gets_the_months_of_the_pledges_it_may_see(
    api: ApiCoalition, client: TestClient
) -> None:
    store = Store(api.settings.database_url, migrate=False)
    totals: dict[Role, Decimal] = {}
    try:
        for role in Role:
            with store.read() as conn:
                seen = pledges.list_pledges(conn=conn, viewer=api.principals[role])
                items = {
                    i.code: i for i in catalogue.list_items(conn=conn, viewer=api.principals[role])
                }
            expected = figures.monthly_totals(seen, items)
            got = client.get("/api/v1/analytics/monthly", headers=api.headers(role))
            assert got.status_code == 200, got.text
            body = got.json()
            assert [(m["month"], Decimal(m["total_eur"])) for m in body] == [
                (m.month, m.total_eur) for m in expected
            ], role
            for m in body:
                assert sum(Decimal(a["eur"]) for a in m["areas"]) == Decimal(m["total_eur"])
            totals[role] = sum(Decimal(m["total_eur"]) for m in body)
    finally:
        store.dispose()
    assert totals[Role.PUBLIC] < totals[Role.CHAIR]
    first = client.get("/api/v1/analytics/monthly", headers=api.headers(Role.CHAIR)).json()
    assert first, "the coalition has pledges"
    month = first[0]["month"]
    one = client.get(
        "/api/v1/analytics/monthly",
        params={"since": month, "until": month},
        headers=api.headers(Role.CHAIR),
    ).json()
    assert [m["month"] for m in one] == [month]


@pytest.mark.parametrize("params", [{"since": "2025-13"}, {"until": "2025"}, {"since": "1800-01"}])
def test_a_month_that_is_not_yyyy_mm_is_a_422(client: TestClient, params: dict[str, str]) -> None:
    got = client.get("/api/v1/analytics/monthly", params=params)
    assert got.status_code == 422
    assert got.headers["content-type"] == "application/problem+json"
    assert next(iter(params)) in got.text


def test_a_backward_series_is_refused(client: TestClient) -> None:
    got = client.get("/api/v1/analytics/monthly", params={"since": "2025-03", "until": "2025-01"})
    assert got.status_code in (400, 422) and "cannot start" in got.json()["detail"]
