"""Names from the store are drawn as text, never as markup: in every figure, in the browser's
SVG and in the PDF report.

Plotly draws a small HTML subset in every text of a figure (``<a href>`` becomes a live link,
``<b>``, ``<br>`` … change the drawing) and the PDF report is HTML laid out by WeasyPrint. A
workbook can name an administration, an area or an object anything; these tests give them
hostile names and look for the tags in what reaches the renderers.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import pytest
from pypdf import PdfReader
from sqlalchemy import update
from sqlalchemy.orm import Session

from dashboard import store
from dashboard.figures.coverage import coverage_bars
from dashboard.figures.governance import coverage_figure
from dashboard.figures.maturity import (
    maturity_comparison_figure,
    maturity_heatmap,
    maturity_profile_figure,
    maturity_trend_figure,
)
from dashboard.figures.overview import funnel_figure, overdue_aging_figure
from dashboard.figures.risks import treatment_figure
from dashboard.markup import pdf_markup, plot_text
from dashboard.report.content import build_content
from dashboard.report.gather import gather_report
from dashboard.report.pdf import render_pdf
from etl import models as m
from tests import kpi_data
from tests.pages import build_app, page_module
from tests.pdf_structure import structure

LINK = '<a href="https://evil.example">x</a>'
BOLD = "<b>Fet</b> & co"
IMAGE = "<img src=x onerror=alert(1)>"
HOSTILE = (LINK, BOLD, IMAGE)
# What must never reach a renderer unescaped: each hostile name's tags.
TAG = re.compile(r"<\s*/?\s*(a|b|img)\b", re.IGNORECASE)


def strings(node) -> list[str]:
    """Every string anywhere in a figure's JSON (keys, values, nested lists and dicts)."""
    found: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif hasattr(item, "tolist"):
            stack.append(item.tolist())
    return found


def assert_inert(figure) -> None:
    texts = strings(figure.to_plotly_json())
    tags = [s for s in texts if TAG.search(s)]
    assert tags == [], f"markup from data reached the figure: {tags[:3]}"
    # Not passed by dropping the names: each is there, escaped.
    joined = "\n".join(texts)
    for name in HOSTILE:
        assert plot_text(name) in joined, name


def scope_rates(metrics: list[str]) -> pd.DataFrame:
    rows = [(f"S{i}", name, metric, 0.5) for i, name in enumerate(HOSTILE) for metric in metrics]
    return pd.DataFrame(rows, columns=["scope_id", "scope_name", "metric", "value"])


def maturity_rows() -> pd.DataFrame:
    rows = [
        (f"S{i}", scope, area, order, 2, dt.date(2026, 10, 1))
        for i, scope in enumerate(HOSTILE)
        for order, area in enumerate(HOSTILE)
    ]
    columns = ["scope_id", "scope_name", "area_name", "area_order", "level", "assessed_on"]
    return pd.DataFrame(rows, columns=columns)


