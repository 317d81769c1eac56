"""Needs, pledges and deliveries as HXL-tagged CSV: `hxl_csv(kind, records)`.

The Humanitarian Exchange Language (HXL 1.1) adds a row of hashtags under a CSV's header so
that tools can tell what each column holds without knowing its name. A file has three parts:
a header row of human-readable column names, the hashtag row, then one row per record the
viewer may see, in id order. Numbers are plain decimal text (never a float or an exponent):
money to the cent (`1234567.89`), rates as recorded; dates ISO 8601; an empty cell is a value
not known.

Tags are from the HXL 1.1 dictionary: `#org` with `+funder` (the donor) and `+impl` (the
recipient, who carries the aid out; the same role as in the IATI file), `+name` and `+code`;
`#item` (physical things provided) with `+name`, `+code` and `+unit`; `#sector` (the
capability area); `#output +num` for quantities of items (with `+needed`, `+pledged`,
`+delivered`, `+dispatched`, `+received`); `#value` for money, `+eur` in EUR and `+original`
in the pledge's `#currency` (HXL says #currency applies to the row's #value cells; `+eur`
marks the one that is always EUR), `#value +rate` for EUR per unit of that currency;
`#modality` for where the support comes from (stocks, procurement, funding, training,
logistics); `#status`;
`#date` with `+reported` (announced or raised), `+start` and `+end` (the years a pledge
covers), `+due` (needed by), `+dispatched` and `+received`; `#description` for free text;
`#meta +id` for Ramstein's id, `#meta +ref` for the sender's own reference and
`#meta +releasability` (`+named` for the participants a restricted record names).

HXL 1.1 has no hashtag for a need's priority; following its convention for what the
dictionary lacks, the column is tagged with the extension hashtag `#x_priority`.

A delivery's `#value +eur` is its share of the pledge's EUR value (`interchange.shares`, the
same figure as the IATI disbursement and the paid flow).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ramstein.domain.errors import InvalidValue
from ramstein.domain.needs import Need
from ramstein.domain.pledges import CENT, Pledge
from ramstein.domain.releasability import Label
from ramstein.interchange.records import Records
from ramstein.interchange.shares import by_pledge, delivered_values

Cell = str | int | Decimal | date | None


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its human-readable header and its HXL hashtag."""

    header: str
    tag: str


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _cents(value: Decimal | None) -> Decimal | None:
    """Money to the cent (amounts have at most two places, so nothing is rounded)."""
    return value.quantize(CENT) if value is not None else None


def _name(records: Records, code: str) -> str:
    participant = records.participants.get(code)
    return participant.name if participant is not None else ""


def _item(records: Records, code: str) -> tuple[str, str, str, str]:
    """Item name, unit, area code and area name (empty where not known)."""
    item = records.items.get(code)
    area = records.area_of(code)
    return (
        item.name if item is not None else "",
        item.unit if item is not None else "",
        area.code if area is not None else "",
        area.name if area is not None else "",
    )


def _label(label: Label) -> tuple[str, str]:
    return label.level.value, " ".join(sorted(label.named))


NEED_COLUMNS = (
    Column("Need id", "#meta+id"),
    Column("Ref", "#meta+ref"),
    Column("Recipient", "#org+impl+name"),
    Column("Recipient code", "#org+impl+code"),
    Column("Item", "#item+name"),
    Column("Item type", "#item+code"),
    Column("Unit", "#item+unit"),
    Column("Capability area", "#sector+name"),
    Column("Area code", "#sector+code"),
    Column("Quantity", "#output+num+needed"),
    Column("Priority", "#x_priority"),
    Column("Needed by", "#date+due"),
    Column("Raised on", "#date+reported"),
    Column("Status", "#status"),
    Column("Rationale", "#description"),
    Column("Releasability", "#meta+releasability"),
    Column("Releasable to", "#meta+releasability+named"),
)


def _need_row(n: Need, records: Records) -> tuple[Cell, ...]:
    item, unit, area_code, area = _item(records, n.item_type)
    level, named = _label(n.label)
    return (
        n.id,
        n.external_ref,
        _name(records, n.recipient),
        n.recipient,
        item,
        n.item_type,
        unit,
        area,
        area_code,
        n.quantity,
        n.priority.value,
        n.needed_by,
        n.raised_on,
        n.status.value,
        n.rationale,
        level,
        named,
    )


