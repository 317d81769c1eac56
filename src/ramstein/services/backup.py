"""Backups: every table and the verifiable log bundle of one instant, and loading them back.

A backup is a directory: `tables/<table>.jsonl.gz` for every table (a header line naming its
columns, then one JSON array per row, values encoded by column type so that they load alike
into SQLite and PostgreSQL), `log.bundle.jsonl` (the full log as `ramstein log export`
writes it, for a viewer who sees every payload), and `manifest.json`, written last: each
file's row count and sha256, the schema revision, the log's size and the state digest. All of
it is read in one read transaction, so a server may keep writing while the backup runs.

`restore` loads a backup into an empty database of either kind, in one write transaction,
then verifies the log and proves that the state digest is the backup's; a backup that does
not verify is taken out again, so the target is either the backup or empty.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from ramstein.domain.errors import DomainError
from ramstein.domain.releasability import Principal, Role
from ramstein.ledger.verify import LogError, LogReport
from ramstein.services import bundles, log
from ramstein.store import tables as t
from ramstein.store.bulk import insert_many
from ramstein.store.digest import state_digest
from ramstein.store.engine import Store
from ramstein.store.types import ExactDecimal
from ramstein.store.uow import HOST, format_instant

FORMAT = "ramstein-backup/1"
MANIFEST = "manifest.json"
BUNDLE = "log.bundle.jsonl"
BATCH = 5000
"""Rows read, or inserted, at a time: a table is never held in memory whole."""

EVERYTHING = Principal(participant=HOST, roles=frozenset({Role.CHAIR}))
"""The bundle's viewer: the chair role sees every payload, so nothing is redacted."""

SEEDED = (t.log_head,)
"""The tables a freshly migrated database already fills (the empty log's head, row 1)."""

Progress = Callable[[str, int], None]
"""Told the table being copied and the rows copied so far, after each batch."""


class BackupRefused(DomainError):
    """The backup cannot be written where it was asked to be; nothing was written."""

    code = "backup-refused"


class RestoreRefused(DomainError):
    """The backup is incomplete or damaged, or the target is not an empty database of the
    backup's schema; the target is left as it was."""

    code = "restore-refused"


