"""Every list as a table, and tables as CSV, XLSX or JSON.

The needs, pledges, pledge-years, deliveries and contributions tables have the columns of
their import layouts (`interchange.layouts`), so an exported file imports again unchanged; the
tranches, the attributions and the reference lists (participants, catalogue, areas) are for
reading. Cells are plain values: text, whole numbers,
decimals, dates or nothing; CSV writes decimals exactly and dates as ISO text, XLSX writes
numbers and dates as Excel numbers and dates (a decimal a float cannot hold exactly is written
as text), JSON writes decimals as strings.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ramstein.domain.deliveries import Delivery
from ramstein.domain.needs import Need
from ramstein.domain.pledges import Pledge
from ramstein.domain.releasability import Label
from ramstein.interchange.layouts import (
    CONTRIBUTION_COLUMNS,
    DELIVERY_COLUMNS,
    NEED_COLUMNS,
    PLEDGE_COLUMNS,
    PLEDGE_YEAR_COLUMNS,
)
from ramstein.interchange.records import Records

Value = str | int | Decimal | date | None


@dataclass(frozen=True, slots=True)
class Table:
    """A list as rows of plain values under named columns."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]


def _label(label: Label) -> tuple[str, str]:
    return label.level.value, " ".join(sorted(label.named))


def _years(years: Sequence[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def need_row(n: Need) -> dict[str, Value]:
    level, named = _label(n.label)
    return {
        "ref": n.external_ref,
        "id": n.id,
        "recipient": n.recipient,
        "item_type": n.item_type,
        "quantity": n.quantity,
        "priority": n.priority.value,
        "needed_by": n.needed_by,
        "raised_on": n.raised_on,
        "rationale": n.rationale,
        "status": n.status.value,
        "releasability": level,
        "releasable_to": named,
        "version": n.version,
    }


def pledge_row(p: Pledge) -> dict[str, Value]:
    level, named = _label(p.label)
    return {
        "ref": p.external_ref,
        "id": p.id,
        "donor": p.donor,
        "item_type": p.item_type,
        "quantity": p.quantity,
        "source": p.source.value,
        "value": p.value.amount if p.value else None,
        "currency": p.value.currency if p.value else None,
        "eur_rate": p.value.eur_rate if p.value else None,
        "value_eur": p.value.eur if p.value else None,
        "years": _years(p.years),
        "tranches": "; ".join(f"{t.quantity}@{t.expected_on.isoformat()}" for t in p.tranches),
        "meeting": p.meeting,
        "announced_on": p.announced_on,
        "status": p.status.value,
        "cancel_reason": p.cancel_reason,
        "releasability": level,
        "releasable_to": named,
        "delivered": p.delivered,
        "version": p.version,
    }


def delivery_row(d: Delivery, pledge_refs: Mapping[int, str | None]) -> dict[str, Value]:
    level, named = _label(d.label)
    return {
        "ref": d.external_ref,
        "id": d.id,
        "pledge_ref": pledge_refs.get(d.pledge_id),
        "pledge_id": d.pledge_id,
        "tranche": d.tranche,
        "quantity": d.quantity,
        "dispatched_on": d.dispatched_on,
        "note": d.note,
        "received_quantity": d.received_quantity,
        "received_on": d.received_on,
        "discrepancy": d.discrepancy,
        "donor": d.donor,
        "status": d.status.value,
        "releasability": level,
        "releasable_to": named,
        "version": d.version,
    }


def _table(name: str, columns: Sequence[str], rows: Sequence[Mapping[str, Value]]) -> Table:
    return Table(name, tuple(columns), tuple(tuple(r.get(c) for c in columns) for r in rows))


def _needs(r: Records) -> Table:
    rows = [need_row(n) for n in sorted(r.needs, key=lambda n: n.id)]
    return _table("needs", [c.name for c in NEED_COLUMNS], rows)


def _pledges(r: Records) -> Table:
    rows = [pledge_row(p) for p in sorted(r.pledges, key=lambda p: p.id)]
    return _table("pledges", [c.name for c in PLEDGE_COLUMNS], rows)


def _deliveries(r: Records) -> Table:
    refs = {p.id: p.external_ref for p in r.pledges}
    rows = [delivery_row(d, refs) for d in sorted(r.deliveries, key=lambda d: d.id)]
    return _table("deliveries", [c.name for c in DELIVERY_COLUMNS], rows)


def _tranches(r: Records) -> Table:
    rows = [
        {
            "pledge_id": p.id,
            "pledge_ref": p.external_ref,
            "donor": p.donor,
            "item_type": p.item_type,
            "tranche": t.number,
            "quantity": t.quantity,
            "expected_on": t.expected_on,
            "promised_on": t.promised_on,
            "delivered": t.delivered,
        }
        for p in sorted(r.pledges, key=lambda p: p.id)
        for t in p.tranches
    ]
    columns = ("pledge_id", "pledge_ref", "donor", "item_type", "tranche", "quantity")
    return _table("tranches", (*columns, "expected_on", "promised_on", "delivered"), rows)


def _pledge_years(r: Records) -> Table:
    """Each planned year of each pledge: its amount in EUR and how firm it is."""
    rows: list[dict[str, Value]] = []
    for p in sorted(r.pledges, key=lambda p: p.id):
        level, named = _label(p.label)
        rows += [
            {
                "pledge_ref": p.external_ref,
                "pledge_id": p.id,
                "donor": p.donor,
                "year": y.year,
                "amount_eur": y.amount_eur,
                "status": y.status.value,
                "releasability": level,
                "releasable_to": named,
            }
            for y in sorted(p.year_plans, key=lambda y: y.year)
        ]
    return _table("pledge-years", [c.name for c in PLEDGE_YEAR_COLUMNS], rows)


def _participants(r: Records) -> Table:
    rows = [
        {
            "code": p.code,
            "name": p.name,
            "kind": p.kind.value,
            "status": p.status.value,
            "joined_on": p.joined_on,
            "left_on": p.left_on,
            "gdp_eur_bn": p.gdp_eur_bn,
        }
        for p in sorted(r.participants.values(), key=lambda p: p.code)
    ]
    columns = ("code", "name", "kind", "status", "joined_on", "left_on", "gdp_eur_bn")
    return _table("participants", columns, rows)


def _catalogue(r: Records) -> Table:
    rows = [
        {
            "code": i.code,
            "name": i.name,
            "area": i.area,
            "area_name": r.areas[i.area].name if i.area in r.areas else None,
            "unit": i.unit,
            "unit_value_eur": i.unit_value_eur,
        }
        for i in sorted(r.items.values(), key=lambda i: i.code)
    ]
    return _table(
        "catalogue", ("code", "name", "area", "area_name", "unit", "unit_value_eur"), rows
    )


def _areas(r: Records) -> Table:
    rows = [
        {"code": a.code, "name": a.name, "description": a.description}
        for a in sorted(r.areas.values(), key=lambda a: a.code)
    ]
    return _table("areas", ("code", "name", "description"), rows)


def _contributions(r: Records) -> Table:
    rows: list[dict[str, Value]] = []
    for c in sorted(r.contributions, key=lambda c: c.id):
        level, named = _label(c.label)
        rows.append(
            {
                "id": c.id,
                "fund": c.fund,
                "contributor": c.contributor,
                "amount": c.value.amount,
                "currency": c.value.currency,
                "eur_rate": c.value.eur_rate,
                "value_eur": c.value.eur,
                "on": c.on,
                "status": c.status.value,
                "status_on": c.status_on,
                "reason": c.reason,
                "note": c.note,
                "releasability": level,
                "releasable_to": named,
                "version": c.version,
            }
        )
    return _table("contributions", [column.name for column in CONTRIBUTION_COLUMNS], rows)


def _attributions(r: Records) -> Table:
    """Each fund's contributors and what of its deliveries is attributed to each (empty
    cells where the attribution is withheld from the audience)."""
    rows = [
        {
            "fund": f.fund,
            "fund_name": f.name,
            "contributor": a.contributor,
            "name": a.name,
            "contributed_eur": a.contributed_eur,
            "paid_eur": a.paid_eur,
            "share": a.share,
            "fund_delivered_eur": f.delivered_eur,
            "delivered_eur": a.delivered_eur,
        }
        for f in sorted(r.funds, key=lambda f: f.fund)
        for a in f.attributions
    ]
    columns = ("fund", "fund_name", "contributor", "name", "contributed_eur", "paid_eur")
    return _table("attributions", (*columns, "share", "fund_delivered_eur", "delivered_eur"), rows)


LISTS: dict[str, Callable[[Records], Table]] = {
    "needs": _needs,
    "pledges": _pledges,
    "tranches": _tranches,
    "pledge-years": _pledge_years,
    "deliveries": _deliveries,
    "contributions": _contributions,
    "attributions": _attributions,
    "participants": _participants,
    "catalogue": _catalogue,
    "areas": _areas,
}
"""Every list an export can write, by name (also the sheet name in a workbook)."""


def table(name: str, records: Records) -> Table:
    return LISTS[name](records)


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(t: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(t.columns)
    writer.writerows([_text(v) for v in row] for row in t.rows)
    return out.getvalue()


def _cell(value: Value) -> object:
    if isinstance(value, Decimal):
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else str(value)
    return value


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """A workbook of one sheet per table (written streaming), header in bold and frozen."""
    book = openpyxl.Workbook(write_only=True)
    for t in tables:
        sheet = book.create_sheet(t.name)
        for index, column in enumerate(t.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(10, len(column) + 2)
        sheet.freeze_panes = "A2"
        header = []
        for column in t.columns:
            cell = WriteOnlyCell(sheet, value=column)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in t.rows:
            sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _plain(value: Value) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def as_json(t: Table, records: Records) -> dict[str, object]:
    """`{"meta": {...}, "<name>": [{column: value}, ...]}`; decimals as strings."""
    return {
        "meta": {
            "group": records.group_name,
            "audience": records.audience,
            "generated_at": records.generated_at.isoformat(),
            "log_size": records.log_size,
        },
        t.name: [{c: _plain(v) for c, v in zip(t.columns, row, strict=True)} for row in t.rows],
    }


def to_json(t: Table, records: Records) -> str:
    return json.dumps(as_json(t, records), indent=2, ensure_ascii=False) + "\n"
