"""Building the demo into a database file safely: a half-built file never replaces a good one.

The demo is built into a temporary SQLite file next to the target, checkpointed, and renamed
over the target in one step; a failed build leaves the target as it was. PostgreSQL (or any
other URL) is built into directly and must be empty.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

import sqlalchemy as sa

from ramstein.demo.actors import OPERATOR
from ramstein.demo.build import (
    DEFAULT_SEED,
    DemoSummary,
    DemoToken,
    Progress,
    build_demo,
    issue_demo_tokens,
)
from ramstein.store.engine import Store
from ramstein.store.tables import log_entries

SIDE_FILES = ("-wal", "-shm", "-journal")


class DemoFileError(Exception):
    """The demo cannot be built or opened where asked; the message says why in one sentence."""


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for another database (or an in-memory one)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def is_demo(store: Store) -> bool:
    """Whether `store` holds a demo coalition (its log was started by the demo's operator)."""
    try:
        with store.read() as conn:
            first = conn.execute(
                sa.select(log_entries.c.actor_user).where(log_entries.c.seq == 1)
            ).scalar()
    except sa.exc.DBAPIError:
        return False
    return first == OPERATOR.user


def _holds_demo(url: str) -> bool:
    store = Store(url, migrate=False)
    try:
        return is_demo(store)
    finally:
        store.dispose()


def _remove(path: Path) -> None:
    for suffix in ("", *SIDE_FILES):
        with suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def _checkpoint(store: Store) -> None:
    """Fold the write-ahead log into the database file, so the file alone holds everything."""
    raw = store.engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None
        driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()


def build_file(
    target: Path, *, seed: int = DEFAULT_SEED, progress: Progress | None = None
) -> tuple[DemoSummary, list[DemoToken]]:
    """Build the demo into a temporary file beside `target`, then rename it over `target`."""
    if target.is_dir():
        raise DemoFileError(f"{target} is a directory; give the path of a database file.")
    if target.exists() and target.stat().st_size > 0 and not _holds_demo(f"sqlite:///{target}"):
        raise DemoFileError(
            f"{target} exists and is not a demo database; remove it or choose another path."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.{os.getpid()}.building")
    _remove(building)
    try:
        store = Store(f"sqlite:///{building}")
        try:
            summary = build_demo(store, seed=seed, progress=progress)
            tokens = issue_demo_tokens(store)
            _checkpoint(store)
        finally:
            store.dispose()
        for suffix in SIDE_FILES:  # the old database's, if any: they must not meet the new one
            with suppress(FileNotFoundError):
                Path(f"{target}{suffix}").unlink()
        os.replace(building, target)
    finally:
        _remove(building)
    return summary, tokens


def build_url(
    url: str, *, seed: int = DEFAULT_SEED, progress: Progress | None = None
) -> tuple[DemoSummary, list[DemoToken]]:
    """Build the demo into the (empty) database at `url`: a SQLite file is built beside it."""
    path = sqlite_path(url)
    if path is not None:
        return build_file(path, seed=seed, progress=progress)
    store = Store(url)
    try:
        return build_demo(store, seed=seed, progress=progress), issue_demo_tokens(store)
    finally:
        store.dispose()


def reissue_tokens(url: str) -> list[DemoToken]:
    """Fresh tokens for the demo users of an existing demo database."""
    path = sqlite_path(url)
    where = str(path) if path is not None else "That database"
    if path is not None and not path.is_file():
        raise DemoFileError(
            f"There is no demo database at {path}; build one with `ramstein demo build`."
        )
    if not _holds_demo(url):
        raise DemoFileError(
            f"{where} holds no demo coalition; build one with `ramstein demo build`."
        )
    store = Store(url)
    try:
        return issue_demo_tokens(store)
    finally:
        store.dispose()
