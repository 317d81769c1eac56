"""Every command and group exists, has help text, and answers --help."""

from __future__ import annotations

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from ramstein.cli.main import app

ROOT = get_command(app)


def _paths(command: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _paths(sub, (*path, name))
    return found


PATHS = _paths(ROOT)


def _command(path: tuple[str, ...]) -> object:
    command: object = ROOT
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return command


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "ramstein")
def test_help_works_for_every_command(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    assert (_command(path).help or "").strip(), f"{' '.join(path)} has no help text"  # type: ignore[attr-defined]


def test_the_command_tree_has_the_documented_commands() -> None:
    names = {" ".join(p) for p in PATHS}

    for expected in (
        "init",
        "status",
        "rebuild",
        "serve",
        "areas add",
        "catalogue substitute",
        "catalogue substitutions",
        "needs status",
        "pledges history",
        "tranches update",
        "deliveries receive",
        "meetings decide",
        "coalitions member",
        "chair handover",
        "users add",
        "tokens revoke",
        "demo",
    ):
        assert expected in names
    for noun in (
        "participants",
        "areas",
        "catalogue",
        "needs",
        "pledges",
        "deliveries",
        "meetings",
    ):
        for verb in ("list", "show", "add"):
            assert f"{noun} {verb}" in names
