"""Every page's graphs start from a figure: without one, dcc.Graph draws plotly's default empty
axes (six ticks, -1 to 6) as soon as plotly.js has run, and the reader sees a grid flash before
the callback's figure replaces it."""

from __future__ import annotations

import dash
from dash import dcc

from dashboard import store
from dashboard.layout import BLANK_FIGURE
from tests.kpi_data import build_store
from tests.pages import build_app

CHART_PAGES = {"/", "/mognad", "/tackning", "/atgarder", "/risker", "/forvaltningsobjekt"}


def graphs_in(component) -> list[dcc.Graph]:
    if isinstance(component, list | tuple):
        return [g for child in component for g in graphs_in(child)]
    if isinstance(component, dcc.Graph):
        return [component]
    children = getattr(component, "children", None)
    return [] if children is None or isinstance(children, str) else graphs_in(children)


def test_every_graph_of_the_chart_pages_starts_blank(sqlite_engine):
    build_store(sqlite_engine)
    build_app(sqlite_engine)
    try:
        pages = {p["path"]: p for p in dash.page_registry.values() if p["path"] in CHART_PAGES}
        assert set(pages) == CHART_PAGES
        for path, page in pages.items():
            graphs = graphs_in(page["layout"]())
            assert graphs, path
            for graph in graphs:
                assert graph.figure is not None, (path, graph.id)
        axes = BLANK_FIGURE["layout"]
        assert axes["xaxis"]["visible"] is False and axes["yaxis"]["visible"] is False
    finally:
        store.configure(None)
