"""Self-assessed maturity: each area's latest assessment on or before the as-of date, per node."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard.queries.viewer import SYSTEM, Viewer
from etl.db import session_factory
from etl.kpi.maturity import maturity_matrix, maturity_matrix_and_history
from tests import kpi_data


@pytest.fixture
def store(engine):
    kpi_data.build_store(engine)
    return session_factory(engine)


def test_matrix_uses_the_latest_analysis_on_or_before_as_of(store):
    with store() as s:
        matrix = maturity_matrix(s, kpi_data.AS_OF)
    assert list(matrix.columns) == [
        "scope_type",
        "scope_id",
        "scope_name",
        "area_code",
        "area_name",
        "area_order",
        "level",
        "assessed_on",
    ]
    cells = {(r.scope_id, r.area_code): (r.level, r.assessed_on) for r in matrix.itertuples()}
    assert cells == {
        ("1882-KLF", "organisation"): (2, dt.date(2026, 10, 1)),
        ("1882-KLF", "styrdokument"): (3, dt.date(2026, 10, 1)),
        ("1882-KLF", "klassning"): (4, dt.date(2026, 10, 1)),
        ("1882-SOC", "organisation"): (1, dt.date(2026, 4, 1)),
        ("1882-SOC", "styrdokument"): (2, dt.date(2026, 4, 1)),
        ("1882-SOC", "klassning"): (0, dt.date(2026, 4, 1)),
        ("GO-EK", "organisation"): (2, dt.date(2026, 9, 1)),
        ("GO-EK", "styrdokument"): (2, dt.date(2026, 9, 1)),
        ("GO-EK", "klassning"): (2, dt.date(2026, 9, 1)),
    }
    assert matrix["scope_type"].tolist() == ["administration"] * 6 + ["governance_object"] * 3
    assert matrix["area_order"].tolist()[:3] == [0, 1, 2]


def test_matrix_a_year_earlier_and_narrowed(store):
    with store() as s:
        early = maturity_matrix(s, dt.date(2025, 12, 31))
        hallsberg = maturity_matrix(s, kpi_data.AS_OF, municipality="1861")
    assert set(early["scope_id"]) == {"1882-KLF"}
    assert early["level"].tolist() == [1, 1, 1]
    assert set(hallsberg["scope_id"]) == {"GO-EK"}  # 1861-BUF has none; GO-EK is shared


def _history(session, viewer=SYSTEM, **where):
    """The trend chart's history, as Mognad reads it beside the matrix."""
    return maturity_matrix_and_history(session, kpi_data.AS_OF, viewer, **where)[1]


def test_history_has_one_row_per_analysis(store):
    with store() as s:
        history = _history(s)
        soc = _history(s, administration="1882-SOC")
    assert list(history.columns) == ["assessed_on", "scope_id", "mean_level"]
    assert [(r.assessed_on, r.scope_id, r.mean_level) for r in history.itertuples()] == [
        (dt.date(2025, 10, 1), "1882-KLF", 1.0),
        (dt.date(2026, 4, 1), "1882-SOC", 1.0),
        (dt.date(2026, 9, 1), "GO-EK", 2.0),
        (dt.date(2026, 10, 1), "1882-KLF", 3.0),
        (dt.date(2026, 12, 15), "1882-SOC", 5.0),
    ]
    assert soc["mean_level"].tolist() == [1.0, 5.0]


def test_maturity_respects_the_viewer(store):
    officer = Viewer("security_officer", administration_codes=frozenset({"1882-SOC"}))
    manager = Viewer("manager", unit_codes=frozenset({"1882-SOC-IFO"}))
    with store() as s:
        assert set(maturity_matrix(s, kpi_data.AS_OF, officer)["scope_id"]) == {"1882-SOC"}
        assert set(_history(s, officer)["scope_id"]) == {"1882-SOC"}
        assert maturity_matrix(s, kpi_data.AS_OF, manager).empty
        assert _history(s, manager).empty


def test_visible_analyses_of_a_date_are_the_query_of_that_date(store):
    """One query of every date, filtered per date, gives what the per-date query gives."""
    from dashboard.queries.viewer import SYSTEM
    from etl.kpi.maturity import gap_analyses, visible_analyses
    from etl.kpi.scope import build_scope

    officer = Viewer("security_officer", administration_codes=frozenset({"1882-SOC"}))
    with store() as s:
        for viewer, municipality in ((SYSTEM, None), (SYSTEM, "1861"), (officer, None)):
            scope = build_scope(viewer, None, municipality)
            for day in (dt.date(2025, 12, 31), dt.date(2026, 4, 1), kpi_data.AS_OF, None):
                kept = visible_analyses(s, scope, day).sort_values("gap_analysis_id")
                live = gap_analyses(s, scope, day).sort_values("gap_analysis_id")
                # (an empty query result has object columns; the filtered frame keeps its dtypes)
                pd.testing.assert_frame_equal(
                    kept.reset_index(drop=True),
                    live.reset_index(drop=True),
                    check_dtype=live.size > 0,
                )


def _add_partial_analysis(factory, administration: str, on: dt.date, levels: dict[str, int]):
    """A later gap analysis of ``administration`` that assesses only the areas in ``levels``."""
    from etl import models as m

    with factory() as s, s.begin():
        admin = s.query(m.Administration).filter_by(code=administration).one()
        analysis = m.GapAnalysis(
            assessed_on=on, administration_id=admin.id, source_id=s.query(m.Source).one().id
        )
        s.add(analysis)
        s.flush()
        for code, level in levels.items():
            area = s.query(m.MaturityArea).filter_by(code=code).one()
            s.add(m.GapAssessment(gap_analysis_id=analysis.id, area_id=area.id, level=level))


def test_a_partial_analysis_replaces_only_the_areas_it_assessed(store):
    """1882-KLF: (2, 3, 4) on 2026-10-01, then only organisation = 5 on 2026-11-01. Each area's
    latest assessment counts: (5 + 3 + 4) / 3 = 4, not the partial analysis's mean 5."""
    from etl.kpi.compute import compute_kpis

    _add_partial_analysis(store, "1882-KLF", dt.date(2026, 11, 1), {"organisation": 5})
    with store() as s:
        kpis = compute_kpis(s, kpi_data.AS_OF, metrics=["maturity_self"])
        matrix = maturity_matrix(s, kpi_data.AS_OF)
        history = _history(s, administration="1882-KLF")
    klf = kpis[kpis["scope_id"] == "1882-KLF"].iloc[0]
    assert (klf.numerator, klf.denominator, klf.value) == (12, 3, 4.0)
    # Askersund: the mean of its administrations' means, (4 + 1) / 2.
    askersund = kpis[kpis["scope_id"] == "1882"].iloc[0]
    assert askersund.value == pytest.approx(2.5)
    cells = {
        r.area_code: (r.level, r.assessed_on)
        for r in matrix[matrix["scope_id"] == "1882-KLF"].itertuples()
    }
    assert cells == {
        "organisation": (5, dt.date(2026, 11, 1)),
        "styrdokument": (3, dt.date(2026, 10, 1)),
        "klassning": (4, dt.date(2026, 10, 1)),
    }
    history = history[history["scope_id"] == "1882-KLF"]  # (GO-EK is shared with 1882-KLF)
    assert [(r.assessed_on, r.mean_level) for r in history.itertuples()] == [
        (dt.date(2025, 10, 1), 1.0),
        (dt.date(2026, 10, 1), 3.0),
        (dt.date(2026, 11, 1), 4.0),
    ]
