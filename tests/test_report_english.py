"""The committee report in English: every sentence, heading, table header, caption and the PDF's
metadata, on the page and in the PDF alike, with English number and date formats.

Store: tests/kpi_data.py as of 2026-11-28, seen by the system (all municipalities), with one
stale data source added to the gathered numbers so that the data-source table and its sentence
are written too. Names from the store (Askersund, Barn- och utbildning, Sydnärke IT...) are data,
not report text: they are removed before a text is checked for Swedish.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import store
from dashboard.app import create_app
from dashboard.report.content import ReportContent, build_content
from dashboard.report.gather import gather_report
from dashboard.report.pdf import report_pdf
from dashboard.report.scope_words import with_scope_texts
from dashboard.report.text import TEXT
from dashboard.report.words import WORDS
from etl import models as m
from etl.kpi.viewer import SYSTEM
from tests import kpi_data
from tests.pdf_structure import catalog, structure
from tests.test_page_overview import find, text_of

# Words of the Swedish report that no English sentence has (the brief's list and a few more).
SWEDISH_WORDS = {
    "och",
    "av",
    "har",
    "för",
    "förvaltning",
    "förvaltningar",
    "förvaltningsobjekt",
    "åtgärder",
    "åtgärd",
    "försenade",
    "kommun",
    "kommuner",
    "hela",
    "kvartalet",
    "procentenheter",
    "tillgångar",
    "mognad",
    "källa",
    "dagar",
    "sida",
    "läget",
    "rapport",
    "lägesrapport",
    "ja",
    "nej",
}
SWEDISH_LETTERS = re.compile(r"[åäöÅÄÖ]")
WORD = re.compile(r"[^\W\d_]+")
STALE_SOURCE = {
    "name": "Organisation",
    "kind": "organisation",
    "file_name": "org.xlsx",
    "loaded_at": "2026-06-01T08:00:00",
    "age_days": 180,
    "stale": True,
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from etl.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('english') / 'store.db'}")
    migrate(engine)
    kpi_data.build_store(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def data(engine):
    with Session(engine) as session:
        gathered = gather_report(session, kpi_data.AS_OF, SYSTEM)
        gathered = with_scope_texts(session, SYSTEM, gathered)
    gathered["lineage"] = [STALE_SOURCE]
    return gathered


@pytest.fixture(scope="module")
def names(engine) -> list[str]:
    """Every name the store holds that the report may show, longest first (so that
    "Barn- och utbildning, Hallsberg" goes before "Hallsberg")."""
    with Session(engine) as session:
        found = set()
        for model in (m.Municipality, m.Administration, m.Unit, m.GovernanceObject, m.Provider):
            found |= set(session.scalars(select(model.name)))
    return sorted(found | {"Infosäk"}, key=len, reverse=True)


def swedish_in(texts, names: list[str]) -> list[str]:
    """The Swedish words (or words with å ä ö) in ``texts`` once the store's names are gone."""
    found = []
    for text in texts:
        for name in names:
            text = text.replace(name, " ")
        for word in WORD.findall(text):
            # The order note names the letters å ä ö themselves: a letter alone is no word.
            swedish_letters = len(word) > 1 and SWEDISH_LETTERS.search(word)
            if swedish_letters or word.casefold() in SWEDISH_WORDS:
                found.append(f"{word!r} in {text!r}")
    return found


def content_texts(content: ReportContent) -> list[str]:
    texts = [content.title, content.subtitle, *content.summary, *content.footnotes]
    for table in (content.kpi_table, content.organisation, content.objects, content.lineage):
        texts += [*table.headers, table.note, *(cell for row in table.rows for cell in row)]
    texts += [label for label, _ in content.funnel]
    return texts


def test_every_report_word_exists_in_both_languages():
    assert set(WORDS["sv"]) == set(WORDS["en"])
    assert set(TEXT["sv"]) == set(TEXT["en"])
    assert all(WORDS["en"][key].strip() for key in WORDS["en"])


