"""The report page's callback, cold, per viewer: ``python -m benchmarks.report_callback URL``.

``update_report`` (dashboard/pages/report.py) is called as Dash calls it, inside a callback
request with the viewer set, after emptying the result caches before every call (as
benchmarks.query_bench's cold figures): the whole country as an administrator (in Swedish and
English), one municipality (1882) and its first administration as an administrator, the CISO of
1882 and the committee of 1814. Printed per case: wall-clock p50, p95 and max ms, the median CPU
ms of this process (what the code itself costs on a shared machine) and the load average before
and after. ``--parts`` adds the wall and CPU ms of each step of the first case (gathering the
numbers piece by piece, the content, the page's components).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time

from flask import g
from sqlalchemy import select

from benchmarks.common import load_average, percentile
from benchmarks.page_calls import build_app
from benchmarks.query_bench import clear_result_caches
from dashboard.queries.viewer import Viewer
from etl.db import make_engine
from etl.models import Administration, KpiMartDate, Municipality

VIEWERS = {
    "admin": Viewer("admin", "admin"),
    "ciso 1882": Viewer("ciso", "ciso", municipality_codes=frozenset({"1882"})),
    "committee 1814": Viewer("committee", "committee", municipality_codes=frozenset({"1814"})),
}
GATHER_STEPS = ("_kpi_frame", "_headline", "_per_scope", "_funnel", "_overdue_trend",
                "_organisation", "_objects", "_lineage")  # fmt: skip
PAGE_STEPS = ("build_content", "content_component")


def cases(engine, as_of: dt.date) -> list[tuple[str, str, dict]]:
    with engine.connect() as conn:
        administration = conn.scalar(
            select(Administration.code)
            .join(Municipality, Administration.municipality_id == Municipality.id)
            .where(Municipality.code == "1882")
            .order_by(Administration.code)
        )
    day = {"as_of": as_of.isoformat()}
    return [
        ("country", "admin", {**day, "lang": "sv"}),
        ("country en", "admin", {**day, "lang": "en"}),
        ("1882", "admin", {**day, "lang": "sv", "municipality": "1882"}),
        (administration, "admin",
         {**day, "lang": "sv", "municipality": "1882", "administration": administration}),
        ("ciso 1882", "ciso 1882", {**day, "lang": "sv"}),
        ("committee 1814", "committee 1814", {**day, "lang": "sv"}),
    ]  # fmt: skip


def newest_mart_date(engine) -> dt.date:
    with engine.connect() as conn:
        return conn.scalar(select(KpiMartDate.as_of).order_by(KpiMartDate.as_of.desc()))


class Steps:
    """Wall and CPU seconds of named functions of a module while installed."""

    def __init__(self, module, names):
        self.module, self.names, self.seconds, self.saved = module, names, {}, {}

    def __enter__(self):
        for name in self.names:
            function = self.saved[name] = getattr(self.module, name)
            setattr(self.module, name, self._timed(name, function))
        return self

    def _timed(self, name, function):
        def timed(*args, **kwargs):
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                wall_cpu = self.seconds.setdefault(name, [0.0, 0.0])
                wall_cpu[0] += time.perf_counter() - start
                wall_cpu[1] += time.process_time() - cpu

        return timed

    def __exit__(self, *exc):
        for name, function in self.saved.items():
            setattr(self.module, name, function)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", help="database URL of a loaded store (e.g. the national one)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, help="default: newest mart date")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--parts", action="store_true")
    args = parser.parse_args(argv)
    engine = make_engine(args.store)
    as_of = args.as_of or newest_mart_date(engine)
    app = build_app(engine)
    from dashboard.pages import report
    from dashboard.report import gather

    def call(viewer: Viewer, filters: dict):
        with app.server.test_request_context("/_dash-update-component", method="POST"):
            app.server.config["INFOSAK_AUTH"] = True
            g.infosak_viewer = viewer
            try:
                return report.update_report(filters, "")
            finally:
                app.server.config["INFOSAK_AUTH"] = False

    result = {"store": engine.url.render_as_string(hide_password=True), "as_of": str(as_of),
              "runs": args.runs, "load_average_before": load_average(), "cases": []}  # fmt: skip
    for name, viewer, filters in cases(engine, as_of):
        clear_result_caches()
        call(VIEWERS[viewer], filters)  # the process's first call compiles the statements
        wall, cpu = [], []
        for _ in range(args.runs):
            clear_result_caches()
            start, start_cpu = time.perf_counter(), time.process_time()
            call(VIEWERS[viewer], filters)
            wall.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        row = {"case": name, "p50_ms": round(percentile(wall, 50)),
               "p95_ms": round(percentile(wall, 95)), "max_ms": round(max(wall)),
               "cpu_median_ms": round(statistics.median(cpu)), "load_average": load_average()}  # fmt: skip
        result["cases"].append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    if args.parts:
        name, viewer, filters = cases(engine, as_of)[0]
        clear_result_caches()
        with Steps(gather, GATHER_STEPS) as steps, Steps(report, PAGE_STEPS) as page:
            call(VIEWERS[viewer], filters)
        parts = {
            k: [round(v * 1000) for v in s] for k, s in {**steps.seconds, **page.seconds}.items()
        }
        result["parts_wall_cpu_ms"] = parts
        print(json.dumps({"parts (wall, cpu ms)": parts}), flush=True)
    result["load_average_after"] = load_average()
    print(json.dumps(result, ensure_ascii=False))
    engine.dispose()
    return result


if __name__ == "__main__":
    main()
