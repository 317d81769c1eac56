"""An open-data package of the public records: a Frictionless Data Package and its HTML index.

`package(records, log, ...)` lays out every file of the package as (path, bytes), ready for
any static web host:

- `data/<list>.csv` for every list (`writers.LISTS`), each a Frictionless *tabular data
  resource* with a Table Schema: a field per column, its type (from the values written:
  `integer`, `number`, `date`, `string`, or `any` for a column with no value), the column's
  meaning where the import layout gives one, the primary key, and foreign keys to the
  reference lists (participants, catalogue, areas), so a validator checks every row;
- `data/<list>.json`, the same rows in Ramstein's JSON export;
- `data/<list>-hxl.csv`, HXL-tagged CSV of needs, pledges and deliveries;
- `data/iati-activities.xml` (IATI 2.03; left out when there is no public pledge, since an
  IATI file needs one activity) and `data/flows.json` (OCHA FTS's flow shape);
- `log/bundle.jsonl`, the public bundle of the log (every entry's leaf; the payloads of
  public entries only), `log/checkpoint.txt`, the latest signed checkpoint note with its
  cosignatures, and `log/genesis-key.txt`, the verifier key of the log's first host, which
  `ramstein log verify --bundle log/bundle.jsonl --key log/genesis-key.txt` pins;
- `datapackage.json`, which describes each of those files (path, format, media type, bytes
  and `sha256:` hash) and the package (its title, license, sources cited, the log position and
  checkpoint it was made at, under `ramstein`); `SHA256SUMS` for `sha256sum -c`; and
  `index.html`, a page listing it all with how to verify it.

The records given are already those the public may see (`services.publish` gathers them);
this module only writes them. The same records and log give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ramstein.interchange import hxl, writers
from ramstein.interchange.files import FLOWS, IATI, WHOLE, Format, export
from ramstein.interchange.layouts import LAYOUTS
from ramstein.interchange.records import Records

DATAPACKAGE = "datapackage.json"
INDEX = "index.html"
CHECKSUMS = "SHA256SUMS"
BUNDLE = "log/bundle.jsonl"
CHECKPOINT = "log/checkpoint.txt"
GENESIS_KEY = "log/genesis-key.txt"


@dataclass(frozen=True, slots=True)
class License:
    name: str
    title: str
    path: str


LICENSES = {
    lic.name: lic
    for lic in (
        License(
            "CC-BY-4.0",
            "Creative Commons Attribution 4.0",
            "https://creativecommons.org/licenses/by/4.0/",
        ),
        License(
            "CC0-1.0",
            "Creative Commons CC0 1.0 Universal",
            "https://creativecommons.org/publicdomain/zero/1.0/",
        ),
        License(
            "ODC-BY-1.0",
            "Open Data Commons Attribution License 1.0",
            "https://opendatacommons.org/licenses/by/1-0/",
        ),
        License(
            "ODbL-1.0",
            "Open Data Commons Open Database License 1.0",
            "https://opendatacommons.org/licenses/odbl/1-0/",
        ),
    )
}
"""The licenses a package may carry, by their SPDX identifier."""


@dataclass(frozen=True, slots=True)
class PublicLog:
    """The log as the public receives it: its bundle, latest checkpoint and genesis key."""

    bundle: str
    entries: int
    redacted: int
    checkpoint_size: int
    checkpoint_root: str
    checkpoint_note: str
    signing_key: str
    """The verifier key of the host that signed the checkpoint."""
    genesis_key: str


@dataclass(frozen=True, slots=True)
class Citation:
    title: str
    citation: str


@dataclass(frozen=True, slots=True)
class PackageFile:
    name: str
    """The resource's name in the package (a list's CSV has the list's name)."""
    path: str
    content: bytes
    title: str
    description: str
    format: str
    media_type: str
    rows: int | None = None
    schema: dict[str, Any] | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "needs": ("id",),
    "pledges": ("id",),
    "tranches": ("pledge_id", "tranche"),
    "pledge-years": ("pledge_id", "year"),
    "deliveries": ("id",),
    "contributions": ("id",),
    "attributions": ("fund", "contributor"),
    "participants": ("code",),
    "catalogue": ("code",),
    "areas": ("code",),
}
FOREIGN_KEYS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "needs": (("recipient", "participants", "code"), ("item_type", "catalogue", "code")),
    "pledges": (("donor", "participants", "code"), ("item_type", "catalogue", "code")),
    "tranches": (("pledge_id", "pledges", "id"), ("donor", "participants", "code")),
    "pledge-years": (("pledge_id", "pledges", "id"), ("donor", "participants", "code")),
    "deliveries": (("pledge_id", "pledges", "id"), ("donor", "participants", "code")),
    "contributions": (("fund", "participants", "code"), ("contributor", "participants", "code")),
    "attributions": (("fund", "participants", "code"),),
    "catalogue": (("area", "areas", "code"),),
}
"""(column, list, its column) each list's values must be found in: public records refer only
to reference data and to public pledges (a delivery is labelled as its pledge). An
attribution's contributor may be `withheld` (the contributions of 3 or more donors the
audience may not see), so it has no key of its own."""


