"""Fixtures: the command line on a fresh SQLite database, and a small coalition in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.support import Cli


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ramstein.sqlite'}"


@pytest.fixture
def cli(db_url: str) -> Cli:
    return Cli(db_url)


@pytest.fixture
def coalition(cli: Cli) -> Cli:
    """A small coalition: the recipient, three donors, a chair, an area and an item."""
    cli.ok("participants add UKR --name Ukraine --kind recipient --joined-on 2022-04-26")
    cli.ok("participants add DEU --name Germany --kind state --joined-on 2022-04-26")
    cli.ok("participants add POL --name Poland --kind state --joined-on 2022-04-26")
    cli.ok("participants add USA --name 'United States' --kind state --joined-on 2022-04-26")
    cli.ok("chair assume USA --since 2022-04-26")
    cli.ok("areas add artillery --name Artillery")
    cli.ok(
        "catalogue add 155mm-shell --name '155mm shell' --area artillery --unit round --value 3500"
    )
    return cli