def test_english_content_has_no_swedish_sentence(data, names):
    content = build_content(data, "en")
    assert content.lang == "en"
    assert swedish_in(content_texts(content), names) == []
    assert content.title == "Information security – status report for all municipalities together"
    assert content.subtitle == "Period 2026-Q4, status as of 28 Nov 2026"
    assert content.summary[0] == (
        "Of 9 information assets, 5 (56%) have a current classification, 11 percentage points "
        "lower than last quarter."
    )
    assert content.summary[-1] == (
        "1 source has not been loaded for more than 90 days; its figures may be out of date."
    )
    assert content.kpi_table.rows[0][0] == "Askersund (whole municipality)"
    assert content.kpi_table.rows[1][-1] == "3.0 (+2.0)"  # English decimal point
    assert content.funnel[1] == ("Classified (current)", 5)


def test_swedish_content_is_still_swedish(data):
    content = build_content(data)
    assert content.summary[0] == (
        "Av 9 informationstillgångar har 5 (56\u00a0%) en aktuell klassning, 11 procentenheter "
        "färre än förra kvartalet."
    )
    assert content.kpi_table.rows[1][-1] == "3,0 (+2,0)"


def test_english_pdf_has_language_en_and_no_swedish_sentence(data, names):
    pdf = report_pdf(data, "en")
    info = catalog(pdf)
    assert info["lang"] == "en"
    assert info["title"].startswith("Information security – status report for")
    tree = structure(pdf)
    lines = list(tree.all_lines())
    # A name wrapped in a narrow column ("Sydnärke | IT") is whole again in the joined text.
    texts = [" ".join(lines), *(figure.alt for figure in tree.find("Figure"))]
    assert swedish_in(texts, names) == []
    assert "Key figures per administration" in lines


@pytest.fixture
def page(engine):
    create_app(engine, auth=False)
    from dashboard.pages import report

    yield report
    store.configure(None)


def test_english_report_page_has_no_swedish_sentence(page, names):
    filters = {"as_of": kpi_data.AS_OF.isoformat(), "lang": "en"}
    content, options = page.update_report(filters, "")
    title = text_of(find(content, "rapport-title"))
    assert title == "Information security – status report for all municipalities together"
    assert swedish_in([text_of(content)], names) == []
    assert options[1]["label"] == "2026-Q3 (until 2026-09-30)"


def test_the_pages_pdf_download_follows_the_page_language(page):
    import base64

    filters = {"as_of": kpi_data.AS_OF.isoformat(), "lang": "en"}
    download = page.download_pdf(1, filters, "")
    pdf = base64.b64decode(download["content"])
    assert catalog(pdf)["lang"] == "en"
    assert catalog(pdf)["title"] == (
        "Information security – status report for all municipalities together"
    )


def test_compared_periods_are_named_in_english():
    from dashboard.report.content import compare_rows

    a = {"headline": {"actions_overdue": {"value": 4}, "classification_coverage": {"value": 0.5}}}
    b = {"headline": {"actions_overdue": {"value": 6}, "classification_coverage": {"value": 0.56}}}
    rows = {row[0]: row[1:] for row in compare_rows(a, b, "en")}
    assert rows["Overdue actions"] == ["4", "6", "+2"]
    assert rows["Classification coverage"] == ["50%", "56%", "+6 percentage points"]


def test_the_pages_charts_are_english_figures(page):
    """The charts' own texts and numbers (separators; the chart-as-table words in the browser
    follow them) are English on the English page: they were themed Swedish."""
    from dashboard.chart_table import figure_language

    filters = {"as_of": kpi_data.AS_OF.isoformat(), "lang": "en"}
    content, _ = page.update_report(filters, "")
    for graph_id in (page.FUNNEL, page.TREND, page.MATURITY):
        figure = find(content, graph_id).figure
        assert figure_language(figure.layout.to_plotly_json()) == "en", graph_id
