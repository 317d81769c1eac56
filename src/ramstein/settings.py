"""Settings: one class, read from RAMSTEIN_* environment variables or an optional .env file."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from ramstein.store.engine import Pool

DEFAULT_DATABASE_URL = "sqlite:///var/ramstein.sqlite"


class Settings(BaseSettings):
    """Where the database is, where the server listens, and the log's signing key."""

    model_config = SettingsConfigDict(env_prefix="RAMSTEIN_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL: a SQLite file (default) or postgresql+psycopg://user@host/db."""
    pool_size: int = 5
    """Database connections each server worker keeps open."""
    pool_overflow: int = 10
    """Connections a worker may open beyond `pool_size` under load (closed when returned)."""
    pool_timeout: float = 30
    """Seconds a request waits for a free connection before it is answered 503."""
    pool_recycle: int = 1800
    """Seconds after which a connection is replaced, before a server or proxy drops it idle."""
    ready_verify_seconds: float = 300
    """How old the log verification behind `/readyz` may grow before it is run again."""
    host: str = "127.0.0.1"
    """Address the server binds to; keep it on loopback unless a TLS proxy stands in front."""
    port: int = 8000
    """Port the server listens on."""
    host_key_file: Path = Path("var/host.key")
    """The host's Ed25519 signing key (mode 0600, outside the database); created when missing."""
    log_origin: str = "ramstein/coalition"
    """The log's name on its checkpoints; fixed by the first checkpoint, kept across handovers."""
    answer_cache_mb: int = 64
    """Answers kept per worker at the log's current position (`ramstein.api.reads`); 0: none."""
    session_key_file: Path = Path("var/session.key")
    """The key that seals the web UI's session cookies (mode 0600); created when missing."""
    secure_cookies: bool = False
    """Mark session cookies Secure: set it when a TLS proxy stands in front."""
    group_name: str = "Coordination group"
    """The group's name as its read-outs head it, e.g. "Ukraine Defense Contact Group"."""
    iati_org_ref: str = "XX-RAMSTEIN"
    """The group's IATI organisation identifier, the prefix of every activity in its IATI
    export; the default is a placeholder: register the group and set the identifier given."""

    def pool(self) -> Pool:
        return Pool(
            size=self.pool_size,
            overflow=self.pool_overflow,
            timeout=self.pool_timeout,
            recycle=self.pool_recycle,
        )
