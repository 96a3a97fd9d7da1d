"""ETL speed: load_paths against bare baselines.

- CSV: ``load_paths`` of a generated CSV set into a fresh store, in a subprocess (so its peak RSS
  is the load's own), against a bare baseline that reads the same CSV files with the csv module
  and inserts every row with ``sqlite3.executemany`` in one transaction (no validation, no keys).
- xlsx: ``load_paths`` of generated workbooks against a bare python-calamine read of every sheet
  of the same workbooks.

``python -m benchmarks.etl_bench load --url URL --src DIR`` is the subprocess entry point; it
prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import sqlite3
import sys
import time
from pathlib import Path

from benchmarks.common import (
    AS_OF,
    children_peak_rss_mb,
    load_average,
    load_targets,
    peak_rss_mb,
    run_module_for_json,
)

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- store set-up


def reset_sqlite(path: Path) -> str:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def reset_pg_database(admin_url: str, database: str) -> str:
    """Drop and create ``database`` on the server of ``admin_url``; the URL of the new one."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return make_url(admin_url).set(database=database).render_as_string(hide_password=False)


def drop_pg_database(admin_url: str, database: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    admin.dispose()


# --------------------------------------------------------------------------- the measured load


def load_store(url: str, src: Path, *, migrate_first: bool = True) -> dict:
    """Migrate the store at ``url`` and load everything in ``src``; figures as a dict."""
    from etl.db import make_engine, migrate
    from etl.load import ACCEPTED, load_paths

    engine = make_engine(url)
    if migrate_first:
        migrate(engine)
    start = time.perf_counter()
    result = load_paths(engine, load_targets(src), today=AS_OF)
    seconds = time.perf_counter() - start
    engine.dispose()
    accepted = [f for f in result.files if f.outcome == ACCEPTED]
    rejected = [f for f in result.files if f.outcome != ACCEPTED]
    rows = sum(f.rows_total for f in accepted)
    return {
        "files": len(result.files),
        "accepted": len(accepted),
        "not_accepted": [
            (f.file_name, f.outcome, [i.describe() for i in f.issues[:2]]) for f in rejected
        ][:5],  # fmt: skip
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds) if seconds else None,
        # The loader's peak plus its read-ahead worker's: both peaks may fall together.
        "peak_rss_mb": round(peak_rss_mb() + children_peak_rss_mb(), 1),
        "peak_rss_loader_mb": peak_rss_mb(),
        "peak_rss_worker_mb": children_peak_rss_mb(),
        "steps_seconds": result.seconds,  # where the time went (RunResult.seconds)
    }


def loaded_figures(url: str) -> dict:
    """ETL figures of a store loaded earlier, from its own load rows (no peak memory)."""
    from sqlalchemy import text

    from etl.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        files, rows, first, last = conn.execute(text(
            "SELECT COUNT(*), SUM(rows_total), MIN(started_at), MAX(finished_at) FROM load "
            "WHERE outcome = 'accepted'")).one()  # fmt: skip
    engine.dispose()
    seconds = (last - first).total_seconds() if first and last else None
    return {"files": files, "accepted": files, "rows": rows,
            "seconds": seconds, "rows_per_s": round(rows / seconds) if seconds else None,
            "peak_rss_mb": None, "from_load_rows": True}  # fmt: skip


def load_in_subprocess(url: str, src: Path, timeout: float = 7200) -> dict:
    """``load_store`` in a fresh interpreter: its ru_maxrss is the load's peak, nothing else's."""
    figures, seconds = run_module_for_json(
        ["benchmarks.etl_bench", "load", "--url", url, "--src", str(src)], timeout
    )
    figures["wall_seconds_with_start"] = round(seconds, 2)
    return figures


# --------------------------------------------------------------------------- bare baselines


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    from etl.reader import decode_csv, sniff_delimiter

    text = decode_csv(path.read_bytes())
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)))
    return records[0], [r for r in records[1:] if any(v.strip() for v in r)]


