"""`services.publish`: the public records as a static package anyone can check and verify.

The coalition: a public DEU pledge of 240 shells (valued, with a delivery of 60), a GBR pledge
of 4321 shells labelled coalition, a public need of 777 and a need of 888 restricted to UKR;
and the pooled fund of `factories.fund_script`, whose GBR contribution of EUR 250,000 is
restricted (so its public attribution is withheld).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import frictionless
import pytest

from ramstein.domain.errors import NotPermitted
from ramstein.domain.pledges import Money, PledgeStatus
from ramstein.interchange.publication import LICENSES
from ramstein.services import bundles, log
from ramstein.services.publish import Published, PublishRefused, publish
from ramstein.store.engine import Store
from tests import factories as f
from tests.factories import Principals

CC_BY = LICENSES["CC-BY-4.0"]
SECRET_QUANTITIES = ("4321", "888", "250000")
"""Quantities of the records the public may not see: in no published file."""


def build(store: Store, c: Principals) -> None:
    deu = f.announce(
        store,
        c.donor("DEU"),
        quantity=240,
        label=f.PUBLIC,
        value=Money(Decimal("840000"), "EUR", Decimal(1)),
        tranches=((240, f.BASE),),
    )
    f.move(store, c.chair, deu.id, PledgeStatus.COMMITTED)
    f.deliver(store, c.donor("DEU"), deu.id, quantity=60)
    f.announce(store, c.donor("GBR"), quantity=4321, tranches=((4321, f.BASE),))
    f.submit_need(store, c.recipient, quantity=777, label=f.PUBLIC)
    f.submit_need(store, c.recipient, quantity=888, label=f.restricted("UKR"))
    with store.write(clock=f.CLOCK) as uow:
        f.fund_script(uow, c.chair)


def run(store: Store, out: Path, *, host: log.HostSigner | None = f.HOST_A) -> Published:
    return publish(
        store=store,
        actor=f.coalition_principals().chair,
        out=out,
        group_name="Contact group",
        iati_ref="XM-TEST",
        license=CC_BY,
        host=host,
    )


def standalone(number: str) -> re.Pattern[bytes]:
    """`number` on its own, not inside a longer number, a hex digest or base64 text."""
    return re.compile(rb"(?<![0-9A-Za-z+/=.])" + number.encode() + rb"(?![0-9A-Za-z+/=])")


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((folder / "data" / f"{name}.csv").read_text())))


def test_the_package_is_valid_and_holds_only_public_records(
    store: Store, coalition: Principals, tmp_path: Path
) -> None:
    build(store, coalition)
    out = tmp_path / "site"
    done = run(store, out)

    report = frictionless.validate(out / "datapackage.json")
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "note"])
    meta = json.loads((out / "datapackage.json").read_text())
    assert meta["profile"] == "data-package" and meta["licenses"][0]["name"] == "CC-BY-4.0"
    paths = {r["path"] for r in meta["resources"]}
    assert {"data/pledges.csv", "data/pledges.json", "data/needs-hxl.csv"} <= paths
    assert {"data/iati-activities.xml", "data/flows.json", "log/bundle.jsonl"} <= paths
    assert {"log/checkpoint.txt", "log/genesis-key.txt"} <= paths
    tables = [r for r in meta["resources"] if r.get("profile") == "tabular-data-resource"]
    assert {r["name"] for r in tables} == {
        "needs", "pledges", "tranches", "deliveries", "contributions", "attributions",
        "participants", "catalogue", "areas", "pledge-years",
    }  # fmt: skip

    assert [(r["donor"], r["quantity"]) for r in rows(out, "pledges")] == [
        ("DEU", "240"),
        (f.FUND, "10"),
    ]
    assert [r["quantity"] for r in rows(out, "needs")] == ["777"]
    assert [r["quantity"] for r in rows(out, "deliveries")] == ["60", "3"]
    assert [(r["contributor"], r["status"]) for r in rows(out, "contributions")] == [
        ("DEU", "paid")
    ]
    assert [(r["contributor"], r["share"], r["delivered_eur"])
            for r in rows(out, "attributions")] == [("DEU", "", "")]  # fmt: skip
    published = files_of(out)
    assert standalone("240").search(published["log/bundle.jsonl"]), "public payloads are kept"
    for path, content in published.items():
        for secret in SECRET_QUANTITIES:
            assert not standalone(secret).search(content), (path, secret)
    assert done.log_size == meta["ramstein"]["log_size"] == done.checkpoint_size
    assert done.signed and done.files == len(published)


def test_the_log_in_the_package_verifies_from_its_genesis_key(
    store: Store, coalition: Principals, tmp_path: Path
) -> None:
    build(store, coalition)
    out = tmp_path / "site"
    done = run(store, out)

    with (out / "log" / "bundle.jsonl").open() as fh:
        bundle = bundles.read_bundle(fh)
    genesis = (out / "log" / "genesis-key.txt").read_text().strip()
    assert genesis == f.HOST_A.signer.verifier_key()
    report = bundles.verify_bundle(bundle, pinned_key=genesis)
    assert report.size == done.log_size and report.redacted > 0
    with store.read() as conn:
        latest = log.latest_checkpoint(conn=conn)
    assert latest is not None
    assert (out / "log" / "checkpoint.txt").read_text() == latest.note
    assert report.root == latest.root
    index = (out / "index.html").read_text()
    assert latest.root.hex() in index and "ramstein log verify --bundle" in index

    sums = (out / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == done.files - 2  # every file but the index and the sums themselves
    for line in sums:
        digest, path = line.split("  ")
        assert hashlib.sha256((out / path).read_bytes()).hexdigest() == digest, path
        assert f'href="{path}"' in index or path == "datapackage.json"


def test_publishing_again_gives_the_same_bytes_and_signs_only_when_the_log_grew(
    store: Store, coalition: Principals, tmp_path: Path
) -> None:
    build(store, coalition)
    first = run(store, tmp_path / "a")
    again = run(store, tmp_path / "b")
    assert first.signed and not again.signed
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")

    f.announce(store, coalition.donor("POL"), quantity=55, label=f.PUBLIC, tranches=())
    later = run(store, tmp_path / "a")
    assert later.signed and later.log_size > first.log_size
    assert [r["donor"] for r in rows(tmp_path / "a", "pledges")] == ["DEU", f.FUND, "POL"]
    assert not list(tmp_path.glob(".a.*")), "no scratch folder is left behind"


def test_without_a_public_pledge_there_is_no_iati_file_but_a_valid_package(
    store: Store, coalition: Principals, tmp_path: Path
) -> None:
    f.announce(store, coalition.donor("GBR"), quantity=4321)
    out = tmp_path / "site"
    run(store, out)
    assert not (out / "data" / "iati-activities.xml").exists()
    assert rows(out, "pledges") == []
    report = frictionless.validate(out / "datapackage.json")
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "note"])


def test_a_folder_in_the_way_or_a_reader_who_is_not_chair_is_refused(
    store: Store, coalition: Principals, tmp_path: Path
) -> None:
    build(store, coalition)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(PublishRefused, match="not an earlier package"):
        run(store, busy)
    assert files_of(busy) == {"notes.txt": b"mine"}
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(PublishRefused, match="is a file"):
        run(store, a_file)
    with pytest.raises(NotPermitted):
        publish(
            store=store,
            actor=coalition.donor("DEU"),
            out=tmp_path / "site",
            group_name="Contact group",
            iati_ref="XM-TEST",
            license=CC_BY,
            host=f.HOST_A,
        )
    assert not (tmp_path / "site").exists()


def test_with_no_signed_checkpoint_and_no_host_key_nothing_is_published(
    store: Store, coalition: Principals, tmp_path: Path
) -> None:
    build(store, coalition)
    with pytest.raises(PublishRefused, match="no signed checkpoint"):
        run(store, tmp_path / "site", host=None)
    assert not (tmp_path / "site").exists()
