"""One command for every benchmark: ``python -m benchmarks.run [--quick] [--pg-url URL] [--out F]``.

Full run: the national CSV set (290 municipalities, as of 2026-11-28) is generated once into the
work folder, loaded into a fresh SQLite store and a fresh PostgreSQL database ``infosak_bench``
(dropped at the end), and measured: ETL against bare baselines, every page callback against bare
SQL, payload, memory, every page's first visit in headless Chromium (``browser``) and a bounded
load test. ``--quick`` does the same on the four Sydnärke
municipalities with few repetitions (the smoke test); ``--only`` reruns some sections and merges
them into the existing JSON. Figures are wall-clock on a shared machine: every section records
the load average beside them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import platform
import sys
import time
from pathlib import Path

from benchmarks.common import (
    AS_OF,
    DEFAULT_PG_URL,
    DEFAULT_WORK_DIR,
    NATIONAL_MUNICIPALITIES,
    PG_BENCH_DATABASE,
    QUICK_MUNICIPALITIES,
    ensure_dataset,
    load_average,
    split_into_set_folders,
    write_json,
)
from benchmarks.table import markdown_table, print_table

log = logging.getLogger("benchmarks")

SECTIONS = (
    "etl_csv",
    "etl_upload",
    "etl_xlsx",
    "etl_pg",
    "queries_sqlite",
    "postgresql",
    "payload",
    "memory",
    "load_test",
    "browser",
)
# ``--only etl``: every target of the ETL (national CSV into SQLite and PostgreSQL, workbooks,
# one upload into the national store, the national load's memory).
GROUPS = {"etl": ("etl_csv", "etl_upload", "etl_xlsx", "etl_pg")}
XLSX_MUNICIPALITIES = 29  # the workbook target: `infosak generate --municipalities 29`
PG_ETL_DATABASE = "infosak_etl_bench"  # dropped after the etl_pg section
# The sections that read the national SQLite store loaded by etl_csv.
SQLITE_STORE_SECTIONS = {"queries_sqlite", "payload", "memory", "load_test", "browser"}
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _section(results: dict, name: str, function) -> None:
    """Run one section; a failure is recorded in the JSON rather than ending the run."""
    log.warning("section %s …", name)
    start = time.perf_counter()
    try:
        results[name] = function()
    except Exception as exc:  # the other sections still run; the error is in the report
        log.exception("section %s failed", name)
        results[name] = {"error": f"{type(exc).__name__}: {exc}"[:2000], "met": False}
    results[name]["taken_at"] = dt.datetime.now().isoformat(timespec="seconds")
    # Which code was measured: set by whoever runs an exported tree (no .git there).
    results[name]["commit"] = os.environ.get("INFOSAK_BENCH_COMMIT") or _git_head()
    results[name]["section_seconds"] = round(time.perf_counter() - start, 1)
    log.warning("section %s done in %.0f s", name, results[name]["section_seconds"])


def _git_head() -> str | None:
    import subprocess

    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent, check=False)  # fmt: skip
    return done.stdout.strip() or None


def run(args, previous: dict | None = None) -> dict:
    from benchmarks import etl_bench, memory_bench, query_bench
    from benchmarks.browser_pages import browser_section
    from benchmarks.load_test import load_test_section
    from etl.db import make_engine, migrate

    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    municipalities = QUICK_MUNICIPALITIES if args.quick else NATIONAL_MUNICIPALITIES
    label = "quick" if args.quick else "national"
    flat = ensure_dataset(work / f"{label}_csv", municipalities, "csv")
    sets = split_into_set_folders(flat, work / f"{label}_sets")
    xlsx_count = QUICK_MUNICIPALITIES if args.quick else XLSX_MUNICIPALITIES
    xlsx = ensure_dataset(work / f"m{xlsx_count}_xlsx", xlsx_count, "xlsx")
    store_path = work / "etl_sqlite.db"
    sqlite_url = f"sqlite:///{store_path}"
    runs = args.runs or (2 if args.quick else 20)
    cold_runs = args.cold_runs or (1 if args.quick else 5)
    wanted = {s for name in (args.only or SECTIONS) for s in GROUPS.get(name, (name,))}
    results: dict = {}

    if "etl_csv" in wanted:
        # The flat folder, as `infosak load national_csv/` gets it (etl.sources lists it once).
        _section(
            results,
            "etl_csv",
            lambda: etl_bench.csv_section(flat, work, 1 if args.quick else etl_bench.CSV_ROUNDS),
        )
    elif wanted & SQLITE_STORE_SECTIONS and not store_path.exists():
        raise SystemExit(f"{store_path} is missing: run the etl_csv section first")
    if wanted & SQLITE_STORE_SECTIONS:
        migrate(make_engine(sqlite_url))  # indices of newer migrations on a store loaded earlier

    if "etl_upload" in wanted:
        _section(results, "etl_upload",
                 lambda: etl_bench.upload_section(flat, store_path, work))  # fmt: skip

    if "etl_xlsx" in wanted:
        _section(
            results,
            "etl_xlsx",
            lambda: etl_bench.xlsx_section(xlsx, work, 1 if args.quick else etl_bench.XLSX_ROUNDS),
        )

    if "etl_pg" in wanted:
        pg_url = args.pg_url or (None if args.quick else DEFAULT_PG_URL)
        if pg_url is None:
            results["etl_pg"] = {"skipped": "no --pg-url given in quick mode", "met": None}
        else:
            _section(results, "etl_pg",
                     lambda: etl_bench.pg_section(pg_url, sets, PG_ETL_DATABASE))  # fmt: skip

    if "queries_sqlite" in wanted:
        _section(results, "queries_sqlite",
                 lambda: query_bench.query_section(make_engine(sqlite_url), runs, cold_runs))  # fmt: skip

    if "postgresql" in wanted:
        pg_url = args.pg_url or (None if args.quick else DEFAULT_PG_URL)
        if pg_url is None:
            results["postgresql"] = {"skipped": "no --pg-url given in quick mode", "met": None}
        else:
            _section(results, "postgresql",
                         lambda: _postgresql(pg_url, sets, runs, cold_runs, args, previous))  # fmt: skip

    worker = None
    if wanted & {"payload", "memory"}:
        worker_holder: dict = {}
        _section(results, "payload", lambda: _payload(sqlite_url, worker_holder))
        worker = worker_holder.get("worker")
    if "memory" in wanted:
        # The national load's own peak, from this run or the last one that loaded it.
        etl_figures = (results.get("etl_csv") or (previous or {}).get("etl_csv") or {}).get("etl")
        if worker is None:
            results["memory"] = {"error": "the worker subprocess did not finish", "met": False}
        else:
            _section(results, "memory", lambda: memory_bench.memory_section(etl_figures, worker))

    if "browser" in wanted:
        # Before the load test: its concurrent ETL changes the store, and each user here gets a
        # server started fresh after the load.
        _section(results, "browser", lambda: browser_section(
            sqlite_url, work, workers=args.workers or (1 if args.quick else None)))  # fmt: skip

    if "load_test" in wanted:
        _section(results, "load_test", lambda: load_test_section(
            sqlite_url, sets, work, users=args.users or (5 if args.quick else 50),
            think_s=(0.5, 1.5) if args.quick else (10.0, 30.0),
            ramp_s=2.0 if args.quick else 60.0,
            steady_s=args.load_seconds or (10.0 if args.quick else 300.0),
            workers=args.workers or (2 if args.quick else 4), etl_sets=2 if args.quick else 120,
            as_of=AS_OF.isoformat()))  # fmt: skip
    return results


def _payload(sqlite_url: str, holder: dict) -> dict:
    from benchmarks import memory_bench

    worker = memory_bench.worker_in_subprocess(sqlite_url)
    holder["worker"] = worker
    payload = worker["payload"]
    return {**payload, "met": all(p.get("met") for p in payload.values())}


def _postgresql(pg_url: str, sets: Path, runs: int, cold_runs: int, args, previous) -> dict:
    from sqlalchemy.engine import make_url

    from benchmarks import etl_bench, query_bench
    from etl.db import make_engine, migrate

    if args.pg_reuse:
        # The store loaded by an earlier run (kept with --keep-pg, or left by an interrupted one).
        url = make_url(pg_url).set(database=PG_BENCH_DATABASE).render_as_string(False)
    else:
        url = etl_bench.reset_pg_database(pg_url, PG_BENCH_DATABASE)
    try:
        if args.pg_reuse:
            etl = etl_bench.loaded_figures(url)
            measured = ((previous or {}).get("postgresql") or {}).get("etl") or {}
            if measured.get("rows") == etl["rows"] and not measured.get("from_load_rows"):
                # The same load, measured when it ran (with its peak memory): keep those figures.
                etl = {**measured, "reused_by_later_run": True}
        else:
            etl = etl_bench.load_in_subprocess(url, sets)
        engine = make_engine(url)
        if args.pg_reuse:
            migrate(engine)  # indices of migrations newer than the load
        queries = query_bench.query_section(engine, runs, cold_runs)
        engine.dispose()
    finally:
        if not args.keep_pg:
            etl_bench.drop_pg_database(pg_url, PG_BENCH_DATABASE)
    return {"database": PG_BENCH_DATABASE, "dropped": not args.keep_pg, "etl": etl,
            "queries": queries, "met": queries["met"]}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Sydnärke only, few repetitions")
    parser.add_argument("--pg-url", help=f"PostgreSQL server (default {DEFAULT_PG_URL})")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "latest.json")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK_DIR)
    parser.add_argument("--only", nargs="+", choices=(*SECTIONS, *GROUPS))
    parser.add_argument("--runs", type=int, help="timed runs per callback (default 20)")
    parser.add_argument("--cold-runs", type=int,
                        help="timed cold runs per callback, caches emptied (default 5)")  # fmt: skip
    parser.add_argument("--users", type=int, help="simulated users of the load test")
    parser.add_argument("--load-seconds", type=float,
                        help="steady state of the load test after the ramp (default 300)")  # fmt: skip
    parser.add_argument("--workers", type=int, help="gunicorn workers of the load test")
    parser.add_argument("--keep-pg", action="store_true", help="keep infosak_bench afterwards")
    parser.add_argument("--pg-reuse", action="store_true",
                        help="measure the infosak_bench database already loaded")  # fmt: skip
    parser.add_argument("--markdown", type=Path, help="print the table of --out as Markdown "
                        "into this file and stop (runs nothing)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.markdown:
        args.markdown.write_text(markdown_table(json.loads(args.out.read_text("utf-8"))), "utf-8")
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    if args.quick and args.work == DEFAULT_WORK_DIR:
        args.work = DEFAULT_WORK_DIR / "quick"
    started = dt.datetime.now()
    load_before = load_average()
    previous = {}
    if args.only and args.out.exists():
        previous = json.loads(args.out.read_text("utf-8"))
    results = run(args, previous)
    merged = {**previous, **results}
    merged["meta"] = {
        **previous.get("meta", {}),
        "mode": "quick" if args.quick else "national",
        "as_of": AS_OF.isoformat(),
        "last_run_started": started.isoformat(timespec="seconds"),
        "last_run_sections": sorted(results),
        "last_run_seconds": round((dt.datetime.now() - started).total_seconds(), 1),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
    write_json(args.out, merged)
    print_table(merged)
    return 0


if __name__ == "__main__":
    sys.exit(main())
