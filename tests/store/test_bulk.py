"""`store.bulk.insert_many` writes exactly the rows SQLAlchemy's own insert writes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from ramstein.store.bulk import insert_many
from ramstein.store.engine import Store
from ramstein.store.types import ExactDecimal

metadata = sa.MetaData()
sample = sa.Table(
    "bulk_sample",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("on", sa.Date, nullable=True),  # a reserved word, quoted
    sa.Column("amount", ExactDecimal, nullable=True),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("flag", sa.Boolean, nullable=True),
)
with_default = sa.Table(
    "bulk_default",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(8), nullable=False, default="plain"),
)

ROWS: list[dict[str, Any]] = [
    {"id": 1, "on": date(2027, 3, 31), "amount": Decimal("1250000.25"), "note": "é 😀 \"q\"",
     "flag": True},
    {"id": 2, "on": None, "amount": None, "note": "", "flag": None},
    {"id": 2**40, "on": date(1, 1, 1), "amount": Decimal("-0.00000001"), "note": "100%",
     "flag": False},
]  # fmt: skip


def _read(conn: sa.Connection, table: sa.Table) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(sa.select(table).order_by(table.c.id))]


@pytest.fixture
def tables(store: Store) -> Store:
    metadata.create_all(store.engine)
    return store


@pytest.mark.parametrize("count", [1, 3])
def test_the_rows_read_back_as_sqlalchemys_insert_writes_them(tables: Store, count: int) -> None:
    rows = ROWS[:count]
    with tables.engine.begin() as conn:
        insert_many(conn, sample, rows)
        mine = _read(conn, sample)
        raw_mine = conn.exec_driver_sql("SELECT * FROM bulk_sample ORDER BY id").all()
        conn.execute(sample.delete())
        conn.execute(sample.insert(), rows)
        assert mine == _read(conn, sample)
        # Stored alike, not only read back alike: the same values in the database itself.
        assert raw_mine == conn.exec_driver_sql("SELECT * FROM bulk_sample ORDER BY id").all()
    assert mine[0][1:3] == (date(2027, 3, 31), Decimal("1250000.25"))


def test_a_single_column_and_no_rows(tables: Store) -> None:
    with tables.engine.begin() as conn:
        insert_many(conn, with_default, [])
        insert_many(conn, sample, [])
        assert _read(conn, sample) == []
        single = sa.Table("bulk_sample", sa.MetaData(), sa.Column("id", sa.BigInteger))
        with pytest.raises(sa.exc.IntegrityError):  # note is required: the database says so
            insert_many(conn, single, [{"id": 5}])


def test_columns_it_cannot_write_in_one_statement_are_refused(tables: Store) -> None:
    with tables.engine.begin() as conn, pytest.raises(ValueError, match="bulk_default"):
        insert_many(conn, with_default, [{"id": 1}])  # `kind` has a default in Python


def test_a_row_that_breaks_a_constraint_fails_the_whole_insert(tables: Store) -> None:
    with tables.engine.connect() as conn:
        with pytest.raises(sa.exc.IntegrityError), conn.begin():
            insert_many(conn, sample, [ROWS[0], ROWS[0]])
        assert _read(conn, sample) == []
