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
from tests.test_page_overview import find, text_of

FILTERS = {"as_of": AS_OF.isoformat(), "lang": "sv"}


@pytest.fixture
def page(sqlite_engine):
    build_store(sqlite_engine)
    build_app(sqlite_engine)
    maturity = page_module("/mognad")

    yield maturity
    store.configure(None)


def test_heatmap_comparison_trend_and_options(page):
    heat, comparison, trend, options, value, _ = page.maturity_parts(FILTERS, None)
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

    comparison = page.maturity_parts(FILTERS, None)[1]
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
    heat, comparison, trend, options, value, _ = page.maturity_parts(filters, "x")
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
    heat, comparison, trend, options, value, _holdbacks = page.maturity_parts(FILTERS, None)
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
    heat = page.maturity_parts({**FILTERS, "municipality": "1882"}, None)[0]
    assert set(heat.data[0].y) == {"Kommunledningsförvaltningen", "Socialförvaltningen",
                                   "Ekonomisystem"}  # fmt: skip
    output_cache.clear()


def test_profile_radar(page):
    fig, _ = page.update_profile("administration:1882-KLF", FILTERS)
    assert fig.data[0].type == "scatterpolar"
    assert list(fig.data[0].r) == [2, 3, 4, 2]
    assert "Kommunledningsförvaltningen" in fig.layout.title.text
    english, _ = page.update_profile("governance_object:GO-EK", {**FILTERS, "lang": "en"})
    assert list(english.data[0].r) == [2, 2, 2, 2]
    assert english.layout.title.text == "Maturity profile: Ekonomisystem"
    # A forged or unknown choice gets an empty figure, not an error.
    forged, table = page.update_profile("administration:NOPE", FILTERS)
    assert forged.data == () and table is None


def test_empty_store(sqlite_engine):
    build_app(sqlite_engine)
    maturity = page_module("/mognad")

    try:
        assert "infosak load" in text_of(maturity.layout())
        heat, comparison, trend, options, value, holdback = maturity.maturity_parts(FILTERS, None)
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
    dash_duo.wait_for_contains_text(
        "#mognad-holdback", "Nivå 2 nås inte: 67 % av de öppna åtgärderna", timeout=15
    )
    dash_duo.wait_for_contains_text("#mognad-area-table", "Ålder", timeout=15)
    dash_duo.select_dcc_dropdown("#app-filter-municipality", value="Hallsberg (1861)")
    # Hallsberg's only administration has no gap analysis: the object it takes part in remains.
    dash_duo.wait_for_text_to_equal("#mognad-heatmap .ytick", "Ekonomisystem", timeout=15)
    assert len(dash_duo.find_elements(rows)) == 1
    assert dash_duo.get_logs() == []
    store.configure(None)


def test_the_country_view_in_the_browser(dash_duo, sqlite_engine, monkeypatch):
    """The country's view (thresholds lowered to the small store's two municipalities and three
    assessed nodes): comparison per municipality, the hold-back table per municipality, and the
    profile asking for a municipality (its list is empty: tested above); axe finds nothing. Choosing a
    municipality lists its profiles and draws the first one."""
    from dashboard import output_cache
    from tests.axe import describe, run_axe

    build_store(sqlite_engine)
    app = build_app(sqlite_engine)
    maturity = page_module("/mognad")
    monkeypatch.setattr(maturity, "MUNICIPALITIES_WITH_ADMINISTRATIONS", 1)
    monkeypatch.setattr(maturity, "PROFILE_OPTIONS_SHOWN", 2)
    output_cache.clear()
    try:
        dash_duo.start_server(app)
        dash_duo.wait_for_page(f"{dash_duo.server_url}/mognad?datum={AS_OF.isoformat()}")
        dash_duo.wait_for_contains_text("#mognad-profile", "Välj en kommun", timeout=20)
        dash_duo.wait_for_element(f"#{maturity.COUNTRY_HOLDBACK}", timeout=20)
        bars = "#mognad-comparison .ytick"
        dash_duo.wait_for_element(bars, timeout=20)
        assert {e.text for e in dash_duo.find_elements(bars)} == {"Askersund", "Hallsberg"}
        assert describe("/mognad (hela landet)", run_axe(dash_duo.driver)) == []

        dash_duo.select_dcc_dropdown("#app-filter-municipality", value="Askersund (1882)")
        dash_duo.wait_for_element("#mognad-profile .polarlayer", timeout=20)
        dash_duo.wait_for_contains_text("#mognad-area-table", "Ålder", timeout=20)
        assert dash_duo.get_logs() == []
    finally:
        output_cache.clear()
        store.configure(None)


