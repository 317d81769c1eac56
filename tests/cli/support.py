"""Drive the `ramstein` command as a user would, and read its answers."""

from __future__ import annotations

import json
import shlex
from typing import Any

from typer.testing import CliRunner, Result

from ramstein.cli.main import app


class Cli:
    """The command line bound to one database.

    A call takes the command as one shell-quoted string, then any further arguments verbatim:
    `cli.ok("needs add --item 155mm-shell", "--rationale", "Winter stocks")`.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner()

    def run(self, command: str, *extra: object, as_: str | None = None) -> Result:
        argv = ["--database-url", self.url]
        if as_ is not None:
            argv += ["--as", as_]
        argv += shlex.split(command) + [str(a) for a in extra]
        return self.runner.invoke(app, argv, env={"COLUMNS": "200"})

    def ok(self, command: str, *extra: object, as_: str | None = None) -> str:
        """Run a command that must succeed; return its stdout."""
        result = self.run(command, *extra, as_=as_)
        assert result.exit_code == 0, (
            f"{command}: {result.stdout}{result.stderr}{result.exception!r}"
        )
        return result.stdout

    def json(self, command: str, *extra: object, as_: str | None = None) -> Any:
        """Run a `--json` command; its stdout must be JSON and nothing else."""
        return json.loads(self.ok(command, *extra, "--json", as_=as_))

    def fails(self, command: str, *extra: object, as_: str | None = None) -> str:
        """Run a command that must be refused: one sentence on stderr, exit 1, no traceback."""
        result = self.run(command, *extra, as_=as_)
        assert result.exit_code == 1, f"{command}: {result.stdout}{result.stderr}"
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("Error: ")
        return lines[0].removeprefix("Error: ")


def add_need(cli: Cli, options: str = "", quantity: int = 1000) -> dict[str, Any]:
    """Submit a P1 need for shells (as the chair); return it as `needs show --json` does."""
    out = cli.ok(
        f"needs add --item 155mm-shell --quantity {quantity} --priority P1 "
        f"--raised-on 2025-01-05 --needed-by 2025-12-31 {options}"
    )
    need_id = int(out.split("Submitted need ", 1)[1].split(".", 1)[0])
    return cli.json(f"needs show {need_id}")  # type: ignore[no-any-return]


def add_pledge(cli: Cli, donor: str, options: str = "", quantity: int = 500) -> dict[str, Any]:
    """Announce a pledge of shells by `donor` (as the chair); return it as JSON."""
    out = cli.ok(
        f"pledges add --donor {donor} --item 155mm-shell --quantity {quantity} "
        f"--source stocks --announced-on 2025-02-01 {options}"
    )
    pledge_id = int(out.split("Announced pledge ", 1)[1].split(".", 1)[0])
    return cli.json(f"pledges show {pledge_id}")  # type: ignore[no-any-return]
