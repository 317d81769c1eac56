"""`/readyz`: ready only when the database answers, the schema is current and the log verifies.

What a tampered log looks like there is in `tests/store/test_tamper.py`, beside the same
edits caught by `ramstein log verify`.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from ramstein.api.app import create_app
from ramstein.services.readiness import LogWatch
from ramstein.settings import Settings
from ramstein.store.engine import Store
from tests import factories as f
from tests.conftest import free_port


def _settled(client: TestClient) -> tuple[int, dict[str, Any]]:
    """`/readyz` once the first verification has finished."""
    deadline = time.monotonic() + 30
    while True:
        answer = client.get("/readyz")
        if answer.json()["checks"]["log"].get("started_at") or time.monotonic() > deadline:
            return answer.status_code, answer.json()
        time.sleep(0.02)


def test_a_verified_log_is_ready(store: Store) -> None:
    f.every_event_script(store)
    with TestClient(create_app(store=store)) as client:
        status, body = _settled(client)
    assert status == 200, body
    assert body["status"] == "ready"
    checks = body["checks"]
    assert checks["database"] == {"ok": True}
    assert checks["migrations"] == {"ok": True}
    assert checks["log"]["ok"] is True
    assert checks["log"]["size"] == checks["log"]["signed_size"] == 56  # signed at the handover
    assert checks["log"]["seconds"] >= 0


def test_an_empty_log_is_ready(store: Store) -> None:
    with TestClient(create_app(store=store)) as client:
        status, body = _settled(client)
    assert status == 200, body
    assert (body["checks"]["log"]["size"], body["checks"]["log"]["signed_size"]) == (0, 0)


def test_a_schema_behind_the_code_is_not_ready(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    with TestClient(create_app(store=store)) as client:
        status, body = _settled(client)
    assert status == 503
    assert body["status"] == "not ready"
    assert body["checks"]["migrations"] == {"ok": False}


def test_an_unreachable_database_is_not_ready_and_says_why() -> None:
    gone = Store(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/ramstein", migrate=False)
    with TestClient(create_app(store=gone)) as client:
        assert client.get("/healthz").status_code == 200  # alive all the same
        status, body = _settled(client)
    assert status == 503
    database = body["checks"]["database"]
    assert database["ok"] is False
    assert "127.0.0.1" in database["problem"]
    assert body["checks"]["log"]["ok"] is False
    assert "could not be read" in body["checks"]["log"]["problem"]


def test_the_log_is_verified_again_only_once_the_last_verification_is_old(
    sqlite_store: Store,
) -> None:
    f.every_event_script(sqlite_store)
    watch = LogWatch(sqlite_store, max_age=3600)
    assert watch.latest() is None  # the first one has started, and not finished
    first = watch.wait()
    assert first is not None and first.ok
    assert watch.latest() is first
    watch.max_age = 0
    watch.latest()
    again = watch.wait()
    assert again is not None and again.started_at > first.started_at


def test_pool_settings_reach_the_engine(monkeypatch: Any, tmp_path: Any) -> None:
    monkeypatch.setenv("RAMSTEIN_POOL_SIZE", "7")
    monkeypatch.setenv("RAMSTEIN_POOL_OVERFLOW", "3")
    monkeypatch.setenv("RAMSTEIN_POOL_TIMEOUT", "2.5")
    settings = Settings()
    store = Store(f"sqlite:///{tmp_path / 'r.sqlite'}", pool=settings.pool())
    try:
        pool = store.engine.pool
        assert isinstance(pool, sa.pool.QueuePool)
        assert (pool.size(), pool._max_overflow, pool._timeout) == (7, 3, 2.5)
    finally:
        store.dispose()
