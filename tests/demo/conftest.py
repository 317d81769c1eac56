"""The demo coalition, built once per test session into a temporary SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ramstein.demo.build import DemoSummary, build_demo
from ramstein.domain.releasability import Principal, Role
from ramstein.store.engine import Store


@dataclass(frozen=True)
class BuiltDemo:
    path: Path
    store: Store
    summary: DemoSummary


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltDemo]:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    store = Store(f"sqlite:///{path}")
    try:
        yield BuiltDemo(path, store, build_demo(store))
    finally:
        store.dispose()


@pytest.fixture(scope="session")
def demo_store(demo: BuiltDemo) -> Store:
    return demo.store


@pytest.fixture(scope="session")
def demo_summary(demo: BuiltDemo) -> DemoSummary:
    return demo.summary


@pytest.fixture(scope="session")
def chair_viewer(demo_summary: DemoSummary) -> Principal:
    """The sitting chair, who sees every record."""
    return Principal(participant=demo_summary.chair, roles=frozenset({Role.CHAIR}), user="test")
