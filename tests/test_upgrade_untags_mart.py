"""Upgrading a store whose KPI mart is built to the migrations that add the pages' kept counts
(page_aggregate, coverage_gap) leaves no page reading empty counts: the new tables start empty,
so the upgrade untags the mart's dates, the pages count on demand, and `infosak mart` builds
the mart and the counts together. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.queries.actions import open_actions_by_month
from dashboard.queries.coverage import summary_counts
from dashboard.queries.risks import risk_counts
from dashboard.queries.viewer import Viewer
from etl import models as m
from etl.db import alembic_config
from etl.kpi import mart
from etl.kpi.snapshot import refresh_mart
from tests.generated_store import BACKENDS, loaded_generated_store

TODAY = dt.date(2026, 11, 28)
BEFORE_THE_PAGES_COUNTS = "0009_kpi_mart"
ADMIN = Viewer("admin", "a")


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    with loaded_generated_store(request.param, tmp_path, TODAY) as (engine, _files):
        yield engine


def country_pages(engine) -> tuple:
    """What Risker, Åtgärder and Täckning show for the whole country, as plain values."""
    with Session(engine) as session:
        # A GROUP BY's order is the database's: the charts place each cell by its key.
        risks = sorted(risk_counts(session, TODAY, ADMIN).to_dict("records"), key=str)
        actions = open_actions_by_month(session, TODAY, ADMIN).to_dict("records")
        gaps = summary_counts(session, TODAY, ADMIN)[0]
    return risks, actions, gaps


def kept_rows(engine) -> tuple[int, int]:
    with Session(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(m.PageAggregate)),
            session.scalar(select(func.count()).select_from(m.CoverageGap)),
        )


def test_an_upgraded_store_counts_on_demand_until_the_mart_is_built(engine):
    with Session(engine) as session:
        assert mart.holds(session, TODAY)
    shown = country_pages(engine)
    assert shown[0] and shown[1] and any(shown[2].values())
    assert all(kept_rows(engine))

    command.downgrade(alembic_config(engine), BEFORE_THE_PAGES_COUNTS)
    command.upgrade(alembic_config(engine), "head")

    assert kept_rows(engine) == (0, 0)
    with Session(engine) as session:
        assert not mart.holds(session, TODAY)
    assert country_pages(engine) == shown

    assert refresh_mart(engine, TODAY)
    with Session(engine) as session:
        assert mart.holds(session, TODAY)
    assert all(kept_rows(engine))
    assert country_pages(engine) == shown
