"""Fast inserts for the loader: ids handed out up front, rows as tuples, no per-row ORM work.

The loader holds the store's single writer lock for the whole file, so it can number new rows
itself and never read them back to learn their ids:

- SQLite: the next ids after the table's largest (no other writer can insert meanwhile; it is
  what SQLite itself would pick for an INTEGER PRIMARY KEY);
- PostgreSQL: a block of ``nextval`` from the column's own sequence (safe whatever else runs).

Rows then go in as plain tuples, on SQLite in statements of many VALUES rows (the rest by one
``executemany``), on PostgreSQL by ``COPY``: the fastest paths each driver has.

A file's rows go to up to ten tables. On PostgreSQL every statement is a round trip to the server
(a ``COPY`` two: its start and its end), and on a busy machine each round trip waits for both
processes to be scheduled again: a national load spent most of its time waiting so, not working.
So a loader reserves the ids of all its tables in one statement (``reserve_id_blocks``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping, Sequence
from itertools import chain, repeat

import numpy as np
from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError


def reserve_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table`` (the caller holds the writer lock)."""
    if count <= 0:
        return []
    name = table.name
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence(%(table)s, 'id')) "
            "FROM generate_series(1, %(count)s)",
            {"table": f'"{name}"', "count": count},
        )
        return [r[0] for r in rows]
    start = connection.exec_driver_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{name}"').scalar()
    return list(range(start + 1, start + 1 + count))


def reserve_id_blocks(connection: Connection, counts: Mapping[Table, int]) -> dict[str, list[int]]:
    """``reserve_ids`` for several tables (table name -> its ids), in one statement on PostgreSQL."""
    wanted = {table: count for table, count in counts.items() if count > 0}
    blocks: dict[str, list[int]] = {table.name: [] for table in counts}
    if not wanted:
        return blocks
    if connection.dialect.name != "postgresql":
        blocks.update({t.name: reserve_ids(connection, t, n) for t, n in wanted.items()})
        return blocks
    params: dict[str, object] = {}
    arrays = []
    for index, (table, count) in enumerate(wanted.items()):
        params[f"t{index}"], params[f"n{index}"] = f'"{table.name}"', count
        arrays.append(f"ARRAY(SELECT nextval(pg_get_serial_sequence(%(t{index})s, 'id')) "
                      f"FROM generate_series(1, %(n{index})s))")  # fmt: skip
    row = connection.exec_driver_sql(f"SELECT {', '.join(arrays)}", params).one()
    blocks.update({table.name: list(ids) for table, ids in zip(wanted, row, strict=True)})
    return blocks


def commit_without_waiting(connection: Connection) -> None:
    """PostgreSQL: this transaction's commit returns before its WAL reaches the disk.

    For the files of a run: each waited for a disk flush (3-5 ms on a quiet disk, far more on a
    busy one), and a national run commits 1 600 times. A server crash may then lose the last
    fraction of a second of committed files, whole (never part of one: the store stays
    consistent); ``make_durable`` at the end of the run waits for all of them at once.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")


def make_durable(connection: Connection) -> None:
    """PostgreSQL: wait until every earlier commit is on disk (an id-holding transaction's
    commit waits for the WAL up to itself, which includes every commit before it)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT txid_current()")


Batch = tuple[Table, Sequence[str], list[tuple]]  # a table, its columns, rows in their order


def insert_tables(connection: Connection, batches: Sequence[Batch]) -> None:
    """``insert_rows`` of each batch with rows, in order (parents first).

    On PostgreSQL in COPY's binary form where every column's type allows it (``_binary_types``):
    the server takes each value as it is stored instead of parsing its text.
    """
    postgresql = connection.dialect.name == "postgresql"
    for table, columns, rows in batches:
        types = _binary_types(connection, table, columns) if postgresql and rows else None
        if types is None:
            insert_rows(connection, table, columns, rows)
        else:
            _copy(connection, table, columns, rows, types)


# Column types (as PostgreSQL's dialect names them) -> the type psycopg writes in binary COPY.
# The loader's values are already these Python types (str, int, float, bool, date); a column of
# any other type goes in COPY's text form.
_BINARY_TYPES = {
    "VARCHAR": "varchar", "TEXT": "text", "INTEGER": "int4", "BIGINT": "int8",
    "SMALLINT": "int2", "BOOLEAN": "bool", "DATE": "date", "FLOAT": "float8",
    "DOUBLE PRECISION": "float8", "TIMESTAMP WITHOUT TIME ZONE": "timestamp",
}  # fmt: skip


def _binary_types(connection: Connection, table: Table, columns: Sequence[str]) -> list[str] | None:
    names = []
    for column in columns:
        compiled = table.c[column].type.compile(dialect=connection.dialect).split("(")[0]
        name = _BINARY_TYPES.get(compiled)
        if name is None:
            return None
        names.append(name)
    return names


def _copy(connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple],
          types: list[str] | None = None) -> None:  # fmt: skip
    """COPY ``rows`` into ``table``: binary when ``types`` names every column's type, else text."""
    names = ", ".join(f'"{c}"' for c in columns)
    binary = " (FORMAT BINARY)" if types else ""
    statement = f'COPY "{table.name}" ({names}) FROM STDIN{binary}'
    dbapi_error = connection.dialect.loaded_dbapi.Error
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            if types:
                copy.set_types(types)
            for row in rows:
                copy.write_row(row)
    except dbapi_error as exc:  # as SQLAlchemy's own calls would raise it (the loader's catch)
        raise DBAPIError.instance(statement, None, exc, dbapi_error) from exc
    finally:
        cursor.close()


