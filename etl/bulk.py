"""Fast inserts for the loader: ids handed out up front, rows as tuples, no per-row ORM work.

The loader holds the store's single writer lock for the whole file, so it can number new rows
itself and never read them back to learn their ids:

- SQLite: the next ids after the table's largest (no other writer can insert meanwhile; it is
  what SQLite itself would pick for an INTEGER PRIMARY KEY);
- PostgreSQL: a block of ``nextval`` from the column's own sequence (safe whatever else runs).

Rows then go in with one ``executemany`` of plain tuples (SQLite) or ``COPY`` (PostgreSQL), which
are the fastest paths each driver has.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence

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
    names = ", ".join(f'"{c}"' for c in columns)
    if connection.dialect.name == "postgresql":
        statement = f'COPY "{table.name}" ({names}) FROM STDIN'
        dbapi_error = connection.dialect.loaded_dbapi.Error
        cursor = connection.connection.cursor()
        try:
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except dbapi_error as exc:  # as SQLAlchemy's own calls would raise it (the loader's catch)
            raise DBAPIError.instance(statement, None, exc, dbapi_error) from exc
        finally:
            cursor.close()
        return
    if connection.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in columns)
    else:
        marks = ", ".join("%s" for _ in columns)
    connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)