PLEDGE_COLUMNS = (
    Column("Pledge id", "#meta+id"),
    Column("Ref", "#meta+ref"),
    Column("Donor", "#org+funder+name"),
    Column("Donor code", "#org+funder+code"),
    Column("Item", "#item+name"),
    Column("Item type", "#item+code"),
    Column("Unit", "#item+unit"),
    Column("Capability area", "#sector+name"),
    Column("Area code", "#sector+code"),
    Column("Quantity", "#output+num+pledged"),
    Column("Delivered", "#output+num+delivered"),
    Column("Value (EUR)", "#value+eur"),
    Column("Value", "#value+original"),
    Column("Currency", "#currency"),
    Column("EUR rate", "#value+rate"),
    Column("Source", "#modality"),
    Column("First year", "#date+start"),
    Column("Last year", "#date+end"),
    Column("Announced on", "#date+reported"),
    Column("Status", "#status"),
    Column("Releasability", "#meta+releasability"),
    Column("Releasable to", "#meta+releasability+named"),
)


def _pledge_row(p: Pledge, records: Records) -> tuple[Cell, ...]:
    item, unit, area_code, area = _item(records, p.item_type)
    level, named = _label(p.label)
    value = p.value
    return (
        p.id,
        p.external_ref,
        _name(records, p.donor),
        p.donor,
        item,
        p.item_type,
        unit,
        area,
        area_code,
        p.quantity,
        p.delivered,
        _cents(value.eur) if value is not None else None,
        _cents(value.amount) if value is not None else None,
        value.currency if value is not None else None,
        value.eur_rate if value is not None else None,
        p.source.value,
        str(p.years[0]),
        str(p.years[-1]),
        p.announced_on,
        p.status.value,
        level,
        named,
    )


DELIVERY_COLUMNS = (
    Column("Delivery id", "#meta+id"),
    Column("Ref", "#meta+ref"),
    Column("Pledge id", "#meta+id+pledge"),
    Column("Tranche", "#meta+tranche"),
    Column("Donor", "#org+funder+name"),
    Column("Donor code", "#org+funder+code"),
    Column("Recipient", "#org+impl+name"),
    Column("Recipient code", "#org+impl+code"),
    Column("Item", "#item+name"),
    Column("Item type", "#item+code"),
    Column("Unit", "#item+unit"),
    Column("Capability area", "#sector+name"),
    Column("Area code", "#sector+code"),
    Column("Quantity", "#output+num+dispatched"),
    Column("Dispatched on", "#date+dispatched"),
    Column("Received", "#output+num+received"),
    Column("Received on", "#date+received"),
    Column("Status", "#status"),
    Column("Value (EUR)", "#value+eur"),
    Column("Discrepancy", "#description+discrepancy"),
    Column("Note", "#description"),
    Column("Releasability", "#meta+releasability"),
    Column("Releasable to", "#meta+releasability+named"),
)


def _delivery_rows(records: Records) -> list[tuple[Cell, ...]]:
    pledges = {p.id: p for p in records.pledges}
    values: dict[int, Decimal] = {}
    for pledge_id, ds in by_pledge(records.deliveries).items():
        if pledge_id in pledges:
            values |= {i: eur for i, (eur, _) in delivered_values(pledges[pledge_id], ds).items()}
    recipient = records.recipient
    rows: list[tuple[Cell, ...]] = []
    for d in sorted(records.deliveries, key=lambda d: d.id):
        pledge = pledges.get(d.pledge_id)
        item_type = pledge.item_type if pledge is not None else ""
        item, unit, area_code, area = _item(records, item_type)
        level, named = _label(d.label)
        rows.append(
            (
                d.id,
                d.external_ref,
                d.pledge_id,
                d.tranche,
                _name(records, d.donor),
                d.donor,
                recipient.name if recipient is not None else None,
                recipient.code if recipient is not None else None,
                item,
                item_type,
                unit,
                area,
                area_code,
                d.quantity,
                d.dispatched_on,
                d.received_quantity,
                d.received_on,
                d.status.value,
                _cents(values.get(d.id)),
                d.discrepancy,
                d.note,
                level,
                named,
            )
        )
    return rows


KINDS: tuple[str, ...] = ("needs", "pledges", "deliveries")
"""The lists an HXL file is written for."""


def _table(kind: str, records: Records) -> tuple[Sequence[Column], list[tuple[Cell, ...]]]:
    if kind == "needs":
        return NEED_COLUMNS, [_need_row(n, records) for n in sorted(records.needs, key=_id)]
    if kind == "pledges":
        return PLEDGE_COLUMNS, [_pledge_row(p, records) for p in sorted(records.pledges, key=_id)]
    if kind == "deliveries":
        return DELIVERY_COLUMNS, _delivery_rows(records)
    raise InvalidValue("kind", f"HXL is written for {', '.join(KINDS)}, not for {kind!r}.")


def _id(record: Need | Pledge) -> int:
    return record.id


def hxl_csv(kind: str, records: Records) -> str:
    """The `kind` list (needs, pledges or deliveries) of `records` as HXL-tagged CSV text."""
    columns, rows = _table(kind, records)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    writer.writerow([c.tag for c in columns])
    writer.writerows([_text(v) for v in row] for row in rows)
    return out.getvalue()
