"""The data page: download every list the visitor may see, blank templates, and import a
spreadsheet (the same import as the CLI and the API: all rows or none, every bad row shown)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from ramstein.api.problems import status_of
from ramstein.domain.errors import DomainError
from ramstein.domain.releasability import Role
from ramstein.interchange import cells, files, hxl, writers
from ramstein.interchange.cells import BadCell
from ramstein.interchange.files import Format
from ramstein.interchange.layouts import LAYOUTS
from ramstein.interchange.sheets import MAX_BYTES, FileRefused, Problem
from ramstein.services import exports, imports
from ramstein.services.imports import Action, ImportReport
from ramstein.web.base import FORM_EXPIRED, Visit, csrf_ok, page, refused, store_of, visit

router = APIRouter(include_in_schema=False)

IMPORTERS = frozenset({Role.CHAIR, Role.RECIPIENT, Role.DONOR, Role.COALITION_LEAD})
SHOWN = 200
"""How many changed rows or problems the page lists (it says how many more)."""


def _data_page(
    request: Request,
    who: Visit,
    *,
    status: int = 200,
    report: ImportReport | None = None,
    problems: tuple[Problem, ...] = (),
    error: str = "",
) -> HTMLResponse:
    changed = [c for c in report.changes if c.action is not Action.UNCHANGED] if report else []
    return page(
        request,
        who,
        "data.html.j2",
        status=status,
        lists=list(writers.LISTS),
        hxl_lists=hxl.KINDS,
        kinds=list(LAYOUTS),
        may_import=bool(who.viewer.roles & IMPORTERS) and who.signed_in,
        report=report,
        changed=changed[:SHOWN],
        more_changed=max(0, len(changed) - SHOWN),
        problems=problems[:SHOWN],
        more_problems=max(0, len(problems) - SHOWN),
        error=error,
    )


@router.get("/data", response_class=HTMLResponse)
def data(request: Request) -> Response:
    return _data_page(request, visit(request))


def _attachment(found: files.File) -> Response:
    return Response(
        found.content,
        media_type=found.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{found.name}"',
            "Cache-Control": "no-store",
        },
    )


DOWNLOADS = frozenset((*writers.LISTS, *files.WHOLE))
FORMATS = frozenset(f.value for f in Format)


@router.get("/data/exports/{name}.{fmt}")
def export(request: Request, name: str, fmt: str) -> Response:
    """`/data/exports/pledges.csv`, `needs.hxl`, `workbook.xlsx`, `iati.xml`, `flows.json`."""
    who = visit(request)
    if name not in DOWNLOADS or fmt not in FORMATS:
        return refused(request, who, 404, f"There is no export {name[:40]}.{fmt[:8]}.")
    state = request.app.state
    with store_of(request).read() as conn:
        records = exports.gather(conn=conn, viewer=who.viewer, group_name=state.group_name)
    try:
        return _attachment(files.export(name, records, Format(fmt), iati_ref=state.iati_org_ref))
    except DomainError as error:  # a format the list is not written in; no pledge for IATI
        return refused(request, who, 404, str(error))


@router.get("/data/templates/{kind}.{fmt}")
def template(request: Request, kind: str, fmt: str) -> Response:
    who = visit(request)
    if kind not in LAYOUTS or fmt not in ("csv", "xlsx"):
        return refused(request, who, 404, f"There is no template {kind[:40]}.{fmt[:8]}.")
    with store_of(request).read() as conn:
        codes = exports.known_codes(conn=conn, viewer=who.viewer)
    return _attachment(files.template(kind, Format(fmt), codes))


@router.post("/data/import", response_class=HTMLResponse)
async def import_file(
    request: Request,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form()] = "",
    rates: Annotated[str, Form()] = "",
    dry_run: Annotated[str, Form()] = "",
    csrf: Annotated[str | None, Form()] = None,
) -> Response:
    who = visit(request)
    if not csrf_ok(who, csrf):
        return refused(request, who, 403, FORM_EXPIRED)
    if kind not in LAYOUTS:
        return _data_page(request, who, status=422, error="Choose what the file holds.")
    try:
        given = cells.rates(rates.replace(",", " ").split())
    except BadCell:
        return _data_page(
            request, who, status=422, error="Write rates as CUR=RATE, such as USD=0.9215."
        )
    data = await file.read(MAX_BYTES + 1)
    try:
        report = await run_in_threadpool(
            imports.import_file,
            store=store_of(request),
            actor=who.viewer,
            kind=kind,
            data=data,
            name=file.filename or "the file",
            rates=given,
            dry_run=bool(dry_run),
        )
    except FileRefused as error:
        return _data_page(
            request,
            who,
            status=422,
            problems=error.problems,
            error=f"{error.name}: {len(error.problems)} problem(s); nothing was imported.",
        )
    except DomainError as error:
        return _data_page(request, who, status=status_of(error), error=str(error))
    return _data_page(request, who, report=report)
