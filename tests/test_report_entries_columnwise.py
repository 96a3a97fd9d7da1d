"""The report's per-scope entries and object participants, read column-wise, equal the row-wise
reading they replaced (on the hand-countable store, on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from dashboard.queries.viewer import SYSTEM, Viewer
from dashboard.report.gather import (
    OBJECT_METRICS,
    TABLE_METRICS,
    _clean,
    _kpi_frame,
    _per_scope,
    gather_report,
)
from tests.kpi_data import AS_OF, build_store


def _per_scope_before(now, before, scope_type, metrics):
    """_per_scope as it was: row tuples over both whole frames."""
    if now.empty:
        return []
    now = now[(now["scope_type"] == scope_type) & now["metric"].isin(metrics)]
    earlier = {
        (r.scope_id, r.metric): _clean(r.value)
        for r in before.itertuples(index=False)
        if r.scope_type == scope_type
    }
    rows = {}
    for r in now.itertuples(index=False):
        entry = rows.setdefault(
            r.scope_id, {"code": r.scope_id, "name": r.scope_name, "metrics": {}}
        )
        entry["metrics"][r.metric] = {
            "value": _clean(r.value),
            "numerator": _clean(r.numerator),
            "denominator": _clean(r.denominator),
            "previous": earlier.get((r.scope_id, r.metric)),
        }
    return sorted(rows.values(), key=lambda e: (e["name"], e["code"]))


VIEWERS = [
    SYSTEM,
    Viewer("ciso", "Eva", municipality_codes=frozenset({"1882"})),
    Viewer("committee", "Com", municipality_codes=frozenset({"1861"})),
]


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.role)
def test_per_scope_equals_row_wise(engine, viewer):
    build_store(engine)
    with Session(engine) as session:
        now = _kpi_frame(session, AS_OF, viewer, {})
        before = _kpi_frame(session, dt.date(2026, 6, 30), viewer, {})
        for scope_type, metrics in (
            ("municipality", TABLE_METRICS),
            ("administration", TABLE_METRICS),
            ("governance_object", OBJECT_METRICS),
        ):
            got = _per_scope(now, before, scope_type, metrics)
            assert got == _per_scope_before(now, before, scope_type, metrics)
            assert got or viewer is not SYSTEM  # the store has scopes of every type
            empty = before.iloc[0:0][[]]  # no earlier rows at all: no previous values
            assert all(
                m["previous"] is None
                for e in _per_scope(now, empty, scope_type, metrics)
                for m in e["metrics"].values()
            )


def test_objects_name_visible_participants_only(engine):
    build_store(engine)
    ciso = Viewer("ciso", "Eva", municipality_codes=frozenset({"1882"}))
    with Session(engine) as session:
        everyone = gather_report(session, AS_OF, SYSTEM, scope=None, period="2026-Q3")
        askersund = gather_report(session, AS_OF, ciso, scope="1882", period="2026-Q3")
    (ek,) = [o for o in everyone["objects"] if o["code"] == "GO-EK"]
    assert (ek["participants"], ek["other_participants"]) == (["Askersund", "Hallsberg"], 0)
    (ek,) = [o for o in askersund["objects"] if o["code"] == "GO-EK"]
    assert (ek["participants"], ek["other_participants"]) == (["Askersund"], 1)
