"""The FastAPI application: health probes and the OpenAPI page (resources arrive with [api])."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ramstein import __version__
from ramstein.api.routes import log as log_routes
from ramstein.services import maintenance
from ramstein.settings import Settings
from ramstein.store.engine import Store


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = store or Store(settings.database_url)
        yield
        if store is None:
            app.state.store.dispose()

    app = FastAPI(
        title="Ramstein",
        version=__version__,
        summary="Coordination of a multinational assistance coalition.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.include_router(log_routes.router)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get("/api/v1/status", tags=["health"])
    def status() -> dict[str, object]:
        """The log's size and time, the sitting chair, and whether the schema is current."""
        s = maintenance.status(store=app.state.store)
        return {
            "log_size": s.log_size,
            "last_entry_at": s.last_entry_at,
            "chair": s.chair.chair if s.chair else None,
            "migrations_current": s.migrations_current,
        }

    return app
