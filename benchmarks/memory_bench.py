"""Peak memory: of the national load (taken by etl_bench's load subprocess) and of one server
worker after every page has been served for every filter set.

``python -m benchmarks.memory_bench worker --url URL`` is the worker stand-in: a fresh interpreter
builds the app on the store, serves the first load of every page through Flask's test client for
each filter set (benchmarks.payload_bench, so the payload figures come from the same run) and
prints its ru_maxrss with the payload figures as one JSON object.

Targets (issue 6): national load <= 1 GB; one worker after all pages <= 500 MB.
"""

from __future__ import annotations

import argparse
import json
import sys

from benchmarks.common import load_average, peak_rss_mb, run_module_for_json

LOAD_LIMIT_MB = 1024
WORKER_LIMIT_MB = 500


def exercise_worker(url: str) -> dict:
    from benchmarks.payload_bench import payload_section
    from benchmarks.query_bench import filter_sets
    from etl.db import make_engine

    engine = make_engine(url)
    payload = {scope: payload_section(engine, filters)
               for scope, filters in filter_sets(engine).items()}  # fmt: skip
    return {"peak_rss_mb": peak_rss_mb(), "payload": payload}


def worker_in_subprocess(url: str, timeout: float = 3600) -> dict:
    figures, seconds = run_module_for_json(
        ["benchmarks.memory_bench", "worker", "--url", url], timeout
    )
    figures["seconds"] = round(seconds, 1)
    return figures


def memory_section(load_figures: dict | None, worker_figures: dict) -> dict:
    load_mb = load_figures.get("peak_rss_mb") if load_figures else None
    worker_mb = worker_figures["peak_rss_mb"]
    return {
        "national_load_peak_rss_mb": load_mb,
        "national_load_met": load_mb is not None and load_mb <= LOAD_LIMIT_MB,
        "worker_after_all_pages_peak_rss_mb": worker_mb,
        "worker_met": worker_mb <= WORKER_LIMIT_MB,
        "targets": f"load <= {LOAD_LIMIT_MB} MB; worker <= {WORKER_LIMIT_MB} MB",
        "load_average": load_average(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["worker"])
    parser.add_argument("--url", required=True)
    args = parser.parse_args(argv)
    figures = exercise_worker(args.url)
    sys.stdout.write(json.dumps(figures, default=str) + "\n")


if __name__ == "__main__":
    main()
