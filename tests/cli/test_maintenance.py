"""init, status, rebuild and serve: the database and the server."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.cli.support import Cli, add_need, add_pledge


def test_init_creates_the_database_and_says_where(cli: Cli, tmp_path: Path) -> None:
    out = cli.ok("init")

    assert (tmp_path / "ramstein.sqlite").exists()
    assert "Database ready" in out and str(tmp_path / "ramstein.sqlite") in out
    assert "Schema current: yes" in out


def test_status_reports_log_chair_and_counts(coalition: Cli) -> None:
    add_need(coalition)

    status = coalition.json("status")
    table = coalition.ok("status")

    assert status["migrations_current"] is True
    assert status["log_size"] == 8  # 4 participants, chair, area, item, need
    assert status["last_entry_at"].endswith("Z")
    assert status["chair"]["chair"] == "USA"
    assert status["counts"]["participants"] == 4
    assert status["counts"]["needs"] == 1
    assert "USA (since 2022-04-26)" in table
    assert "Log size" in table


def test_status_of_an_empty_database(cli: Cli) -> None:
    status = cli.json("status")

    assert status["log_size"] == 0
    assert status["chair"] is None
    assert "nobody yet" in cli.ok("status")


def _digests(out: str) -> tuple[str, str]:
    before = re.search(r"before: ([0-9a-f]{64})", out)
    after = re.search(r"after:\s+([0-9a-f]{64})", out)
    assert before and after, out
    return before.group(1), after.group(1)


def test_rebuild_replays_the_log_and_reproduces_the_state(coalition: Cli) -> None:
    pledge = add_pledge(coalition, "DEU")
    coalition.ok(f"pledges status {pledge['id']} committed --on 2025-02-10")
    size = coalition.json("status")["log_size"]

    out = coalition.ok("rebuild")

    assert f"Replayed {size} log entries." in out
    before, after = _digests(out)
    assert before == after
    assert "identical" in out
    assert coalition.json(f"pledges show {pledge['id']}")["status"] == "committed"


def test_rebuild_exits_non_zero_when_projections_had_drifted(coalition: Cli, db_url: str) -> None:
    need = add_need(coalition, quantity=1000)
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:  # a change made behind the log's back
        conn.execute(sa.text("UPDATE needs SET quantity = 5"))
    engine.dispose()

    result = coalition.run("rebuild")

    assert result.exit_code == 1
    before, after = _digests(result.stdout)
    assert before != after
    assert "differs" in result.stderr
    assert coalition.json(f"needs show {need['id']}")["quantity"] == 1000


def test_serve_prints_the_url_and_passes_the_database_to_the_app(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr("ramstein.cli.serve.uvicorn.run", lambda *a, **k: calls.append((a, k)))
    monkeypatch.setenv("RAMSTEIN_DATABASE_URL", "sqlite:///elsewhere.sqlite")
    monkeypatch.delenv("RAMSTEIN_HOST", raising=False)
    monkeypatch.delenv("RAMSTEIN_PORT", raising=False)

    out = cli.ok("serve --port 8123 --workers 2")

    assert out.splitlines()[0] == (
        "Serving Ramstein on http://127.0.0.1:8123/ (the web UI; sign in at /signin; "
        "API docs: /api/docs)"
    )
    assert os.environ["RAMSTEIN_DATABASE_URL"] == cli.url
    (args, kwargs) = calls[0]
    assert args == ("ramstein.api.app:create_app",)
    assert kwargs == {
        "factory": True,
        "host": "127.0.0.1",
        "port": 8123,
        "workers": 2,
        "reload": False,
    }


def test_a_database_that_cannot_be_opened_is_one_sentence(cli: Cli) -> None:
    cli.url = "not-a-url"

    message = cli.fails("status")

    assert "database URL is not valid" in message


def test_a_database_in_a_path_that_cannot_exist_is_one_sentence(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    cli.url = f"sqlite:///{tmp_path / 'a-file' / 'ramstein.sqlite'}"

    message = cli.fails("init")

    assert message.startswith(f"The database {cli.url} cannot be opened")
