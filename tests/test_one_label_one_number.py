"""One label, one number: for one scope and date, every labelled number shown anywhere (the KPI
cards and the coverage funnel of every page, in the browser, and the committee report's PDF)
carries one value per label. Two definitions shown under one label ("Riskanalyserade 51 %" on a
card beside "Riskanalyserade 50" in the funnel) fail here.

Collected in the browser: each card's title and value (.kpi-card), and each funnel's stage labels
with their counts (the Plotly figure's data). In the PDF text: each collected label followed by a
number on one line, and the report's funnel as drawn (its stages, found in the PDF's text).
"""

from __future__ import annotations

import base64
import io
import re
from collections import defaultdict

import dash
import pytest
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from sqlalchemy.orm import Session

from dashboard import store
from dashboard.report.content import build_content
from dashboard.report.gather import gather_report
from tests.browser_site import require_browser, wait_settled
from tests.kpi_data import AS_OF, build_store
from tests.pages import build_app, page_module

FILTERS = {"as_of": AS_OF.isoformat(), "lang": "sv"}
# Pages of the app that show no numbers of the store (forms, statements, lists of loads), and Min
# enhet, which always shows one unit (the manager's), not the chosen scope.
WITHOUT_NUMBERS = {"/ladda-upp", "/tillganglighet", "/logg", "/login", "/min-enhet"}

FUNNELS_JS = """
const found = [];
document.querySelectorAll('.js-plotly-plot').forEach(gd => {
  (gd.data || []).forEach(trace => {
    if (trace.type === 'funnel') {
      (trace.y || []).forEach((label, i) => found.push([String(label), String(trace.x[i])]));
    }
  });
});
return found;
"""
# A Swedish number: groups of three after a (no-break) space, a decimal comma, maybe a percent.
NUMBER = r"(\d{1,3}(?:[\u00a0 ]\d{3})*(?:,\d+)?(?:[\u00a0 ]?%)?)(?![\d,])"


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _plain_label(label: str) -> str:
    """A Plotly label without the markup that figures put around names (<b>, &amp;)."""
    return _clean(re.sub(r"<[^>]+>", "", label).replace("&amp;", "&"))


def collect_page(duo, path: str, seen: dict[str, dict[str, set[str]]]) -> None:
    duo.driver.get(f"{duo.server_url}{path}?datum={AS_OF.isoformat()}")
    wait_settled(duo, timeout=40)
    for card in duo.driver.find_elements(By.CSS_SELECTOR, ".kpi-card"):
        titles = card.find_elements(By.CSS_SELECTOR, ".kpi-title")
        values = card.find_elements(By.CSS_SELECTOR, ".kpi-value")
        if titles and values and _clean(values[0].text):
            seen[_clean(titles[0].text)][_clean(values[0].text)].add(path)
    for label, value in duo.driver.execute_script(FUNNELS_JS):
        seen[_plain_label(label)][_clean(value)].add(f"{path} (tratt)")


def collect_pdf(pdf: bytes, content, labels: list[str], seen) -> None:
    """The report's labelled numbers: its funnel (the stages and counts it draws, each label
    found in the PDF's text) and every collected label followed by a number on one line of the
    PDF's text (a chart's axis ticks on the next line are not its value)."""
    lines = [_clean(line) for page in PdfReader(io.BytesIO(pdf)).pages
             for line in page.extract_text().splitlines()]  # fmt: skip
    text = " ".join(lines)
    for label, count in content.funnel:
        assert _clean(label) in text, label
        seen[_clean(label)][str(count)].add("rapport (PDF, tratt)")
    for line in lines:
        for label in labels:
            for match in re.finditer(re.escape(label) + r":? " + NUMBER, line):
                seen[label][_clean(match.group(1))].add("rapport (PDF)")


@pytest.mark.browser
def test_one_label_never_carries_two_values(dash_duo, sqlite_engine):
    require_browser()
    build_store(sqlite_engine)
    app = build_app(sqlite_engine)
    dash_duo.start_server(app)
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    paths = sorted(
        p["path"] for p in dash.page_registry.values() if p["path"] not in WITHOUT_NUMBERS
    )
    for path in paths:
        if "<" in path:  # a page with a path variable (none shows numbers of its own)
            continue
        collect_page(dash_duo, path, seen)
    assert "Försenade åtgärder" in seen and "Informationstillgångar" in seen, sorted(seen)
    report = page_module("/rapport")
    pdf = base64.b64decode(report.download_pdf(1, FILTERS, "")["content"])
    with store.read_session() as session:
        content = build_content(gather_report(session, AS_OF))
    collect_pdf(pdf, content, sorted(seen), seen)
    clashes = {
        label: {value: sorted(where) for value, where in values.items()}
        for label, values in seen.items()
        if len(values) > 1
    }
    assert clashes == {}, "\n".join(f"{label}: {where}" for label, where in clashes.items())
    assert dash_duo.get_logs() == []
    store.configure(None)


def _bare(label: str) -> str:
    """ "Mognad (belagd)" → "mognad": a metric's label without its qualifier."""
    return re.sub(r"\s*\(.*\)", "", label).strip().casefold()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_reports_column_labels_name_one_definition(sqlite_engine, lang):
    """The report's tables label their columns in few words (the PDF's labels are column heads,
    not "label: number" lines, so the browser test above does not see them). A column's label
    must not be another metric's label without its qualifier: "Mognad" for the self-assessed
    level was the bare label of "Mognad (belagd)", the Mognad page's evidence-based level."""
    from dashboard.report.content import OBJECT_COLUMNS, TABLE_COLUMNS
    from dashboard.report.pdf import report_pdf
    from dashboard.report.words import words
    from etl.kpi.definitions import METRICS

    def label(metric: str) -> str:
        return METRICS[metric].label_en if lang == "en" else METRICS[metric].label_sv

    shown: dict[str, set[str]] = defaultdict(set)
    for metric, key in (*TABLE_COLUMNS, *OBJECT_COLUMNS):
        shown[words(lang)[key]].add(metric)
    assert {text: metrics for text, metrics in shown.items() if len(metrics) > 1} == {}
    clashes = {
        text: sorted(other for other in METRICS if other not in metrics and _bare(label(other))
                     == text.casefold())
        for text, metrics in shown.items()
    }  # fmt: skip
    assert {text: others for text, others in clashes.items() if others} == {}
    build_store(sqlite_engine)
    with Session(sqlite_engine) as session:
        pdf = report_pdf(gather_report(session, AS_OF), lang)
    text = _clean(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))
    assert [heading for heading in shown if heading not in text] == []