def _plain(component) -> str:
    """The component's text with the no-break space before "%" read as a space."""
    return text_of(component).replace("\xa0", " ")


def test_what_holds_each_scope_back(page):
    """As of 2026-11-28 (counted by hand in tests/test_evidence_maturity.py and test_kpi.py):
    1882-KLF has 2 of 3 open actions overdue (level 2 allows at most 50 %); 1882-SOC 2 of 2 and
    no personal-data asset registered; 1861-BUF is at 3 and misses four level-4 thresholds;
    GO-EK has 2 of 2 overdue."""
    holdback = page.maturity_parts(FILTERS, None)[5]
    rows = {
        cells[0]: (cells[1], cells[2])
        for cells in (
            [_plain(td) for td in tr.children] for tr in holdback.children.children[1].children
        )
    }
    assert rows == {
        "Kommunledningsförvaltningen": (
            "1 Initial",
            "Nivå 2 nås inte: 67 % av de öppna åtgärderna är försenade (2 av 3; högst 50 %)",
        ),
        "Socialförvaltningen": (
            "1 Initial",
            "Nivå 2 nås inte: 100 % av de öppna åtgärderna är försenade (2 av 2; högst 50 %); "
            "0 % av tillgångarna med personuppgifter finns i registerförteckningen "
            "(0 av 1; minst 50 %)",
        ),
        "Barn- och utbildning": (
            "3 Definierad",
            "Nivå 4 nås inte: 67 % av tillgångarna har en aktuell klassning (2 av 3; minst 80 %); "
            "67 % av tillgångarna har en riskanalys från de senaste 36 månaderna "
            "(2 av 3; minst 70 %); "
            "50 % av de klara åtgärderna blev klara i tid (1 av 2; minst 75 %); "
            "50 % av enheterna har lämnat sin uppföljning (1 av 2; minst 75 %)",
        ),
        "Ekonomisystem (förvaltningsobjekt)": (
            "1 Initial",
            "Nivå 2 nås inte: 100 % av de öppna åtgärderna är försenade (2 av 2; högst 50 %)",
        ),
    }


def test_each_area_shows_its_assessment_date_age_and_evidence(page):
    """1882-SOC's areas were assessed on 2026-04-01: 7 whole months before 2026-11-28. Its
    classification evidence: 2 of 4 classified (50 %, level 2), 1 of 3 expired (33 %, level 2)."""
    _, table = page.update_profile("administration:1882-SOC", FILTERS)
    body = table.children.children[1].children
    cells = [[text_of(td) for td in tr.children] for tr in body]
    assert cells == [
        ["Organisation och roller", "1 Initial", "2026-04-01", "7 mån", "3 Definierad"],
        ["Styrdokument", "2 Upprepbar", "2026-04-01", "7 mån", "–"],
        ["Informationsklassning", "0 Saknas", "2026-04-01", "7 mån", "2 Upprepbar"],
    ]


def test_the_requirements_table_lists_every_threshold():
    from dashboard.pages.maturity import requirements_table

    table = requirements_table("sv").children
    rows = [[_plain(td) for td in tr.children] for tr in table.children[1].children]
    assert rows[4] == [
        "Andel av de öppna åtgärderna är försenade",
        "–",
        "högst 50 %",
        "högst 20 %",
        "högst 10 %",
        "högst 5 %",
    ]
    assert len(rows) == 8


def test_one_administration_chosen_shows_its_units_too(page):
    """1882-SOC's units: Individ och familj has 1 of 1 open action overdue and its one
    personal-data asset unregistered; Äldreomsorg 1 of 1 overdue (tests/test_kpi.py)."""
    filters = {**FILTERS, "municipality": "1882", "administration": "1882-SOC"}
    holdback = page.maturity_parts(filters, None)[5]
    rows = [[_plain(td) for td in tr.children] for tr in holdback.children.children[1].children]
    assert [r[0] for r in rows] == [
        "Socialförvaltningen",
        "Individ och familj (enhet)",
        "Äldreomsorg (enhet)",
    ]  # (GO-EK is shared with 1882-KLF, not with 1882-SOC)
    assert rows[2][1:] == [
        "1 Initial",
        "Nivå 2 nås inte: 100 % av de öppna åtgärderna är försenade (1 av 1; högst 50 %)",
    ]


