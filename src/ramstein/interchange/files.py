"""An export or a template as a file: its name, media type and bytes, in the format asked.

One place decides what each format holds, for the CLI, the API and the web pages alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ramstein.domain.errors import InvalidValue
from ramstein.interchange import hxl, writers
from ramstein.interchange.flows import flows_json
from ramstein.interchange.iati import iati_activities
from ramstein.interchange.layouts import LAYOUTS
from ramstein.interchange.records import Records
from ramstein.interchange.templates import template_csv, template_xlsx


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"
    HXL = "hxl"
    XML = "xml"


MEDIA_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.JSON: "application/json",
    Format.HXL: "text/csv; charset=utf-8",
    Format.XML: "application/xml",
}
WORKBOOK = "workbook"
"""The export of every list in one workbook, a sheet each."""
IATI = "iati"
"""The pledges and deliveries as one IATI 2.03 activity file."""
FLOWS = "flows"
"""The pledges and deliveries as flows in the shape of OCHA FTS's flow API."""
WHOLE: dict[str, Format] = {WORKBOOK: Format.XLSX, IATI: Format.XML, FLOWS: Format.JSON}
"""The exports of all records in one file, each in its one format."""


@dataclass(frozen=True, slots=True)
class File:
    name: str
    media_type: str
    content: bytes
    rows: int

    @property
    def binary(self) -> bool:
        return self.media_type == MEDIA_TYPES[Format.XLSX]


def _file(stem: str, fmt: Format, content: str | bytes, rows: int) -> File:
    suffix = {Format.HXL: "-hxl.csv", Format.XML: ".xml"}.get(fmt, f".{fmt.value}")
    data = content.encode("utf-8") if isinstance(content, str) else content
    return File(stem + suffix, MEDIA_TYPES[fmt], data, rows)


def export(name: str, records: Records, fmt: Format, *, iati_ref: str = "") -> File:
    """List `name` of `records` (or one of the `WHOLE` exports) as a file in `fmt`.

    `iati_ref` is the group's IATI organisation identifier, which the IATI file needs."""
    if name in WHOLE:
        return _whole(name, records, fmt, iati_ref)
    if name not in writers.LISTS:
        raise InvalidValue("list", f"There is no list {name!r} to export.")
    if fmt is Format.XML:
        raise InvalidValue("format", "XML is written for the iati export, not for a list.")
    t = writers.table(name, records)
    if fmt is Format.HXL:
        if name not in hxl.KINDS:
            raise InvalidValue("format", f"HXL is written for {', '.join(hxl.KINDS)}.")
        return _file(name, fmt, hxl.hxl_csv(name, records), len(t.rows))
    if fmt is Format.XLSX:
        return _file(name, fmt, writers.to_xlsx([t]), len(t.rows))
    if fmt is Format.JSON:
        return _file(name, fmt, writers.to_json(t, records), len(t.rows))
    return _file(name, fmt, writers.to_csv(t), len(t.rows))


def _whole(name: str, records: Records, fmt: Format, iati_ref: str) -> File:
    if fmt is not WHOLE[name]:
        raise InvalidValue("format", f"The {name} export is a {WHOLE[name].value} file only.")
    if name == IATI:
        if not iati_ref:
            raise InvalidValue("iati_ref", "An IATI file needs the group's IATI organisation id.")
        xml = iati_activities(
            records, reporting_org_ref=iati_ref, reporting_org_name=records.group_name
        )
        return _file("ramstein-iati", fmt, xml, len(records.pledges))
    if name == FLOWS:
        found = flows_json(records)
        text = json.dumps(found, indent=2, ensure_ascii=False) + "\n"
        return _file("ramstein-flows", fmt, text, len(found["data"]["flows"]))
    tables = [writers.table(n, records) for n in writers.LISTS]
    return _file("ramstein", fmt, writers.to_xlsx(tables), sum(len(t.rows) for t in tables))


def template(kind: str, fmt: Format, codes: Mapping[str, Sequence[str]]) -> File:
    """The blank import file of `kind` (xlsx with notes and drop-downs, or csv)."""
    if kind not in LAYOUTS:
        raise InvalidValue("kind", f"Templates are for {', '.join(LAYOUTS)}, not {kind!r}.")
    if fmt is Format.CSV:
        return _file(kind, fmt, template_csv(LAYOUTS[kind]), 0)
    if fmt is Format.XLSX:
        return _file(kind, fmt, template_xlsx(LAYOUTS[kind], codes=codes), 0)
    raise InvalidValue("format", "A template is xlsx or csv.")
