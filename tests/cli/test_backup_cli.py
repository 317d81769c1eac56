"""`ramstein backup` and `ramstein restore`: a copy of the coalition that loads elsewhere.

What a backup holds and every way a restore is refused are in `tests/store/test_backup.py`;
here, what an operator types and reads, and that the restored database is the same coalition.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.support import Cli, add_need, add_pledge
from tests.conftest import PostgresServer, new_postgres_database


def _digest(out: str) -> str:
    found = re.search(r"State digest: ([0-9a-f]{64})", out)
    assert found, out
    return found.group(1)


@pytest.mark.postgres
def test_a_backup_of_sqlite_restores_onto_postgresql_as_the_same_coalition(
    coalition: Cli, postgres: PostgresServer, tmp_path: Path
) -> None:
    add_need(coalition)
    pledge = add_pledge(coalition, "DEU")
    coalition.ok(f"pledges status {pledge['id']} committed --on 2025-02-10")
    status = coalition.json("status")

    out = coalition.ok("backup --quiet", tmp_path / "backup")

    assert f"to {tmp_path / 'backup'}" in out
    assert f"Log: {status['log_size']} entries" in out
    assert (
        json.loads((tmp_path / "backup" / "manifest.json").read_text())["log_size"]
        == (status["log_size"])
    )

    restored = Cli(new_postgres_database(postgres))
    back = restored.ok("restore --quiet", tmp_path / "backup")

    assert "(sqlite)" in back
    assert "The log verifies, its projections match a replay" in back
    assert _digest(back) == _digest(out)
    again = restored.json("status")
    assert (again["log_size"], again["counts"]) == (status["log_size"], status["counts"])
    assert restored.json(f"pledges show {pledge['id']}") == coalition.json(
        f"pledges show {pledge['id']}"
    )
    assert "verified" in restored.ok("log verify").lower()


def test_backup_and_restore_say_what_they_did_as_json(coalition: Cli, tmp_path: Path) -> None:
    written = coalition.json("backup", tmp_path / "backup")
    restored = Cli(f"sqlite:///{tmp_path / 'restored.sqlite'}").json("restore", tmp_path / "backup")

    assert restored == written
    assert written["format"] == "ramstein-backup/1"
    assert written["source"]["dialect"] == "sqlite"
    assert written["log_size"] == coalition.json("status")["log_size"]
    assert written["files"]["tables/participants.jsonl.gz"]["rows"] == 4


def test_backup_and_restore_refuse_in_one_sentence(coalition: Cli, tmp_path: Path) -> None:
    coalition.ok("backup --quiet", tmp_path / "backup")

    assert "already exists and is not an empty directory" in coalition.fails(
        "backup", tmp_path / "backup"
    )
    assert "restore into an empty one" in coalition.fails("restore", tmp_path / "backup")
    assert "holds no manifest.json" in Cli(f"sqlite:///{tmp_path / 'new.sqlite'}").fails(
        "restore", tmp_path / "nowhere"
    )
