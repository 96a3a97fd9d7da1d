"""Time to render the committee report's PDF: ``python -m benchmarks.report_pdf [--store URL]``.

Without ``--store`` it builds the hand-countable test store (tests/kpi_data.py) in a temporary
SQLite file; with ``--store`` it reads an existing store (the national set loaded by
``python -m benchmarks.run`` is the case that matters: every municipality and administration in
one report). The report's numbers are gathered once; the PDF is rendered ``--runs`` times from
them, and the figures (wall-clock min, median, max seconds; CPU seconds of this process, which
a shared, loaded machine changes less, for the gathering, the content and the PDF; pages, bytes)
are printed with the load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import statistics
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy.orm import Session

from benchmarks.common import AS_OF, load_average
from dashboard.report.content import build_content
from dashboard.report.gather import gather_report
from dashboard.report.pdf import report_pdf
from etl.db import make_engine, migrate


def _gathered(store: str | None, as_of: dt.date) -> tuple[dict, float, float]:
    if store is None:
        from tests import kpi_data

        folder = Path(tempfile.mkdtemp(prefix="report-bench-"))
        engine = make_engine(f"sqlite:///{folder / 'store.db'}")
        migrate(engine)
        kpi_data.build_store(engine)
        as_of = kpi_data.AS_OF
    else:
        engine = make_engine(store)
    start, start_cpu = time.perf_counter(), time.process_time()
    with Session(engine) as session:
        data = gather_report(session, as_of)
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    engine.dispose()
    return data, seconds, cpu


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="database URL of an existing store")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    data, gather_seconds, gather_cpu = _gathered(args.store, args.as_of)
    start_cpu = time.process_time()
    build_content(data)  # the sentences and tables, without the layout
    content_cpu = time.process_time() - start_cpu
    samples, cpu, pdf = [], [], b""
    for _ in range(args.runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        pdf = report_pdf(data)
        samples.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    result = {
        "store": args.store or "tests/kpi_data.py",
        "administrations": len(data.get("administrations", [])),
        "municipalities": len(data.get("municipalities", [])),
        "gather_seconds": round(gather_seconds, 2),
        "gather_cpu_seconds": round(gather_cpu, 2),
        "content_cpu_seconds": round(content_cpu, 2),
        "render_seconds": {
            "min": round(min(samples), 2),
            "median": round(statistics.median(samples), 2),
            "max": round(max(samples), 2),
            "runs": len(samples),
        },
        "render_cpu_seconds": {
            "min": round(min(cpu), 2),
            "median": round(statistics.median(cpu), 2),
        },
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "bytes": len(pdf),
        "load_average": load_average(),
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
