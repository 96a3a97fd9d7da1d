"""Översikt for the country (more municipalities than MUNICIPALITIES_WITH_ADMINISTRATIONS, no
municipality chosen): the cards, the organisation check and the funnel are the numbers the
separate queries give, and the aging chart has a bar per municipality, each the municipality's
own overdue actions per bucket (compute_kpis's municipality rows), read with the cards in one
call. On the hand-counted store (two municipalities, the limit set to 1), SQLite and PostgreSQL.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.figures.overview import overdue_aging_figure
from dashboard.queries import org, overview
from dashboard.queries.viewer import SYSTEM, Viewer
from etl.db import session_factory
from etl.kpi.compute import AGING_BUCKETS, compute_kpis
from tests.kpi_data import AS_OF, build_store

ADMIN = Viewer("admin", "a")


@pytest.fixture
def session(engine):
    build_store(engine)
    with session_factory(engine)() as s:
        yield s


@pytest.fixture
def country(monkeypatch):
    """Two municipalities count as the country."""
    monkeypatch.setattr(org, "MUNICIPALITIES_WITH_ADMINISTRATIONS", 1)


@pytest.mark.parametrize("viewer", [SYSTEM, ADMIN], ids=["system", "admin"])
def test_country_overview_equals_the_separate_queries(session, country, viewer):
    frames = overview.overview_frames(session, AS_OF, viewer)
    pd.testing.assert_frame_equal(frames.headline, overview.headline_kpis(session, AS_OF, viewer))
    pd.testing.assert_frame_equal(frames.org, overview.org_check(session, AS_OF, viewer))
    pd.testing.assert_frame_equal(frames.funnel, overview.funnel_stages(session, AS_OF, viewer))
    assert frames.aging_level == "municipality"
    assert set(frames.org["scope_type"]) == {"municipality"}


def test_country_aging_has_a_bar_per_municipality_with_its_own_counts(session, country):
    frames = overview.overview_frames(session, AS_OF, SYSTEM)
    kpis = compute_kpis(
        session,
        AS_OF,
        SYSTEM,
        scope_types=["municipality"],
        metrics=[metric for metric, _ in AGING_BUCKETS],
    )
    labels = dict(AGING_BUCKETS)
    expected = {
        (row.scope_id, row.scope_name, labels[row.metric]): int(row.value or 0)
        for row in kpis.itertuples(index=False)
    }
    got = {
        (row.administration_code, row.administration_name, row.bucket): row.count
        for row in frames.aging.itertuples(index=False)
    }
    assert got == expected
    # Both municipalities, every bucket, in the buckets' order within each.
    assert list(frames.aging["administration_code"]) == ["1861"] * 4 + ["1882"] * 4
    assert list(frames.aging["bucket"]) == [label for _, label in AGING_BUCKETS] * 2
    # The hand-counted store has overdue actions: the chart is not empty.
    assert frames.aging["count"].sum() == kpis["value"].fillna(0).sum() > 0


def test_one_municipality_keeps_the_administrations(session, country):
    """A chosen municipality (or a viewer of a few) still gets the administrations' bars and
    the numbers of the separate queries."""
    where = {"municipality": "1882", "administration": None}
    frames = overview.overview_frames(session, AS_OF, SYSTEM, **where)
    assert frames.aging_level == "administration"
    pd.testing.assert_frame_equal(
        frames.aging, overview.aging_rows(session, AS_OF, SYSTEM, **where)
    )
    pd.testing.assert_frame_equal(
        frames.funnel, overview.funnel_stages(session, AS_OF, SYSTEM, **where)
    )
    pd.testing.assert_frame_equal(
        frames.headline, overview.headline_kpis(session, AS_OF, SYSTEM, **where)
    )
    pd.testing.assert_frame_equal(frames.org, overview.org_check(session, AS_OF, SYSTEM, **where))


def test_municipality_aging_chart_says_municipalities():
    aging = pd.DataFrame(
        {
            "administration_code": ["1861"] * 4 + ["1882"] * 4,
            "administration_name": ["Hallsberg"] * 4 + ["Askersund"] * 4,
            "bucket": [label for _, label in AGING_BUCKETS] * 2,
            "count": [1, 0, 0, 2, 0, 3, 0, 1],
        }
    )
    figure = overdue_aging_figure(aging, "sv", "municipality")
    assert figure.layout.title.text == "Försenade åtgärder per kommun"
    # Fewest first: plotly draws the first category at the bottom, the largest on top.
    assert list(figure.data[0].y) == ["Hallsberg", "Askersund"]
    assert [list(trace.x) for trace in figure.data] == [[1, 0], [0, 3], [0, 0], [2, 1]]
    english = overdue_aging_figure(aging, "en", "municipality")
    assert english.layout.title.text == "Overdue actions per municipality"


def test_country_page_draws_municipalities(sqlite_engine, monkeypatch):
    """update_overview for the country: the chart and its card heading say "per kommun" and
    the bars are the municipalities."""
    from dashboard import store
    from tests.pages import build_app, page_module

    build_store(sqlite_engine)
    build_app(sqlite_engine)
    page = page_module("/")
    monkeypatch.setattr(org, "MUNICIPALITIES_WITH_ADMINISTRATIONS", 1)
    try:
        outputs = page.update_overview({"as_of": AS_OF.isoformat(), "lang": "sv"})
    finally:
        store.configure(None)
    aging, title = outputs[3], outputs[-1]
    assert title == "Försenade åtgärder per kommun"
    assert aging.layout.title.text == "Försenade åtgärder per kommun"
    assert set(aging.data[0].y) == {"Askersund", "Hallsberg"}
