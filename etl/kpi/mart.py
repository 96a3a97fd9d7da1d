"""The KPI mart: compute_kpis's rows for the whole country, built by the load in plain tables.

An accepted load computes every metric of every scope as of its day and the few other dates the
pages and the report ask for (``mart_dates``) and keeps them in ``kpi_mart`` (whole in
``build``; after a load of a few files only the touched scopes: etl.kpi.mart_update).
``kpi_mart_date`` names the dates held and the store version they were computed on. compute_kpis
reads a scope's rows from here when they stand for the viewer (``stands_for``) and the date is
held at the current version; anything else is computed on demand by the same code. The same
transaction keeps the pages' counts (etl.kpi.page_aggregates, etl.kpi.coverage_gaps).

The store version: the store changes only through the ETL, and every load that changes a row is
an accepted one (rows inserted with new ids). So (max id and count of the accepted loads, max id
of every table the numbers read) changes whenever the numbers can, and a reload of unchanged
files keeps it. Edits made in place outside the ETL are not seen: call ``forget(engine)`` then.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from etl.bulk import insert_columns, python_floats
from etl.kpi import coverage_gaps, kept_tables, page_aggregates
from etl.kpi.dates import previous_quarter
from etl.kpi.viewer import MUNICIPALITY_ROLES, Viewer
from etl.models import (
    Administration,
    CoverageGap,
    GovernanceObject,
    KpiMart,
    KpiMartDate,
    Municipality,
    PageAggregate,
    Unit,
)

log = logging.getLogger(__name__)

# The tables behind the numbers (DESIGN §4); their max ids move on any insert by a load.
VERSION_TABLES = ("municipality", "administration", "unit", "governance_object",
                  "governance_participant", "role_assignment", "asset", "asset_owner",
                  "classification", "classification_participant", "risk_analysis", "risk",
                  "action", "follow_up_report", "gap_analysis", "gap_assessment")  # fmt: skip
# Only accepted loads change the numbers: an unchanged or rejected file's load row must not
# move the version, or a reload of the same files would make the mart stale.
_ACCEPTED = "FROM load WHERE outcome = 'accepted'"
VERSION_SQL = text(
    f"SELECT (SELECT MAX(id) {_ACCEPTED}), (SELECT COUNT(*) {_ACCEPTED}), "
    + ", ".join(f"(SELECT MAX(id) FROM {t})" for t in VERSION_TABLES)
)
_ENTITY_TABLES = {
    "municipality": Municipality,
    "administration": Administration,
    "unit": Unit,
    "governance_object": GovernanceObject,
}


@dataclasses.dataclass(frozen=True)
class KeptCounts:
    """The rows coverage_gaps and page_aggregates keep beside the mart, counted for its dates
    (their ``counted``) outside the transaction that writes them."""

    coverage_gaps: list
    page_aggregates: list

    @classmethod
    def count(cls, connection, dates) -> KeptCounts:
        return cls(coverage_gaps.counted(connection, dates),
                   page_aggregates.counted(connection, dates))  # fmt: skip


def store_version(session_or_connection) -> str:
    """The store's version as seen by this transaction (see the module docstring), as text."""
    return json.dumps(list(session_or_connection.execute(VERSION_SQL).one()))


def quarter_end_on_or_before(day: dt.date) -> dt.date:
    """The last day of the latest quarter that ended on or before ``day``."""
    following = day + dt.timedelta(days=1)
    if following.month in (1, 4, 7, 10) and following.day == 1:
        return day
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1) - dt.timedelta(days=1)


def mart_dates(load_day: dt.date) -> list[dt.date]:
    """The dates a load builds: its day and the quarter before (every page's cards), the last
    quarter-end and the quarter before it (the committee report of the latest quarter)."""
    quarter_end = quarter_end_on_or_before(load_day)
    return sorted(
        {load_day, previous_quarter(load_day), quarter_end, previous_quarter(quarter_end)}
    )


def present(conn) -> bool:
    """Whether the store has the mart (migration 0009); a store without it is computed on demand."""
    return kept_tables.present(conn, KpiMartDate)


def _clear(connection) -> None:
    connection.execute(delete(KpiMartDate))
    connection.execute(delete(KpiMart))
    kept_tables.forget(connection, CoverageGap, PageAggregate)


def build(session, frames: Mapping[dt.date, pd.DataFrame],
          counts: Callable[[str], KeptCounts | None] | None = None,
          written_one: Callable[[dt.date], None] | None = None) -> int:  # fmt: skip
    """Replace the mart with ``frames`` (date -> compute_kpis rows for the system), in the
    caller's transaction, tagged with the store version the session sees; returns the rows
    written (0 when the store changed meanwhile: then the mart is left empty). Each date's frame
    is taken from ``frames`` when its rows are written, in date order: a mapping that waits for
    each date's computation lets the first dates' rows be written while the last computes.
    ``written_one``: called with each date once its rows are in (the rows are not yet kept).
    ``counts``: asked for the coverage gaps and page counts of the same dates at that version
    once the mart's rows are written (counted meanwhile elsewhere), or None: counted here."""
    if not present(session):
        return 0
    version = store_version(session)
    connection = session.connection()
    _clear(connection)
    written = 0
    for as_of in sorted(frames):
        written += insert_frame(connection, as_of, frames[as_of])
        if written_one is not None:
            written_one(as_of)
    kept = counts(version) if counts else None
    coverage_gaps.write(connection, frames, rows=kept.coverage_gaps if kept else None)
    page_aggregates.write(connection, frames, rows=kept.page_aggregates if kept else None)
    # On PostgreSQL each statement sees the latest commit: a load committed while the numbers
    # were computed would leave rows of two versions under one tag. Keep them only if not.
    if store_version(session) != version:
        log.info("store changed while building the KPI mart: not kept")
        _clear(connection)
        return 0
    if frames:
        connection.execute(
            insert(KpiMartDate), [{"as_of": d, "store_version": version} for d in sorted(frames)]
        )
    analyse(connection)
    log.info("KPI mart built as of %s: %d rows", sorted(frames), written)
    return written


