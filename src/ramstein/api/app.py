"""The FastAPI application: `/api/v1` resources, health probes and the offline API docs."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

import plotly
import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from ramstein import __version__
from ramstein.api import problems
from ramstein.api.deps import PrincipalCache, Throttle
from ramstein.api.reads import AnswerCache
from ramstein.api.routes import (
    analytics,
    baselines,
    capabilities,
    catalogue,
    chair,
    deliveries,
    funds,
    interchange,
    log,
    matching,
    meetings,
    needs,
    participants,
    pledges,
)
from ramstein.domain.releasability import Role
from ramstein.services import maintenance
from ramstein.services.log import HostSigner, load_host
from ramstein.services.readiness import LogWatch, readiness
from ramstein.settings import Settings
from ramstein.store.engine import Store
from ramstein.web import analysis_pages, data_pages, meeting_pages, record_forms
from ramstein.web import pages as web_pages
from ramstein.web.sessions import Sealer, load_key

WEB_STATIC = Path(web_pages.__file__).parent / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data"

ROUTERS = (
    needs.router,
    pledges.router,
    deliveries.router,
    funds.router,
    funds.contributions,
    meetings.router,
    meetings.actions,
    matching.router,
    participants.router,
    capabilities.router,
    catalogue.router,
    chair.router,
    log.router,
    analytics.router,
    baselines.router,
    interchange.router,
)
"""In the order requests are matched: the records most read come first."""

DESCRIPTION = """
The coordination record of an assistance coalition: the recipient's needs, donors' pledges
with their tranches and deliveries, meetings, the chair, exact matching and the verifiable log.

- **Sign in** with `Authorization: Bearer <token>` (`ramstein tokens issue`); without a token
  you read as the public.
- **Need-to-know**: every record is public, coalition or restricted; every answer holds only
  what the caller may see, and a record the caller may not see is answered exactly like one
  that does not exist (404).
- **Versions**: records carry their version as an `ETag`; a write to an existing record needs
  `If-Match` (428 without it, 412 with the current version when it is stale).
- **Retries**: send `Idempotency-Key` with a create; a retry returns the first answer.
- **Lists** take `sort`, `limit` and `cursor`, and answer `{items, next_cursor}`.
- **Refusals** are `application/problem+json` (RFC 9457) with a stable `type`.
"""


def _document_sign_in(app: FastAPI) -> None:
    """Write the bearer scheme into the OpenAPI document: required where the public may not
    call a route, optional (a token or none) where it may."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema.setdefault("components", {})["securitySchemes"] = {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token (`ramstein tokens issue`); without one you "
                    "read as the public.",
                }
            }
            for operations in schema["paths"].values():
                for operation in operations.values():
                    roles = operation.get("x-roles")
                    if roles:
                        optional = Role.PUBLIC.value in roles
                        operation["security"] = (
                            [{}, {"bearer": []}] if optional else [{"bearer": []}]
                        )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


YOUNG_GENERATION = 10_000
"""Allocations between collections of the youngest generation while serving (Python's
default is 700). Under 20 writers at once (`bench/api.py`), the default promotes the objects
of requests in flight into the old generations, whose full passes then stall every request
for up to 100 ms; at 10,000 no full pass ran in the measured window and the p99 of
`POST /api/v1/pledges` fell from 66 to 47 ms."""


@contextmanager
def _long_lived_heap() -> Iterator[None]:
    """Serve with what the app has built kept out of the collector's passes (`gc.freeze`:
    it lives as long as the process) and a larger youngest generation; restored on exit."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if store is None:
            app.state.store = Store(settings.database_url, pool=settings.pool())
            app.state.log_watch = LogWatch(app.state.store, max_age=settings.ready_verify_seconds)
            app.state.log_watch.latest()  # a server's first verification starts with it
        with _long_lived_heap():
            yield
        if store is None:
            app.state.store.dispose()
        else:  # the caller's store outlives the app: leave no verification reading it
            app.state.log_watch.wait()

    app = FastAPI(
        title="Ramstein",
        version=__version__,
        summary="Coordination of a multinational assistance coalition.",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    if store is not None:
        # Usable without the lifespan (an ASGI test transport); the log is first verified
        # when /readyz is first asked.
        app.state.store = store
        app.state.log_watch = LogWatch(store, max_age=settings.ready_verify_seconds)
    app.state.throttle = Throttle()
    app.state.principals = PrincipalCache()
    app.state.answers = AnswerCache(settings.answer_cache_mb * 2**20)
    app.state.group_name = settings.group_name
    app.state.iati_org_ref = settings.iati_org_ref
    app.state.sealer = Sealer(load_key(settings.session_key_file))
    app.state.secure_cookies = settings.secure_cookies

    @cache
    def host() -> HostSigner:
        return load_host(settings.host_key_file, settings.log_origin)

    app.state.host = host
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(web_pages.router)
    app.include_router(meeting_pages.router)
    app.include_router(analysis_pages.router)
    app.include_router(record_forms.router)
    app.include_router(data_pages.router)
    # The UI works on a closed network: Plotly's script comes from its Python package.
    app.mount("/static/vendor", StaticFiles(directory=PLOTLY_JS), name="vendor")
    app.mount("/static", StaticFiles(directory=WEB_STATIC), name="static")
    _document_sign_in(app)

    # The API docs work on a closed network: Swagger UI is served from its Python package.
    app.mount(
        "/api/docs/static",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger-ui",
    )

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="Ramstein API",
            swagger_js_url="/api/docs/static/swagger-ui-bundle.js",
            swagger_css_url="/api/docs/static/swagger-ui.css",
            swagger_favicon_url="/api/docs/static/favicon-32x32.png",
        )

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        responses={503: {"description": "Not ready: the check that failed says why."}},
    )
    def readyz() -> JSONResponse:
        """Ready to serve: the database answers, its schema is current, and the last full
        verification of the log passed (it runs in the background, `RAMSTEIN_READY_VERIFY_SECONDS`
        apart at most)."""
        found = readiness(store=app.state.store, watch=app.state.log_watch)
        v = found.verification
        if v is None:
            log_check: dict[str, object] = {"ok": False, "problem": "the log is being verified"}
        else:
            log_check = {"ok": v.ok} | {
                k: value for k, value in asdict(v).items() if k != "ok" and value is not None
            }
        body = {
            "status": "ready" if found.ready else "not ready",
            "checks": {
                "database": {"ok": found.database is None}
                | ({"problem": found.database} if found.database else {}),
                "migrations": {"ok": found.migrations_current},
                "log": log_check,
            },
        }
        return JSONResponse(body, status_code=200 if found.ready else 503)

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
