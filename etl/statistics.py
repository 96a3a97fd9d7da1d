"""Planner statistics after a load, so the dashboard's queries are planned on real row counts.

SQLite keeps none until ANALYZE runs; after a national load its planner guessed table sizes and
could pick a narrow index over a covering one. ``analysis_limit`` bounds the work (SQLite samples
that many rows per index), so this costs well under a second even on a national store.
PostgreSQL's autovacuum analyses eventually; doing it now covers the first page views too.
"""

from __future__ import annotations

from sqlalchemy import Connection

SQLITE_ANALYSIS_LIMIT = 1000  # rows sampled per index
# What a load writes (owners' rows, organisation rows, lineage).
LOADED_TABLES = (
    "municipality", "administration", "unit", "provider", "governance_object",
    "governance_participant", "role_assignment", "maturity_area", "source", "load",
    "asset", "asset_owner", "classification", "classification_participant", "risk_analysis",
    "risk", "gap_analysis", "gap_assessment", "action", "follow_up_report",
)  # fmt: skip


def refresh_statistics(connection: Connection) -> None:
    """ANALYZE what a load writes (the caller holds the loader's lock)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        connection.exec_driver_sql("ANALYZE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE " + ", ".join(f'"{t}"' for t in LOADED_TABLES))
