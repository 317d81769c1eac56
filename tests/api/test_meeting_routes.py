"""The meeting cycle over HTTP: the agenda's versions, the round, action items, read-outs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ramstein.domain.releasability import Role
from tests import factories as f
from tests.api.coalition import ApiCoalition, build
from tests.conftest import require


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiCoalition:
    return build(tmp_path_factory.mktemp("coalition"))


@pytest.fixture
def client(api: ApiCoalition, tmp_path: Path) -> Iterator[TestClient]:
    with api.client(fresh=tmp_path / "case.sqlite") as c:
        yield c


def test_the_agenda_is_set_in_versions_against_if_match(
    api: ApiCoalition, client: TestClient
) -> None:
    chair = api.headers(Role.CHAIR)
    path = f"/api/v1/meetings/{api.next_meeting}/agenda"
    first = client.get(path, headers=chair)
    assert first.status_code == 200 and first.headers["ETag"] == '"0"'
    keys = [i["key"] for i in first.json()["items"]]
    assert keys[0] == "priorities" and keys[-1] == "actions"
    entries = {"entries": [{"key": "actions"}, {"key": "item:1", "title": "Winter energy"}]}
    assert client.put(path, json=entries, headers=chair).status_code == 428
    done = client.put(path, json=entries, headers={**chair, "If-Match": '"0"'})
    assert done.status_code == 200 and done.json()["version"] == 1
    assert [i["title"] for i in done.json()["items"]] == ["Open action items", "Winter energy"]
    stale = client.put(path, json=entries, headers={**chair, "If-Match": '"0"'})
    assert stale.status_code == 412
    bad = client.put(
        path, json={"entries": [{"key": "weather"}]}, headers={**chair, "If-Match": '"1"'}
    )
    assert bad.status_code == 422 and "not an agenda section" in bad.json()["detail"]
    assert client.get(f"{path}?version=1", headers=chair).json()["version"] == 1


def test_a_round_is_recorded_whole_or_not_at_all(api: ApiCoalition, client: TestClient) -> None:
    chair = api.headers(Role.CHAIR)
    path = f"/api/v1/meetings/{api.open_meeting}/announcements"
    one = {"donor": "DEU", "item_type": f.SHELL, "quantity": 10, "source": "stocks"}
    made = client.post(path, json={"announcements": [one, {**one, "donor": "POL"}]}, headers=chair)
    assert made.status_code == 201
    assert [(p["donor"], p["meeting"]) for p in made.json()] == [
        ("DEU", api.open_meeting),
        ("POL", api.open_meeting),
    ]
    before = client.get("/api/v1/status").json()["log_size"]
    refused = client.post(
        path, json={"announcements": [one, {**one, "item_type": "no-such"}]}, headers=chair
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "announcements.2"
    assert client.get("/api/v1/status").json()["log_size"] == before


def test_an_action_item_is_closed_by_its_owner(api: ApiCoalition, client: TestClient) -> None:
    number, mine = api.open_meeting, api.action_of[Role.DONOR]
    close = f"/api/v1/meetings/{number}/decisions/{mine}/close"
    others = client.post(close, json={"outcome": "done"}, headers=api.headers(Role.COALITION_LEAD))
    assert others.status_code == 403
    done = client.post(close, json={"outcome": "done"}, headers=api.headers(Role.DONOR))
    assert done.status_code == 200 and done.json()["status"] == "done"
    still = client.get("/api/v1/actions?open=true", headers=api.headers(Role.CHAIR)).json()
    assert mine not in [a["number"] for a in still]
    again = client.post(close, json={"outcome": "done"}, headers=api.headers(Role.DONOR))
    assert again.status_code == 422 and "already done" in again.json()["detail"]


def test_read_outs_in_each_format_for_whom_may_have_them(
    api: ApiCoalition, client: TestClient
) -> None:
    path = f"/api/v1/meetings/{api.open_meeting}/readout"
    public = client.get(path)
    assert public.status_code == 200 and public.headers["content-type"].startswith("text/markdown")
    assert "CANARY" not in public.text
    html = client.get(f"{path}?audience=coalition&format=html", headers=api.headers(Role.DONOR))
    assert html.headers["content-type"].startswith("text/html") and "<svg" in html.text
    assert client.get(f"{path}?audience=coalition").status_code == 403  # sign in first
    assert client.get(f"{path}?audience=GBR", headers=api.headers(Role.DONOR)).status_code == 403
    assert client.get(f"{path}?audience=XYZ", headers=api.headers(Role.CHAIR)).status_code == 404
    assert client.get(f"{path}?audience=a:b:c").status_code == 422
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        require(f"WeasyPrint cannot load its system libraries ({error})")
    pdf = client.get(f"{path}?audience=DEU&format=pdf", headers=api.headers(Role.DONOR))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="meeting-' in pdf.headers["content-disposition"]
