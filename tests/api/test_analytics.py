"""`/api/v1/analytics`: every figure is made of what the caller may see."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from ramstein.api.schemas.analytics import ForecastPublic
from ramstein.domain.funds import COUNTED
from ramstein.domain.releasability import Role
from ramstein.reports import analytics as figures
from ramstein.services import analytics, catalogue, funds, participants, pledges
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
                given: dict[str, Decimal] = defaultdict(Decimal)
                for c in funds.list_contributions(
                    conn=conn, viewer=api.principals[role], status=COUNTED
                ):
                    given[c.contributor] += c.value.eur
            expected = figures.donor_totals(seen, items, known)
            got = client.get("/api/v1/analytics/donors", headers=api.headers(role))
            assert got.status_code == 200, got.text
            rows = {r["donor"]: r for r in got.json()}
            pledged = {code: Decimal(r["pledged_eur"]) for code, r in rows.items() if r["pledges"]}
            assert pledged == {r.donor: r.pledged_eur for r in expected}, role
            # beside the pledges, what each donor gave through the pooled fund, as far as seen
            to_funds = {code: Decimal(r["to_funds_eur"]) for code, r in rows.items()}
            assert {code: eur for code, eur in to_funds.items() if eur} == given, role
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


def test_the_forecast_is_made_of_what_each_role_may_see(
    api: ApiCoalition, client: TestClient
) -> None:
    params = {"as_of": "2025-01-20", "runs": 40, "seed": 3}
    store = Store(api.settings.database_url, migrate=False)
    try:
        for role in Role:
            with store.read() as conn:
                expected = analytics.forecast(
                    conn=conn, viewer=api.principals[role], as_of=date(2025, 1, 20), runs=40, seed=3
                )
            got = client.get("/api/v1/analytics/forecast", params=params, headers=api.headers(role))
            assert got.status_code == 200, got.text
            assert got.json() == json.loads(
                ForecastPublic.model_validate(expected).model_dump_json()
            )
    finally:
        store.dispose()
    chair = client.get("/api/v1/analytics/forecast", params=params, headers=api.headers(Role.CHAIR))
    public = client.get("/api/v1/analytics/forecast", params=params).json()
    planned = [Decimal(q["planned_eur"]) for q in chair.json()["quarters"]]
    assert len(planned) == 8 and planned[0] > 0  # the tranches due in February
    assert sum(Decimal(q["planned_eur"]) for q in public["quarters"]) < sum(planned)
    assert client.get("/api/v1/analytics/forecast", params=params).json() == public  # seeded


def test_a_scenario_shows_what_a_donor_stopping_would_cost(
    api: ApiCoalition, client: TestClient
) -> None:
    got = client.get(
        "/api/v1/analytics/scenario",
        params={"stop": "DEU:2025-01-31", "as_of": "2025-01-20", "runs": 40},
        headers=api.headers(Role.CHAIR),
    )
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["scenario"] == {
        "stops": [{"donor": "DEU", "after": "2025-01-31"}], "cut_donors": "0", "cut_by": "0",
    }  # fmt: skip
    before = sum(Decimal(q["expected_eur"]) for q in body["forecast"]["quarters"])
    after = sum(Decimal(q["expected_eur"]) for q in body["stressed"]["quarters"])
    assert after < before
    artillery = next(d for d in body["dependence"] if d["area"] == "artillery")
    assert artillery["top_donor"] == "DEU" and Decimal(artillery["lost_share"]) > 0
    allocation = body["allocation"]  # the newest plan the chair may read, stressed alike
    assert allocation["plan_id"] == api.chair_plan
    assert allocation["scenario"] == "DEU stops after 2025-01-31"
    assert allocation["objective_lost"] > 0 and allocation["hurt"]
    assert allocation["objective"] == pytest.approx(
        allocation["baseline_objective"] - allocation["objective_lost"]
    )
    cut_params = {"cut_donors": "0.5", "cut_by": "0.5", "as_of": "2025-01-20", "runs": 40}
    cut = client.get("/api/v1/analytics/scenario", params=cut_params)
    assert cut.status_code == 200, cut.text
    assert cut.json()["allocation"]["plan_id"] == api.public_plan  # what the public may read
    assert cut.json()["allocation"]["scenario"] == "cut 0.25 of every offer"
    hidden = client.get("/api/v1/analytics/scenario", params={**cut_params, "plan": api.chair_plan})
    assert hidden.status_code == 404, hidden.text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"stop": "DEU"}, "stop"),
        ({"stop": "DEU:2025-02-30"}, "stop"),
        ({"stop": "XYZ:2025-02-01"}, "stop"),
        ({"cut_donors": "0.5"}, "cut_by"),
        ({"cut_donors": "2", "cut_by": "0.5"}, "cut_donors"),
        ({}, "scenario"),
        ({"stop": "DEU:2025-02-01", "runs": 0}, "runs"),
        ({"stop": "DEU:2025-02-01", "quarters": 13}, "quarters"),
    ],
)
def test_a_scenario_that_cannot_be_run_is_refused_naming_the_field(
    client: TestClient, params: dict[str, object], field: str
) -> None:
    got = client.get("/api/v1/analytics/scenario", params=params)
    assert got.status_code in (400, 422), got.text
    assert got.headers["content-type"] == "application/problem+json"
    assert field in got.text


def test_commitments_by_year_hold_only_what_the_caller_may_see(
    api: ApiCoalition, client: TestClient
) -> None:
    params = {"first": 2025, "last": 2026}
    chair = client.get(
        "/api/v1/analytics/commitments", params=params, headers=api.headers(Role.CHAIR)
    )
    public = client.get("/api/v1/analytics/commitments", params=params)
    assert chair.status_code == public.status_code == 200, chair.text
    assert [y["year"] for y in chair.json()] == [2025, 2026]
    first, seen = chair.json()[0], public.json()[0]
    parts = ("committed_eur", "indicative_eur", "delivered_eur", "unplanned_eur")
    assert sum(Decimal(first[k]) for k in parts) == Decimal(first["total_eur"])
    assert Decimal(seen["total_eur"]) < Decimal(first["total_eur"])  # the hidden pledges
    assert seen["donors"] <= first["donors"]
    for bad in ({"first": 2026, "last": 2025}, {"first": 2025, "last": 2090}):
        refused = client.get("/api/v1/analytics/commitments", params=bad)
        assert refused.status_code in (400, 422) and "last" in refused.text


def test_firm_funding_answers_per_area(api: ApiCoalition, client: TestClient) -> None:
    got = client.get(
        "/api/v1/analytics/firm-funding",
        params={"as_of": "2025-01-20"},
        headers=api.headers(Role.CHAIR),
    )
    assert got.status_code == 200, got.text
    artillery = next(r for r in got.json() if r["area"] == "artillery")
    assert Decimal(artillery["needed_eur"]) > 0
    assert Decimal(artillery["firm_eur"]) > 0  # the committed pledges' February tranches
