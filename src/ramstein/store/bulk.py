"""Inserting many rows of one table at once, straight through the database driver.

For an `executemany`, SQLAlchemy builds and type-converts every row's parameters in Python
(`construct_params` and the bind processors, per row and per column), which costs several
times what the driver itself spends on the wide, hot inserts of a large import: the log's
entries and tree nodes and the pledge projections (`bench/interchange.py`). `insert_many`
compiles the INSERT once per dialect, table and column list, converts only the columns whose
type asks for it, with the type's own bind processor, so every value is stored exactly as
SQLAlchemy stores it, and hands the rows to the driver's `executemany` in the driver's own
parameter style.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect


@dataclass(frozen=True, slots=True)
class _Plan:
    sql: str
    keys: tuple[str, ...]
    """The parameters in the order the statement takes them."""
    positional: bool
    convert: tuple[tuple[int, Callable[[Any], Any]], ...]
    """(position in `keys`, bind processor) of each column whose type converts its values."""

    def parameters(self, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
        pick = itemgetter(*self.keys)
        if len(self.keys) == 1:
            picked: list[tuple[Any, ...]] = [(pick(row),) for row in rows]
        else:
            picked = list(map(pick, rows))
        if self.convert:
            converted = []
            for values in picked:
                changed = list(values)
                for index, process in self.convert:
                    changed[index] = process(changed[index])
                converted.append(tuple(changed))
            picked = converted
        if self.positional:
            return picked
        return [dict(zip(self.keys, values, strict=True)) for values in picked]


_PLANS: dict[tuple[type[Dialect], str, sa.Table, tuple[str, ...]], _Plan] = {}


def _plan(dialect: Dialect, table: sa.Table, columns: tuple[str, ...]) -> _Plan:
    key = (type(dialect), dialect.paramstyle, table, columns)
    found = _PLANS.get(key)
    if found is None:
        compiled = table.insert().compile(dialect=dialect, column_keys=list(columns))
        keys = tuple(
            compiled.positiontup if compiled.positional else compiled.bind_names.values()  # type: ignore[arg-type]
        )
        if sorted(keys) != sorted(columns):
            raise ValueError(f"cannot insert {columns} into {table.name} in one statement")
        convert = []
        for index, name in enumerate(keys):
            process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                convert.append((index, process))
        found = _PLANS[key] = _Plan(str(compiled), keys, compiled.positional, tuple(convert))
    return found


def insert_many(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (mappings of column name to value, all with the same columns) into
    `table` with one `executemany` of the driver; the same rows as `conn.execute(
    table.insert(), rows)` would write."""
    if not rows:
        return
    plan = _plan(conn.dialect, table, tuple(rows[0]))
    conn.exec_driver_sql(plan.sql, plan.parameters(rows))
