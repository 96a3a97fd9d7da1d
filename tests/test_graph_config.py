"""Every chart of every page uses the one plotly config (dashboard.layout.GRAPH_CONFIG, with the
page language's plotly locale from dashboard.layout.graph_config).

With plotly's "responsive" config a chart in a card that was drawn empty first and then given its
figure kept a height of 100 % of a card body sized by the chart: 0 px, the figure drawn over the
next card (seen on Översikt in about half of the page loads in Chromium). The charts follow the
card's width through dcc.Graph's own responsive="auto", and every figure sets its height.
"""

from __future__ import annotations

import dash
from dash import dcc

from dashboard import store
from dashboard.layout import GRAPH_CONFIG, graph_config
from tests.kpi_data import build_store
from tests.pages import build_app, page_module


def _graphs(component, found: list) -> list:
    if isinstance(component, dcc.Graph):
        found.append(component)
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            _graphs(child, found)
    return found


def _graphs_by_page(**query) -> dict:
    graphs_by_page = {}
    for page in dash.page_registry.values():
        module = page_module(page["path"])
        body = module.layout(**query) if callable(module.layout) else module.layout
        graphs_by_page[page["path"]] = _graphs(body, [])
    return graphs_by_page


def test_every_chart_uses_the_shared_config(sqlite_engine):
    build_store(sqlite_engine)
    build_app(sqlite_engine)
    try:
        by_language = {"sv": _graphs_by_page(), "en": _graphs_by_page(sprak="en")}
    finally:
        store.configure(None)
    assert "responsive" not in GRAPH_CONFIG
    for lang, graphs_by_page in by_language.items():
        graphs = [g for found in graphs_by_page.values() for g in found]
        assert len(graphs) >= 10, graphs_by_page  # Översikt, Täckning, Åtgärder, Risker, ...
        for path, found in graphs_by_page.items():
            for graph in found:
                assert graph.config == graph_config(lang), (path, graph.id, lang)


def test_the_chart_locale_writes_swedish_months_and_numbers():
    config = graph_config("sv")
    assert config["locale"] == "sv" and config["displaylogo"] is False
    swedish = config["locales"]["sv"]["format"]
    assert swedish["shortMonths"][9] == "okt." and swedish["months"][2] == "mars"
    assert swedish["days"][0] == "söndag"  # d3 starts the week on Sunday
    assert (swedish["decimal"], swedish["thousands"]) == (",", "\u00a0")
    english = graph_config("en")["locales"]["en"]["format"]
    assert english["shortMonths"][9] == "Oct" and english["decimal"] == "."


def test_charts_have_no_mode_bar_and_do_not_zoom():
    """The mode bar covered the charts' titles and put zoom and pan on the committee's report;
    without it a drag must not zoom either, or nothing would undo it."""
    from dashboard.figures.theme import TEMPLATE

    assert GRAPH_CONFIG.get("displayModeBar") is False
    assert TEMPLATE.layout.dragmode is False


def test_report_trend_counts_from_zero(sqlite_engine):
    """A count axis starts at zero: the report's overdue trend around 290 started near 290 and
    made a change of a few actions look steep."""
    import datetime as dt
    from types import SimpleNamespace

    build_app(sqlite_engine)
    report = page_module("/rapport")
    store.configure(None)
    content = SimpleNamespace(
        overdue_trend=[(dt.date(2026, 9, 30), 290), (dt.date(2026, 10, 31), 296)]
    )
    assert report.trend_figure(content).layout.yaxis.rangemode == "tozero"
