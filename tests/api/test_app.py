"""The HTTP application as it stands before the [api] issue: health, status, OpenAPI page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ramstein.api.app import create_app
from ramstein.domain.participants import ParticipantKind
from ramstein.domain.releasability import Principal, Role
from ramstein.services import chair, participants
from ramstein.store.engine import Store

OPERATOR = Principal(participant=None, roles=frozenset({Role.CHAIR}), user="test")


def test_health_status_and_docs(store: Store) -> None:
    with store.write() as uow:
        participants.register_participant(
            uow=uow, actor=OPERATOR, code="USA", name="United States", kind=ParticipantKind.STATE
        )
        chair.assume_chair(uow=uow, actor=OPERATOR, chair="USA")
    with TestClient(create_app(store=store)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        status = client.get("/api/v1/status").json()
        assert status["log_size"] == 2
        assert status["chair"] == "USA"
        assert status["migrations_current"] is True
        docs = client.get("/api/docs")
        assert docs.status_code == 200
        assert "swagger" in docs.text.lower()
        assert "/healthz" in client.get("/api/openapi.json").json()["paths"]
