"""Mognad for one municipality on SQLite: the statements the page reads for it search their
tables through indexes and scan none of the large ones (gap analyses and their assessments,
the KPI mart). Nationally (290 municipalities) this view answers in tens of milliseconds; a
plan that scans gap_analysis or kpi_mart would read every municipality's rows for one.

The store is tests/kpi_data.py's, with the KPI mart built for 2026-11-28; the municipality is
Askersund (1882). The plans are SQLite's own (EXPLAIN QUERY PLAN), not a count of rows.
"""

from __future__ import annotations

import re

from sqlalchemy import event

from dashboard.queries.maturity import evidence_holdbacks
from dashboard.queries.viewer import SYSTEM
from etl.db import session_factory
from etl.kpi.compute import compute_kpis
from etl.kpi.maturity import maturity_matrix_and_history
from etl.kpi.snapshot import refresh_mart
from tests import kpi_data

LARGE_TABLES = ("gap_analysis", "gap_assessment", "kpi_mart")


def _plans_of_municipality_reads(engine) -> dict[str, str]:
    """Each statement Mognad's update reads for municipality 1882, with its query plan."""
    statements: list[tuple[str, tuple]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    with session_factory(engine)() as s:
        event.listen(engine, "before_cursor_execute", record)
        try:
            maturity_matrix_and_history(s, kpi_data.AS_OF, SYSTEM, municipality="1882")
            compute_kpis(
                s,
                kpi_data.AS_OF,
                SYSTEM,
                scope_types=["administration"],
                municipality="1882",
                metrics=["maturity_self", "maturity_evidence"],
            )
            evidence_holdbacks(s, kpi_data.AS_OF, SYSTEM, municipality="1882")
        finally:
            event.remove(engine, "before_cursor_execute", record)
        cursor = s.connection().connection.cursor()
        return {
            sql: " | ".join(row[3] for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in statements
            if sql.lstrip().upper().startswith("SELECT")
        }


def test_a_municipality_s_gap_analyses_are_searched_by_node_not_scanned(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    plans = _plans_of_municipality_reads(sqlite_engine)
    gap = [p for sql, p in plans.items() if "FROM gap_analysis JOIN gap_assessment" in sql]
    assert len(gap) == 1, plans  # the heatmap and the trend from one read
    assert "ix_gap_analysis_administration_id" in gap[0], gap
    assert "ix_gap_analysis_governance_object_id" in gap[0], gap
    assert "SEARCH gap_assessment USING INDEX ix_gap_assessment_gap_analysis_id" in gap[0], gap


def test_a_municipality_s_kpis_are_searched_in_the_mart_not_scanned(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    refresh_mart(sqlite_engine, kpi_data.AS_OF)
    plans = _plans_of_municipality_reads(sqlite_engine)
    mart = [p for sql, p in plans.items() if "FROM kpi_mart" in sql and "kpi_mart.metric" in sql]
    assert mart, plans  # the mart holds the date: the KPIs are read from it
    assert all("SEARCH kpi_mart USING INDEX" in p for p in mart), mart
    scans = {
        sql: p
        for sql, p in plans.items()
        if any(re.search(rf"SCAN (TABLE )?{table}\b", p) for table in LARGE_TABLES)
    }
    assert not scans, scans
