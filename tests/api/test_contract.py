"""The contract suite: every operation of the live OpenAPI document, for every role.

Nothing here names a route. Each operation is called as each role with its documented example
(the acting participant's own records and codes put in), and:

- a role the operation declares (`x-roles`) succeeds; any other is refused, 401 for the
  public and 403 for the signed-in, as problem+json;
- no answer, list, detail, report or refusal, holds the canary of a record the role may not see;
- a record's detail route answers 200 to a role that may see the record and, to one that may
  not, exactly what it answers for an id that does not exist.

An operation added later is covered the moment it is in the document.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ramstein.api.app import create_app
from ramstein.api.deps import roles_of
from ramstein.domain.releasability import Role
from tests.api.coalition import COALITION, ROLES, ApiCoalition, build
from tests.factories import BASELINE, DRONE, FUND, SHELL

SPEC = create_app().openapi()
OPERATIONS = [
    (method.upper(), path, op)
    for path, ops in SPEC["paths"].items()
    for method, op in ops.items()
    if path.startswith("/api/v1/") and path != "/api/v1/status"
]
WRITES = [o for o in OPERATIONS if o[0] != "GET"]
READS = [o for o in OPERATIONS if o[0] == "GET"]

ANSWER = {"POST": 201, "PUT": 200, "PATCH": 200, "DELETE": 204}
"""What success looks like for each method, unless the operation documents another."""
REFUSED_AS_DOCUMENTED = {("POST", "/api/v1/log/cosignatures"): 404}
"""Open to every role (a witness's signature is its credential), but the example cosigns a
checkpoint this log does not have; tests/api/test_log_routes.py posts real ones."""


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiCoalition:
    return build(tmp_path_factory.mktemp("coalition"))


@pytest.fixture(scope="module")
def reader(api: ApiCoalition) -> Iterator[TestClient]:
    with api.client() as client:
        yield client


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = SPEC
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found


def _example(op: dict[str, Any]) -> dict[str, Any] | None:
    body = op.get("requestBody")
    if body is None:
        return None
    schema = _resolve(body["content"]["application/json"]["schema"])
    examples = schema.get("examples")
    assert examples, f"{op['operationId']}: its request schema has no example"
    return copy.deepcopy(examples[0])


def _path_value(api: ApiCoalition, role: Role, method: str, path: str, name: str) -> object:
    if name == "need_id":
        return api.public_need
    if name == "pledge_id":
        return api.pledge_of[role]
    if name == "contribution_id":
        return api.contribution_of[role]
    if name == "delivery_id":
        return api.public_delivery
    if name in ("plan_id", "before", "after"):
        return api.public_plan
    if name == "number":
        if path.startswith("/api/v1/pledges"):
            return 1  # a tranche
        # The scheduled meeting is revised and invited; the held one takes attendance.
        upcoming = method == "PATCH" or path.endswith("/status")
        return api.next_meeting if upcoming else api.open_meeting
    if name == "code":
        prefix = path.split("/")[3]
        return {
            "participants": "DEU",
            "areas": "artillery",
            "coalitions": COALITION,
            "funds": FUND,
            "baselines": BASELINE,
        }.get(prefix, SHELL)
    if name == "participant":
        return "GBR" if "/coalitions/" in path else "DEU"
    if name == "decision":
        return api.action_of.get(role, api.action_of[Role.CHAIR])
    if name == "year":
        return 2025  # the year the coalition's pledges cover
    if name == "offer_type":
        return DRONE
    if name == "need_type":
        return SHELL
    raise AssertionError(f"no value for path parameter {name} of {path}")


def _query(api: ApiCoalition, op: dict[str, Any], size: int) -> dict[str, object]:
    """The required query parameters, and those the document gives an example of (a
    scenario must name what happens in it)."""
    values = {"from": 1, "to": size, "seq": 1, "size": size}
    query = [p for p in op.get("parameters", []) if p["in"] == "query"]
    return {p["name"]: values[p["name"]] for p in query if p.get("required")} | {
        p["name"]: p["schema"]["examples"][0] for p in query if p["schema"].get("examples")
    }


def _request(
    api: ApiCoalition, role: Role, method: str, path: str, op: dict[str, Any], size: int
) -> dict[str, Any]:
    url = re.sub(
        r"\{(\w+)\}", lambda m: str(_path_value(api, role, method, path, m.group(1))), path
    )
    body = _example(op)
    participant = api.principals[role].participant
    if body is not None and role is not Role.CHAIR and participant:
        for field in ("donor", "recipient", "contributor"):
            if field in body:
                body[field] = participant
        if "pledge_id" in body:
            body["pledge_id"] = api.pledge_of[role]
        for announcement in body.get("announcements", []):
            announcement["donor"] = participant
    headers = api.headers(role)
    if any(p["in"] == "header" and p["name"] == "If-Match" for p in op.get("parameters", [])):
        headers["If-Match"] = "*"  # versions have tests of their own
    return {
        "method": method,
        "url": url,
        "params": _query(api, op, size),
        "headers": headers,
        "json": body,
    }


def _assert_no_leak(api: ApiCoalition, role: Role, text: str, what: str) -> None:
    leaked = {c for c in api.hidden_canaries(role) if c in text}
    assert not leaked, f"{what} shows {role.value} records it may not see: {sorted(leaked)}"


def _log_size(client: TestClient) -> int:
    return int(client.get("/api/v1/status").json()["log_size"])


def test_every_operation_declares_its_roles_and_documents_its_refusals() -> None:
    assert len(OPERATIONS) > 40
    for method, path, op in OPERATIONS:
        assert op.get("x-roles"), f"{method} {path} does not declare who may call it"
        assert {"401", "403", "404", "422"} <= set(op["responses"]), f"{method} {path}"
        body = op.get("requestBody")
        if body is not None:
            assert _example(op) is not None


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
@pytest.mark.parametrize(("method", "path", "op"), READS, ids=[f"{m} {p}" for m, p, _ in READS])
def test_every_read_answers_every_role_without_leaking(
    api: ApiCoalition, reader: TestClient, role: Role, method: str, path: str, op: dict[str, Any]
) -> None:
    request = _request(api, role, method, path, op, _log_size(reader))
    if any(p["name"] == "limit" for p in op.get("parameters", [])):
        request["params"]["limit"] = 500
    answer = reader.request(**request)
    assert roles_of(op) >= {role}
    assert answer.status_code == 200, f"{role.value}: {answer.status_code} {answer.text}"
    _assert_no_leak(api, role, answer.text, f"{method} {path}")


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
@pytest.mark.parametrize(("method", "path", "op"), WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_every_write_is_allowed_to_its_roles_and_refused_to_others(
    api: ApiCoalition,
    tmp_path: Path,
    role: Role,
    method: str,
    path: str,
    op: dict[str, Any],
) -> None:
    with api.client(fresh=tmp_path / "case.sqlite") as client:
        request = _request(api, role, method, path, op, _log_size(client))
        answer = client.request(**request)
    allowed = role in roles_of(op)
    if not allowed:
        assert answer.status_code == (401 if role is Role.PUBLIC else 403), answer.text
        assert answer.headers["content-type"] == "application/problem+json"
    elif (method, path) in REFUSED_AS_DOCUMENTED:
        assert answer.status_code == REFUSED_AS_DOCUMENTED[method, path], answer.text
    else:
        expected = ANSWER[method]
        if method == "POST" and "201" not in op["responses"]:
            expected = 200
        assert answer.status_code == expected, f"{role.value}: {answer.text}"
        if expected != 204 and "ETag" in answer.headers:
            assert re.fullmatch(r'"\d+"', answer.headers["ETag"])
    _assert_no_leak(api, role, answer.text, f"{method} {path}")


DETAIL = {
    "need": "/api/v1/needs/{}",
    "pledge": "/api/v1/pledges/{}",
    "delivery": "/api/v1/deliveries/{}",
    "contribution": "/api/v1/contributions/{}",
}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_a_record_the_viewer_may_not_see_is_indistinguishable_from_a_missing_one(
    api: ApiCoalition, reader: TestClient, role: Role
) -> None:
    missing = 999_999
    for record in api.records:
        if record.kind not in DETAIL:
            continue
        url = DETAIL[record.kind]
        answer = reader.get(url.format(record.key), headers=api.headers(role))
        if api.visible(role, record):
            assert answer.status_code == 200
            assert record.canary in answer.text
            continue
        absent = reader.get(url.format(missing), headers=api.headers(role))
        assert answer.status_code == absent.status_code == 404
        assert answer.headers.keys() == absent.headers.keys()
        assert answer.text == absent.text.replace(str(missing), str(record.key))


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_lists_show_every_record_the_viewer_may_see(
    api: ApiCoalition, reader: TestClient, role: Role
) -> None:
    shown = " ".join(
        reader.get(url, params={"limit": 500}, headers=api.headers(role)).text
        for url in (
            "/api/v1/needs",
            "/api/v1/pledges",
            "/api/v1/deliveries",
            "/api/v1/meetings",
            "/api/v1/contributions",
        )
    )
    for record in api.records:
        assert (record.canary in shown) == api.visible(role, record), (role, record)


def test_a_chair_only_plan_is_missing_for_everyone_else(
    api: ApiCoalition, reader: TestClient
) -> None:
    for role in ROLES:
        answer = reader.get(f"/api/v1/match/plans/{api.chair_plan}", headers=api.headers(role))
        assert answer.status_code == (200 if role is Role.CHAIR else 404)