@dataclass(frozen=True, slots=True)
class Part:
    """One file of a backup: the rows it holds (log entries, for the bundle) and its sha256."""

    rows: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a backup holds, and of which instant; `backup` and `restore` both return it."""

    created_at: str
    dialect: str
    url: str
    """The source database, its password hidden."""
    revision: str | None
    """The source's Alembic revision; a backup loads only into a database at the same one."""
    log_size: int
    checkpoint_size: int
    """The size of the last signed checkpoint (0 if none)."""
    state_digest: str
    files: dict[str, Part]

    @property
    def tables(self) -> int:
        return sum(1 for name in self.files if name != BUNDLE)

    @property
    def rows(self) -> int:
        return sum(part.rows for name, part in self.files.items() if name != BUNDLE)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "created_at": self.created_at,
            "source": {"dialect": self.dialect, "url": self.url},
            "revision": self.revision,
            "log_size": self.log_size,
            "checkpoint_size": self.checkpoint_size,
            "state_digest": self.state_digest,
            "files": {
                name: {"rows": p.rows, "sha256": p.sha256} for name, p in sorted(self.files.items())
            },
        }

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise RestoreRefused(f"The manifest is not a {FORMAT} manifest.")
        try:
            return cls(
                created_at=str(data["created_at"]),
                dialect=str(data["source"]["dialect"]),
                url=str(data["source"]["url"]),
                revision=None if data["revision"] is None else str(data["revision"]),
                log_size=int(data["log_size"]),
                checkpoint_size=int(data["checkpoint_size"]),
                state_digest=str(data["state_digest"]),
                files={
                    str(name): Part(int(p["rows"]), str(p["sha256"]))
                    for name, p in data["files"].items()
                },
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise RestoreRefused("The manifest is malformed.") from None


def table_file(table: sa.Table) -> str:
    return f"tables/{table.name}.jsonl.gz"


# --- values by column type ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Codec:
    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _utc(moment: datetime) -> str:
    # SQLite returns the naive UTC instants it was given; PostgreSQL, aware ones.
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat()


_CODECS: tuple[tuple[type[sa.types.TypeEngine[Any]], _Codec], ...] = (
    (ExactDecimal, _Codec(lambda d: format(d, "f"), Decimal)),
    (sa.DateTime, _Codec(_utc, datetime.fromisoformat)),
    (sa.Date, _Codec(date.isoformat, date.fromisoformat)),
    (sa.JSON, _Codec(_same, _same)),
    (sa.String, _Codec(_same, _same)),
    (sa.Integer, _Codec(_same, _same)),
    (sa.Float, _Codec(_same, _same)),
    (sa.Boolean, _Codec(_same, _same)),
)
"""How each column type's values are written as JSON. Floats keep every bit (JSON numbers in
Python's shortest round-tripping form); decimals travel as text, never through a float."""


def _codec(column: sa.Column[Any]) -> _Codec:
    for kind, codec in _CODECS:
        if isinstance(column.type, kind):
            return codec
    raise TypeError(f"{column.table.name}.{column.name}: no backup encoding for {column.type!r}")


def _encoders(table: sa.Table) -> list[Callable[[Any], Any]]:
    return [_codec(c).encode for c in table.columns]


# --- backup -------------------------------------------------------------------------------


def backup(
    *, store: Store, out: Path, batch: int = BATCH, progress: Progress | None = None
) -> Manifest:
    """Write a backup of `store` to the new (or empty) directory `out`, read in one snapshot."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupRefused(f"{out} already exists and is not an empty directory.")
    (out / "tables").mkdir(parents=True, exist_ok=True)
    created = datetime.now(UTC)
    files: dict[str, Part] = {}
    with store.read() as conn:
        # The first read fixes the snapshot (SQLite WAL; REPEATABLE READ on PostgreSQL).
        revision = MigrationContext.configure(conn).get_current_revision()
        for table in t.metadata.sorted_tables:
            path = out / table_file(table)
            with _published(path) as part:
                rows = _write_table(conn, table, part, batch, progress)
            files[table_file(table)] = Part(rows, _sha256(path))
        with _published(out / BUNDLE) as part, part.open("w", encoding="utf-8") as f:
            entries = bundles.write_log(conn=conn, viewer=EVERYTHING, out=f, exported_at=created)
        files[BUNDLE] = Part(entries, _sha256(out / BUNDLE))
        last = log.latest_checkpoint(conn=conn)
        manifest = Manifest(
            created_at=format_instant(created),
            dialect=store.dialect,
            url=store.engine.url.render_as_string(hide_password=True),
            revision=revision,
            log_size=log.log_size(conn=conn),
            checkpoint_size=last.size if last is not None else 0,
            state_digest=state_digest(conn),
            files=files,
        )
    _fsync(out / "tables")
    with _published(out / MANIFEST) as part:
        part.write_text(json.dumps(manifest.to_json(), indent=2) + "\n", encoding="utf-8")
    _fsync(out)
    return manifest


def _write_table(
    conn: Connection, table: sa.Table, path: Path, batch: int, progress: Progress | None
) -> int:
    encoders = _encoders(table)
    query = sa.select(table).order_by(*table.primary_key.columns)
    count = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as f:
        f.write(json.dumps({"table": table.name, "columns": [c.name for c in table.columns]}))
        f.write("\n")
        result = conn.execute(query, execution_options={"yield_per": batch})
        for rows in result.partitions():
            for row in rows:
                values = [
                    None if v is None else enc(v) for enc, v in zip(encoders, row, strict=True)
                ]
                f.write(json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += len(rows)
            if progress is not None:
                progress(table.name, count)
    return count


@contextmanager
def _published(path: Path) -> Iterator[Path]:
    """Yield a temporary name to write `path` under; once written and durable, rename it into
    place, so a file of the backup that exists is complete."""
    part = path.with_name(path.name + ".part")
    yield part
    _fsync(part)
    part.replace(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


# --- restore ------------------------------------------------------------------------------


def read_manifest(source: Path) -> Manifest:
    """The manifest of the backup in `source`; refused when missing or malformed."""
    path = source / MANIFEST
    if not path.is_file():
        raise RestoreRefused(
            f"{source} holds no {MANIFEST}: it is not a Ramstein backup, or the backup did not "
            "finish."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RestoreRefused(f"{path} is not JSON.") from None
    return Manifest.from_json(data)


def restore(
    *, store: Store, source: Path, batch: int = BATCH, progress: Progress | None = None
) -> Manifest:
    """Load the backup in `source` into the empty database `store`, then verify it there:
    the log verifies, its projections match a replay, and the state digest is the backup's."""
    manifest = read_manifest(source)
    with store.read() as conn:
        revision = MigrationContext.configure(conn).get_current_revision()
    if revision != manifest.revision:
        raise RestoreRefused(
            f"The backup is of schema revision {manifest.revision}; this database is at "
            f"{revision}. Restore it with the Ramstein version that wrote it."
        )
    _check_files(source, manifest)
    signed = _verify_bundle(source, manifest)
    seeded = _load(store, source, manifest, batch, progress)
    try:
        _check_restored(store, manifest, signed)
    except (RestoreRefused, LogError) as error:
        _empty(store, seeded)
        raise RestoreRefused(
            f"The restored database does not verify ({error}); it was emptied again."
        ) from None
    return manifest


def _check_files(source: Path, manifest: Manifest) -> None:
    """Every table's file and the bundle are listed, present, and have their checksums."""
    expected = {table_file(table) for table in t.metadata.sorted_tables} | {BUNDLE}
    missing, extra = sorted(expected - set(manifest.files)), sorted(set(manifest.files) - expected)
    if missing or extra:
        raise RestoreRefused(
            "The manifest does not list this schema's files"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; unknown: {', '.join(extra)}" if extra else "")
            + "."
        )
    for name, part in sorted(manifest.files.items()):
        path = source / name
        if not path.is_file():
            raise RestoreRefused(f"The backup is incomplete: {name} is missing.")
        if _sha256(path) != part.sha256:
            raise RestoreRefused(
                f"The backup is damaged: {name} does not match its checksum in the manifest."
            )


def _verify_bundle(source: Path, manifest: Manifest) -> LogReport:
    """Verify the backup's log bundle on its own, before anything is loaded."""
    try:
        with (source / BUNDLE).open(encoding="utf-8") as f:
            bundle = bundles.read_bundle(f)
        report = bundles.verify_bundle(bundle)
    except (bundles.BundleRefused, LogError) as error:
        raise RestoreRefused(f"The backup's log bundle is refused: {error}") from None
    if bundle.redacted or (report.size, report.signed_size) != (
        manifest.log_size,
        manifest.checkpoint_size,
    ):
        raise RestoreRefused(
            f"The backup's log bundle holds {report.size} entries ({bundle.redacted} redacted) "
            f"signed up to {report.signed_size}; the manifest says {manifest.log_size} signed "
            f"up to {manifest.checkpoint_size}."
        )
    return report


def _load(
    store: Store, source: Path, manifest: Manifest, batch: int, progress: Progress | None
) -> dict[str, list[dict[str, Any]]]:
    """Insert every table's rows in foreign-key order, in one transaction; returns the rows
    of `SEEDED` that the target held before, to put back if the restore is undone."""
    with store.write() as uow:
        conn = uow.conn
        if uow.size:
            raise RestoreRefused(
                f"This database already holds {uow.size} log entries; restore into an empty one."
            )
        filled = [
            table.name
            for table in t.metadata.sorted_tables
            if table not in SEEDED
            and conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()
        ]
        if filled:
            raise RestoreRefused(
                f"This database is not empty (it has rows in {', '.join(filled)}); restore "
                "into an empty one."
            )
        seeded = {
            table.name: [dict(r) for r in conn.execute(sa.select(table)).mappings()]
            for table in SEEDED
        }
        for table in SEEDED:
            conn.execute(table.delete())
        for table in t.metadata.sorted_tables:
            name = table_file(table)
            count = 0
            for rows in _read_table(source / name, table, batch):
                insert_many(conn, table, rows)
                count += len(rows)
                if progress is not None:
                    progress(table.name, count)
            if count != manifest.files[name].rows:
                raise RestoreRefused(
                    f"{name} holds {count} rows; the manifest says {manifest.files[name].rows}."
                )
    return seeded


def _read_table(path: Path, table: sa.Table, batch: int) -> Iterator[list[dict[str, Any]]]:
    keys = [c.key for c in table.columns]
    decoders = [_codec(c).decode for c in table.columns]
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            header = json.loads(f.readline())
            if header != {"table": table.name, "columns": [c.name for c in table.columns]}:
                raise RestoreRefused(f"{path.name} does not hold the columns of {table.name}.")
            rows: list[dict[str, Any]] = []
            for line in f:
                values = json.loads(line)
                rows.append(
                    {
                        key: None if v is None else dec(v)
                        for key, dec, v in zip(keys, decoders, values, strict=True)
                    }
                )
                if len(rows) == batch:
                    yield rows
                    rows = []
            if rows:
                yield rows
    except (OSError, EOFError, ValueError, TypeError):  # gzip, JSON and decoders say ValueError
        raise RestoreRefused(f"{path.name} is malformed.") from None


def _check_restored(store: Store, manifest: Manifest, signed: LogReport) -> None:
    report = log.verify(store=store)
    if not report.projections_match:
        raise RestoreRefused(
            f"its projections differ from a replay of its log in {', '.join(report.drifted)}"
        )
    if report.state_digest != manifest.state_digest:
        raise RestoreRefused(
            f"its state digest is {report.state_digest}; the backup's is {manifest.state_digest}"
        )
    restored = (report.log.size, report.log.root, report.log.signed_size)
    if restored != (signed.size, signed.root, signed.signed_size):
        raise RestoreRefused(
            f"its log of {report.log.size} entries, signed up to {report.log.signed_size}, is "
            f"not the backup's bundle of {signed.size}, signed up to {signed.signed_size}"
        )


def _empty(store: Store, seeded: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    """Take a restore out again: every table as the freshly migrated target had it."""
    with store.write() as uow:
        for table in reversed(t.metadata.sorted_tables):
            uow.conn.execute(table.delete())
        for table in SEEDED:
            insert_many(uow.conn, table, seeded[table.name])
