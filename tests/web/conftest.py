"""The web tests' coalition (built once per module) and a fresh copy of it per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.coalition import ApiCoalition, build


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiCoalition:
    return build(tmp_path_factory.mktemp("coalition"))


@pytest.fixture
def client(api: ApiCoalition, tmp_path: Path) -> Iterator[TestClient]:
    with api.client(fresh=tmp_path / "case.sqlite") as c:
        yield c
