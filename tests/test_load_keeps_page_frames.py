"""``infosak load`` keeps, beside the KPI facts, the frames the pages registered with the load's
snapshot (dashboard.queries.page_keepers): the ETL does not import the dashboard, so this holds
only as long as the command imports the pages' queries. Checked in a fresh process, as a user
runs it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from etl import models as m
from etl.db import make_engine
from etl.generate import generate

INFOSAK = str(Path(sys.executable).with_name("infosak"))
TODAY = dt.date.today()  # infosak load snapshots as of today
EVERY_KIND = {
    # the KPI facts and the cards' rows (etl.kpi.kept, etl.kpi.headline_kept)
    "asset", "risk", "action", "follow_up", "overdue_trend", "kpi_rows",
    # the pages' own (dashboard.queries.page_keepers)
    "risk_cells", "risk_high_open", "asset_gaps", "open_by_month", "unit_kpi_rows",
}  # fmt: skip


def test_infosak_load_keeps_the_pages_frames(tmp_path):
    files = tmp_path / "files"
    generate(files, municipalities=4, seed=1882, fmt="csv", today=dt.date(2026, 11, 28))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    done = subprocess.run(
        [INFOSAK, "load", str(files), "--database-url", url], capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            kinds = set(s.scalars(select(m.KpiFactFrame.kind).where(m.KpiFactFrame.as_of == TODAY)))
    finally:
        engine.dispose()
    assert kinds == EVERY_KIND
