"""`/api/v1/imports`, `/api/v1/exports`, `/api/v1/templates`: files in and out.

An import sends the file itself in JSON (its name and its bytes in base64), so one request
carries the options with it; the answer is the import's report, or 422 with every bad row. An
export is generated for the viewer from what it may see (the same lists, the same rule), as
CSV, XLSX, JSON or HXL; a template is the blank file an import reads.
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from ramstein.api.deps import DONORS, EVERYONE, RECIPIENT, StoreDep, Viewer, permits
from ramstein.api.params import PROBLEMS
from ramstein.api.problems import Problem
from ramstein.api.reads import read
from ramstein.interchange import files, writers
from ramstein.interchange.files import Format
from ramstein.interchange.layouts import LAYOUTS
from ramstein.interchange.sheets import MAX_BYTES, FileRefused
from ramstein.services import exports, imports
from ramstein.services.imports import Action, ImportReport

router = APIRouter(tags=["interchange"], responses=PROBLEMS)


EXAMPLE_FILES = {
    "needs": b"ref,item_type,quantity,priority,needed_by\r\n"
    b"MOD-2027-0042,155mm-shell,2000,P1,2027-06-30\r\n",
    "pledges": b"ref,item_type,quantity,value,currency,eur_rate,tranches\r\n"
    b"PKG-7-001,155mm-shell,1000,3250000,USD,0.9215,600@2027-03-31; 400@2027-06-30\r\n",
    "deliveries": b"ref,pledge_ref,tranche,quantity,dispatched_on,received_quantity\r\n",
    "pledge-years": b"pledge_ref,year,amount_eur,status\r\n",
    "contributions": b"fund,contributor,amount,currency,eur_rate,on,status,status_on,reason\r\n",
}
"""Each import's documented example (the deliveries' names no pledge: a header only)."""


class ImportRequest(BaseModel):
    file_name: str = Field(min_length=1, max_length=255, description="With .xlsx or .csv.")
    content_base64: str = Field(
        max_length=MAX_BYTES * 4 // 3 + 4, description="The file's bytes, base64-encoded."
    )
    sheet: str | None = Field(default=None, max_length=64, description="A workbook's sheet.")
    rates: dict[str, Decimal] = Field(
        default_factory=dict,
        description="EUR per unit of a currency, for rows without their own rate: "
        '{"USD": "0.9215"}.',
    )
    dry_run: StrictBool = Field(default=False, description="Report what would change only.")


class ChangePublic(BaseModel):
    line: int
    ref: str
    action: Action
    record: int
    fields: list[str]


class ImportReportPublic(BaseModel):
    file: str
    kind: str
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    entries: int = Field(description="Log entries appended (or that would be).")
    changes: list[ChangePublic]


def _public(report: ImportReport) -> ImportReportPublic:
    return ImportReportPublic(
        file=report.file,
        kind=report.kind,
        dry_run=report.dry_run,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        entries=report.entries,
        changes=[
            ChangePublic(
                line=c.line, ref=c.ref, action=c.action, record=c.record, fields=list(c.fields)
            )
            for c in report.changes
        ],
    )


def refused(error: FileRefused) -> Problem:
    """422 naming every problem: `rows` holds line, column, value and reason of each."""
    return Problem(
        422,
        str(error),
        code="bad-rows",
        rows=[
            {"line": p.line, "column": p.column, "value": p.value, "reason": p.reason}
            for p in error.problems
        ],
    )


IMPORTERS = {
    "needs": RECIPIENT,
    "pledges": DONORS,
    "deliveries": (*DONORS, *RECIPIENT),
    "pledge-years": DONORS,
    "contributions": DONORS,
}
"""Who may import each kind (each row is then checked like the command it becomes)."""


def _request_model(kind: str) -> type[ImportRequest]:
    example = {
        "file_name": f"{kind}.csv",
        "content_base64": base64.b64encode(EXAMPLE_FILES[kind]).decode(),
        "dry_run": False,
    }
    return type(
        f"{kind.capitalize()}Import",
        (ImportRequest,),
        {
            "model_config": ConfigDict(json_schema_extra={"examples": [example]}),
            "__doc__": f"A file of {kind} to import.",
            "__module__": __name__,
        },
    )


def _import_route(kind: str) -> None:
    request_model = _request_model(kind)

    async def import_kind(body: ImportRequest, store: StoreDep, viewer: Viewer) -> Response:
        try:
            data = base64.b64decode(body.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise Problem(422, "content_base64 is not base64.", code="invalid-request") from None

        def run() -> ImportReport:
            return imports.import_file(
                store=store,
                actor=viewer,
                kind=kind,
                data=data,
                name=body.file_name,
                sheet=body.sheet,
                rates={k.upper(): v for k, v in body.rates.items()},
                dry_run=body.dry_run,
            )

        try:
            report = await run_in_threadpool(run)
        except FileRefused as error:
            raise refused(error) from None
        return Response(_public(report).model_dump_json(), media_type="application/json")

    import_kind.__annotations__["body"] = request_model
    import_kind.__doc__ = (
        f"Import {kind} from an XLSX or CSV file: every row or none (422 lists every bad row "
        "with its line, column, value and reason); rows are matched by their ref, so sending "
        "the same file again changes nothing. With dry_run, only the report."
    )
    router.post(
        f"/api/v1/imports/{kind}",
        status_code=200,
        response_model=ImportReportPublic,
        operation_id=f"import_{kind}",
        **permits(*IMPORTERS[kind]),
    )(import_kind)


for _kind in LAYOUTS:
    _import_route(_kind)


def _export_route(name: str, default: Format) -> None:
    async def export_list(
        store: StoreDep,
        viewer: Viewer,
        request: Request,
        format: Annotated[
            Format,
            Query(
                description="A list: csv, xlsx, json or hxl; the workbook: xlsx; iati: xml; "
                "flows: json."
            ),
        ] = default,
    ) -> Response:
        state = request.app.state
        records = await read(
            store,
            lambda conn: exports.gather(conn=conn, viewer=viewer, group_name=state.group_name),
        )
        return _attachment(files.export(name, records, format, iati_ref=state.iati_org_ref))

    export_list.__doc__ = WHOLE_DOCS.get(
        name, f"The {name} the viewer may see, as a file: CSV (default), XLSX, JSON or HXL."
    )
    router.get(
        f"/api/v1/exports/{name}",
        operation_id=f"export_{name}",
        response_class=Response,
        **permits(*EVERYONE),
    )(export_list)


def _attachment(found: files.File) -> Response:
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.name}"'},
    )


WHOLE_DOCS = {
    files.WORKBOOK: "Every list the viewer may see in one workbook, a sheet each.",
    files.IATI: "The pledges and deliveries the viewer may see as an IATI 2.03 activity file "
    "(404 when there is no pledge to report).",
    files.FLOWS: "The pledges and deliveries the viewer may see as flows in the shape of OCHA "
    "FTS's flow API (source and destination objects; status pledge, commitment or paid).",
}

for _name in writers.LISTS:
    _export_route(_name, Format.CSV)
for _name, _format in files.WHOLE.items():
    _export_route(_name, _format)


def _template_route(kind: str) -> None:
    async def template(
        store: StoreDep,
        viewer: Viewer,
        format: Annotated[Format, Query(description="xlsx (default) or csv.")] = Format.XLSX,
    ) -> Response:
        codes = await read(store, lambda conn: exports.known_codes(conn=conn, viewer=viewer))
        return _attachment(files.template(kind, format, codes))

    template.__doc__ = f"A blank {kind} file to fill and import (XLSX with notes, or CSV)."
    router.get(
        f"/api/v1/templates/{kind}",
        operation_id=f"template_{kind}",
        response_class=Response,
        **permits(*EVERYONE),
    )(template)


for _kind in LAYOUTS:
    _template_route(_kind)