def test_a_manager_sees_what_holds_their_unit_back(page):
    from dashboard.queries.maturity import evidence_holdbacks
    from dashboard.queries.viewer import Viewer

    manager = Viewer("manager", "Bo", unit_codes=frozenset({"1882-SOC-IFO"}))
    with store.read_session() as session:
        holdbacks = evidence_holdbacks(
            session, AS_OF, manager, scope_types=page.holdback_scope_types(None, manager)
        )
    assert [(h.scope_id, h.level) for h in holdbacks] == [("1882-SOC-IFO", 1)]
    assert [s.criterion.code for s in holdbacks[0].shortfalls] == [
        "actions_overdue_share",
        "gdpr_coverage",
    ]


def test_the_country_view_shows_what_holds_each_municipality_back(page, monkeypatch):
    """The country's view (more municipalities than the page draws administrations for, none
    chosen) gets a hold-back table per municipality. As of 2026-11-28, counted by hand from
    test_what_holds_each_scope_back: Askersund's two administrations are both held back by
    overdue actions (2 of 3 and 2 of 2) and Socialförvaltningen also by the record of
    processing (0 of 1); Hallsberg's one administration (level 3) by four level-4 thresholds.
    Each municipality itself is at level 1: overdue actions hold both back (Askersund 4 of its 5
    open actions, Hallsberg the shared object Ekonomisystem's 2 of 2, which count for it and for
    none of its administrations), and Askersund also the record of processing (1 of its 3
    personal-data assets, the report's 33 %). Askersund comes first: same level, and its
    self-assessment (2,0) is one level above its evidence; Hallsberg has none."""
    from dashboard import output_cache

    monkeypatch.setattr(page, "MUNICIPALITIES_WITH_ADMINISTRATIONS", 1)
    output_cache.clear()
    holdback = page.maturity_parts(FILTERS, None)[5]
    table = find(holdback, page.COUNTRY_HOLDBACK)
    head = [_plain(th) for th in table.children[0].children.children]
    assert head == [
        "Kommun",
        "Kommunens belagda nivå",
        "Håller kommunen nere",
        "Förvaltningar",
        "Klassade",
        "Förfallna klassningar",
        "Riskanalyserade",
        "Risker med åtgärd",
        "Försenade åtgärder",
        "Klara i tid",
        "I registerförteckningen",
        "Uppföljning",
    ]
    rows = [[_plain(cell) for cell in tr.children] for tr in table.children[1].children]
    assert rows == [
        ["Askersund", "1 Initial", "Försenade åtgärder, I registerförteckningen", "2",
         "0", "0", "0", "0", "2", "0", "1", "0"],
        ["Hallsberg", "1 Initial", "Försenade åtgärder", "1", "1", "0", "1", "0", "0", "1", "0", "1"],
    ]  # fmt: skip

    # Past COUNTRY_HOLDBACKS_SHOWN municipalities only the first are counted, and it says so.
    monkeypatch.setattr(page, "COUNTRY_HOLDBACKS_SHOWN", 1)
    output_cache.clear()
    english = page.maturity_parts({**FILTERS, "lang": "en"}, None)[5]
    rows = find(english, page.COUNTRY_HOLDBACK).children[1].children
    assert [_plain(tr.children[0]) for tr in rows] == ["Askersund"]
    assert "The 1 municipalities with the lowest level of 2 are shown" in _plain(english)
    output_cache.clear()


def test_every_criterion_has_a_short_name_in_both_languages(page):
    from etl.kpi.rules import EVIDENCE_CRITERIA

    for criterion in EVIDENCE_CRITERIA:
        for lang in ("sv", "en"):
            assert f"criterion_{criterion.code}" in page.TEXT[lang]


