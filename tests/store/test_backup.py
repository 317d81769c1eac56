"""A backup restores onto the other database kind as the same coalition, even one taken while
writers kept writing; a damaged or incomplete backup, or a target that is not empty, is refused.

Every case backs up the `store` (SQLite, then PostgreSQL) and restores onto a fresh database of
the other kind.
"""

from __future__ import annotations

import gzip
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ramstein.domain.releasability import Role
from ramstein.ledger.notes import Checkpoint
from ramstein.services import backup, idempotency, log, matching, users
from ramstein.services.backup import BackupRefused, Manifest, RestoreRefused
from ramstein.store import tables as t
from ramstein.store.digest import state_digest
from ramstein.store.engine import Store
from tests import factories as f
from tests.conftest import PostgresServer, new_postgres_database

pytestmark = pytest.mark.postgres  # every case restores onto the other kind

NATO_CHAIR = f.principal(f.ALLIANCE, Role.CHAIR, Role.DONOR)
COSIGNED_AT = 1_740_819_600


def build(store: Store) -> None:
    """Every kind of event, a cosigned checkpoint after the handover, an entry no checkpoint
    covers yet, and the host's own data: a user and token, a stored plan, an idempotency key."""
    c = f.every_event_script(store)
    f.meeting_events_script(store)
    pol = c.donor("POL")
    f.announce(store, pol, quantity=101, label=f.restricted("UKR"))
    with store.write(clock=f.CLOCK) as uow:
        cp = log.sign_checkpoint(uow=uow, actor=NATO_CHAIR, host=f.HOST_B)
        line = f.WITNESS.cosign(Checkpoint(cp.origin, cp.size, cp.root), COSIGNED_AT)
        log.add_cosignature(uow=uow, size=cp.size, line=line)
    f.announce(store, pol, quantity=102)
    with store.write(clock=f.CLOCK) as uow:
        users.add_user(conn=uow.conn, name="deu-desk", participant="DEU", roles=[Role.DONOR])
        users.issue_token(conn=uow.conn, user="deu-desk", expires_in=timedelta(days=30))
        idempotency.remember(
            conn=uow.conn,
            user="deu-desk",
            key="k-1",
            fingerprint="0" * 64,
            answer=idempotency.Answer(201, '{"id": 7}', {"Location": "/api/v1/pledges/7"}),
            now=datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=UTC),
        )
    matching.run_match(store=store, viewer=NATO_CHAIR, clock=f.CLOCK)