def _field_type(values: Sequence[writers.Value]) -> str:
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return "any"
    if kinds <= {int}:
        return "integer"
    if kinds <= {int, Decimal}:
        return "number"
    if kinds <= {date}:
        return "date"
    return "string"


def table_schema(t: writers.Table) -> dict[str, Any]:
    """The Table Schema of a list as written: a field per column, typed by its values."""
    meanings = {c.name: c.meaning for c in LAYOUTS[t.name].columns} if t.name in LAYOUTS else {}
    fields = []
    for index, column in enumerate(t.columns):
        field: dict[str, Any] = {
            "name": column,
            "type": _field_type([row[index] for row in t.rows]),
        }
        if column in meanings:
            field["description"] = meanings[column]
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    schema["primaryKey"] = list(PRIMARY_KEYS[t.name])
    foreign = [
        {"fields": column, "reference": {"resource": target, "fields": key}}
        for column, target, key in FOREIGN_KEYS.get(t.name, ())
        if column in t.columns
    ]
    if foreign:
        schema["foreignKeys"] = foreign
    return schema


def _data_files(records: Records, iati_ref: str) -> list[PackageFile]:
    found: list[PackageFile] = []
    for name in writers.LISTS:
        t = writers.table(name, records)
        title = name.capitalize()
        found.append(
            PackageFile(
                name,
                f"data/{name}.csv",
                writers.to_csv(t).encode(),
                title,
                f"The public {name}, one row each, as CSV.",
                "csv",
                "text/csv",
                len(t.rows),
                table_schema(t),
            )
        )
        found.append(
            PackageFile(
                f"{name}-json",
                f"data/{name}.json",
                writers.to_json(t, records).encode(),
                f"{title} (JSON)",
                f"The public {name} as JSON: the export's meta and a list of rows (decimals "
                "as strings).",
                "json",
                "application/json",
                len(t.rows),
            )
        )
    for name in hxl.KINDS:
        tagged = export(name, records, Format.HXL)
        found.append(
            PackageFile(
                f"{name}-hxl",
                f"data/{name}-hxl.csv",
                tagged.content,
                f"{name.capitalize()} (HXL)",
                f"The public {name} as CSV with a second row of HXL hashtags.",
                "csv",
                "text/csv",
                tagged.rows,
            )
        )
    if records.pledges:
        iati = export(IATI, records, WHOLE[IATI], iati_ref=iati_ref)
        found.append(
            PackageFile(
                "iati-activities",
                "data/iati-activities.xml",
                iati.content,
                "IATI activities",
                "The public pledges as IATI 2.03 activities: pledge and commitment "
                "transactions, a budget per year, each delivery an in-kind disbursement.",
                "xml",
                "application/xml",
                iati.rows,
            )
        )
    flows = export(FLOWS, records, WHOLE[FLOWS])
    found.append(
        PackageFile(
            "flows",
            "data/flows.json",
            flows.content,
            "Flows",
            "The public pledges and deliveries as flows in the shape of OCHA FTS's flow API: "
            "status pledge, commitment or paid, with source and destination objects.",
            "json",
            "application/json",
            flows.rows,
        )
    )
    return found


