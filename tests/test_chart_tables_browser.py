"""Every chart on every page has a "Visa som tabell" toggle, and the table it opens carries the
numbers the chart draws: each value of the plotted figure (as plotly holds it in the page) is a
cell of the table, each cell shows its number as the chart does, and the table has a caption and
header cells with a scope. The chart's caption says what the chart shows. The toggle is opened
with the keyboard, and with every table open the page passes axe-core.

The CISO sees every page with charts but Min enhet (a manager's) and the report.
"""

from __future__ import annotations

import math
import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.axe import describe, run_axe
from tests.browser_site import log_in_as, site_fixture, wait_settled

# page -> the account that sees its charts filled (tests/browser_site.py's ACCOUNTS)
CHART_PAGES = {
    "/": "eva",
    "/mognad": "eva",
    "/tackning": "eva",
    "/atgarder": "eva",
    "/risker": "eva",
    "/forvaltningsobjekt": "eva",
    "/min-enhet": "bo",
    "/rapport": "namnd",
}
# How many charts each page has (a new chart must come with its table).
CHART_COUNTS = {
    "/": 2,
    "/mognad": 4,
    "/tackning": 1,
    "/atgarder": 2,
    "/risker": 2,
    "/forvaltningsobjekt": 1,
    "/min-enhet": 1,
    "/rapport": 3,
}

# The values a figure draws, as plotly holds them in the page (typed arrays made lists).
PLOTTED_JS = """
const gd = document.getElementById(arguments[0]).querySelector('.js-plotly-plot');
if (!gd || !gd.data) { return null; }
// A base64 array ({dtype, bdata}) keeps plotly's decoded copy in _inputArray.
const arr = v => (v && v._inputArray ? v._inputArray : v);
const list = v => (v == null ? [] : Array.from(arr(v), x => Array.isArray(x) || ArrayBuffer.isView(x)
    ? Array.from(x) : x));
return gd.data.filter(t => t.visible !== false).map(t => {
  let values;
  if (t.type === 'heatmap') { values = list(t.z).flat(); }
  else if (t.type === 'scatterpolar') { values = list(t.r); values = values.slice(0, -1); }
  else if (t.orientation === 'h' || t.type === 'funnel') { values = list(t.x); }
  else { values = list(t.y); }
  return {type: t.type, values: values};
});
"""

TABLE_JS = """
const table = arguments[0].querySelector('table');
if (!table) { return null; }
const cells = Array.from(table.querySelectorAll('td[data-value]'))
    .map(td => ({text: td.textContent, value: td.getAttribute('data-value')}));
return {
  caption: (table.querySelector('caption') || {}).textContent || '',
  colHeaders: Array.from(table.querySelectorAll('thead th')).map(
      th => th.getAttribute('scope')),
  rowHeaders: Array.from(table.querySelectorAll('tbody th')).map(
      th => th.getAttribute('scope')),
  cells: cells,
};
"""


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    yield from site_fixture(request, tmp_path_factory)


def shown_number(text: str) -> float | None:
    """The first number in a cell as shown: "1 234", "3,1", "51 %" (Swedish) or "3.1"."""
    match = re.search(r"[−-]?\d[\d\u00a0\u202f ]*(?:[.,]\d+)?", text)
    if not match:
        return None
    number = match.group().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    return float(number.replace(",", ".").replace("−", "-"))


def close(a: float, b: float, decimals: int) -> bool:
    return abs(a - b) <= 0.5 * 10**-decimals + 1e-9


def finite(values) -> list[float]:
    return sorted(
        round(float(v), 9)
        for v in values
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    )


def check_chart(duo, figure, where: str) -> list[str]:
    problems = []
    graph_id = figure.find_element(By.CSS_SELECTOR, ".dash-graph").get_attribute("id")
    toggle = figure.find_element(By.CSS_SELECTOR, "summary.chart-table-toggle")
    if toggle.text.strip() not in ("Visa som tabell", "Show as table"):
        problems.append(f"{where} {graph_id}: toggle says {toggle.text!r}")
    summary = figure.find_element(By.CSS_SELECTOR, "figcaption.visually-hidden")
    if not summary.get_attribute("textContent").strip():
        problems.append(f"{where} {graph_id}: no caption summary")
    plotted = duo.driver.execute_script(PLOTTED_JS, graph_id)
    # Opened by keyboard: focus the summary and press Enter.
    duo.driver.execute_script("arguments[0].focus();", toggle)
    toggle.send_keys(Keys.ENTER)
    wait_settled(duo)
    details = figure.find_element(By.CSS_SELECTOR, "details")
    if not details.get_attribute("open"):
        return problems + [f"{where} {graph_id}: Enter did not open the table"]
    body = figure.find_element(By.CSS_SELECTOR, ".chart-table-body")
    table = duo.driver.execute_script(TABLE_JS, body)
    if not plotted or not any(t["values"] for t in plotted):
        # An empty chart says so instead of showing a table.
        if table is not None or not body.text.strip():
            problems.append(f"{where} {graph_id}: empty chart without its sentence")
        return problems
    if table is None:
        return problems + [f"{where} {graph_id}: no table"]
    if not table["caption"].strip():
        problems.append(f"{where} {graph_id}: table without caption")
    if set(table["colHeaders"]) != {"col"} or set(table["rowHeaders"]) != {"row"}:
        problems.append(f"{where} {graph_id}: header cells without scope")
    expected = finite(v for t in plotted for v in t["values"])
    shown = finite(float(c["value"]) for c in table["cells"] if c["value"])
    if expected != shown:
        problems.append(f"{where} {graph_id}: table {shown[:12]} != figure {expected[:12]}")
    for cell in table["cells"]:
        if not cell["value"]:
            if cell["text"].strip() != "–":
                problems.append(f"{where} {graph_id}: missing value shown as {cell['text']!r}")
            continue
        value, number = float(cell["value"]), shown_number(cell["text"])
        percent = "%" in cell["text"]
        want = value * 100 if percent else value
        if number is None or not close(number, want, 0 if percent else 1):
            problems.append(f"{where} {graph_id}: {cell['text']!r} does not show {value}")
    return problems


@pytest.mark.browser
@pytest.mark.parametrize("path", list(CHART_PAGES))
def test_every_chart_has_a_table_of_its_numbers(site, path):
    account = CHART_PAGES[path]
    if getattr(site, "_chart_account", None) != account:
        log_in_as(site, account)
        site._chart_account = account
    site.driver.get(site.server_url + path)
    wait_settled(site)
    figures = site.driver.find_elements(By.CSS_SELECTOR, "figure.chart-figure")
    graphs = site.driver.find_elements(By.CSS_SELECTOR, ".dash-graph")
    assert len(figures) == CHART_COUNTS[path], (path, len(figures))
    assert len(graphs) == len(figures), "a chart without its table"
    problems = []
    for figure in figures:
        problems += check_chart(site, figure, path)
    # With every table open, the page still passes axe (tables, captions, scroll regions).
    problems += describe(f"{path} tables open", run_axe(site.driver))
    assert problems == [], "\n".join(problems)
