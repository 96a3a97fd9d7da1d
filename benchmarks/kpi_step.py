"""The KPI step of a load alone: forget the mart, take_snapshot, and say where the time went.

``python -m benchmarks.etl_bench kpi-step --url URL [--as-of YYYY-MM-DD] [--keep-mart]``

Each phase (the shared asset, action and risk facts, each date's compute_kpis and the thread it ran
in, each kpi_mart insert, the coverage gaps, the page counts, the snapshot copy) is timed by
wrapping the module function it is called through, with its wall seconds and the CPU seconds of
its thread: on two shared cores, a phase whose wall is far above its CPU waited for a core, the
GIL or a lock. The store is written to: run it on a copy.
"""

from __future__ import annotations

import datetime as dt
import resource
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from benchmarks.common import load_average


@dataclass
class Phase:
    thread: str
    name: str
    start: float
    end: float
    cpu: float

    @property
    def wall(self) -> float:
        return self.end - self.start


class _Laps:
    """Wrappers that record a Phase per call of the functions they replace, while active."""

    def __init__(self) -> None:
        self.phases: list[Phase] = []
        self.origin = time.perf_counter()
        self._lock = threading.Lock()

    def timed(self, function, name_of):
        def wrapped(*args, **kwargs):
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                phase = Phase(threading.current_thread().name, name_of(args),
                              start - self.origin, time.perf_counter() - self.origin,
                              time.thread_time() - cpu)  # fmt: skip
                with self._lock:
                    self.phases.append(phase)

        return wrapped


@contextmanager
def _instrumented(laps: _Laps):
    from etl.kpi import coverage_gaps, mart, mart_update, page_aggregates, snapshot

    # (module, attribute the step calls it through, how a call is named)
    targets = [
        (mart_update, "update", lambda a: "mart_update.update (declines after a first load)"),
        (snapshot, "facts_by_day", lambda a: f"shared facts, all dates: {', '.join(a[2])}"),
        (snapshot, "compute_kpis", lambda a: f"compute_kpis {a[1]}"),
        (mart, "insert_frame", lambda a: f"kpi_mart insert {a[1]}"),
        (coverage_gaps, "counted", lambda a: "coverage gaps counted, all dates"),
        (page_aggregates, "counted", lambda a: "page counts counted, all dates"),
        (coverage_gaps, "write", lambda a: "coverage_gaps.write"),
        (page_aggregates, "write", lambda a: "page_aggregates.write"),
        (mart_update, "snapshot_from_mart", lambda a: "snapshot copy from the mart"),
    ]
    saved = [(module, name, getattr(module, name)) for module, name, _ in targets]
    try:
        for module, name, name_of in targets:
            setattr(module, name, laps.timed(getattr(module, name), name_of))
        yield
    finally:
        for module, name, function in saved:
            setattr(module, name, function)


def kpi_step(url: str, as_of: dt.date, *, keep_mart: bool = False) -> dict:
    """Figures of one take_snapshot on ``url`` (see the module docstring)."""
    from etl.db import make_engine
    from etl.kpi import mart, snapshot

    engine = make_engine(url)
    try:
        if not keep_mart:
            mart.forget(engine)
        laps = _Laps()
        before, usage = load_average(), resource.getrusage(resource.RUSAGE_SELF)
        with _instrumented(laps):
            start = time.perf_counter()
            rows = snapshot.take_snapshot(engine, as_of, "kpi-step-bench")
            wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        engine.dispose()
    computing = [p for p in laps.phases if p.name.startswith(("compute_kpis", "shared facts"))]
    return {
        "url": engine.url.render_as_string(hide_password=True),
        "as_of": as_of.isoformat(),
        "rows": rows,
        "wall_s": round(wall, 2),
        "cpu_user_s": round(after.ru_utime - usage.ru_utime, 2),
        "cpu_system_s": round(after.ru_stime - usage.ru_stime, 2),
        "dates_compute_wall_s": round(
            max(p.end for p in computing) - min(p.start for p in computing), 2
        )
        if computing
        else None,
        "load_average_before": before,
        "load_average_after": load_average(),
        "phases": [
            {
                "thread": p.thread,
                "phase": p.name,
                "start_s": round(p.start, 2),
                "wall_s": round(p.wall, 2),
                "thread_cpu_s": round(p.cpu, 2),
            }
            for p in sorted(laps.phases, key=lambda p: p.start)
        ],  # fmt: skip
    }


def print_figures(figures: dict) -> None:
    print(f"KPI step on {figures['url']} as of {figures['as_of']}: {figures['rows']} rows")
    print(f"{'thread':14s} {'phase':48s} {'start':>7s} {'wall':>7s} {'cpu':>7s}")
    for p in figures["phases"]:
        print(f"{p['thread']:14s} {p['phase']:48s} {p['start_s']:7.2f} {p['wall_s']:7.2f} "
              f"{p['thread_cpu_s']:7.2f}")  # fmt: skip
    print(f"four dates' compute: {figures['dates_compute_wall_s']} s wall")
    print(f"whole step: {figures['wall_s']} s wall, CPU user {figures['cpu_user_s']} s + system "
          f"{figures['cpu_system_s']} s")  # fmt: skip
    print(f"load average before {figures['load_average_before']}, "
          f"after {figures['load_average_after']}")  # fmt: skip
