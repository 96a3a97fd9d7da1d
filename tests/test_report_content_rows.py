"""The report's tables written for the page: only the first rows, the same ones as the PDF's, each
table knowing how many rows it has.

On tests/kpi_data.py's store as of 2026-11-28 the report for all municipalities has 7 rows of
key figures (Askersund, its administrations Kommunledningsförvaltningen and
Socialförvaltningen, its shared part; Hallsberg, Barn- och utbildning, its shared part), 5 rows
in the organisation check (the two municipalities and their three administrations), one shared
object and no loaded sources; the page writes at most ``rows`` of each.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dashboard.queries.viewer import SYSTEM
from dashboard.report.content import build_content
from dashboard.report.gather import gather_report
from tests import kpi_data
from tests.kpi_data import AS_OF

TABLES = ("kpi_table", "organisation", "objects", "lineage")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    from etl.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('rows') / 'store.db'}")
    migrate(engine)
    kpi_data.build_store(engine)
    with Session(engine) as session:
        gathered = gather_report(session, AS_OF, SYSTEM)
    engine.dispose()
    return gathered


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_the_page_writes_the_first_rows_of_each_table(data, lang, limit):
    whole = build_content(data, lang)
    first = build_content(data, lang, rows=limit)
    for name in TABLES:
        full, cut = getattr(whole, name), getattr(first, name)
        assert cut.rows == full.rows[:limit], name
        assert cut.headers == full.headers and cut.note == full.note, name
        assert cut.row_count == len(full.rows), name
    # Everything but the tables is the same.
    for field in ("title", "subtitle", "summary", "funnel", "overdue_trend", "maturity"):
        assert getattr(first, field) == getattr(whole, field), field


def test_the_hand_counted_tables_have_these_many_rows(data):
    whole = build_content(data, "sv")
    counts = [len(getattr(whole, name).rows) for name in TABLES]
    assert counts == [7, 5, 1, 0]
    assert whole.organisation.rows[1][0] == "  Kommunledningsförvaltningen"
    assert whole.kpi_table.total is None and whole.kpi_table.row_count == 7


def test_a_table_within_the_limit_is_whole(data):
    whole = build_content(data, "sv")
    within = build_content(data, "sv", rows=100)
    for name in TABLES:
        assert getattr(within, name) == getattr(whole, name), name
