"""No information by colour alone (WCAG 1.4.1), and charts that can be read whole.

Without a browser: bar series told apart by colour differ by fill pattern too; the risk matrix
writes each cell's count in the cell. In the browser, on every page with charts or status colours:
every coloured status carries text, a KPI's change says "förbättring"/"försämring" in words, no
chart has a mode bar, no chart repeats its card's heading as its own title, and the radar's area
names ("Incidenthantering") are drawn inside the chart.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest

from dashboard import store
from dashboard.figures.coverage import coverage_bars
from dashboard.figures.governance import coverage_figure
from dashboard.figures.maturity import maturity_comparison_figure, maturity_trend_figure
from dashboard.figures.overview import overdue_aging_figure
from dashboard.figures.risks import risk_heatmap
from tests.browser_site import log_in_as, site_fixture, wait_settled
from tests.pages import build_app, page_module


def patterns(fig) -> list[str]:
    return [trace.marker.pattern.shape or "" for trace in fig.data]


def test_bar_series_differ_by_pattern_not_only_colour(sqlite_engine):
    aging = pd.DataFrame(
        {
            "administration_code": ["KLF", "KLF", "SOC", "SOC"],
            "administration_name": ["Kommunledning", "Kommunledning", "Social", "Social"],
            "bucket": ["1–30", ">180", "31–90", "91–180"],
            "count": [3, 4, 1, 2],
        }
    )
    rates = pd.DataFrame(
        {
            "scope_id": ["A", "A", "B", "B"],
            "scope_name": ["Alfa", "Alfa", "Beta", "Beta"],
            "metric": ["classification_coverage", "shared_owner_participation"] * 2,
            "value": [0.5, 0.7, 0.2, 0.9],
        }
    )
    build_app(sqlite_engine)
    report = page_module("/rapport")
    store.configure(None)
    content = SimpleNamespace(maturity=[("Kommunledning", 3.0, 2.0), ("Social", 2.5, 1.0)])
    figures = {
        "aging": overdue_aging_figure(aging, "sv"),
        "coverage": coverage_bars(
            rates,
            {"classification_coverage": "Klassade", "shared_owner_participation": "Delägare"},
            "administration",
        ),
        "governance": coverage_figure(rates, "sv"),
        "report maturity": report.maturity_figure(content),
        "maturity comparison": maturity_comparison_figure(
            pd.DataFrame(
                {
                    "scope_id": ["A", "B"],
                    "scope_name": ["Alfa", "Beta"],
                    "maturity_self": [3.0, 2.0],
                    "maturity_evidence": [1.0, 2.0],
                }
            ),
            "sv",
        ),
    }
    for name, fig in figures.items():
        shapes = patterns(fig)
        assert len(shapes) >= 2, name
        assert len(set(shapes)) == len(shapes), (name, shapes)


def test_line_series_differ_by_dash_and_symbol_not_only_colour():
    history = pd.DataFrame(
        {
            "scope_id": ["A", "A", "B", "B"],
            "scope_name": ["Alfa", "Alfa", "Beta", "Beta"],
            "assessed_on": [dt.date(2025, 10, 1), dt.date(2026, 10, 1)] * 2,
            "mean_level": [1.0, 2.0, 3.0, 3.5],
        }
    )
    fig = maturity_trend_figure(history, "sv")
    styles = [(trace.line.dash, trace.marker.symbol) for trace in fig.data]
    assert len(styles) == 2 and len(set(styles)) == 2, styles


def test_risk_matrix_cells_carry_their_count():
    df = pd.DataFrame({"likelihood": [1, 3, 4], "consequence": [2, 3, 4], "count": [5, 2, 7]})
    fig = risk_heatmap(df, "sv")
    trace = fig.data[0]
    assert trace.texttemplate == "%{text}"
    for z_row, text_row in zip(trace.z, trace.text, strict=True):
        assert [str(v) for v in z_row] == list(text_row)


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    yield from site_fixture(request, tmp_path_factory)


PAGES = {"/": "eva", "/mognad": "eva", "/risker": "eva", "/forvaltningsobjekt": "eva"}
PAGES_MANAGER = {"/min-enhet": "bo"}

STATUS_JS = """
const coloured = Array.from(document.querySelectorAll(
    '.status-ok, .status-bad, .kpi-note.good, .kpi-note.bad'));
return {
  blank: coloured.filter(e => !e.textContent.trim()).map(e => e.outerHTML.slice(0, 80)),
  unsaid: Array.from(document.querySelectorAll('.kpi-note.good, .kpi-note.bad'))
      .filter(e => !/förbättring|försämring|improvement|deterioration/.test(e.textContent))
      .map(e => e.textContent),
  modebars: document.querySelectorAll('.modebar-container .modebar').length,
  repeated: Array.from(document.querySelectorAll('.card')).filter(card => {
      const head = card.querySelector('.card-header');
      const own = card.querySelector('.gtitle');
      return head && own && getComputedStyle(own).display !== 'none'
          && own.textContent.trim().toLowerCase() === head.textContent.trim().toLowerCase();
  }).length,
};
"""

RADAR_JS = """
const gd = document.getElementById('mognad-profile').querySelector('.js-plotly-plot');
const svg = gd.querySelector('svg.main-svg').getBoundingClientRect();
return Array.from(gd.querySelectorAll('.angularaxistick text, .angularaxis text')).map(t => {
  const r = t.getBoundingClientRect();
  return {text: t.textContent, inside: r.left >= svg.left - 1 && r.right <= svg.right + 1};
});
"""


@pytest.mark.browser
def test_pages_say_in_words_what_colour_says(site):
    problems = []
    for pages in (PAGES, PAGES_MANAGER):
        log_in_as(site, next(iter(pages.values())))
        for path in pages:
            site.driver.get(site.server_url + path)
            wait_settled(site)
            found = site.driver.execute_script(STATUS_JS)
            if found["blank"] or found["unsaid"] or found["modebars"] or found["repeated"]:
                problems.append(f"{path}: {found}")
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
def test_radar_draws_every_area_name_inside(site):
    """At full width and at 1366 px zoomed to 200 % (683 CSS px)."""
    log_in_as(site, "eva")
    outside = {}
    try:
        for width in (1400, 683):
            site.driver.set_window_size(width, 1000)
            site.driver.get(site.server_url + "/mognad")  # the first administration's profile
            site.wait_for_element("#mognad-profile .js-plotly-plot .polarlayer", timeout=20)
            wait_settled(site)
            labels = site.driver.execute_script(RADAR_JS)
            assert labels, "the radar draws no area names"
            outside[width] = [label["text"] for label in labels if not label["inside"]]
    finally:
        site.driver.set_window_size(1400, 1000)
    assert outside == {1400: [], 683: []}