def _log_files(log: PublicLog) -> list[PackageFile]:
    return [
        PackageFile(
            "log-bundle",
            BUNDLE,
            log.bundle.encode(),
            "The log (public bundle)",
            "Every entry of the signed, hash-linked log: its leaf, and the payload of public "
            f"entries ({log.redacted} of {log.entries} are redacted to their digests); the "
            "signed checkpoints and the witness policy.",
            "ramstein-log-bundle",
            "application/jsonl",
            log.entries,
        ),
        PackageFile(
            "log-checkpoint",
            CHECKPOINT,
            log.checkpoint_note.encode(),
            "The latest checkpoint",
            f"The host's signed checkpoint (C2SP tlog-checkpoint) of the log's first "
            f"{log.checkpoint_size} entries, with its witnesses' cosignatures.",
            "c2sp-tlog-checkpoint",
            "text/plain",
        ),
        PackageFile(
            "log-genesis-key",
            GENESIS_KEY,
            (log.genesis_key + "\n").encode(),
            "The genesis key",
            "The verifier key of the log's first host: verification starts from it and "
            "follows each handover to the key that signed the checkpoint.",
            "c2sp-vkey",
            "text/plain",
        ),
    ]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "ramstein"


def descriptor(
    records: Records,
    log: PublicLog,
    resources: Sequence[PackageFile],
    *,
    license: License,
    sources: Sequence[Citation],
) -> dict[str, Any]:
    """The `datapackage.json` of `resources` (Frictionless Data Package, profile
    `data-package`: its resources are tables and other files)."""
    items = []
    for f in resources:
        item: dict[str, Any] = {
            "name": f.name,
            "path": f.path,
            "title": f.title,
            "description": f.description,
            "format": f.format,
            "mediatype": f.media_type,
            "encoding": "utf-8",
            "bytes": len(f.content),
            "hash": f"sha256:{f.sha256}",
        }
        if f.schema is not None:
            item["profile"] = "tabular-data-resource"
            item["schema"] = f.schema
        elif f.format == "json":
            item["type"] = "json"  # a JSON document, not a table (nor a resource descriptor)
        items.append(item)
    return {
        "profile": "data-package",
        "name": _slug(records.group_name),
        "title": f"{records.group_name}: public records",
        "description": (
            f"The records of {records.group_name} labelled public, as of log entry "
            f"{records.log_size}, derived from its signed log by Ramstein and never edited; "
            "the log's public bundle and latest checkpoint let anyone verify them."
        ),
        "version": f"1.0.{records.log_size}",
        "created": records.generated_at.isoformat(),
        "licenses": [{"name": license.name, "title": license.title, "path": license.path}],
        "sources": [{"title": s.title, "description": s.citation} for s in sources],
        "ramstein": {
            "audience": records.audience,
            "log_size": records.log_size,
            "checkpoint": {
                "size": log.checkpoint_size,
                "root": log.checkpoint_root,
                "signing_key": log.signing_key,
                "path": CHECKPOINT,
            },
        },
        "resources": items,
    }


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("ramstein.interchange", "templates"),
        autoescape=select_autoescape(default_for_string=True, default=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def package(
    records: Records,
    log: PublicLog,
    *,
    license: License,
    sources: Sequence[Citation] = (),
    iati_ref: str,
) -> list[tuple[str, bytes]]:
    """Every file of the package, as (path relative to its folder, bytes)."""
    resources = [*_data_files(records, iati_ref), *_log_files(log)]
    meta = descriptor(records, log, resources, license=license, sources=sources)
    datapackage = (json.dumps(meta, indent=2, ensure_ascii=False) + "\n").encode()
    checksums = "".join(f"{f.sha256}  {f.path}\n" for f in resources)
    checksums += f"{hashlib.sha256(datapackage).hexdigest()}  {DATAPACKAGE}\n"
    index = (
        _environment()
        .get_template("publication.html.j2")
        .render(
            records=records,
            log=log,
            meta=meta,
            resources=[(f, _size(len(f.content))) for f in resources],
            license=license,
            sources=sources,
            files={"bundle": BUNDLE, "key": GENESIS_KEY, "sums": CHECKSUMS},
        )
    )
    return [
        *((f.path, f.content) for f in resources),
        (DATAPACKAGE, datapackage),
        (CHECKSUMS, checksums.encode()),
        (INDEX, index.encode()),
    ]
