"""`ramstein demo build` and `ramstein demo tokens`, through the command line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner

from ramstein.cli.demo import app
from ramstein.demo import files
from ramstein.demo.build import DemoSummary
from ramstein.domain.errors import InvalidValue
from tests.demo.conftest import BuiltDemo

TOKEN = re.compile(r"rst_[A-Za-z0-9_-]{20,}")
DIGEST = re.compile(r"state digest\s*│\s*([0-9a-f]{64})")

runner = CliRunner()


def _digest(output: str) -> str:
    found = DIGEST.search(output)
    assert found, output
    return found.group(1)


@pytest.mark.slow
def test_build_twice_replaces_the_demo_and_prints_tokens(
    tmp_path: Path, demo_summary: DemoSummary
) -> None:
    target = tmp_path / "var" / "demo.sqlite"
    first = runner.invoke(app, ["build", "--database", str(target)])
    assert first.exit_code == 0, first.output
    assert target.is_file()
    assert len(set(TOKEN.findall(first.output))) == 5
    for role in ("chair", "recipient", "donor", "coalition_lead", "observer"):
        assert role in first.output
    assert "local demo only" in first.output
    assert _digest(first.output) == demo_summary.state_digest  # same seed, same coalition

    second = runner.invoke(app, ["build", "--database", str(target), "--seed", "7"])
    assert second.exit_code == 0, second.output
    assert _digest(second.output) != demo_summary.state_digest  # another seed, another one
    assert sorted(p.name for p in target.parent.iterdir()) == ["demo.sqlite"]

    again = runner.invoke(app, ["tokens", "--database", str(target)])
    assert again.exit_code == 0, again.output
    tokens = set(TOKEN.findall(again.output))
    assert len(tokens) == 5 and not tokens & set(TOKEN.findall(second.output))


def test_a_failed_build_leaves_the_demo_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "demo.sqlite"
    target.write_bytes(b"")  # an empty file counts as no database yet

    def broken(*args: object, **kwargs: object) -> None:
        raise InvalidValue("database", "The build broke half-way.")

    monkeypatch.setattr(files, "build_demo", broken)
    result = runner.invoke(app, ["build", "--database", str(target)])
    assert result.exit_code == 1
    assert result.output.strip() == "The build broke half-way."
    assert [p.name for p in tmp_path.iterdir()] == ["demo.sqlite"]
    assert target.read_bytes() == b""


def test_build_refuses_to_replace_a_file_that_is_not_a_demo(tmp_path: Path) -> None:
    target = tmp_path / "notes.sqlite"
    target.write_text("my notes")
    result = runner.invoke(app, ["build", "--database", str(target)])
    assert result.exit_code == 1
    assert "not a demo database" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert target.read_text() == "my notes"


def test_tokens_need_a_demo_database(tmp_path: Path) -> None:
    result = runner.invoke(app, ["tokens", "--database", str(tmp_path / "missing.sqlite")])
    assert result.exit_code == 1
    assert "There is no demo database" in result.output
    assert not (tmp_path / "missing.sqlite").exists()


def test_tokens_honour_the_root_database_url(demo: BuiltDemo) -> None:
    root = typer.Typer()

    @root.callback()
    def main(
        ctx: typer.Context,
        database_url: Annotated[str, typer.Option("--database-url")] = "sqlite:///unused.sqlite",
    ) -> None:
        """A stand-in for the real root command, which owns --database-url."""

    root.add_typer(app, name="demo")
    result = runner.invoke(root, ["--database-url", f"sqlite:///{demo.path}", "demo", "tokens"])
    assert result.exit_code == 0, result.output
    assert len(set(TOKEN.findall(result.output))) == 5
    assert not Path("unused.sqlite").exists()


def test_help_lists_both_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "build" in result.output and "tokens" in result.output
