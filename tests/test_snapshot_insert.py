"""insert_snapshot (tuples, one executemany/COPY) stores exactly what take_snapshot stores."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.queries.viewer import SYSTEM
from etl import models as m
from etl.bulk import insert_snapshot
from etl.kpi.compute import compute_kpis
from etl.kpi.snapshot import take_snapshot
from tests import kpi_data

COLUMNS = ("as_of", "scope_type", "scope_id", "metric", "value", "numerator", "denominator")


def _rows(conn, run_id: str) -> list[tuple]:
    table = m.MetricSnapshot.__table__
    query = select(*(table.c[c] for c in COLUMNS)).where(table.c.run_id == run_id)
    return sorted(tuple(r) for r in conn.execute(query))


def _raw(conn, run_id: str) -> list[tuple]:
    """What SQLite really holds: storage classes and the text of dates."""
    return sorted(conn.exec_driver_sql(
        "SELECT as_of, typeof(as_of), typeof(taken_at), length(taken_at), scope_type, scope_id, "
        "metric, typeof(value), value, typeof(numerator), numerator, typeof(denominator), "
        "denominator FROM metric_snapshot WHERE run_id = ?", (run_id,)).all())  # fmt: skip


def _insert(engine, as_of: dt.date, run_id: str) -> int:
    taken_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with Session(engine) as session, session.begin():
        frame = compute_kpis(session, as_of, SYSTEM)
        return insert_snapshot(session.connection(), frame, as_of, taken_at, run_id)


def test_same_rows_as_take_snapshot(engine):
    kpi_data.build_store(engine)
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    written = _insert(engine, kpi_data.AS_OF, "fast")
    expected = take_snapshot(engine, kpi_data.AS_OF, "orm")
    assert written == expected > 100
    with engine.connect() as conn:
        fast, orm = _rows(conn, "fast"), _rows(conn, "orm")
        assert fast == orm
        assert {type(r[0]) for r in fast} == {dt.date}
        assert any(r[5] is not None and r[6] is None for r in fast)  # counts: no denominator
        taken = conn.execute(
            select(m.MetricSnapshot.taken_at).where(m.MetricSnapshot.run_id == "fast")
        ).scalars().all()  # fmt: skip
        assert {type(t) for t in taken} == {dt.datetime}
        assert min(taken) >= before
        if conn.dialect.name == "sqlite":
            assert _raw(conn, "fast") == _raw(conn, "orm")


def test_an_empty_store_snapshots_nothing(engine):
    assert _insert(engine, kpi_data.AS_OF, "empty") == 0
