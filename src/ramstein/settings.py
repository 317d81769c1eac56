"""Settings: one class, read from RAMSTEIN_* environment variables or an optional .env file."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///var/ramstein.sqlite"


class Settings(BaseSettings):
    """Where the database is and where the server listens."""

    model_config = SettingsConfigDict(env_prefix="RAMSTEIN_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    """SQLAlchemy URL: a SQLite file (default) or postgresql+psycopg://user@host/db."""
    host: str = "127.0.0.1"
    """Address the server binds to; keep it on loopback unless a TLS proxy stands in front."""
    port: int = 8000
    """Port the server listens on."""
