"""The open-actions estimate kept per part is counted in SQL, one bucket per action over the
month-ends of all the mart's dates (etl.kpi.page_aggregates.month_end_bucket); it must count what
open_at_month_ends counts from the actions' days.

Hand-counted store: that of tests/test_page_aggregates.py (COUNTRY_OPEN at the month-ends
Nov 2025–Oct 2026 as of 2026-11-28) and five more actions of Askersund's IT unit, each on an edge:
  E1 done 2026-05-31, on a month-end: not open at it, open at the six ends before (Nov–Apr);
  E2 done without a completion day and E3 cancelled: never counted;
  E4 done 2025-11-30, on the first end: not counted as of 2026-11-28, counted as of 2026-06-30
     (ends Jul 2025–Jun 2026) at Jul–Oct 2025;
  E5 done 2026-11-01, after the last end: counted at every end.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dashboard.queries.actions import open_actions_by_month
from dashboard.queries.viewer import SYSTEM
from etl import models as m
from etl.kpi import mart, page_aggregates
from etl.kpi.dates import last_month_ends
from etl.kpi.snapshot import refresh_mart
from tests import kpi_data
from tests.protected_data import add_protected_asset
from tests.test_page_aggregates import COUNTRY_OPEN, add_unhandled_protected_risk

AS_OF = kpi_data.AS_OF
D = dt.date
EDGES = {  # code: (status, completed_on)
    "E1": ("done", D(2026, 5, 31)),
    "E2": ("done", None),
    "E3": ("cancelled", D(2026, 9, 15)),
    "E4": ("done", D(2025, 11, 30)),
    "E5": ("done", D(2026, 11, 1)),
}
# As of AS_OF: the ends before each action's completion (12: open at every end, 0: never).
BUCKETS = {"E1": 6, "E2": 0, "E3": 0, "E4": 0, "E5": 12, "AC1": 12, "AC8": 7, "AC4": 4,
           "AC9": 12, "AC10": 0}  # fmt: skip
EXPECTED_OPEN = [n + 1 + (i < 6) for i, n in enumerate(COUNTRY_OPEN)]  # E5, and E1 to April


def _store(engine):
    kpi_data.build_store(engine)
    add_protected_asset(engine)
    add_unhandled_protected_risk(engine)
    with Session(engine) as s, s.begin():
        model = s.scalars(select(m.Action).where(m.Action.code == "AC1")).one()
        for code, (status, completed) in EDGES.items():
            s.add(m.Action(code=code, title=code, owner_unit_id=model.owner_unit_id,
                           due_on=D(2026, 1, 1), status=status, completed_on=completed,
                           source_id=model.source_id))  # fmt: skip
    assert refresh_mart(engine, AS_OF)


def _months(as_of: dt.date) -> list[dt.date]:
    return [D(end.year, end.month, 1) for end in last_month_ends(as_of, 12)]


def _on_demand(session, as_of: dt.date) -> list[int]:
    with session.begin_nested():
        session.execute(delete(m.KpiMartDate))
        values = list(open_actions_by_month(session, as_of, SYSTEM)["value"])
        session.rollback()
    return [int(v) for v in values]


def test_each_action_falls_in_the_bucket_of_the_month_ends_before_its_completion(engine):
    _store(engine)
    bucket = page_aggregates.month_end_bucket(last_month_ends(AS_OF, 12))
    with engine.connect() as conn:
        found = dict(
            conn.execute(select(m.Action.code, bucket).where(m.Action.code.in_(BUCKETS))).all()
        )
    assert found == BUCKETS
    earlier = page_aggregates.month_end_bucket(last_month_ends(D(2026, 6, 30), 12))
    with engine.connect() as conn:
        e4 = conn.execute(select(earlier).where(m.Action.code == "E4")).scalar_one()
    assert e4 == 4  # open at the ends of Jul–Oct 2025


def test_the_kept_month_end_counts_are_those_counted_by_hand_and_on_demand(engine):
    _store(engine)
    with Session(engine) as s:
        kept = page_aggregates.open_actions(s, AS_OF)
        assert [kept.get(month, 0) for month in _months(AS_OF)] == EXPECTED_OPEN
        assert _on_demand(s, AS_OF) == EXPECTED_OPEN
        for as_of in mart.mart_dates(AS_OF):  # the dates share month-ends
            kept = page_aggregates.open_actions(s, as_of)
            assert [kept.get(month, 0) for month in _months(as_of)] == _on_demand(s, as_of)


def test_a_municipality_rewritten_alone_keeps_the_same_month_end_counts(engine):
    _store(engine)
    with engine.begin() as conn:
        before = {day: page_aggregates.open_actions(conn, day) for day in mart.mart_dates(AS_OF)}
        page_aggregates.write(conn, mart.mart_dates(AS_OF), municipalities={"1882"}, objects=set())
        after = {day: page_aggregates.open_actions(conn, day) for day in mart.mart_dates(AS_OF)}
    assert after == before
    assert [after[AS_OF].get(month, 0) for month in _months(AS_OF)] == EXPECTED_OPEN
