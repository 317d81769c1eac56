"""Rendering results: Rich tables for people, JSON for machines (stdout, nothing else)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from operator import attrgetter
from pathlib import PurePath
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ramstein.domain.pledges import Money
from ramstein.domain.releasability import Label


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a table (or a row of a key/value table): its header and how to read it."""

    header: str
    get: Callable[[Any], object]
    justify: str = "left"


def col(header: str, attribute: str, *, right: bool = False) -> Column:
    """A column that shows one attribute."""
    return Column(header, attrgetter(attribute), "right" if right else "left")


def console(*, stderr: bool = False) -> Console:
    """A console bound to the current stdout (or stderr), without syntax highlighting."""
    return Console(stderr=stderr, highlight=False)


# --- JSON ---------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """`value` as JSON data: dataclasses as objects, decimals as strings, dates in ISO."""
    if isinstance(value, Label):
        return {"level": value.level.value, "named": sorted(value.named)}
    if isinstance(value, Money):
        return {
            "amount": str(value.amount),
            "currency": value.currency,
            "eur_rate": str(value.eur_rate),
            "eur": str(value.eur),
        }
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal | PurePath):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    if isinstance(value, Iterable):
        return [plain(v) for v in value]
    raise TypeError(f"cannot render {type(value).__name__} as JSON")


def print_json(value: Any) -> None:
    typer.echo(json.dumps(plain(value), indent=2, ensure_ascii=False))


# --- tables -------------------------------------------------------------------------------


def label_text(label: Label) -> str:
    """A releasability label as people read it: 'restricted (DEU, POL)'."""
    if label.named:
        return f"{label.level.value} ({', '.join(sorted(label.named))})"
    return label.level.value


def cell(value: object) -> Text:
    """One cell as literal text (never Rich markup: record text is data)."""
    if value is None:
        return Text("–", style="dim")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, Label):
        return Text(label_text(value))
    if isinstance(value, Money):
        return Text(f"{value.amount:,} {value.currency}")
    if isinstance(value, Enum):
        return Text(str(value.value))
    if isinstance(value, Decimal):
        return Text(f"{value:,}")
    if isinstance(value, datetime):
        return Text(value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    if isinstance(value, date):
        return Text(value.isoformat())
    if isinstance(value, set | frozenset):
        return Text(", ".join(sorted(str(v) for v in value)))
    if isinstance(value, list | tuple):
        return Text(", ".join(str(v) for v in value))
    return Text(str(value))


def table(title: str, columns: Sequence[Column], items: Iterable[Any]) -> Table:
    out = Table(title=title, title_justify="left")
    for c in columns:
        out.add_column(c.header, justify=c.justify)  # type: ignore[arg-type]
    for item in items:
        out.add_row(*(cell(c.get(item)) for c in columns))
    return out


def print_table(title: str, columns: Sequence[Column], items: Sequence[Any], empty: str) -> None:
    if not items:
        console().print(Text(empty))
        return
    console().print(table(title, columns, items))


def print_record(
    title: str,
    fields: Sequence[Column],
    record: Any,
    children: Sequence[tuple[str, Sequence[Column], Sequence[Any]]] = (),
) -> None:
    """A record as a key/value table, then one table per kind of child record."""
    out = Table(title=title, title_justify="left", show_header=False)
    out.add_column("field", style="bold")
    out.add_column("value")
    for f in fields:
        out.add_row(Text(f.header), cell(f.get(record)))
    con = console()
    con.print(out)
    for child_title, columns, items in children:
        if items:
            con.print(table(child_title, columns, items))
        else:
            con.print(Text(f"{child_title}: none."))


def record(item: Any, *, as_json: bool, render: Callable[[Any], None]) -> None:
    """The answer of a `show` command: JSON for machines, `render` for people."""
    if as_json:
        print_json(item)
    else:
        render(item)


def listing(
    items: Sequence[Any], columns: Sequence[Column], *, as_json: bool, title: str, empty: str
) -> None:
    """The answer of a `list` command."""
    if as_json:
        print_json(items)
    else:
        print_table(f"{title} ({len(items)})", columns, items, empty)


def done(message: str) -> None:
    """Confirm a change in one line."""
    console().print(Text(message, style="green"))
