"""Page queries rewritten for national scale, pinned on the hand-countable store (tests/kpi_data)
against hand counts and against the way they were computed before, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from dashboard.queries._kpi_dates import last_month_ends
from dashboard.queries.actions import action_scope_condition, is_open, open_actions_by_month
from dashboard.queries.viewer import SYSTEM, Viewer
from etl.models import Action
from tests.kpi_data import AS_OF, build_store

VIEWERS = [
    SYSTEM,
    Viewer("ciso", "Eva", municipality_codes=frozenset({"1882"})),
    Viewer("security_officer", "Gus", administration_codes=frozenset({"1882-KLF"})),
    Viewer("manager", "Kim", unit_codes=frozenset({"1882-KLF-IT"})),
    Viewer("committee", "Com", municipality_codes=frozenset({"1861"})),
]
WHERE = [
    {},
    {"municipality": "1882"},
    {"municipality": "1861"},
    {"administration": "1882-KLF"},
    {"municipality": "1882", "administration": "1882-SOC"},
]


@pytest.fixture
def store(engine):
    build_store(engine)
    return engine


def _open_by_month_before(session, as_of, viewer, municipality=None, administration=None):
    """open_actions_by_month as it was computed before: a CASE per month over every action."""
    ends = last_month_ends(as_of, 12)
    columns = []
    for i, end in enumerate(ends):
        still_open = or_(
            is_open(),
            and_(
                Action.status == "done", Action.completed_on.isnot(None), Action.completed_on > end
            ),
        )
        columns.append(func.coalesce(func.sum(case((still_open, 1), else_=0)), 0).label(f"m{i}"))
    row = session.execute(
        select(*columns).where(action_scope_condition(viewer, municipality, administration))
    ).one()
    return [int(v) for v in row]


def test_open_actions_by_month_by_hand(store):
    with Session(store) as session:
        df = open_actions_by_month(session, AS_OF, municipality="1861")
    # AC5 and AC6 open all year; AC4 done 2026-03-01, AC8 2026-06-10, AC9 2026-12-05.
    assert df["value"].tolist() == [5, 5, 5, 5, 4, 4, 4, 3, 3, 3, 3, 3]
    assert [m.isoformat() for m in df["month"]][:2] == ["2025-11-01", "2025-12-01"]


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.role)
@pytest.mark.parametrize("where", WHERE, ids=str)
def test_open_actions_by_month_equals_before(store, viewer, where):
    with Session(store) as session:
        for as_of in (AS_OF, AS_OF.replace(year=2026, month=4, day=30)):
            df = open_actions_by_month(session, as_of, viewer, **where)
            assert df["value"].tolist() == _open_by_month_before(session, as_of, viewer, **where)
