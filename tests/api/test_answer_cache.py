"""Read answers kept at the log's position: served again until anybody writes, never to a
viewer other than the one they were built for, never older than the last commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import Response

from ramstein.api.reads import AnswerCache
from ramstein.domain.releasability import PUBLIC_VIEWER, Releasability, Role
from ramstein.services import needs
from ramstein.store.engine import Store
from tests import factories as f
from tests.api.coalition import ApiCoalition, Record, build


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiCoalition:
    return build(tmp_path_factory.mktemp("coalition"))


def _need_at(api: ApiCoalition, level: Releasability) -> int:
    return next(r.key for r in api.records if r.kind == "need" and r.label.level is level)


def test_a_write_by_another_connection_is_seen_by_the_next_read(
    api: ApiCoalition, tmp_path: Path
) -> None:
    need_id = _need_at(api, Releasability.COALITION)
    observer = api.headers(Role.OBSERVER)
    with api.client(fresh=tmp_path / "fresh.sqlite") as client:
        first = client.get(f"/api/v1/needs/{need_id}", headers=observer)
        again = client.get(f"/api/v1/needs/{need_id}", headers=observer)
        assert first.status_code == again.status_code == 200
        assert again.content == first.content and again.headers["etag"] == first.headers["etag"]

        other = Store(f"sqlite:///{tmp_path / 'fresh.sqlite'}", migrate=False)
        try:  # another process would do the same: its own connection, its own commit
            with other.write(clock=f.CLOCK) as uow:
                needs.revise_need(
                    uow=uow, actor=api.principals[Role.CHAIR], need_id=need_id, quantity=4321
                )
        finally:
            other.dispose()

        after = client.get(f"/api/v1/needs/{need_id}", headers=observer)
        assert after.json()["quantity"] == 4321
        assert after.headers["etag"] != first.headers["etag"]
        listed = client.get("/api/v1/needs", params={"limit": 500}, headers=observer).json()
        assert {n["id"]: n["quantity"] for n in listed["items"]}[need_id] == 4321


def test_an_answer_kept_for_one_viewer_is_never_served_to_another(
    api: ApiCoalition, tmp_path: Path
) -> None:
    need_id = _need_at(api, Releasability.RESTRICTED)
    with api.client(fresh=tmp_path / "fresh.sqlite") as client:
        path = f"/api/v1/needs/{need_id}"
        assert client.get(path, headers=api.headers(Role.CHAIR)).status_code == 200
        assert client.get("/api/v1/needs", headers=api.headers(Role.CHAIR)).status_code == 200
        for role in Role:
            seen = client.get(path, headers=api.headers(role))
            assert seen.status_code == (200 if api.visible(role, _record(api, need_id)) else 404)
            page = client.get("/api/v1/needs", params={"limit": 500}, headers=api.headers(role))
            for canary in api.hidden_canaries(role):
                assert canary not in page.text


def _record(api: ApiCoalition, need_id: int) -> Record:
    return next(r for r in api.records if r.kind == "need" and r.key == need_id)


def test_a_write_through_the_api_moves_every_viewer_on(api: ApiCoalition, tmp_path: Path) -> None:
    need_id = _need_at(api, Releasability.COALITION)
    with api.client(fresh=tmp_path / "fresh.sqlite") as client:
        path = f"/api/v1/needs/{need_id}"
        public = client.get(path)
        assert public.status_code == 404
        chair = api.headers(Role.CHAIR)
        tag = client.get(path, headers=chair).headers["etag"]
        opened = client.patch(
            path, json={"releasability": "public"}, headers={**chair, "If-Match": tag}
        )
        assert opened.status_code == 200, opened.text
        assert client.get(path).status_code == 200  # the public's earlier 404 is not kept


# --- the cache itself ---------------------------------------------------------------------


class _Store:
    """A store whose position the test moves by hand, counting the reads it serves."""

    def __init__(self) -> None:
        self.at: int | None = 1
        self.reads = 0

    def position(self) -> int | None:
        return self.at

    @contextmanager
    def read(self) -> Iterator[object]:
        self.reads += 1
        yield object()


def _answer(body: bytes) -> Response:
    return Response(body, media_type="application/json", headers={"ETag": '"1"'})


def test_the_cache_serves_one_build_per_position_and_keeps_its_etag() -> None:
    store, cache = _Store(), AnswerCache(limit=1000)
    key = (PUBLIC_VIEWER, "/api/v1/needs", "")
    for _ in range(3):
        got = cache.answer(store, key, lambda conn: _answer(b"[1]"))  # type: ignore[arg-type]
        assert got.body == b"[1]" and got.headers["etag"] == '"1"'
    assert store.reads == 1
    store.at = 2
    got = cache.answer(store, key, lambda conn: _answer(b"[2]"))  # type: ignore[arg-type]
    assert got.body == b"[2]" and store.reads == 2


def test_the_cache_stays_within_its_limit_dropping_the_least_recently_used() -> None:
    store, cache = _Store(), AnswerCache(limit=400)
    keys = [(PUBLIC_VIEWER, f"/api/v1/needs/{i}", "") for i in range(5)]
    for key in keys:
        cache.answer(store, key, lambda conn: _answer(b"x" * 100))  # type: ignore[arg-type]
    assert store.reads == 5
    cache.answer(store, keys[-1], lambda conn: _answer(b"x" * 100))  # type: ignore[arg-type]
    assert store.reads == 5  # the newest is kept
    cache.answer(store, keys[0], lambda conn: _answer(b"x" * 100))  # type: ignore[arg-type]
    assert store.reads == 6  # the oldest was dropped


def test_an_answer_built_while_the_log_moved_is_not_kept() -> None:
    store, cache = _Store(), AnswerCache(limit=1000)
    key, other = (PUBLIC_VIEWER, "/api/v1/needs", ""), (PUBLIC_VIEWER, "/api/v1/pledges", "")

    def slow(conn: object) -> Response:
        store.at = 2  # a commit lands while this answer is built,
        cache.answer(store, other, lambda c: _answer(b"[]"))  # type: ignore[arg-type]
        return _answer(b"[old]")  # and another request has already moved the cache on

    assert cache.answer(store, key, slow).body == b"[old]"  # type: ignore[arg-type]
    got = cache.answer(store, key, lambda conn: _answer(b"[new]"))  # type: ignore[arg-type]
    assert got.body == b"[new]"


def test_without_a_limit_nothing_is_kept() -> None:
    store, cache = _Store(), AnswerCache(limit=0)
    key = (PUBLIC_VIEWER, "/api/v1/needs", "")
    for _ in range(3):
        cache.answer(store, key, lambda conn: _answer(b"[]"))  # type: ignore[arg-type]
    assert store.reads == 3
