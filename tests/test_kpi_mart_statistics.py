"""The KPI mart's planner statistics on PostgreSQL: a built mart is analysed with it, so the
pages' reads of one scope's rows are planned on the real row counts (the load's ANALYZE runs
before the mart exists, and the daily refresh ran none)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from etl.kpi.snapshot import refresh_mart
from tests.kpi_data import build_store


def _planner_rows(conn, table: str) -> float:
    return conn.execute(
        text(
            "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = :table AND n.nspname = current_schema()"
        ),
        {"table": table},
    ).scalar_one()


@pytest.mark.postgres
def test_the_daily_mart_refresh_leaves_the_planner_the_marts_row_counts(store_url):
    from etl.db import make_engine, migrate

    if not store_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite keeps the load's statistics")
    engine = make_engine(store_url)
    try:
        migrate(engine)
        build_store(engine)
        day = dt.date(2026, 11, 28)
        written = refresh_mart(engine, day)
        assert written
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT COUNT(*) FROM kpi_mart")).scalar_one()
            dates = conn.execute(text("SELECT COUNT(*) FROM kpi_mart_date")).scalar_one()
            assert rows == written
            # reltuples is -1 (never analysed) or stale without the ANALYZE; exact after it on a
            # table this small (ANALYZE reads every row).
            assert _planner_rows(conn, "kpi_mart") == rows
            assert _planner_rows(conn, "kpi_mart_date") == dates
    finally:
        engine.dispose()
