"""Alembic migrations, applied programmatically on start."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (a no-op when it is already there)."""
    with engine.connect() as conn, conn.begin():
        command.upgrade(alembic_config(conn), revision)


@cache
def head() -> str | None:
    """The newest migration this code knows. Read once: Alembic finds it by loading every
    migration script, which made each `/api/v1/status` and `/readyz` cost milliseconds."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_current(conn: Connection) -> bool:
    """True when the database is at the newest migration."""
    return MigrationContext.configure(conn).get_current_revision() == head()
