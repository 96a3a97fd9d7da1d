"""The daily refresh of the KPI mart (etl.kpi.snapshot.refresh_mart, ``infosak mart``): on a day
after the load the mart holds that day, its rows equal what compute_kpis computes on demand, and
a second run on the same day writes nothing.

Store: the generated Sydnärke set loaded as of TODAY, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dashboard.queries.viewer import SYSTEM
from etl import models as m
from etl.kpi import mart
from etl.kpi.compute import compute_kpis
from etl.kpi.snapshot import refresh_mart
from infosak_cli import app
from tests.generated_store import BACKENDS, loaded_generated_store
from tests.store_dump import store_dump

TODAY = dt.date(2026, 11, 28)
NEXT_DAY = TODAY + dt.timedelta(days=1)


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with loaded_generated_store(request.param, tmp_path, TODAY) as (engine, _files):
        yield engine


def _number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _mart_as_of(engine, day: dt.date) -> dict:
    t = m.KpiMart
    with engine.connect() as conn:
        found = conn.execute(
            select(t.scope_type, t.scope_id, t.metric, t.value, t.numerator, t.denominator).where(
                t.as_of == day
            )
        ).all()
    return {tuple(r[:3]): tuple(_number(v) for v in r[3:]) for r in found}


def _computed(engine, day: dt.date) -> dict:
    with Session(engine) as session:
        session.execute(delete(m.KpiMartDate))  # on demand, not from the mart; rolled back
        frame = compute_kpis(session, day, SYSTEM)
        session.rollback()
    return {
        (r.scope_type, r.scope_id, r.metric): tuple(
            _number(None if v is None else float(v)) for v in (r.value, r.numerator, r.denominator)
        )
        for r in frame.itertuples(index=False)
    }


def test_the_next_day_is_built_once_and_equals_the_numbers_computed_on_demand(store):
    engine = store
    with engine.connect() as conn:
        assert mart.holds(conn, TODAY)
        assert not mart.holds(conn, NEXT_DAY)

    written = refresh_mart(engine, NEXT_DAY)

    assert written and written > 0
    with engine.connect() as conn:
        assert mart.holds(conn, NEXT_DAY)
        held = {d for (d,) in conn.execute(select(m.KpiMartDate.as_of))}
    assert held == set(mart.mart_dates(NEXT_DAY))
    assert _mart_as_of(engine, NEXT_DAY) == _computed(engine, NEXT_DAY)

    before = store_dump(engine)
    assert refresh_mart(engine, NEXT_DAY) is None
    assert store_dump(engine) == before


def test_a_day_the_mart_already_holds_changes_nothing(store):
    engine = store
    before = store_dump(engine)
    assert refresh_mart(engine, TODAY) is None
    assert store_dump(engine) == before


def test_the_command_builds_the_day_and_then_says_it_is_done(tmp_path):
    with loaded_generated_store("sqlite", tmp_path, TODAY) as (engine, _files):
        url = engine.url.render_as_string(hide_password=False)
        command = ["mart", "--as-of", NEXT_DAY.isoformat(), "--database-url", url]
        first = CliRunner().invoke(app, command)
        second = CliRunner().invoke(app, command)
        with engine.connect() as conn:
            assert mart.holds(conn, NEXT_DAY)
    assert first.exit_code == 0, first.output
    assert "är beräknade:" in first.output
    assert second.exit_code == 0 and "redan beräknade" in second.output
