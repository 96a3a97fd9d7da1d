"""Mognad's heatmap matrix and trend history read together (maturity_matrix_and_history): one
read of the gap analyses gives what the matrix and the history give read on their own, for
every kind of viewer, with and without a chosen municipality or administration, on each back end.

Hand count on tests/kpi_data.py's store (as of 2026-11-28): Askersund's administration
1882-SOC has analyses of 2026-04-01 (mean 1.0) and 2026-12-15 (mean 5.0, after the date: in the
history, not in the matrix); choosing it leaves the history those two points and the matrix
Askersund's 9 cells (1882-KLF, 1882-SOC and the shared object GO-EK, 3 areas each).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import event

from dashboard.queries.viewer import SYSTEM, Viewer
from etl.db import session_factory
from etl.kpi.maturity import _history_of, gap_analyses, maturity_matrix, maturity_matrix_and_history
from etl.kpi.scope import build_scope, load_org
from tests import kpi_data

VIEWERS = {
    "system": SYSTEM,
    "ciso": Viewer("ciso", municipality_codes=frozenset({"1882"})),
    "officer": Viewer("security_officer", administration_codes=frozenset({"1882-SOC"})),
    "manager": Viewer("manager", unit_codes=frozenset({"1882-SOC-IFO"})),
}
CHOICES = [(None, None), ("1882", None), ("1861", None), ("1882", "1882-SOC"), ("1882", "1882-KLF")]


@pytest.fixture
def store(engine):
    kpi_data.build_store(engine)
    return session_factory(engine)


def _history_alone(session, viewer, municipality, administration) -> pd.DataFrame:
    """The history of the viewer's nodes under both choices, from their own reads."""
    scope = build_scope(viewer, None, municipality, administration)
    return _history_of(scope, load_org(session, scope), gap_analyses(session, scope))


def test_read_together_they_are_what_each_reads_alone(store):
    """Every viewer x choice x date on one store (a store per case took minutes)."""
    with store() as s:
        for viewer, who in VIEWERS.items():
            for municipality, administration in CHOICES:
                for as_of in (kpi_data.AS_OF, dt.date(2025, 12, 31)):
                    case = (viewer, municipality, administration, as_of)
                    matrix, history = maturity_matrix_and_history(
                        s, as_of, who, municipality=municipality, administration=administration
                    )
                    alone = maturity_matrix(s, as_of, who, municipality=municipality)
                    alone_history = _history_alone(s, who, municipality, administration)
                    pd.testing.assert_frame_equal(matrix, alone, obj=str(case))
                    pd.testing.assert_frame_equal(history, alone_history, obj=str(case))


def test_a_chosen_administration_keeps_its_own_history_and_the_municipality_matrix(store):
    with store() as s:
        matrix, history = maturity_matrix_and_history(
            s, kpi_data.AS_OF, SYSTEM, municipality="1882", administration="1882-SOC"
        )
    assert [(r.assessed_on, r.scope_id, r.mean_level) for r in history.itertuples()] == [
        (dt.date(2026, 4, 1), "1882-SOC", 1.0),
        (dt.date(2026, 12, 15), "1882-SOC", 5.0),
    ]
    assert len(matrix) == 9
    assert set(matrix["scope_id"]) == {"1882-KLF", "1882-SOC", "GO-EK"}


def test_the_gap_analyses_are_read_once(store, engine):
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with store() as s:
            maturity_matrix_and_history(s, kpi_data.AS_OF, SYSTEM, municipality="1882")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert (
        sum("FROM gap_analysis JOIN gap_assessment" in " ".join(q.split()) for q in statements) == 1
    )
