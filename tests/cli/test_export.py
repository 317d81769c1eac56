"""`ramstein export ...` and `ramstein publish`: what a user sees, on SQLite.

The coalition of `conftest.py` with a public DEU pledge of 700 shells and a POL pledge of 900
restricted to POL (and the chair).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest

from tests.cli.support import Cli, add_pledge

IATI = "{http://www.w3.org/XML/1998/namespace}"


@pytest.fixture
def pledged(coalition: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("RAMSTEIN_HOST_KEY_FILE", str(tmp_path / "host.key"))
    monkeypatch.setenv("RAMSTEIN_GROUP_NAME", "Test contact group")
    add_pledge(coalition, "DEU", "--releasability public --value 2450000", quantity=700)
    add_pledge(coalition, "POL", "--releasability restricted", quantity=900)
    return coalition


def test_a_list_goes_to_stdout_as_csv_or_json_and_to_a_file_as_xlsx(
    pledged: Cli, tmp_path: Path
) -> None:
    rows = list(csv.DictReader(io.StringIO(pledged.ok("export pledges"))))
    assert [(r["donor"], r["quantity"]) for r in rows] == [("DEU", "700"), ("POL", "900")]
    seen = json.loads(pledged.ok("export pledges --format json", as_="UKR"))
    assert [p["quantity"] for p in seen["pledges"]] == [700]
    assert "is binary: give --out FILE" in pledged.fails("export pledges --format xlsx")
    pledged.ok(f"export workbook --out {tmp_path / 'all.xlsx'}")
    book = openpyxl.load_workbook(tmp_path / "all.xlsx")
    assert {"needs", "pledges", "deliveries", "participants"} <= set(book.sheetnames)
    assert "HXL is written for" in pledged.fails("export participants --format hxl")


def test_iati_and_flows_hold_the_pledges_the_user_may_see(pledged: Cli, tmp_path: Path) -> None:
    out = tmp_path / "iati.xml"
    pledged.ok(f"export iati --out {out} --org-ref XM-TEST")
    root = ET.parse(out).getroot()
    assert root.get("version") == "2.03"
    ids = [a.findtext("iati-identifier") for a in root.iter("iati-activity")]
    assert ids == ["XM-TEST-PLEDGE-1", "XM-TEST-PLEDGE-2"]
    assert root.find("iati-activity/reporting-org/narrative").text == "Test contact group"

    flows = json.loads(pledged.ok("export flows"))["data"]["flows"]
    assert {(f["pledge_id"], f["status"]) for f in flows} == {(1, "pledge"), (2, "pledge")}


def test_others_see_only_the_pledges_released_to_them_and_an_iati_file_needs_one(
    coalition: Cli, pledged: Cli, tmp_path: Path
) -> None:
    flows = json.loads(pledged.ok("export flows", as_="DEU"))["data"]["flows"]
    assert [f["quantity"] for f in flows] == [700]
    empty = Cli(coalition.url.replace("ramstein.sqlite", "other.sqlite"))
    empty.ok("init")
    assert "no pledges" in empty.fails(f"export iati --out {tmp_path / 'none.xml'}")
    assert not (tmp_path / "none.xml").exists()


def test_publish_writes_a_package_whose_own_instructions_verify_it(
    pledged: Cli, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    said = pledged.ok(f"publish --out {site}")
    assert "Published" in said and "signed checkpoint" in said and "index.html" in said
    meta = json.loads((site / "datapackage.json").read_text())
    assert meta["title"] == "Test contact group: public records"
    pledges = list(csv.DictReader(io.StringIO((site / "data" / "pledges.csv").read_text())))
    assert [p["quantity"] for p in pledges] == ["700"]
    for line in (site / "SHA256SUMS").read_text().splitlines():
        digest, path = line.split("  ")
        assert hashlib.sha256((site / path).read_bytes()).hexdigest() == digest

    # what index.html tells a reader to run
    index = (site / "index.html").read_text()
    assert "ramstein log verify --bundle log/bundle.jsonl --key log/genesis-key.txt" in index
    verified = pledged.ok(
        "log verify", "--bundle", site / "log" / "bundle.jsonl", "--key",
        site / "log" / "genesis-key.txt",
    )  # fmt: skip
    assert "verifies" in verified

    again = pledged.json(f"publish --out {site}")
    assert again["signed"] is False and again["log_size"] == meta["ramstein"]["log_size"]


def test_publish_refusals_are_one_sentence(pledged: Cli, tmp_path: Path) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    site = tmp_path / "site"
    assert "not an earlier package" in pledged.fails(f"publish --out {busy}")
    assert "no signed checkpoint" in pledged.fails(f"publish --out {site} --no-sign")
    assert "Only the chair may publish" in pledged.fails(f"publish --out {site}", as_="DEU")
    result = pledged.run(f"publish --out {site} --license MIT")
    assert result.exit_code == 2 and "CC-BY-4.0" in result.stderr
    assert not site.exists()
