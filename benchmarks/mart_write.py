"""How long the KPI step's writes take on a store: the mart's rows (``mart.insert_frame`` for the
four dates), the coverage gaps (``coverage_gaps.write``) and the snapshot copied from the mart
(``mart_update.snapshot_from_mart``), as after a first national load.

``python -m benchmarks.mart_write URL [--day YYYY-MM-DD] [--runs N]``. The four dates' numbers
are computed once (compute_kpis, a minute nationally), then each run writes them in one
transaction that is rolled back: the store is left as it was, but use a copy all the same.
Prints wall and CPU seconds of each step and the load average beside each run (SQLite: with
the page cache a load writes with).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

from sqlalchemy.orm import Session

from etl.db import SQLITE_WRITE_CACHE_KIB, make_engine
from etl.kpi import coverage_gaps, mart, mart_update
from etl.kpi.compute import compute_kpis
from etl.kpi.viewer import SYSTEM
from etl.models import MetricSnapshot


def _timed(step, laps: dict[str, tuple[float, float]], name: str) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    laps[name] = (time.perf_counter() - wall, time.process_time() - cpu)


def run_once(engine, day: dt.date, frames) -> dict[str, tuple[float, float]]:
    laps: dict[str, tuple[float, float]] = {}
    with Session(engine) as session:
        session.begin()
        connection = session.connection()
        if engine.dialect.name == "sqlite":  # as a load writes
            connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_WRITE_CACHE_KIB}")
        connection.exec_driver_sql("DELETE FROM kpi_mart_date")
        connection.exec_driver_sql("DELETE FROM kpi_mart")
        connection.execute(MetricSnapshot.__table__.delete().where(MetricSnapshot.as_of == day))

        def insert():
            for as_of, frame in sorted(frames.items()):
                mart.insert_frame(connection, as_of, frame)

        _timed(insert, laps, "kpi_mart insert_frame")
        _timed(lambda: coverage_gaps.write(connection, frames), laps, "coverage_gaps.write")
        taken_at = dt.datetime.combine(day, dt.time(12))
        _timed(lambda: mart_update.snapshot_from_mart(connection, day, taken_at, "benchmark"),
               laps, "snapshot_from_mart")  # fmt: skip
        session.rollback()
    return laps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--day", type=dt.date.fromisoformat, default=dt.date.today())
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    engine = make_engine(args.url)
    with Session(engine) as session:
        frames = {d: compute_kpis(session, d, SYSTEM) for d in mart.mart_dates(args.day)}
    print(f"{sum(map(len, frames.values()))} mart rows for {sorted(map(str, frames))}")
    for run in range(1, args.runs + 1):
        before = os.getloadavg()[0]
        laps = run_once(engine, args.day, frames)
        total = [sum(lap[i] for lap in laps.values()) for i in (0, 1)]
        print(f"run {run} (load average {before:.2f} -> {os.getloadavg()[0]:.2f})")
        for name, (wall, cpu) in [*laps.items(), ("total", tuple(total))]:
            print(f"  {name:24s} {wall:6.2f} s  (CPU {cpu:6.2f} s)")
    engine.dispose()


if __name__ == "__main__":
    main()