def _plain(value: object) -> object:
    # SQLite gives back naive UTC instants, PostgreSQL aware ones: the same instant.
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def every_row(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows as a user of the database reads them, in primary-key order."""
    found = {}
    with store.read() as conn:
        for table in t.metadata.sorted_tables:
            key = [list(table.columns).index(c) for c in table.primary_key.columns]
            rows = [tuple(_plain(v) for v in row) for row in conn.execute(sa.select(table))]
            found[table.name] = sorted(rows, key=lambda r: repr([r[i] for i in key]))
    return found


def digest(store: Store) -> str:
    with store.read() as conn:
        return state_digest(conn)


def size(store: Store) -> int:
    with store.read() as conn:
        return log.log_size(conn=conn)


def test_a_backup_restores_onto_the_other_kind_as_the_same_coalition(
    store: Store, other_store: Store, tmp_path: Path
) -> None:
    build(store)
    written = backup.backup(store=store, out=tmp_path / "backup")

    on_disk = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert Manifest.from_json(on_disk) == written
    assert (on_disk["format"], on_disk["source"]["dialect"]) == (backup.FORMAT, store.dialect)
    assert on_disk["revision"] == "0010"
    assert (written.log_size, written.checkpoint_size) == (size(store), size(store) - 1)
    assert written.state_digest == digest(store)
    assert written.files["tables/log_entries.jsonl.gz"].rows == size(store)
    assert written.files["log.bundle.jsonl"].rows == size(store)
    assert written.tables == len(t.metadata.sorted_tables)
    source = every_row(store)
    assert all(source[name] for name in ("users", "api_tokens", "match_plans", "cosignatures"))

    restored = backup.restore(store=other_store, source=tmp_path / "backup")

    assert restored == written
    assert every_row(other_store) == source  # every log entry, node, checkpoint, projection, user
    report = log.verify(store=other_store)
    assert report.projections_match
    assert report.state_digest == written.state_digest == digest(store)
    assert (report.log.size, report.log.signed_size, report.log.cosignatures) == (
        size(store),
        size(store) - 1,
        1,
    )


def test_the_manifest_hides_the_database_password(postgres: PostgresServer, tmp_path: Path) -> None:
    url = sa.make_url(new_postgres_database(postgres)).set(password="s3cret")
    url = url.render_as_string(hide_password=False)
    with_password = Store(url)  # the test server trusts local connections: any password
    try:
        written = backup.backup(store=with_password, out=tmp_path / "backup")
    finally:
        with_password.dispose()
    assert "***" in written.url
    assert "s3cret" not in (tmp_path / "backup" / "manifest.json").read_text()


def test_a_backup_taken_while_writers_write_is_one_instant(
    store: Store, other_store: Store, tmp_path: Path
) -> None:
    c = f.setup_coalition(store)
    deu = c.donor("DEU")
    for i in range(30):
        f.announce(store, deu, quantity=60 + i)
    before = size(store)
    stop = threading.Event()
    committed = [0]
    failed: list[BaseException] = []

    def write() -> None:
        try:
            while not stop.is_set():
                f.announce(store, deu, quantity=70)
                committed[0] += 1
        except BaseException as error:
            failed.append(error)

    def wait_for_a_write(_table: str, _rows: int) -> None:
        """Between any two batches the backup reads, let at least one write commit."""
        seen = committed[0]
        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while committed[0] == seen and not failed:
            assert datetime.now(UTC) < deadline, "the writer made no progress"
            stop.wait(0.001)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        written = backup.backup(
            store=store, out=tmp_path / "backup", batch=10, progress=wait_for_a_write
        )
    finally:
        stop.set()
        writer.join(30)
    assert not failed, failed
    assert committed[0] > 20  # writes landed during the backup, between its reads
    assert size(store) > written.log_size  # ... and after its snapshot

    backup.restore(store=other_store, source=tmp_path / "backup", batch=7)

    report = log.verify(store=other_store)
    assert report.projections_match  # the tables are of the same instant as the log
    assert report.state_digest == written.state_digest
    assert report.log.size == size(other_store) == written.log_size
    with other_store.read() as conn:
        pledges = conn.execute(sa.select(sa.func.count()).select_from(t.pledges)).scalar_one()
    assert pledges == 30 + written.log_size - before  # one pledge per entry since `before`


def test_a_restored_log_takes_new_writes_with_fresh_ids(
    store: Store, other_store: Store, tmp_path: Path
) -> None:
    build(store)
    backup.backup(store=store, out=tmp_path / "backup")
    restored = backup.restore(store=other_store, source=tmp_path / "backup")
    with other_store.read() as conn:
        top = conn.execute(sa.select(sa.func.max(t.pledges.c.id))).scalar_one()
        if other_store.dialect == "postgresql":
            # No key is drawn from a sequence (ids are the largest plus one, under the log's
            # lock), so there is no sequence for a restore to move past the restored ids.
            count = "SELECT count(*) FROM information_schema.sequences"
            assert conn.exec_driver_sql(count).scalar_one() == 0

    pledge = f.announce(store, f.coalition_principals().donor("POL"), quantity=65)
    again = f.announce(other_store, f.coalition_principals().donor("POL"), quantity=65)
    assert again.id == pledge.id == top + 1
    with other_store.write(clock=f.CLOCK) as uow:
        cp = log.sign_checkpoint(uow=uow, actor=NATO_CHAIR, host=f.HOST_B)
    assert cp.size == restored.log_size + 1
    assert log.verify(store=other_store).projections_match


def test_restore_refuses_a_database_that_is_not_empty(
    store: Store, other_store: Store, tmp_path: Path
) -> None:
    f.setup_coalition(store)
    backup.backup(store=store, out=tmp_path / "backup")
    f.setup_coalition(other_store)
    before = f.snapshot(other_store)
    with pytest.raises(RestoreRefused, match=f"already holds {before.log_size} log entries"):
        backup.restore(store=other_store, source=tmp_path / "backup")
    assert f.snapshot(other_store) == before


def test_restore_refuses_host_data_in_an_empty_log(
    store: Store, other_store: Store, tmp_path: Path
) -> None:
    f.setup_coalition(store)
    backup.backup(store=store, out=tmp_path / "backup")
    with other_store.write() as uow:  # an idempotency key needs no participant, so no log entry
        idempotency.remember(
            conn=uow.conn,
            user="deu-desk",
            key="k-1",
            fingerprint="0" * 64,
            answer=idempotency.Answer(201, "{}", {}),
            now=datetime(2025, 3, 1, tzinfo=UTC),
        )
    with pytest.raises(RestoreRefused, match=r"not empty \(it has rows in idempotency_keys\)"):
        backup.restore(store=other_store, source=tmp_path / "backup")


def test_restore_refuses_a_damaged_file_and_loads_nothing(
    store: Store, other_store: Store, tmp_path: Path
) -> None:
    f.every_event_script(store)
    backup.backup(store=store, out=tmp_path / "backup")
    damaged = tmp_path / "backup" / "tables" / "pledges.jsonl.gz"
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    empty = every_row(other_store)
    with pytest.raises(RestoreRefused, match="pledges.jsonl.gz does not match its checksum") as e:
        backup.restore(store=other_store, source=tmp_path / "backup")
    assert e.value.code == "restore-refused"
    assert every_row(other_store) == empty


def test_restore_refuses_a_row_count_the_manifest_does_not_give(
    store: Store, other_store: Store, tmp_path: Path
) -> None:
    f.every_event_script(store)
    backup.backup(store=store, out=tmp_path / "backup")
    path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(path.read_text())
    rows = manifest["files"]["tables/tranches.jsonl.gz"]["rows"]
    manifest["files"]["tables/tranches.jsonl.gz"]["rows"] = rows + 1
    path.write_text(json.dumps(manifest))
    refused = f"tranches.jsonl.gz holds {rows} rows; the manifest says {rows + 1}"
    with pytest.raises(RestoreRefused, match=refused):
        backup.restore(store=other_store, source=tmp_path / "backup")
    assert size(other_store) == 0
    assert not every_row(other_store)["participants"]  # the transaction was rolled back


def test_restore_refuses_a_backup_without_its_manifest(
    store: Store, other_store: Store, tmp_path: Path
) -> None:
    f.setup_coalition(store)
    backup.backup(store=store, out=tmp_path / "backup")
    path = tmp_path / "backup" / "manifest.json"
    path.write_text(json.dumps({"format": "ramstein-backup/0"}))
    with pytest.raises(RestoreRefused, match="not a ramstein-backup/1 manifest"):
        backup.restore(store=other_store, source=tmp_path / "backup")
    path.unlink()
    with pytest.raises(RestoreRefused, match="holds no manifest.json"):
        backup.restore(store=other_store, source=tmp_path / "backup")
    with pytest.raises(RestoreRefused, match="holds no manifest.json"):
        backup.restore(store=other_store, source=tmp_path / "nowhere")


def test_restore_refuses_another_schema_revision(
    store: Store, other_store: Store, tmp_path: Path
) -> None:
    f.setup_coalition(store)
    backup.backup(store=store, out=tmp_path / "backup")
    path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["revision"] = "0007"
    path.write_text(json.dumps(manifest))
    with pytest.raises(RestoreRefused, match="revision 0007; this database is at 0010"):
        backup.restore(store=other_store, source=tmp_path / "backup")


def test_a_backup_that_does_not_verify_is_taken_out_again(
    store: Store, other_store: Store, tmp_path: Path
) -> None:
    f.every_event_script(store)
    with store.engine.begin() as conn:  # a projection edited behind the log's back
        conn.execute(t.pledges.update().where(t.pledges.c.id == 1).values(quantity=999))
    backup.backup(store=store, out=tmp_path / "broken")
    empty = every_row(other_store)
    with pytest.raises(RestoreRefused, match="differ from a replay of its log in pledges"):
        backup.restore(store=other_store, source=tmp_path / "broken")
    assert every_row(other_store) == empty  # the seeded head of an empty log included
    with store.engine.begin() as conn:
        conn.execute(t.pledges.update().where(t.pledges.c.id == 1).values(quantity=120))
    backup.backup(store=store, out=tmp_path / "mended")
    assert backup.restore(store=other_store, source=tmp_path / "mended").log_size == size(store)


def test_backup_refuses_a_directory_that_is_not_empty(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "backup"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(BackupRefused, match="already exists and is not an empty directory"):
        backup.backup(store=store, out=out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    backup.backup(store=store, out=tmp_path / "empty-dir-is-fine")
    assert (tmp_path / "empty-dir-is-fine" / "manifest.json").exists()


def test_a_table_file_is_a_header_and_one_json_array_per_row(store: Store, tmp_path: Path) -> None:
    f.every_event_script(store)
    backup.backup(store=store, out=tmp_path / "backup")
    with gzip.open(tmp_path / "backup" / "tables" / "participants.jsonl.gz", "rt") as lines:
        header = json.loads(next(lines))
        rows = [dict(zip(header["columns"], json.loads(line), strict=True)) for line in lines]
    assert header["table"] == "participants"
    deu = next(r for r in rows if r["code"] == "DEU")
    assert (deu["gdp_eur_bn"], deu["joined_on"]) == ("4121.160175", "2022-04-26")
    assert not list((tmp_path / "backup").rglob("*.part"))
