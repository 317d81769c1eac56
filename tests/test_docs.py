"""The README's commands, every CLI command and every setting exist, work and are documented."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ramstein.cli.main import app
from ramstein.interchange.layouts import LAYOUTS
from ramstein.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


def _commands(block: str) -> list[str]:
    """Shell lines of a block, continuation lines joined and comments dropped."""
    joined = block.replace("\\\n", " ")
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in joined.splitlines()]
    return [line for line in lines if line]


def test_readme_opens_with_the_two_commands() -> None:
    first = _blocks(README)[0]
    assert [c.split()[:2] for c in _commands(first)] == [["make", "demo"], ["make", "test"]]
    assert README.index("make demo") < README.index("## ")


def test_makefile_has_every_task_the_readme_promises() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test", "reliability", "lint", "bench", "serve"):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target


def test_the_readme_walkthrough_runs(tmp_path: Path) -> None:
    """Every `ramstein` line of the README's walkthrough succeeds, in order, on a fresh database."""
    walkthrough = next(b for b in _blocks(README) if "ramstein init" in b)
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'readme.sqlite'}"
    ran = []
    for command in _commands(walkthrough):
        argv = shlex.split(command)
        if argv[0] != "ramstein" or argv[1:2] == ["serve"]:
            continue  # activating the venv; serving runs until interrupted (tested in tests/cli)
        result = runner.invoke(app, ["--database-url", url, *argv[1:]])
        assert result.exit_code == 0, f"{command}\n{result.stdout}{result.stderr}"
        ran.append(command)
    for step in ("init", "needs add", "pledges add", "deliveries receive", "rebuild"):
        assert any(step in command for command in ran), step


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"RAMSTEIN_{name.upper()}" in README, name


def test_the_cli_reference_is_current(tmp_path: Path) -> None:
    """docs/cli.md is generated from the commands (`make docs`); it must not have drifted."""
    out = tmp_path / "cli.md"
    typer = Path(sys.executable).parent / "typer"
    subprocess.run(
        [
            str(typer),
            "ramstein.cli.main",
            "utils",
            "docs",
            "--name",
            "ramstein",
            "--output",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    committed = ROOT / "docs" / "cli.md"
    assert committed.exists(), "run `make docs`"
    if out.read_text() != committed.read_text():
        pytest.fail("docs/cli.md is out of date with the commands; run `make docs`", pytrace=False)


def test_every_import_column_and_alias_is_documented() -> None:
    guide = (ROOT / "docs" / "interchange.md").read_text()
    for layout in LAYOUTS.values():
        for column in layout.columns:
            for name in (column.name, *column.aliases):
                assert f"`{name}`" in guide, (layout.kind, name)


@pytest.mark.parametrize(
    "page", ["README.md", *(f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md")))]
)
def test_every_link_to_a_file_of_the_project_leads_to_one(page: str) -> None:
    text = (ROOT / page).read_text()
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if not re.match(r"[a-z]+:", t)]
    missing = [t for t in local if not ((ROOT / page).parent / t).exists()]
    assert missing == [], f"{page} links to files that do not exist: {missing}"
