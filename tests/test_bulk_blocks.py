"""Rows written in blocks of VALUES rows (SQLite) or COPY: every row stored in order, whatever
the block size; the mart's numbers converted to floats exactly as cell by cell."""

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import SQLAlchemyError

from etl import bulk, models


def _stored(engine):
    table = models.KpiMart.__table__
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(
            table.c.as_of, table.c.scope_type, table.c.scope_id, table.c.metric,
            table.c.value, table.c.numerator, table.c.denominator,
        ).order_by(table.c.id))]  # fmt: skip


@pytest.mark.parametrize("count", [0, 1, 3, 7, 9])
def test_columns_go_in_whole_blocks_and_the_rest_in_order(engine, monkeypatch, count):
    monkeypatch.setattr(bulk, "SQLITE_BLOCK_ROWS", 3)
    day = dt.date(2026, 6, 30)
    codes = [f"U{i:02d}" for i in range(count)]
    values = [None if i % 3 == 0 else i / 4 for i in range(count)]
    with engine.begin() as conn:
        written = bulk.insert_columns(
            conn, models.KpiMart.__table__, {"as_of": day, "scope_type": "unit"},
            {"scope_id": codes, "metric": ["assets"] * count, "value": values,
             "numerator": list(range(count)), "denominator": [None] * count},
        )  # fmt: skip
    assert written == count
    assert _stored(engine) == [
        (day, "unit", code, "assets", value, float(i), None)
        for i, (code, value) in enumerate(zip(codes, values, strict=True))
    ]


def test_sqlite_binds_a_block_of_rows_per_statement(tmp_path, monkeypatch):
    from etl.db import make_engine, migrate

    monkeypatch.setattr(bulk, "SQLITE_BLOCK_ROWS", 3)
    store = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(store)
    table = models.Municipality.__table__
    calls = []
    rows = [(f"{1800 + i}", f"M{i}") for i in range(8)]
    with store.begin() as conn:
        event.listen(conn, "before_cursor_execute",
                     lambda *a: calls.append((a[2].count("?"), a[5])))  # fmt: skip
        bulk.insert_rows(conn, table, ["code", "name"], rows)
    # Two statements of three rows each, the last two rows by executemany (one call before).
    assert calls == [(6, False), (6, False), (2, True)]
    with store.connect() as conn:
        assert conn.execute(select(table.c.code, table.c.name).order_by(table.c.id)).all() == rows
    store.dispose()


def test_a_bad_row_in_a_block_surfaces_as_a_sqlalchemy_error(engine, monkeypatch):
    monkeypatch.setattr(bulk, "SQLITE_BLOCK_ROWS", 2)
    table = models.Municipality.__table__
    with pytest.raises(SQLAlchemyError), engine.begin() as conn:
        bulk.insert_rows(conn, table, ["code", "name"], [("1882", "A"), ("1882", "B")])


def test_python_floats_are_the_cell_by_cell_conversion():
    cells = [3, None, 0.1, float("nan"), True, np.int64(7), np.float64(2.5), 2**60 + 1]
    expected = [None if v is None else float(v) for v in cells]
    got = bulk.python_floats(cells)
    assert [type(v) for v in got] == [type(v) for v in expected]
    assert [repr(v) for v in got] == [repr(v) for v in expected]
    assert bulk.python_floats([]) == []
