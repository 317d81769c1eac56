"""`ramstein serve`: run the API (and later the web UI) with uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from ramstein.cli.context import state
from ramstein.settings import Settings

APP_FACTORY = "ramstein.api.app:create_app"


def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="Address to bind (default RAMSTEIN_HOST, 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (default RAMSTEIN_PORT, 8000).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
    reload: Annotated[
        bool, typer.Option("--reload/--no-reload", help="Restart when the code changes (dev).")
    ] = False,
) -> None:
    """Serve the API on HOST:PORT until interrupted."""
    url = state(ctx).database_url
    if url is not None:
        # The app builds its own Settings in each worker; the environment is how they learn it.
        os.environ["RAMSTEIN_DATABASE_URL"] = url
    settings = Settings()
    bind = host or settings.host
    listen = port or settings.port
    shown = f"[{bind}]" if ":" in bind else bind
    typer.echo(
        f"Serving Ramstein on http://{shown}:{listen}/ (the web UI; sign in at /signin; "
        "API docs: /api/docs)"
    )
    uvicorn.run(APP_FACTORY, factory=True, host=bind, port=listen, workers=workers, reload=reload)
