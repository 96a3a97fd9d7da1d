"""The report's overdue trend read from the counts the mart keeps per municipality
(etl.kpi.page_aggregates.overdue_trend) is the trend counted on demand: for the country, a
municipality, a viewer of one municipality, with shared objects' actions and an action due
exactly on a trend day; and with kept counts the trend reads no action row."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from dashboard.queries.viewer import SYSTEM, Viewer
from dashboard.report.gather import _overdue_trend, gather_report
from etl import models as m
from etl.kpi import mart, page_aggregates
from etl.kpi.snapshot import refresh_mart
from tests import kpi_data
from tests.kpi_data import AS_OF

QUARTER_END = dt.date(2026, 9, 30)
VIEWERS = [
    SYSTEM,
    Viewer("admin", "a"),
    Viewer("ciso", "c", municipality_codes=frozenset({"1882"})),
    Viewer("ciso", "c2", municipality_codes=frozenset({"1882", "1861"})),
    Viewer("committee", "k", municipality_codes=frozenset({"1861"})),
    Viewer("security_officer", "s", administration_codes=frozenset({"1882-KLF"})),
]
SCOPES = [None, "1882", "1861", "1882-SOC"]


def add_actions(engine) -> None:
    """AC-DAY (1861-BUF-GR) due on the trend day 2026-06-30, and on the shared object GO-EK (no
    owner unit) AC-GO due 2026-02-10 and AC-LATER due 2027-01-15, all open."""
    with Session(engine) as s, s.begin():
        source = s.scalars(select(m.Source.id)).first()
        unit = s.scalars(select(m.Unit).where(m.Unit.code == "1861-BUF-GR")).one()
        go = s.scalars(select(m.GovernanceObject).where(m.GovernanceObject.code == "GO-EK")).one()
        s.add(m.Action(code="AC-DAY", title="AC-DAY", owner_unit_id=unit.id,
                       due_on=dt.date(2026, 6, 30), status="in_progress", source_id=source))  # fmt: skip
        s.add(m.Action(code="AC-GO", title="AC-GO", governance_object_id=go.id,
                       due_on=dt.date(2026, 2, 10), status="not_started", source_id=source))  # fmt: skip
        # Due after the report date: overdue on no trend day.
        s.add(m.Action(code="AC-LATER", title="AC-LATER", governance_object_id=go.id,
                       due_on=dt.date(2027, 1, 15), status="not_started", source_id=source))  # fmt: skip


@pytest.fixture
def store(engine):
    kpi_data.build_store(engine)
    add_actions(engine)
    assert refresh_mart(engine, AS_OF)
    return engine


def _trend(db, as_of, viewer, scope) -> list[int]:
    return [p["value"] for p in gather_report(db, as_of, viewer, scope=scope)["overdue_trend"]]


def _both_ways(db, as_of, viewer, scope) -> tuple[list[int], list[int]]:
    kept = _trend(db, as_of, viewer, scope)
    with db.begin_nested():
        db.execute(delete(m.KpiMartDate))
        computed = _trend(db, as_of, viewer, scope)
        db.rollback()
    return kept, computed


@pytest.mark.parametrize("as_of", [AS_OF, QUARTER_END])
def test_the_kept_trend_is_the_counted_trend_for_every_viewer_and_scope(store, as_of):
    assert as_of in mart.mart_dates(AS_OF)
    with Session(store) as s:
        assert mart.holds_pages(s, as_of)
        for viewer in VIEWERS:
            for scope in SCOPES:
                if scope and viewer.role == "security_officer":
                    continue  # outside the viewer's scope
                if scope == "1861" and viewer.municipality_codes == frozenset({"1882"}):
                    continue
                if scope and scope.startswith("1882") and viewer.role == "committee":
                    continue
                kept, computed = _both_ways(s, as_of, viewer, scope)
                assert kept == computed, (as_of, viewer.role, viewer.municipality_codes, scope)


# Hand-counted (tests/kpi_data.py plus add_actions), one value per trend day: 2025-11-30,
# 2025-12-31, each month-end of 2026 to 2026-10-31, then 2026-11-28. GO-EK's AC6 (due 2026-05-01)
# and AC5 (2026-08-01) and AC-GO (2026-02-10) count for both participants, 1882 and 1861.
_SHARED = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3]
_1882 = [a + b for a, b in zip(_SHARED, [0] * 11 + [1, 2], strict=True)]  # AC7, AC3
# AC-DAY due on 2026-06-30: not overdue that day, overdue from 2026-07-31 on.
_1861 = [a + b for a, b in zip(_SHARED, [0] * 8 + [1] * 5, strict=True)]
_ALL = [a + b for a, b in zip(_1882, _1861, strict=True)]


def test_the_kept_trend_is_the_hand_count(store):
    with Session(store) as s:
        assert _trend(s, AS_OF, SYSTEM, None) == _ALL
        assert _trend(s, AS_OF, SYSTEM, "1882") == _1882
        assert _trend(s, AS_OF, SYSTEM, "1861") == _1861
        ciso = Viewer("ciso", "c", municipality_codes=frozenset({"1861"}))
        assert _trend(s, AS_OF, ciso, None) == _1861


def test_the_country_and_a_municipality_trend_read_only_the_kept_counts(store):
    """With the date held the trend reads no action: only the kept rows."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    everything = {"municipality": None, "administration": None}
    one = {"municipality": "1882", "administration": None}
    with Session(store) as s:
        event.listen(store, "before_cursor_execute", record)
        try:
            country = _overdue_trend(s, AS_OF, SYSTEM, everything, {"type": "all", "code": ""})
            municipality = _overdue_trend(
                s, AS_OF, SYSTEM, one, {"type": "municipality", "code": "1882"}
            )
        finally:
            event.remove(store, "before_cursor_execute", record)
    assert [p["value"] for p in country] == _ALL
    assert [p["value"] for p in municipality] == _1882
    assert any("page_aggregate.month" in sql for sql in statements), statements
    assert not any("action.due_on" in sql or "action.status" in sql for sql in statements)


def test_a_date_built_before_the_trend_was_kept_is_counted(store):
    with Session(store) as s:
        kept = _trend(s, AS_OF, SYSTEM, None)
        s.execute(
            delete(m.PageAggregate).where(
                m.PageAggregate.aggregate.in_(
                    [page_aggregates.OVERDUE_TREND, page_aggregates.OVERDUE_TREND_BUILT]
                )
            )
        )
        assert page_aggregates.overdue_trend(s, AS_OF) is None
        assert _trend(s, AS_OF, SYSTEM, None) == kept == _ALL
        s.rollback()


def test_a_per_part_update_rewrites_the_touched_municipalities(store):
    with Session(store) as s, s.begin():
        conn = s.connection()
        before = page_aggregates.overdue_trend(conn, AS_OF)
        page_aggregates.write(conn, [AS_OF], municipalities={"1861"}, objects=set())
        assert page_aggregates.overdue_trend(conn, AS_OF) == before == _ALL
        s.rollback()
