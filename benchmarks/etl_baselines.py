"""Bare baselines for the ETL: the same rows into the same tables, with nothing else done.

The loader's work ends as rows in the store's tables. A baseline for it takes exactly those rows
(read back from the store the loader filled, timed apart and left out) and inserts them into a
fresh store of the same schema in one transaction, with the fastest call each driver has:

- SQLite: ``sqlite3.executemany`` of plain tuples, on a connection with the store's own PRAGMAs,
  once with every index the schema declares and once with only the primary keys;
- PostgreSQL: ``COPY ... FROM STDIN`` of the rows in COPY's text form (read with ``COPY ... TO
  STDOUT`` from the loaded database), with every index and constraint in place.

No parsing, no validation, no lookups, no KPI computation: the ratio says what the loader's own
work costs on top of writing its rows. ``source.current_load_id`` is left empty (source and load
point at each other; the loader sets it with an UPDATE after inserting the load row), which
favours the baseline slightly.
"""

from __future__ import annotations

import time

from etl.indexes import OWNER_TABLES

# What a load writes (organisation, lineage and owners' rows) in an order that satisfies every
# foreign key. Not the KPI tables, the snapshot, accounts or audit rows.
LOADED_TABLES = (
    "municipality", "provider", "maturity_area", "setting", "administration",
    "governance_object", "governance_participant", "source", "unit", "role_assignment", "load",
    *OWNER_TABLES,
)  # fmt: skip
# Columns a baseline leaves empty (see the module docstring).
LEFT_EMPTY = {("source", "current_load_id")}


def _columns(connection, table: str) -> list[str]:
    from sqlalchemy import inspect

    return [c["name"] for c in inspect(connection).get_columns(table)]


def store_rows(url: str) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every row the load wrote: table -> (columns, rows as tuples), in LOADED_TABLES order."""
    from etl.db import make_engine

    engine = make_engine(url)
    out: dict[str, tuple[list[str], list[tuple]]] = {}
    with engine.connect() as conn:
        for table in LOADED_TABLES:
            columns = [c for c in _columns(conn, table) if (table, c) not in LEFT_EMPTY]
            names = ", ".join(f'"{c}"' for c in columns)
            rows = [tuple(r) for r in conn.exec_driver_sql(f'SELECT {names} FROM "{table}"')]
            out[table] = (columns, rows)
    engine.dispose()
    return out


def _drop_secondary_indexes(url: str) -> int:
    """Drop every index but the primary keys' of LOADED_TABLES (SQLite); how many."""
    from etl.db import make_engine

    engine = make_engine(url)
    dropped = 0
    with engine.begin() as conn:
        for table in LOADED_TABLES:
            names = [r[0] for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                "AND sql IS NOT NULL", (table,))]  # fmt: skip
            for name in names:
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
                dropped += 1
    engine.dispose()
    return dropped


def sqlite_executemany(rows: dict, url: str, *, indexes: bool) -> dict:
    """Insert ``rows`` (``store_rows``) into the fresh, migrated SQLite store at ``url``."""
    from etl.db import make_engine

    dropped = 0 if indexes else _drop_secondary_indexes(url)
    engine = make_engine(url)
    raw = engine.raw_connection()  # the store's PRAGMAs (etl.db), the driver's own calls
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA defer_foreign_keys=ON")  # checked once, at the commit
        cpu = time.process_time()
        start = time.perf_counter()
        for table, (columns, values) in rows.items():
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values)
        raw.commit()
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
    finally:
        raw.close()
        engine.dispose()
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "indexes": indexes, "secondary_indexes_dropped": dropped,
            "store_rows": sum(len(v) for _c, v in rows.values())}  # fmt: skip


def pg_copy_text(source_url: str) -> dict[str, tuple[list[str], bytes]]:
    """Every row the load wrote, as COPY's text form per table (read from ``source_url``)."""
    import psycopg
    from sqlalchemy.engine import make_url

    out = {}
    with psycopg.connect(_libpq(make_url(source_url))) as conn, conn.cursor() as cur:
        for table in LOADED_TABLES:
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                        "AND table_schema = current_schema() ORDER BY ordinal_position", (table,))  # fmt: skip
            columns = [r[0] for r in cur.fetchall() if (table, r[0]) not in LEFT_EMPTY]
            names = ", ".join(f'"{c}"' for c in columns)
            chunks = []
            with cur.copy(f'COPY "{table}" ({names}) TO STDOUT') as copy:
                for chunk in copy:
                    chunks.append(bytes(chunk))
            out[table] = (columns, b"".join(chunks))
    return out


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def server_cpu_seconds(pids: list[int]) -> float | None:
    """CPU seconds the PostgreSQL server processes ``pids`` have used so far (user + system).

    Only for a server on this machine (from /proc); None otherwise. On a machine shared with
    other work the wall clock of a load mostly measures the neighbours; this does not.
    """
    import os

    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / tick
    return round(total, 2)


def database_backends(connection) -> list[int]:
    """The server processes of every open connection to ``connection``'s database."""
    return [r[0] for r in connection.exec_driver_sql(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")]  # fmt: skip


def pg_copy(data: dict[str, tuple[list[str], bytes]], target_url: str) -> dict:
    """``COPY FROM STDIN`` of ``data`` into the fresh, migrated database at ``target_url``."""
    import psycopg
    from sqlalchemy.engine import make_url

    with psycopg.connect(_libpq(make_url(target_url))) as conn, conn.cursor() as cur:
        backend = conn.info.backend_pid
        server_before = server_cpu_seconds([backend])
        start = time.perf_counter()
        for table, (columns, payload) in data.items():
            names = ", ".join(f'"{c}"' for c in columns)
            with cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                step = 1 << 20
                for offset in range(0, len(payload), step):
                    copy.write(payload[offset : offset + step])
        conn.commit()
        seconds = time.perf_counter() - start
        server_after = server_cpu_seconds([backend])
    server = (round(server_after - server_before, 2)
              if server_before is not None and server_after is not None else None)  # fmt: skip
    return {"seconds": round(seconds, 2), "bytes": sum(len(p) for _c, p in data.values()),
            "server_cpu_seconds": server}  # fmt: skip