def bare_sqlite_baseline(src: Path, db_path: Path) -> dict:
    """Read every data CSV of ``src`` and insert its rows with sqlite3.executemany, one transaction.

    The cover sheets (``*.uppgifter.csv``: key/value pairs, not rows) are left out, as the ETL
    does not count them either. One TEXT table per sheet kind; no validation, no foreign keys.
    """
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    created: dict[str, int] = {}
    rows = 0
    read_seconds = insert_seconds = 0.0
    start = time.perf_counter()
    conn.execute("BEGIN")
    for path in sorted(src.rglob("*.csv")):
        slug = path.stem.rpartition(".")[2].casefold()
        if slug == "uppgifter":
            continue
        t0 = time.perf_counter()
        header, records = _csv_rows(path)
        t1 = time.perf_counter()
        width = created.get(slug)
        if width is None or width < len(header):
            if width is not None:
                conn.execute(f'DROP TABLE "{slug}"')  # cannot happen for generated sets
            width = len(header)
            columns = ", ".join(f"c{i} TEXT" for i in range(width))
            conn.execute(f'CREATE TABLE "{slug}" (id INTEGER PRIMARY KEY, {columns})')
            created[slug] = width
        marks = ", ".join("?" for _ in range(width))
        names = ", ".join(f"c{i}" for i in range(width))
        padded = [(r + [""] * width)[:width] for r in records]
        conn.executemany(f'INSERT INTO "{slug}" ({names}) VALUES ({marks})', padded)
        insert_seconds += time.perf_counter() - t1
        read_seconds += t1 - t0
        rows += len(records)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - start
    conn.close()
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds) if seconds else None,
        "read_seconds": round(read_seconds, 2),
        "insert_seconds": round(insert_seconds, 2),
        "insert_only_rows_per_s": round(rows / insert_seconds) if insert_seconds else None,
    }


def bare_calamine_read(src: Path) -> dict:
    """Read every sheet of every workbook in ``src`` with python-calamine (values only)."""
    from python_calamine import CalamineWorkbook

    cells = rows = 0
    start = time.perf_counter()
    for path in sorted(src.glob("*.xlsx")):
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            grid = workbook.get_sheet_by_name(name).to_python()
            rows += len(grid)
            cells += sum(len(r) for r in grid)
    seconds = time.perf_counter() - start
    return {"rows": rows, "cells": cells, "seconds": round(seconds, 3)}


# --------------------------------------------------------------------------- the section


def csv_section(src: Path, work: Path) -> dict:
    """National (or quick) CSV set: load_paths into SQLite vs the bare executemany baseline."""
    load_before = load_average()
    store_path = work / "etl_sqlite.db"
    etl = load_in_subprocess(reset_sqlite(store_path), src)
    baseline = bare_sqlite_baseline(src, work / "etl_baseline.db")
    ratio = etl["rows_per_s"] / baseline["rows_per_s"] if baseline["rows_per_s"] else None
    return {
        "etl": etl,
        "baseline_bare_sqlite3": baseline,
        "ratio_of_baseline": round(ratio, 3) if ratio is not None else None,
        "target": ">= 0.5 of baseline rows/s",
        "met": ratio is not None and ratio >= 0.5,
        "store": str(store_path),
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }


def xlsx_section(src: Path, work: Path) -> dict:
    """Workbooks: load_paths into a fresh SQLite store vs a bare calamine read of the same files."""
    load_before = load_average()
    bare = bare_calamine_read(src)
    etl = load_in_subprocess(reset_sqlite(work / "etl_xlsx.db"), src)
    ratio = etl["seconds"] / bare["seconds"] if bare["seconds"] else None
    return {
        "workbooks": len(list(src.glob("*.xlsx"))),
        "etl": etl,
        "baseline_bare_calamine": bare,
        "times_baseline": round(ratio, 2) if ratio is not None else None,
        "target": "<= 1.5 x bare calamine read",
        "met": ratio is not None and ratio <= 1.5,
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["load"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--src", required=True, type=Path)
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    figures = load_store(args.url, args.src, migrate_first=not args.no_migrate)
    sys.stdout.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
