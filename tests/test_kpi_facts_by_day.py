"""facts.action_facts_by_day and risk_facts_by_day (one pass for several dates, the rules
applied in Python per group) must give, for each date, exactly the groups and counts
action_facts and risk_facts give for that date alone, on SQLite and PostgreSQL, including dates
that put due, completion and analysis dates on every edge (the day before, the day, the day
after)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl import models as m
from etl.kpi import mart
from etl.kpi.dates import Cutoffs, add_months
from etl.kpi.facts import (
    action_facts,
    action_facts_by_day,
    asset_facts,
    asset_facts_by_day,
    prepare_connection,
    risk_facts,
    risk_facts_by_day,
)
from etl.kpi.rules import OVERDUE_BUCKETS
from etl.kpi.scope import build_scope
from etl.kpi.viewer import SYSTEM
from tests.generated_store import BACKENDS, codes, loaded_generated_store

TODAY = dt.date(2026, 11, 28)
KEYS = ["unit_id", "object_id", "shared"]


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("facts_by_day")
    with loaded_generated_store(request.param, folder, TODAY) as (engine, _):
        yield engine


def _edge_dates(session) -> list[dt.date]:
    """Dates on which some open action's due date or some completion sits on a bucket edge."""
    open_ = m.Action.status.notin_(("done", "cancelled"))
    due = session.execute(select(func.min(m.Action.due_on)).where(open_)).scalar()
    done = session.execute(
        select(func.max(m.Action.completed_on)).where(m.Action.status == "done")
    ).scalar()
    edges = {0, 1}
    for low, high, _ in OVERDUE_BUCKETS:
        edges |= {low - 1, low, low + 1}
        if high is not None:
            edges |= {high - 1, high, high + 1}
    days = {due + dt.timedelta(days=k) for k in edges}
    days |= {done - dt.timedelta(days=1), done, done + dt.timedelta(days=1)}
    return sorted(days)


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(
        unit_id=pd.array([None if pd.isna(v) else int(v) for v in frame["unit_id"]], dtype="Int64"),
        object_id=pd.array(
            [None if pd.isna(v) else int(v) for v in frame["object_id"]], dtype="Int64"
        ),
        shared=frame["shared"].astype(bool),
    )
    counts = [c for c in frame.columns if c not in KEYS]
    frame[counts] = frame[counts].astype("int64")
    return frame.sort_values(KEYS).reset_index(drop=True)


def _scopes(engine):
    first = codes(engine, m.Municipality)[0]
    return [build_scope(SYSTEM, None, None, None), build_scope(SYSTEM, None, first, None)]


def test_each_date_as_action_facts_alone(store):
    with Session(store) as session:
        prepare_connection(session)
        days = sorted({*_edge_dates(session), *mart.mart_dates(TODAY)})
        counted = pd.Series(0, index=[metric for _, _, metric in OVERDUE_BUCKETS])
        for scope in _scopes(store):
            together = action_facts_by_day(session, [Cutoffs(d) for d in days], scope)
            assert sorted(together) == days
            for day in days:
                alone = _normalised(action_facts(session, Cutoffs(day), scope))
                pd.testing.assert_frame_equal(
                    _normalised(together[day])[alone.columns], alone, obj=str(day)
                )
                counted += alone[counted.index].sum()
                assert alone["actions_done"].sum() > 0 or day < max(days)
        assert (counted > 0).all(), counted  # every bucket was met


def test_no_dates(store):
    with Session(store) as session:
        assert action_facts_by_day(session, [], build_scope(SYSTEM, None, None, None)) == {}


def test_each_date_as_risk_facts_alone(store):
    with Session(store) as session:
        prepare_connection(session)
        analysed = sorted(set(session.execute(select(m.RiskAnalysis.analysed_on)).scalars()))
        middle = analysed[len(analysed) // 2]
        days = sorted({analysed[0] - dt.timedelta(days=1), analysed[0], middle,
                       middle + dt.timedelta(days=1), *mart.mart_dates(TODAY)})  # fmt: skip
        for scope in _scopes(store):
            together = risk_facts_by_day(session, [Cutoffs(d) for d in days], scope)
            assert sorted(together) == days
            for day in days:
                alone = _normalised(risk_facts(session, Cutoffs(day), scope))
                pd.testing.assert_frame_equal(
                    _normalised(together[day])[alone.columns], alone, obj=str(day)
                )
        assert len(alone) and alone["risks_high_without_action"].sum() > 0


def _asset_edge_dates(session) -> list[dt.date]:
    """Dates around a classification, its review date and the 90-day window, an analysis and
    its 36-month expiry, and an open action's due date."""
    classified, review = session.execute(
        select(m.Classification.classified_on, m.Classification.next_review_on)
        .where(m.Classification.next_review_on.isnot(None))
        .order_by(m.Classification.id)
        .limit(1)
    ).one()
    analysed = session.execute(select(func.max(m.RiskAnalysis.analysed_on))).scalar()
    due = session.execute(
        select(func.max(m.Action.due_on)).where(
            m.Action.status.notin_(("done", "cancelled")), m.Action.risk_id.isnot(None)
        )
    ).scalar()
    around = {
        classified,
        review,
        review - dt.timedelta(days=90),
        analysed,
        add_months(analysed, 36),
        due,
    }
    one = dt.timedelta(days=1)
    return sorted({d + k * one for d in around for k in (-1, 0, 1)})


def test_each_date_as_asset_facts_alone(store):
    with Session(store) as session:
        prepare_connection(session)
        days = sorted({*_asset_edge_dates(session), *mart.mart_dates(TODAY)})
        totals = 0
        for scope in _scopes(store):
            together = asset_facts_by_day(session, [Cutoffs(d) for d in days], scope)
            assert sorted(together) == days
            for day in days:
                alone = _normalised(asset_facts(session, Cutoffs(day), scope))
                pd.testing.assert_frame_equal(
                    _normalised(together[day])[alone.columns], alone, obj=str(day)
                )
                totals += alone.drop(columns=KEYS).sum()
        assert (totals > 0).all(), totals  # every count was met


def test_no_dates_for_assets(store):
    with Session(store) as session:
        assert asset_facts_by_day(session, [], build_scope(SYSTEM, None, None, None)) == {}
