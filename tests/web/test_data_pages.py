"""The data page: downloads hold only what the visitor may see; the import form is the import."""

from __future__ import annotations

import io

import openpyxl
import pytest
from fastapi.testclient import TestClient

from ramstein.domain.releasability import Role
from ramstein.interchange import hxl, writers
from tests import factories as f
from tests.api.coalition import ApiCoalition
from tests.web.support import csrf_of, sign_in

ROLES = [Role.CHAIR, Role.RECIPIENT, Role.DONOR, Role.COALITION_LEAD, Role.OBSERVER]


@pytest.mark.parametrize("role", [Role.PUBLIC, *ROLES], ids=lambda r: r.value)
def test_every_download_holds_only_what_the_visitor_may_see(
    api: ApiCoalition, client: TestClient, role: Role
) -> None:
    token = api.tokens[role]
    if token:
        sign_in(client, token)
    shown = client.get("/data")
    assert shown.status_code == 200
    importers = (Role.CHAIR, Role.RECIPIENT, Role.DONOR, Role.COALITION_LEAD)
    assert ('action="/data/import"' in shown.text) is (role in importers)
    hidden = api.hidden_canaries(role)
    visible = {r.canary for r in api.records if api.visible(role, r) and r.kind != "decision"}
    assert visible, "every visitor may see some record"
    for name in writers.LISTS:
        for fmt in ("csv", "json"):
            answer = client.get(f"/data/exports/{name}.{fmt}")
            assert answer.status_code == 200, (name, fmt)
            assert "attachment" in answer.headers["content-disposition"]
            assert not {c for c in hidden if c in answer.text}, (name, fmt)
    for kind in hxl.KINDS:
        answer = client.get(f"/data/exports/{kind}.hxl")
        assert answer.status_code == 200 and answer.text.splitlines()[1].startswith("#")
        assert not {c for c in hidden if c in answer.text}, kind
    pledges = {r.canary for r in api.records if r.kind == "pledge" and api.visible(role, r)}
    for download in ("iati.xml", "flows.json"):
        answer = client.get(f"/data/exports/{download}")
        assert answer.status_code == 200, download
        assert not {c for c in hidden if c in answer.text}, download
    iati = client.get("/data/exports/iati.xml").text
    assert pledges and {c for c in pledges if c not in iati} == set(), "IATI misses a pledge"
    book = client.get("/data/exports/workbook.xlsx")
    cells = " ".join(
        str(c)
        for sheet in openpyxl.load_workbook(io.BytesIO(book.content)).worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c is not None
    )
    assert not {c for c in hidden if c in cells}
    assert {c for c in visible if c not in cells} == set(), "the workbook misses records"


def test_an_unknown_export_is_a_page_not_a_crash(client: TestClient) -> None:
    assert client.get("/data/exports/secrets.csv").status_code == 404
    assert client.get("/data/exports/needs.exe").status_code == 404
    assert client.get("/data/exports/needs.xml").status_code == 404
    assert client.get("/data/exports/iati.csv").status_code == 404
    assert client.get("/data/templates/needs.pdf").status_code == 404


def test_a_template_downloads_with_the_columns_the_import_reads(client: TestClient) -> None:
    answer = client.get("/data/templates/pledges.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    header = next(book["pledges"].iter_rows(values_only=True))
    assert header[:2] == ("ref", "donor") and "tranches" in header and "id" not in header
    assert f.SHELL in [r[0] for r in book["item_types"].iter_rows(values_only=True)]
    assert client.get("/data/templates/needs.csv").text.startswith("ref,recipient,item_type")


def test_a_donor_imports_through_the_form_after_a_dry_run(
    api: ApiCoalition, client: TestClient
) -> None:
    sign_in(client, api.tokens[Role.DONOR] or "")
    csrf = csrf_of(client.get("/data").text)
    csv = (
        "ref,item_type,quantity,value,currency,tranches,releasability\r\n"
        f"WEB-1,{f.SHELL},4321,1000000,USD,4000@2099-01-31,public\r\n"
    ).encode()

    def post(rates: str, dry_run: bool) -> str:
        data = {"csrf": csrf, "kind": "pledges", "rates": rates}
        if dry_run:
            data["dry_run"] = "1"
        answer = client.post(
            "/data/import", data=data, files={"file": ("web.csv", csv, "text/csv")}
        )
        return f"{answer.status_code} {answer.text}"

    refused = post("", dry_run=True)
    assert refused.startswith("422") and "needs its rate" in refused
    dry = post("USD=0.9", dry_run=True)
    assert dry.startswith("200") and "Nothing was written (dry run)" in dry
    assert "4321" not in client.get("/pledges").text
    done = post("USD=0.9", dry_run=False)
    assert done.startswith("200") and "1 were created" in done
    assert "4321" in client.get("/pledges").text
    again = post("USD=0.9", dry_run=False)
    assert "0 were created, 0 updated, 1 unchanged" in again


def test_the_import_form_refuses_a_forged_form_and_bad_rates(
    api: ApiCoalition, client: TestClient
) -> None:
    sign_in(client, api.tokens[Role.DONOR] or "")
    files = {"file": ("x.csv", b"ref\r\n", "text/csv")}
    forged = client.post("/data/import", data={"csrf": "guess", "kind": "pledges"}, files=files)
    assert forged.status_code == 403
    csrf = csrf_of(client.get("/data").text)
    bad = client.post(
        "/data/import", data={"csrf": csrf, "kind": "pledges", "rates": "USD"}, files=files
    )
    assert bad.status_code == 422 and "CUR=RATE" in bad.text
    picture = client.post(
        "/data/import",
        data={"csrf": csrf, "kind": "pledges"},
        files={"file": ("x.png", b"\x89PNG\r\n\x1a\n0000", "image/png")},
    )
    assert picture.status_code == 422 and "a PNG picture, not a spreadsheet" in picture.text