# Dates go to SQLite as ISO text, the form SQLAlchemy's Date type stores and reads back. As a
# driver adapter (C calls a C method per value) rather than a Python pass over every row; the
# same conversion Python's sqlite3 did by default (deprecated there since 3.12).
sqlite3.register_adapter(dt.date, dt.date.isoformat)


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple]
) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table`` in one go."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        _copy(connection, table, columns, rows)
        return
    if connection.dialect.name != "sqlite":
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("%s" for _ in columns)
        connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)
        return
    per_statement = _sqlite_rows_per_statement(connection, len(columns))
    whole = len(rows) - len(rows) % per_statement
    blocks = (
        tuple(chain.from_iterable(rows[start : start + per_statement]))
        for start in range(0, whole, per_statement)
    )
    _sqlite_insert(connection, table, columns, per_statement, blocks, rows[whole:])


def insert_columns(connection: Connection, table: Table, constants: Mapping[str, object],
                   columns: Mapping[str, list]) -> int:  # fmt: skip
    """Insert rows given column by column: ``constants`` (column -> the value of every row)
    then ``columns`` (column -> its values, all of one length); rows written.

    On SQLite each block's parameters are laid out by slice assignment, one per column, with no
    tuple per row: for the KPI mart's 1.7 M rows the tuples took a second of the eight.
    """
    values = list(columns.values())
    count = len(values[0]) if values else 0
    names = [*constants, *columns]
    if not count:
        return 0
    if connection.dialect.name != "sqlite":
        fixed = [repeat(v, count) for v in constants.values()]
        insert_rows(connection, table, names, list(zip(*fixed, *values, strict=True)))
        return count
    width = len(names)
    per_statement = _sqlite_rows_per_statement(connection, width)
    whole = count - count % per_statement

    def blocks():
        cells: list = [None] * (per_statement * width)
        for index, value in enumerate(constants.values()):
            cells[index::width] = [value] * per_statement
        for start in range(0, whole, per_statement):
            for index, column in enumerate(values, start=len(constants)):
                cells[index::width] = column[start : start + per_statement]
            yield tuple(cells)

    rest = [column[whole:] for column in values]
    left = list(zip(*(repeat(v, count - whole) for v in constants.values()), *rest, strict=True))
    _sqlite_insert(connection, table, names, per_statement, blocks(), left)
    return count


# SQLite: rows in blocks of many VALUES rows per statement. executemany runs the statement once
# per row (the driver binds, steps and resets each), which cost twice the time of blocks of 1 000
# for the KPI mart's 1.7 M rows. Blocks of one size only, so that each table has one such
# statement, prepared once; the few rows left over go through executemany.
SQLITE_BLOCK_ROWS = 1000


def _sqlite_rows_per_statement(connection: Connection, width: int) -> int:
    driver = connection.connection.driver_connection
    limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(SQLITE_BLOCK_ROWS, limit // max(1, width)))


def _sqlite_insert(connection: Connection, table: Table, columns: Sequence[str],
                   per_statement: int, blocks, left: list[tuple]) -> None:  # fmt: skip
    """Each of ``blocks`` (the flat parameters of ``per_statement`` rows) in one statement, then
    the rows ``left`` by executemany."""
    names = ", ".join(f'"{c}"' for c in columns)
    head = f'INSERT INTO "{table.name}" ({names}) VALUES '
    one = f"({', '.join('?' for _ in columns)})"
    statement = head + ", ".join([one] * per_statement)
    for block in blocks:
        connection.exec_driver_sql(statement, block)
    if left:
        connection.exec_driver_sql(head + one, left)


def python_floats(values) -> list[float | None]:
    """A column of numbers and None (compute_kpis' value, numerator, denominator) as Python
    floats and None, as ``[None if v is None else float(v) for v in values]`` gives them but
    converted by numpy at once: a national mart has 5 M such cells."""
    cells = np.asarray(values, dtype=object)
    floats = cells.astype("float64").astype(object)  # None -> NaN, put back below
    floats[np.equal(cells, None)] = None
    return floats.tolist()


SNAPSHOT_COLUMNS = ("as_of", "taken_at", "run_id", "scope_type", "scope_id", "metric", "value",
                    "numerator", "denominator")  # fmt: skip


def insert_snapshot(connection: Connection, frame, as_of: dt.date, taken_at: dt.datetime,
                    run_id: str | None) -> int:  # fmt: skip
    """metric_snapshot rows for ``frame`` (``compute_kpis``'s columns) in one go; rows written.

    The rows ``etl.kpi.snapshot.take_snapshot`` builds one dict at a time (a test pins
    the two), here from whole columns (``insert_columns``: blocks of VALUES rows on SQLite, COPY
    on PostgreSQL): a national snapshot has 430 000 rows, and a dict per row bound through
    SQLAlchemy took longer than computing the metrics.
    """
    from etl.models import MetricSnapshot

    table = MetricSnapshot.__table__
    dialect = connection.dialect
    constants = []
    for name, value in (("as_of", as_of), ("taken_at", taken_at)):
        # As SQLAlchemy binds it (SQLite keeps datetimes as text of its own format).
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        constants.append(processor(value) if processor else value)
    fixed = dict(zip(SNAPSHOT_COLUMNS[:3], (*constants, run_id), strict=True))
    cells = {name: frame[name].tolist() for name in ("scope_type", "scope_id", "metric")}
    cells |= {name: python_floats(frame[name]) for name in ("value", "numerator", "denominator")}
    return insert_columns(connection, table, fixed, cells)
