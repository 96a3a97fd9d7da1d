"""A page's read session asks once per date whether the KPI mart holds it; writers ask each time.

Store: the generated Sydnärke set loaded as a load does (tests/generated_store), on SQLite and
PostgreSQL. The statements reading ``kpi_mart_date`` are counted on the engine.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from dashboard import store
from dashboard.queries.viewer import Viewer
from etl import models as m
from etl.kpi import mart
from etl.kpi.compute import compute_kpis
from tests.generated_store import BACKENDS, loaded_generated_store

TODAY = dt.date(2026, 11, 28)
NOT_HELD = dt.date(2026, 10, 15)
ADMIN = Viewer("admin", "a")


@pytest.fixture(scope="module", params=BACKENDS)
def engine(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mart_holds")
    with loaded_generated_store(request.param, folder, TODAY) as (engine, _files):
        store.configure(engine)
        try:
            yield engine
        finally:
            store.configure(None)


@pytest.fixture
def mart_date_reads(engine):
    """The statements that read kpi_mart_date while the test runs."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _many):
        if "FROM kpi_mart_date" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def _four_reads(session) -> list:
    """What a report does: several sets of numbers as of the same dates."""
    return [
        compute_kpis(session, TODAY, ADMIN, metrics=["actions_overdue"]),
        compute_kpis(session, TODAY, ADMIN, metrics=["classification_coverage"]),
        compute_kpis(session, TODAY, ADMIN),
        compute_kpis(session, NOT_HELD, ADMIN, metrics=["actions_overdue"]),
    ]


def test_a_read_session_asks_once_per_date(engine, mart_date_reads):
    with store.read_session() as session:
        assert mart.holds(session, TODAY)
        assert not mart.holds(session, NOT_HELD)
        del mart_date_reads[:]
        _four_reads(session)
    # Answered already for both dates: no further question.
    assert mart_date_reads == []


def test_a_read_session_gives_the_numbers_a_plain_session_gives(engine):
    with store.read_session() as session:
        memoised = _four_reads(session)
    with Session(engine) as session:
        plain = _four_reads(session)
    for a, b in zip(memoised, plain, strict=True):
        assert a.equals(b)


def test_a_plain_session_asks_each_time(engine, mart_date_reads):
    """A writer (a load, `infosak mart`) changes the answer within its session: never kept."""
    with Session(engine) as session:
        _four_reads(session)
        assert len(mart_date_reads) == 4
        with session.begin_nested():
            session.execute(delete(m.KpiMartDate))
            assert not mart.holds(session, TODAY)
            session.rollback()
