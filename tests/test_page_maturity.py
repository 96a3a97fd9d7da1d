"""Mognad: callbacks on the hand-countable store (tests/kpi_data.py) and the page in Chromium.

Latest gap analyses on or before 2026-11-28: 1882-KLF 2026-10-01 levels (2, 3, 4) (an older one
2025-10-01 (1, 1, 1)); 1882-SOC 2026-04-01 (1, 2, 0) (the one dated 2026-12-15 is after the
as-of date); object GO-EK 2026-09-01 (2, 2, 2); 1861-BUF has none.
"""

from __future__ import annotations

import pytest

from dashboard import store
from tests.kpi_data import AS_OF, build_store
from tests.pages import build_app, page_module
from tests.test_page_overview import text_of

FILTERS = {"as_of": AS_OF.isoformat(), "lang": "sv"}


@pytest.fixture
def page(sqlite_engine):
    build_store(sqlite_engine)
    build_app(sqlite_engine)
    maturity = page_module("/mognad")

    yield maturity
    store.configure(None)


def test_heatmap_comparison_trend_and_options(page):
    heat, comparison, trend, options, value = page.update_maturity(FILTERS, None)
    z = {name: list(row) for name, row in zip(heat.data[0].y, heat.data[0].z, strict=True)}
    assert z == {
        "Kommunledningsförvaltningen": [2, 3, 4],
        "Socialförvaltningen": [1, 2, 0],
        "Ekonomisystem": [2, 2, 2],
    }
    assert list(heat.data[0].x) == [
        "Organisation och roller",
        "Styrdokument",
        "Informationsklassning",
    ]
    self_bar, evidence_bar = comparison.data
    assert self_bar.name == "Självskattad"
    self_levels = dict(zip(self_bar.y, self_bar.x, strict=True))
    assert self_levels["Kommunledningsförvaltningen"] == 3.0
    assert self_levels["Socialförvaltningen"] == 1.0
    lines = {t.name: list(t.y) for t in trend.data}
    assert lines == {
        "Kommunledningsförvaltningen": [1.0, 3.0],
        "Socialförvaltningen": [1.0],
        "Ekonomisystem": [2.0],
    }
    assert [o["label"] for o in options] == [
        "Kommunledningsförvaltningen",
        "Socialförvaltningen",
        "Ekonomisystem (förvaltningsobjekt)",
    ]
    assert value == "administration:1882-KLF"


def test_evidence_level_equals_compute_kpis(page):
    from etl.kpi.compute import compute_kpis

    comparison = page.update_maturity(FILTERS, None)[1]
    evidence = dict(zip(comparison.data[1].y, comparison.data[1].x, strict=True))
    with store.read_session() as session:
        kpis = compute_kpis(
            session, AS_OF, scope_types=["administration"], metrics=["maturity_evidence"]
        )
    expected = dict(zip(kpis["scope_name"], kpis["value"], strict=True))
    assert evidence == pytest.approx(expected)
    assert len(evidence) == 3


def test_administration_filter_keeps_one_row_and_picks_its_profile(page):
    filters = {**FILTERS, "municipality": "1882", "administration": "1882-SOC"}
    heat, comparison, trend, options, value = page.update_maturity(filters, "x")
    assert list(heat.data[0].y) == ["Socialförvaltningen"]
    assert list(comparison.data[0].y) == ["Socialförvaltningen"]
    assert [t.name for t in trend.data] == ["Socialförvaltningen"]
    assert value == "administration:1882-SOC"


def test_many_municipalities_are_compared_per_municipality(page, monkeypatch):
    """With more municipalities than the page draws administrations for and none chosen (the
    country's view), the comparison is per municipality (maturity KPIs of that scope) and the
    heatmap and trend ask for a municipality instead of drawing every administration."""
    from dashboard import output_cache
    from etl.kpi.compute import compute_kpis

    monkeypatch.setattr(page, "MUNICIPALITIES_WITH_ADMINISTRATIONS", 1)
    output_cache.clear()
    heat, comparison, trend, options, value = page.update_maturity(FILTERS, None)
    with store.read_session() as session:
        kpis = compute_kpis(session, AS_OF, scope_types=["municipality"], metrics=["maturity_self"])
    assert kpis["scope_id"].nunique() > 1
    self_levels = {name: value for name, value in zip(comparison.data[0].y, comparison.data[0].x,
                   strict=True) if value == value}  # fmt: skip
    expected = {name: value for name, value in zip(kpis["scope_name"], kpis["value"],
                strict=True) if value is not None and value == value}  # fmt: skip
    assert set(comparison.data[0].y) == set(kpis["scope_name"])
    assert self_levels == pytest.approx(expected) and self_levels
    for figure in (heat, trend):
        assert figure.data == ()
        assert "Välj en kommun" in figure.layout.annotations[0].text
    assert value == "administration:1882-KLF" and len(options) == 3  # profiles still offered

    # A chosen municipality is drawn per administration as before.
    heat = page.update_maturity({**FILTERS, "municipality": "1882"}, None)[0]
    assert set(heat.data[0].y) == {"Kommunledningsförvaltningen", "Socialförvaltningen",
                                   "Ekonomisystem"}  # fmt: skip
    output_cache.clear()


def test_profile_radar(page):
    fig = page.update_profile("administration:1882-KLF", FILTERS)
    assert fig.data[0].type == "scatterpolar"
    assert list(fig.data[0].r) == [2, 3, 4, 2]
    assert "Kommunledningsförvaltningen" in fig.layout.title.text
    english = page.update_profile("governance_object:GO-EK", {**FILTERS, "lang": "en"})
    assert list(english.data[0].r) == [2, 2, 2, 2]
    assert english.layout.title.text == "Maturity profile: Ekonomisystem"
    # A forged or unknown choice gets an empty figure, not an error.
    assert page.update_profile("administration:NOPE", FILTERS).data == ()


def test_empty_store(sqlite_engine):
    build_app(sqlite_engine)
    maturity = page_module("/mognad")

    try:
        assert "infosak load" in text_of(maturity.layout())
        heat, comparison, trend, options, value = maturity.update_maturity(FILTERS, None)
        assert heat.data == () and options == [] and value is None
    finally:
        store.configure(None)


def test_page_in_browser(dash_duo, sqlite_engine):
    build_store(sqlite_engine)
    app = build_app(sqlite_engine)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/mognad?datum={AS_OF.isoformat()}")
    dash_duo.wait_for_element("#mognad-heatmap .main-svg", timeout=15)
    dash_duo.wait_for_element("#mognad-profile .main-svg", timeout=15)
    dash_duo.wait_for_element("#mognad-comparison .main-svg", timeout=15)
    dash_duo.wait_for_element("#mognad-trend .main-svg", timeout=15)
    rows = "#mognad-heatmap .ytick"
    dash_duo.wait_for_element(rows, timeout=15)
    assert len(dash_duo.find_elements(rows)) == 3
    dash_duo.select_dcc_dropdown("#app-filter-municipality", value="Hallsberg (1861)")
    # Hallsberg's only administration has no gap analysis: the object it takes part in remains.
    dash_duo.wait_for_text_to_equal("#mognad-heatmap .ytick", "Ekonomisystem", timeout=15)
    assert len(dash_duo.find_elements(rows)) == 1
    assert dash_duo.get_logs() == []
    store.configure(None)
