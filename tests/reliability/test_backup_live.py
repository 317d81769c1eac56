"""`ramstein backup` while a server keeps writing, and `ramstein restore` onto a fresh database
of the other kind: the same state digest, the same log up to the backup's instant, and every
write acknowledged before the backup began.

How a backup is refused, and that it reads one instant between any two writes, is in
`tests/store/test_backup.py`; here it runs as an operator runs it, beside a live server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from ramstein.store import tables as t
from tests.conftest import FIGURE, new_postgres_database
from tests.reliability.conftest import FULL
from tests.reliability.live import Instance, Server, seed, write_until

PLEDGES = 3000 if FULL else 50
"""Pledges in the database before the server starts (full scale: a backup of some seconds)."""


def _entries(instance: Instance, size: int) -> list[tuple[int, str]]:
    with instance.connect() as conn:
        e = t.log_entries
        query = sa.select(e.c.seq, e.c.leaf_hash).where(e.c.seq <= size).order_by(e.c.seq)
        return [(int(seq), str(leaf)) for seq, leaf in conn.execute(query)]


def test_a_backup_taken_while_the_server_writes_restores_onto_the_other_kind(
    kind: str,
    live_url: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    source = seed(live_url, tmp_path / "source", pledges=PLEDGES)
    server = Server(source)
    server.start()
    try:
        writes, writers = write_until(server, count=10)
        before = dict(writes.acknowledged)
        clock = time.monotonic()
        backed_up = source.ramstein("backup", "--json", str(tmp_path / "backup"))
        backup_seconds = time.monotonic() - clock
        during = len(writes.acknowledged) - len(before)
        for writer in writers:
            writer.stopping.set()
        for writer in writers:
            writer.join(30)
    finally:
        server.stop()
    assert backed_up.returncode == 0, backed_up.stderr
    assert not writes.refused, writes.refused[:3]
    manifest = json.loads(backed_up.stdout)
    assert during > 0  # the server kept writing while the backup ran...
    assert source.log_size() > manifest["log_size"]  # ... and after its snapshot

    if kind == "sqlite":
        server = request.getfixturevalue("durable_postgres")
        other = new_postgres_database(server, template=None)
    else:
        other = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    target = Instance(other, tmp_path / "target", tokens={})
    clock = time.monotonic()
    restored = target.ramstein("restore", "--json", str(tmp_path / "backup"))
    restore_seconds = time.monotonic() - clock
    assert restored.returncode == 0, restored.stderr
    # The restore verified the log in full, replayed it and compared the state digests.
    assert json.loads(restored.stdout)["state_digest"] == manifest["state_digest"]

    # The restored log is the source's up to the backup's instant, entry for entry ...
    assert _entries(target, manifest["log_size"]) == _entries(source, manifest["log_size"])
    assert target.log_size() == manifest["log_size"]
    # ... so it holds every pledge acknowledged before the backup began.
    pledges = target.pledges()
    assert all(pledges.get(pledge) == quantity for pledge, quantity in before.items())

    rows = manifest["files"]["tables/log_entries.jsonl.gz"]["rows"]
    record_property(
        f"{FIGURE}log entries backed up, writes acknowledged meanwhile", f"{rows}, {during}"
    )
    record_property(
        f"{FIGURE}seconds to back up / to restore (commands run whole)",
        f"{backup_seconds:.1f} / {restore_seconds:.1f}",
    )