FIGURES = {
    "coverage_bars": lambda: coverage_bars(
        scope_rates(["classification_coverage"]), {"classification_coverage": "Klassade"}, "unit"
    ),
    "governance coverage": lambda: coverage_figure(
        scope_rates(["classification_coverage", "shared_owner_participation"])
    ),
    "maturity heatmap": lambda: maturity_heatmap(maturity_rows()),
    "maturity comparison": lambda: maturity_comparison_figure(
        pd.DataFrame(
            {
                "scope_id": ["S0", "S1", "S2"],
                "scope_name": list(HOSTILE),
                "maturity_self": [1.0, 2.0, 3.0],
                "maturity_evidence": [1.0, 1.5, 2.0],
            }
        )
    ),
    "maturity trend": lambda: maturity_trend_figure(
        pd.DataFrame(
            {
                "scope_id": ["S0", "S1", "S2"],
                "scope_name": list(HOSTILE),
                "assessed_on": [dt.date(2026, 1, 1)] * 3,
                "mean_level": [1.0, 2.0, 3.0],
            }
        )
    ),
    "maturity profile": lambda: maturity_profile_figure(
        pd.DataFrame({"area_name": list(HOSTILE), "area_order": [1, 2, 3], "level": [1, 2, 3]}),
        scope_name=LINK + BOLD + IMAGE,
    ),
    "funnel": lambda: funnel_figure(
        pd.DataFrame({"stage": ["a", "b", "c"], "label_sv": list(HOSTILE), "count": [3, 2, 1]})
    ),
    "overdue aging": lambda: overdue_aging_figure(
        pd.DataFrame(
            {
                "administration_code": ["A0", "A1", "A2"],
                "administration_name": list(HOSTILE),
                "bucket": ["1–30", "31–90", ">180"],
                "count": [1, 2, 3],
            }
        )
    ),
    "treatment": lambda: treatment_figure(
        pd.DataFrame({"treatment": ["a", "b", "c"], "label": list(HOSTILE), "count": [1, 2, 3]})
    ),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_draws_names_as_text(name):
    assert_inert(FIGURES[name]())


def test_report_page_maturity_figure_draws_names_as_text(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    poison_names(sqlite_engine)
    build_app(sqlite_engine)
    try:
        report_page = page_module("/rapport")
        with Session(sqlite_engine) as session:
            content = build_content(gather_report(session, kpi_data.AS_OF))
        figure = report_page.maturity_figure(content)
        assert TAG.search("\n".join(strings(figure.to_plotly_json()))) is None
        assert plot_text(LINK) in str(figure.to_plotly_json())
    finally:
        store.configure(None)


def test_plot_text_keeps_the_visible_text():
    # Plotly decodes exactly these three entities when drawing: the label reads as stored.
    assert plot_text('<a href="u">x</a> & &amp;') == '&lt;a href="u"&gt;x&lt;/a&gt; &amp; &amp;amp;'
    assert plot_text(None) == ""
    assert plot_text(1882) == "1882"
    assert pdf_markup("<font size=40>x</font> &") == "&lt;font size=40&gt;x&lt;/font&gt; &amp;"


# --------------------------------------------------------------------------- the store's names


def poison_names(engine) -> None:
    """Hostile names on the hand-countable store: an administration, a municipality, an object
    and the maturity areas."""
    with Session(engine) as s, s.begin():
        s.execute(update(m.Administration).where(m.Administration.code == "1882-SOC")
                  .values(name=LINK))  # fmt: skip
        s.execute(update(m.Administration).where(m.Administration.code == "1882-KLF")
                  .values(name=IMAGE))  # fmt: skip
        s.execute(update(m.Municipality).where(m.Municipality.code == "1882").values(name=BOLD))
        s.execute(update(m.GovernanceObject).values(name=LINK))
        s.execute(update(m.MaturityArea).values(name=IMAGE))


# --------------------------------------------------------------------------- the PDF


def test_pdf_shows_names_literally_and_links_nowhere(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    poison_names(sqlite_engine)
    with Session(sqlite_engine) as session:
        pdf = render_pdf(build_content(gather_report(session, kpi_data.AS_OF)))
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", LINK) in flat  # the name as written, tags and all
    assert re.sub(r"\s+", "", BOLD) in flat
    links = [
        annotation.get_object()
        for page in reader.pages
        for annotation in (page.get("/Annots") or [])
    ]
    assert not [a for a in links if "evil.example" in str(a)], links
    # Nor does the tagged PDF's structure tree hold a link or an image that a name made.
    tree = structure(pdf)
    assert tree.find("Link") == []
    assert len(tree.find("Figure")) == 3  # the report's three charts, no <img> from a name


# --------------------------------------------------------------------------- the browser


@pytest.mark.browser
def test_browser_draws_no_link_from_a_name(dash_duo, sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    poison_names(sqlite_engine)
    app = build_app(sqlite_engine)
    try:
        dash_duo.start_server(app)
        dash_duo.wait_for_page(f"{dash_duo.server_url}/?datum={kpi_data.AS_OF.isoformat()}")
        dash_duo.wait_for_element("#oversikt-aging .main-svg", timeout=15)
        # The aging chart names administrations on its axis: one of them is the link.
        dash_duo.wait_for_element("#oversikt-aging .ytick", timeout=15)
        driver = dash_duo.driver
        anchors = driver.execute_script(
            "return Array.from(document.querySelectorAll('svg a'))"
            ".map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '');"
        )
        assert [h for h in anchors if "evil.example" in h] == []
        assert driver.find_elements("css selector", "svg image, svg img") == []
        bold = driver.execute_script(
            "return Array.from(document.querySelectorAll('svg tspan'))"
            ".filter(t => (t.getAttribute('style') || '').includes('bold')).length;"
        )
        assert bold == 0
        dash_duo.wait_for_contains_text("#oversikt-aging", LINK, timeout=5)  # shown as written
    finally:
        store.configure(None)
