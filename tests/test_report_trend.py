"""The report's overdue trend (one query for all dates) equals compute_kpis' actions_overdue as
of each date, for every municipality, every administration and all municipalities together."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.queries.viewer import SYSTEM, Viewer
from dashboard.report.gather import gather_report
from etl.db import session_factory
from etl.kpi.compute import compute_kpis
from tests import kpi_data
from tests.kpi_data import AS_OF


@pytest.fixture
def store(engine):
    kpi_data.build_store(engine)
    return session_factory(engine)


def _overdue(session, day: dt.date, viewer: Viewer, scope_type: str, code: str | None) -> int:
    frame = compute_kpis(
        session, day, viewer, scope_types=[scope_type], metrics=["actions_overdue"]
    )
    if code is not None:
        frame = frame[frame["scope_id"] == code]
    return int(sum(frame["value"]))


@pytest.mark.parametrize(
    ("code", "scope_type"),
    [(None, "municipality"), ("1882", "municipality"), ("1861", "municipality"),
     ("1882-SOC", "administration"), ("1882-KLF", "administration")],
)  # fmt: skip
def test_overdue_trend_matches_compute_kpis_at_each_date(store, code, scope_type):
    with store() as s:
        trend = gather_report(s, AS_OF, SYSTEM, scope=code)["overdue_trend"]
        assert len(trend) >= 2 and trend[-1]["date"] == AS_OF.isoformat()
        for point in trend:
            day = dt.date.fromisoformat(point["date"])
            assert point["value"] == _overdue(s, day, SYSTEM, scope_type, code), point
    # The data must make the check mean something: some date has overdue actions.
    assert any(p["value"] > 0 for p in trend) or code == "1882-KLF"


def test_overdue_trend_follows_the_viewer_scope(store):
    ciso = Viewer("ciso", name="c", municipality_codes=frozenset({"1861"}))
    with store() as s:
        trend = gather_report(s, AS_OF, ciso, scope=None)["overdue_trend"]
        for point in trend:
            day = dt.date.fromisoformat(point["date"])
            assert point["value"] == _overdue(s, day, ciso, "municipality", None), point
