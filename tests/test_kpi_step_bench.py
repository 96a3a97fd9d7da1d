"""``python -m benchmarks.etl_bench kpi-step`` runs the load's KPI step alone on a store and names
every phase; no speed is asserted (see benchmarks/kpi_step.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl import models
from etl.kpi import mart
from tests.kpi_data import AS_OF, build_store

ROOT = Path(__file__).resolve().parent.parent


def test_kpi_step_builds_the_mart_and_times_each_phase(sqlite_engine):
    build_store(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.etl_bench", "kpi-step", "--url", url,
         "--as-of", AS_OF.isoformat(), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    figures = json.loads(done.stdout)
    phases = [p["phase"] for p in figures["phases"]]
    days = mart.mart_dates(AS_OF)
    assert {f"compute_kpis {d}" for d in days} <= set(phases)
    assert {f"kpi_mart insert {d}" for d in days} <= set(phases)
    # The asset facts are read beside the action and risk facts, on a connection of their own.
    assert {"shared facts, all dates: action, risk", "shared facts, all dates: asset"} <= set(
        phases
    )
    assert {"coverage_gaps.write", "page_aggregates.write", "snapshot copy from the mart"} <= set(
        phases
    )
    assert figures["rows"] > 0 and len(figures["load_average_before"]) == 3
    # Every date in a thread of its own.
    threads = {p["thread"] for p in figures["phases"] if p["phase"].startswith("compute_kpis")}
    assert len(threads) == 4
    with Session(sqlite_engine) as session:
        assert all(mart.holds(session, d) for d in days)
        taken = select(func.count()).where(models.MetricSnapshot.run_id == "kpi-step-bench")
        assert session.execute(taken).scalar() == figures["rows"]
