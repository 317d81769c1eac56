"""What a client of the API notices: pages and sorts, versions, retries, sign-in, refusals."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ramstein.api.app import create_app
from ramstein.api.deps import Throttle
from ramstein.domain.releasability import Role
from ramstein.services import users
from ramstein.store.engine import Store
from tests import factories as f
from tests.api.coalition import ApiCoalition, build

PLEDGE = {
    "donor": "DEU",
    "item_type": f.SHELL,
    "quantity": 300,
    "source": "procurement",
    "announced_on": "2025-03-01",
    "value": {"amount": "1000000.00", "currency": "USD", "eur_rate": "0.92"},
    "tranches": [{"quantity": 100, "expected_on": "2025-06-01"}],
    "releasability": "restricted",
    "releasable_to": ["POL"],
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiCoalition:
    return build(tmp_path_factory.mktemp("coalition"))


@pytest.fixture
def client(api: ApiCoalition, tmp_path: Path) -> Iterator[TestClient]:
    with api.client(fresh=tmp_path / "fresh.sqlite") as c:
        yield c


def _problem(answer: object, status: int) -> dict[str, object]:
    assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
    assert answer.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = answer.json()  # type: ignore[attr-defined]
    assert str(body["type"]).startswith("urn:ramstein:problem:")
    assert body["status"] == status and body["detail"]
    return body


# --- pages, sorts and filters --------------------------------------------------------------


def test_a_cursor_walks_every_record_once_in_order(api: ApiCoalition, client: TestClient) -> None:
    chair = api.headers(Role.CHAIR)
    everything = client.get("/api/v1/pledges", params={"limit": 500}, headers=chair).json()
    expected = [p["id"] for p in everything["items"]]
    assert everything["next_cursor"] is None and len(expected) >= 6
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/pledges", params=params, headers=chair).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    # A record added while paging never shifts the pages still to come.
    first = client.get("/api/v1/pledges", params={"limit": 3, "sort": "id"}, headers=chair).json()
    client.post("/api/v1/pledges", json=PLEDGE, headers=api.headers(Role.DONOR))
    rest = client.get(
        "/api/v1/pledges", params={"limit": 500, "sort": "id", "cursor": first["next_cursor"]},
        headers=chair,
    ).json()  # fmt: skip
    ids = [p["id"] for p in first["items"] + rest["items"]]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == len(expected) + 1


def test_sorts_reverse_and_refuse_what_they_do_not_offer(
    api: ApiCoalition, client: TestClient
) -> None:
    chair = api.headers(Role.CHAIR)
    up = client.get("/api/v1/needs", params={"sort": "id"}, headers=chair).json()["items"]
    down = client.get("/api/v1/needs", params={"sort": "-id"}, headers=chair).json()["items"]
    assert [n["id"] for n in down] == [n["id"] for n in reversed(up)]
    body = _problem(client.get("/api/v1/needs", params={"sort": "colour"}), 422)
    assert "urgency" in str(body["detail"])
    body = _problem(client.get("/api/v1/needs", params={"cursor": "not-a-cursor"}), 422)
    assert body["errors"] == [{"field": "query.cursor", "message": body["detail"]}]
    page = client.get("/api/v1/needs", params={"limit": 1}, headers=chair).json()
    wrong_sort = {"cursor": page["next_cursor"], "sort": "-id"}
    assert "another sort" in str(
        _problem(client.get("/api/v1/needs", params=wrong_sort), 422)["detail"]
    )


def test_filters_narrow_a_list(api: ApiCoalition, client: TestClient) -> None:
    chair = api.headers(Role.CHAIR)

    def ids(url: str, **params: object) -> set[int]:
        return {r["id"] for r in client.get(url, params=params, headers=chair).json()["items"]}

    assert ids("/api/v1/pledges", donor="POL") == {api.pledge_of[Role.COALITION_LEAD]}
    hidden = ids("/api/v1/pledges", releasability="restricted") | ids(
        "/api/v1/pledges", releasability="coalition"
    )
    assert (
        ids("/api/v1/pledges", releasability="public")
        == (ids("/api/v1/pledges", donor="DEU") | ids("/api/v1/pledges", donor=f.FUND)) - hidden
    )  # DEU's public pledges and the fund's package
    assert ids("/api/v1/needs", coalition="arty") == ids("/api/v1/needs", area="artillery")
    assert ids("/api/v1/needs", area="drones") == set()
    assert ids("/api/v1/needs", needed_from="2030-01-01") == set()
    assert ids("/api/v1/deliveries", status="dispatched") == ids("/api/v1/deliveries")
    assert ids("/api/v1/pledges", status=["committed", "delivering"]) == ids("/api/v1/pledges")


# --- versions --------------------------------------------------------------------------------


def test_an_update_needs_the_current_version(api: ApiCoalition, client: TestClient) -> None:
    donor = api.headers(Role.DONOR)
    url = f"/api/v1/pledges/{api.pledge_of[Role.DONOR]}"
    read = client.get(url, headers=donor)
    tag = read.headers["ETag"]
    assert tag == f'"{read.json()["version"]}"'
    _problem(client.patch(url, json={"quantity": 1800}, headers=donor), 428)
    stale = _problem(
        client.patch(url, json={"quantity": 1800}, headers={**donor, "If-Match": '"1"'}), 412
    )
    assert stale["current_version"] == read.json()["version"]
    done = client.patch(url, json={"quantity": 1800}, headers={**donor, "If-Match": tag})
    assert done.status_code == 200 and done.json()["quantity"] == 1800
    assert done.headers["ETag"] == f'"{read.json()["version"] + 1}"'
    _problem(client.patch(url, json={"quantity": 1700}, headers={**donor, "If-Match": tag}), 412)


def test_a_donor_plans_the_years_of_its_pledge(api: ApiCoalition, client: TestClient) -> None:
    donor = api.headers(Role.DONOR)
    url = f"/api/v1/pledges/{api.pledge_of[Role.DONOR]}"
    read = client.get(url, headers=donor)
    tag = read.headers["ETag"]
    longer = client.patch(url, json={"years": [2025, 2026]}, headers={**donor, "If-Match": tag})
    assert longer.status_code == 200, longer.text
    assert [y["year"] for y in longer.json()["year_plan"]] == [2025, 2026]
    assert longer.json()["year_plan"][0] == {
        "year": 2025, "amount_eur": None, "status": None, "tranche_units": 500,
    }  # fmt: skip

    planned = client.put(
        f"{url}/years/2026",
        json={"amount_eur": "1500000.00", "status": "committed"},
        headers={**donor, "If-Match": longer.headers["ETag"]},
    )
    assert planned.status_code == 200, planned.text
    assert planned.json()["year_plan"][1] == {
        "year": 2026, "amount_eur": "1500000.00", "status": "committed", "tranche_units": 0,
    }  # fmt: skip
    stale = client.put(
        f"{url}/years/2026", json={"status": "delivered"}, headers={**donor, "If-Match": tag}
    )
    _problem(stale, 412)
    beyond = client.put(
        f"{url}/years/2031",
        json={"amount_eur": "1.00"},
        headers={**donor, "If-Match": planned.headers["ETag"]},
    )
    assert "covers 2025-2026, not 2031" in str(_problem(beyond, 422)["detail"])
    someday = client.put(
        f"{url}/years/2026", json={"status": "someday"}, headers={**donor, "If-Match": tag}
    )
    assert "status" in str(_problem(someday, 422)["errors"])


@pytest.mark.parametrize("writers", [2, 4])
def test_of_clients_updating_one_pledge_at_once_one_wins_and_the_others_get_412(
    store: Store, writers: int
) -> None:
    p = f.setup_coalition(store)
    pledge = f.announce(store, p.donor("DEU"), quantity=100)
    with store.write(clock=f.CLOCK) as uow:
        users.add_user(conn=uow.conn, name="deu", participant="DEU", roles=[Role.DONOR])
        token = users.issue_token(conn=uow.conn, user="deu")[1]
    headers = {"Authorization": f"Bearer {token}", "If-Match": f'"{pledge.version}"'}
    answers: list[int] = []
    with TestClient(create_app(store=store)) as client:
        start = threading.Barrier(writers)

        def write(quantity: int) -> None:
            start.wait()
            answer = client.patch(
                f"/api/v1/pledges/{pledge.id}", json={"quantity": quantity}, headers=headers
            )
            answers.append(answer.status_code)

        threads = [threading.Thread(target=write, args=(200 + i,)) for i in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        final = client.get(f"/api/v1/pledges/{pledge.id}", headers=headers).json()
    assert sorted(answers) == [200] + [412] * (writers - 1)
    assert final["version"] == pledge.version + 1 and 200 <= final["quantity"] < 200 + writers


# --- retries ---------------------------------------------------------------------------------


def test_a_retried_create_with_the_same_key_creates_once(
    api: ApiCoalition, client: TestClient
) -> None:
    donor = {**api.headers(Role.DONOR), "Idempotency-Key": "deu-2025-03-01-shells"}
    before = len(
        client.get("/api/v1/pledges", params={"limit": 500}, headers=donor).json()["items"]
    )
    first = client.post("/api/v1/pledges", json=PLEDGE, headers=donor)
    again = client.post("/api/v1/pledges", json=PLEDGE, headers=donor)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert (
        first.headers["Location"]
        == again.headers["Location"]
        == f"/api/v1/pledges/{first.json()['id']}"
    )
    after = client.get("/api/v1/pledges", params={"limit": 500}, headers=donor).json()["items"]
    assert len(after) == before + 1
    other = {**PLEDGE, "quantity": 301}
    body = _problem(client.post("/api/v1/pledges", json=other, headers=donor), 422)
    assert "different request" in str(body["detail"])
    # The same key from another user is that user's own.
    chair = {**api.headers(Role.CHAIR), "Idempotency-Key": "deu-2025-03-01-shells"}
    assert (
        client.post("/api/v1/pledges", json=PLEDGE, headers=chair).json()["id"]
        != first.json()["id"]
    )


def test_retries_racing_each_other_create_once(api: ApiCoalition, client: TestClient) -> None:
    donor = {**api.headers(Role.DONOR), "Idempotency-Key": "race"}
    ids: list[int] = []
    start = threading.Barrier(4)

    def post() -> None:
        start.wait()
        ids.append(client.post("/api/v1/pledges", json=PLEDGE, headers=donor).json()["id"])

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 1 and len(ids) == 4


# --- signing in ------------------------------------------------------------------------------


def test_bad_tokens_are_401_and_repeated_failures_slow_the_client_down(
    api: ApiCoalition, client: TestClient
) -> None:
    bad = {"Authorization": "Bearer rst_not-a-token"}
    for _ in range(5):
        answer = client.get("/api/v1/needs", headers=bad)
        _problem(answer, 401)
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    slowed = client.get("/api/v1/needs", headers=bad)
    _problem(slowed, 401)  # the sixth failure is answered, and sets the wait
    blocked = client.get("/api/v1/needs", headers=api.headers(Role.CHAIR))
    _problem(blocked, 429)
    assert int(blocked.headers["Retry-After"]) >= 1
    _problem(client.get("/api/v1/needs", headers={"Authorization": "Basic abc"}), 429)


def test_the_throttle_doubles_the_wait_and_forgets_after_a_success() -> None:
    now = [0.0]
    throttle = Throttle(free=2, window=60, clock=lambda: now[0])
    for _ in range(2):
        throttle.check("10.0.0.9")
        throttle.failed("10.0.0.9")
    throttle.check("10.0.0.9")
    throttle.failed("10.0.0.9")  # third: wait 1 s
    with pytest.raises(Exception, match="try again in 1 s"):
        throttle.check("10.0.0.9")
    now[0] = 1.5
    throttle.check("10.0.0.9")
    throttle.failed("10.0.0.9")  # fourth: wait 2 s
    with pytest.raises(Exception, match="try again in 2 s"):
        throttle.check("10.0.0.9")
    throttle.check("10.0.0.10")  # another client is not slowed
    now[0] = 4.0
    throttle.succeeded("10.0.0.9")
    throttle.check("10.0.0.9")


def test_revoked_and_expired_tokens_stop_working(api: ApiCoalition, tmp_path: Path) -> None:
    with api.client(fresh=tmp_path / "tokens.sqlite") as client:
        store: Store = client.app.state.store  # type: ignore[attr-defined]
        with store.write() as uow:
            info, token = users.issue_token(conn=uow.conn, user="mod-deu")
            _, short = users.issue_token(conn=uow.conn, user="mod-deu", expires_in=timedelta(0))
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/needs", headers=headers).status_code == 200
        with store.write() as uow:
            users.revoke_token(conn=uow.conn, token_id=info.id)
        client.app.state.principals.clear()  # type: ignore[attr-defined]
        _problem(client.get("/api/v1/needs", headers=headers), 401)
        _problem(client.get("/api/v1/needs", headers={"Authorization": f"Bearer {short}"}), 401)


# --- refusals and documents ------------------------------------------------------------------


def test_bad_input_is_a_problem_with_every_field_named(
    api: ApiCoalition, client: TestClient
) -> None:
    answer = client.post(
        "/api/v1/pledges",
        json={**PLEDGE, "quantity": 0, "tranches": [{"quantity": -1, "expected_on": "someday"}]},
        headers=api.headers(Role.DONOR),
    )
    body = _problem(answer, 422)
    fields = {e["field"] for e in body["errors"]}  # type: ignore[union-attr]
    assert {"body.quantity", "body.tranches.0.quantity", "body.tranches.0.expected_on"} <= fields
    _problem(client.get("/api/v1/needs/0"), 422)
    _problem(client.get("/api/v1/needs/99999999999"), 422)
    _problem(client.get("/api/v1/nowhere"), 404)
    _problem(client.delete("/api/v1/needs"), 405)
    domain = _problem(
        client.post("/api/v1/pledges", json={**PLEDGE, "item_type": "no-such-item"},
                    headers=api.headers(Role.DONOR)),
        404,
    )  # fmt: skip
    assert domain["type"] == "urn:ramstein:problem:not-found"
    assert "no-such-item" in str(domain["detail"])


def test_every_write_reaches_the_log_with_its_actor(api: ApiCoalition, client: TestClient) -> None:
    size = client.get("/api/v1/status").json()["log_size"]
    made = client.post("/api/v1/pledges", json=PLEDGE, headers=api.headers(Role.DONOR)).json()
    entries = client.get(
        "/api/v1/log/entries", params={"after": size}, headers=api.headers(Role.DONOR)
    ).json()["entries"]
    assert len(entries) == 1
    header = json.loads(entries[0]["leaf"])
    assert header["actor"] == "DEU" and header["actor_user"] == "mod-deu"
    assert json.loads(entries[0]["payload"])["pledge_id"] == made["id"]
    # The public sees that an entry was made, but not what it says.
    public = client.get("/api/v1/log/entries", params={"after": size}).json()["entries"]
    assert public[0]["payload"] is None and public[0]["leaf"] == entries[0]["leaf"]


def test_the_api_docs_need_no_outside_network(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assets = [a for a in page.text.split('"') if a.endswith((".js", ".css", ".png"))]
    assert assets and all(a.startswith("/api/docs/static/") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200
    spec = client.get("/api/openapi.json").json()
    create = spec["components"]["schemas"]["PledgeCreate"]
    assert create["examples"][0]["donor"] == "DEU"