def test_a_manager_is_told_why_the_self_assessment_charts_are_empty(sqlite_engine, monkeypatch):
    """Self-assessments are per administration and object: a manager (units only) got four
    charts saying "Inga uppgifter"; they now say why and where the unit's own level is."""
    from flask import g

    from dashboard import output_cache
    from dashboard.queries.viewer import Viewer
    from tests.test_auth_support import auth_app, reset_store

    build_store(sqlite_engine)
    app = auth_app(sqlite_engine, monkeypatch)
    maturity = page_module("/mognad")
    manager = Viewer("manager", "Bo", unit_codes=frozenset({"1882-SOC-IFO"}))
    output_cache.clear()
    try:
        with app.server.test_request_context("/"):
            g.infosak_viewer = manager
            heat, comparison, trend, _options, _value, holdback = maturity.maturity_parts(
                FILTERS, None
            )
            profile, areas = maturity.update_profile(None, FILTERS)
    finally:
        output_cache.clear()
        reset_store()
    for figure in (heat, comparison, trend, profile):
        assert figure.data == ()
        assert "inte per enhet" in figure.layout.annotations[0].text
    assert "Individ och familj (enhet)" in _plain(holdback)
    assert areas is None


def test_the_country_view_asks_for_a_municipality_before_listing_profiles(page, monkeypatch):
    """Past PROFILE_OPTIONS_SHOWN assessed administrations and objects (the country's 1 356 and
    223), the country's view sends no profile list and the profile asks for a municipality, as
    the heatmap and the trend do; a chosen municipality lists its own. As of 2026-11-28 three
    nodes have an assessment (1882-KLF, 1882-SOC, GO-EK; 1861-BUF none); on 2026-05-01 two
    (GO-EK's is dated 2026-09-01)."""
    import datetime as dt

    from dashboard import output_cache
    from etl.kpi.maturity import assessed_node_count

    with store.read_session() as session:
        assert assessed_node_count(session, AS_OF) == 3
        assert assessed_node_count(session, dt.date(2026, 5, 1)) == 2
        assert assessed_node_count(session, AS_OF, municipality="1861") == 1  # GO-EK

    monkeypatch.setattr(page, "MUNICIPALITIES_WITH_ADMINISTRATIONS", 1)
    monkeypatch.setattr(page, "PROFILE_OPTIONS_SHOWN", 2)
    output_cache.clear()
    try:
        heat, _comparison, _trend, options, value, _holdback = page.maturity_parts(FILTERS, None)
        assert options == [] and value is None
        profile, areas = page.update_profile(value, FILTERS)
        assert profile.data == () and areas is None
        assert "Välj en kommun" in profile.layout.annotations[0].text
        english, _ = page.update_profile(None, {**FILTERS, "lang": "en"})
        assert "Choose a municipality" in english.layout.annotations[0].text

        # One municipality chosen: its own list, and the profile of its first administration.
        chosen = {**FILTERS, "municipality": "1882"}
        options, value = page.maturity_parts(chosen, None)[3:5]
        assert len(options) == 3 and value == "administration:1882-KLF"
        profile, _ = page.update_profile(value, chosen)
        assert list(profile.data[0].r) == [2, 3, 4, 2]
    finally:
        output_cache.clear()


def test_the_country_comparison_draws_the_municipalities_the_table_shows(page, monkeypatch):
    """Past COUNTRY_HOLDBACKS_SHOWN municipalities the comparison draws the same ones as the
    hold-back table (lowest evidence level first: Askersund, see the test above) and says so in
    its title; all of them when they fit. Askersund's self-assessed level is 2,0 (the mean of
    Kommunledningsförvaltningen's 3,0 and Socialförvaltningen's 1,0), its evidence level 1."""
    from dashboard import output_cache

    monkeypatch.setattr(page, "MUNICIPALITIES_WITH_ADMINISTRATIONS", 1)
    monkeypatch.setattr(page, "COUNTRY_HOLDBACKS_SHOWN", 1)
    output_cache.clear()
    try:
        comparison = page.maturity_parts(FILTERS, None)[1]
        assert list(comparison.data[0].y) == ["Askersund"]
        assert list(comparison.data[0].x) == [2.0] and list(comparison.data[1].x) == [1.0]
        assert comparison.layout.title.text == "De 1 kommunerna med lägst belagd nivå av 2"
        english = page.maturity_parts({**FILTERS, "lang": "en"}, None)[1]
        assert english.layout.title.text.startswith("The 1 municipalities with the lowest")

        monkeypatch.setattr(page, "COUNTRY_HOLDBACKS_SHOWN", 15)
        output_cache.clear()
        comparison = page.maturity_parts(FILTERS, None)[1]
        assert set(comparison.data[0].y) == {"Askersund", "Hallsberg"}
        assert comparison.layout.title.text == "Självskattad och belagd mognad"
    finally:
        output_cache.clear()
