"""Every chart of every page uses the one plotly config (dashboard.layout.GRAPH_CONFIG).

With plotly's "responsive" config a chart in a card that was drawn empty first and then given its
figure kept a height of 100 % of a card body sized by the chart: 0 px, the figure drawn over the
next card (seen on Översikt in about half of the page loads in Chromium). The charts follow the
card's width through dcc.Graph's own responsive="auto", and every figure sets its height.
"""

from __future__ import annotations

import dash
from dash import dcc

from dashboard import store
from dashboard.layout import GRAPH_CONFIG
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


def test_every_chart_uses_the_shared_config(sqlite_engine):
    build_store(sqlite_engine)
    build_app(sqlite_engine)
    graphs_by_page = {}
    try:
        for page in dash.page_registry.values():
            module = page_module(page["path"])
            body = module.layout() if callable(module.layout) else module.layout
            graphs_by_page[page["path"]] = _graphs(body, [])
    finally:
        store.configure(None)
    graphs = [g for found in graphs_by_page.values() for g in found]
    assert len(graphs) >= 10, graphs_by_page  # Översikt, Täckning, Åtgärder, Risker, Mognad, ...
    assert "responsive" not in GRAPH_CONFIG
    for path, found in graphs_by_page.items():
        for graph in found:
            assert graph.config == GRAPH_CONFIG, (path, graph.id, graph.config)


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