def analyse(connection) -> None:
    """Planner statistics of the mart just written, on PostgreSQL: without them (autovacuum
    off or not yet round) the planner took an unseen date for one row and read a scope's rows
    by nested loops, 3 s for one unit nationally. SQLite plans well on the load's statistics."""
    if connection.dialect.name == "postgresql":
        tables = ["kpi_mart", "kpi_mart_date"]
        tables += [m.__tablename__ for m in (PageAggregate, CoverageGap)
                   if kept_tables.present(connection, m)]  # fmt: skip
        connection.exec_driver_sql(f"ANALYZE {', '.join(tables)}")


def insert_frame(connection, as_of: dt.date, frame: pd.DataFrame) -> int:
    """Insert compute_kpis rows ``frame`` as the mart's rows as of ``as_of``; rows written."""
    cells = {name: frame[name].tolist() for name in ("scope_type", "scope_id", "metric")}
    cells |= {name: python_floats(frame[name]) for name in ("value", "numerator", "denominator")}
    day = kept_tables.bind_date(connection, KpiMart, as_of)
    return insert_columns(connection, KpiMart.__table__, {"as_of": day}, cells)


def forget(engine) -> None:
    """Empty the mart: after editing the store outside the ETL, which the version does not see."""
    with engine.begin() as conn:
        _clear(conn)


def stands_for(viewer: Viewer) -> bool:
    """Whether the mart's rows are this viewer's: a scope's numbers do not depend on who looks
    as long as the viewer sees all of it (docs/metrics.md "Scopes and membership"). An
    administration-scoped viewer does not see every shared object counted for it."""
    return viewer.sees_all or (
        viewer.role in MUNICIPALITY_ROLES and bool(viewer.municipality_codes)
    )


# Set in a Session's ``info`` by a reader that never writes through it (the dashboard's
# read_session): its answers to ``holds`` are kept for the session's life.
READ_ONLY_SESSION = "infosak_read_only"


def holds(conn, as_of: dt.date) -> bool:
    """Whether the mart holds ``as_of`` at the store's current version. Three statements, asked
    for each set of numbers a page reads: a read-only session answers it once per date (a load
    committed meanwhile is seen by the next request, as with the pages' other reads)."""
    memo = conn.info if isinstance(conn, Session) and conn.info.get(READ_ONLY_SESSION) else {}
    key = ("kpi_mart_holds", as_of)
    if key not in memo:
        built = (
            present(conn)
            and conn.execute(
                select(KpiMartDate.store_version).where(KpiMartDate.as_of == as_of)
            ).scalar()
        )
        memo[key] = bool(built) and built == store_version(conn)
    return memo[key]


def holds_pages(conn, as_of: dt.date) -> bool:
    """Whether the pages' counts per part (etl.kpi.page_aggregates) as of ``as_of`` may be read."""
    return kept_tables.present(conn, PageAggregate) and holds(conn, as_of)


def entities(conn, scope_type: str, condition) -> pd.DataFrame:
    """Code and name of the entities of ``scope_type`` under ``condition`` (None: all), sorted
    by code as compute_kpis sorts them: the rows it reports for that scope type."""
    table = _ENTITY_TABLES[scope_type]
    stmt = select(table.code, table.name)
    if condition is not None:
        stmt = stmt.where(condition)
    connection = kept_tables.connection_of(conn)
    # Plain tuples sorted in Python (the database's collation may differ) and a frame of two
    # columns: 1 ms for the country's 1 356 administrations, not 18 ms.
    found = sorted(map(tuple, connection.execute(stmt).all()))
    codes, names = zip(*found, strict=True) if found else ((), ())
    return pd.DataFrame({"code": list(codes), "name": list(names)}, dtype=object)


def numbers(
    conn, as_of: dt.date, scope_type: str, condition, entities: pd.Index, metrics: list[str]
) -> dict[str, np.ndarray] | None:
    """Value, numerator and denominator of ``metrics`` for the ``entities`` (codes) of
    ``scope_type``, as (entities x metrics) float arrays, NaN for NULL; ``condition`` is the
    scope's SQL condition on the entity table (None: all). None when a row is missing."""
    table = _ENTITY_TABLES[scope_type]
    stmt = select(
        KpiMart.scope_id, KpiMart.metric, KpiMart.value, KpiMart.numerator, KpiMart.denominator
    ).where(KpiMart.as_of == as_of, KpiMart.scope_type == scope_type, KpiMart.metric.in_(metrics))
    if condition is not None:
        stmt = stmt.where(KpiMart.scope_id.in_(select(table.code).where(condition)))
    connection = kept_tables.connection_of(conn)
    found = connection.execute(stmt).all()
    if len(found) != len(entities) * len(metrics):
        return None
    ids, names, *values = zip(*found, strict=True) if found else ((), (), (), (), ())
    rows = entities.get_indexer(list(ids))
    columns = pd.Index(metrics).get_indexer(list(names))
    if (rows < 0).any() or (columns < 0).any():
        return None
    blocks = {}
    for part, column in zip(("value", "numerator", "denominator"), values, strict=True):
        block = np.full((len(entities), len(metrics)), np.nan)
        block[rows, columns] = np.array(column, dtype="float64")  # None -> NaN
        blocks[part] = block
    return blocks
