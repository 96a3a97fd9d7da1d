"""The committee report is a tagged PDF (PDF/UA-1) that a screen reader can follow.

Read back as assistive technology reads it (tests/pdf_structure.py: the structure tree with each
element's text): language, title, headings in order, tables with header cells and their scope,
charts as figures whose alternative text carries the chart's numbers. A PDF/UA checker from PyPI
(``pdfua``, the machine-checkable subset of PDF/UA-1) must find nothing. Also: table cells break
only between words, and municipalities and administrations come in Swedish alphabetical order.

Store: tests/kpi_data.py as of 2026-11-28 (Askersund 1882 with Kommunledningsförvaltningen and
Socialförvaltningen; Hallsberg 1861 with Barn- och utbildning; the code order would put
Hallsberg first).
"""

from __future__ import annotations

import io

import pytest
from pdfua import validate
from pypdf import PdfReader
from sqlalchemy.orm import Session

from dashboard.report.content import SHARED_ROW, build_content
from dashboard.report.gather import gather_report
from dashboard.report.order import swedish_key
from dashboard.report.pdf import layout, render_pdf
from dashboard.report.text import TEXT
from tests import kpi_data
from tests.pdf_structure import catalog, structure, table_rows, untagged_marked_text


def plain(text: str) -> str:
    """``text`` as read back from the PDF: the no-break spaces of Swedish numbers are spaces."""
    return text.replace("\u00a0", " ")


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    from etl.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('tagged') / 'store.db'}")
    migrate(engine)
    kpi_data.build_store(engine)
    with Session(engine) as session:
        data = gather_report(session, kpi_data.AS_OF)
    engine.dispose()
    return build_content(data)


@pytest.fixture(scope="module")
def pdf(content):
    return render_pdf(content)


@pytest.fixture(scope="module")
def tree(pdf):
    return structure(pdf)


def test_catalog_says_language_title_and_tagging(pdf, content):
    info = catalog(pdf)
    assert info["has_structure"] and info["marked"]
    assert info["lang"] == "sv-SE"
    assert info["display_doc_title"] and info["title"] == content.title
    assert info["pdfua_part"] == "1"  # the XMP metadata claims PDF/UA-1


def test_headings_in_reading_order(tree, content):
    text = TEXT["sv"]
    assert [h.text for h in tree.find("H1")] == [content.title]
    assert [h.text for h in tree.find("H2")] == [
        text["summary"],
        text["kpi_table"],
        text["funnel"],
        text["trend"],
        text["maturity"],
        text["organisation"],
        text["objects"],
        text["lineage"],
    ]
    # Reading order is content order: the title, the subtitle, then the sections, each with its
    # heading first and the summary's sentences as the report has them.
    assert [c.role for c in tree.children[:2]] == ["H1", "P"]
    summary = tree.children[2]
    assert summary.children[0].role == "H2"
    assert [p.text for p in summary.children[1:]] == [plain(s) for s in content.summary]


def test_tables_have_header_cells_with_scope(tree, content):
    tables = tree.find("Table")
    # Key figures, organisation, shared objects (the store has no loads: no data-source table).
    assert len(tables) == 3
    for table in tables:
        head, body = table.find("THead"), table.find("TBody")
        assert len(head) == 1 and len(body) == 1
        assert {c.role for c in head[0].find("TR")[0].children} == {"TH"}
        assert all(c.attributes.get("Scope") == "Column" for c in head[0].find("TH"))
        for row in body[0].find("TR"):
            first, *rest = row.children
            assert first.role == "TH" and first.attributes.get("Scope") == "Row"
            assert {c.role for c in rest} == {"TD"}
            assert all("Headers" in c.attributes for c in rest)
    # The key-figure table reads back cell by cell exactly as the report's content has it.
    kpi = table_rows(tables[0])
    assert kpi[0] == content.kpi_table.headers
    assert kpi[1:] == [[plain(cell) for cell in row] for row in content.kpi_table.rows]


def test_every_chart_is_a_figure_whose_alt_text_carries_its_numbers(tree, content):
    figures = tree.find("Figure")
    assert len(figures) == 3
    funnel, trend, maturity = (f.alt for f in figures)
    for label, count in content.funnel:
        assert f"{label} {count}" in plain(funnel)
    assert "Informationstillgångar 9" in funnel and "Aktuellt klassade 5" in funnel
    # The trend's last point is the report date: 6 overdue actions.
    assert trend.endswith("nov. 26 6.") and trend.count(";") == len(content.overdue_trend) - 1
    for name, own, evidence in content.maturity:
        if own is not None or evidence is not None:
            assert name in maturity
    # 1882-KLF: self-assessed 3,0; the evidence-based level is 1 since the evidence model of
    # docs/metrics.md (tests/test_evidence_maturity.py counts its thresholds by hand).
    assert "Kommunledningsförvaltningen, Askersund självskattad 3,0, belagd 1,0" in maturity


def test_page_footer_is_an_artifact_and_all_other_text_is_tagged(pdf, tree):
    """The footer (title, "Sida 1 av 2") is page furniture a screen reader skips: an artifact,
    not untagged marked content; every other text belongs to an element of the tree."""
    assert untagged_marked_text(pdf) == []
    assert not any(line.startswith("Sida ") for line in tree.all_lines())
    first_page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Sida 1 av 2" in first_page.replace("\u00a0", " ")


def test_pdfua_checker_finds_nothing(pdf, tmp_path):
    path = tmp_path / "rapport.pdf"
    path.write_bytes(pdf)
    report = validate(str(path))
    assert [(f.rule_id, f.message) for f in report.findings] == []
    assert report.exit_code == 0


def test_table_cells_break_only_between_words(tree):
    """Every line of every cell is whole words of that cell ("Kommunledningsförvaltningen,"
    is never split into "Kommunledningsförvaltnin" and "gen")."""
    checked = 0
    for cell in tree.find("TD") + tree.find("TH"):
        words = cell.text.split()
        for line in cell.all_lines():
            for word in line.split():
                assert word in words, (word, cell.text)
        checked += len(words)
    assert checked > 100
    cells = [c.text for c in tree.find("TH")]
    assert "Kommunledningsförvaltningen, Askersund" in cells


def test_municipalities_in_swedish_alphabetical_order_and_the_order_is_stated(tree):
    tables = tree.find("Table")
    kpi_names = [row[0] for row in table_rows(tables[0])[1:]]
    assert kpi_names == [
        "Askersund (hela kommunen)",
        "Kommunledningsförvaltningen, Askersund",
        "Socialförvaltningen, Askersund",
        SHARED_ROW,
        "Hallsberg (hela kommunen)",
        "Barn- och utbildning, Hallsberg",
        SHARED_ROW,
    ]
    organisation = [row[0] for row in table_rows(tables[1])[1:]]
    assert organisation == [
        "Askersund",
        "Kommunledningsförvaltningen",
        "Socialförvaltningen",
        "Hallsberg",
        "Barn- och utbildning",
    ]
    notes = [p.text for p in tree.find("P")]
    assert TEXT["sv"]["order_note"] in notes
    assert TEXT["sv"]["organisation_order_note"] in notes


def test_swedish_collation():
    names = ["Örebro", "Älmhult", "Åre", "ale", "Laxå", "Lekeberg", "Eda", "Ésbo", "Alvesta"]
    assert sorted(names, key=swedish_key) == [
        "ale",
        "Alvesta",
        "Eda",
        "Ésbo",
        "Laxå",
        "Lekeberg",
        "Åre",
        "Älmhult",
        "Örebro",
    ]


def test_english_pdf_has_english_language_and_template_words(content):
    tree = structure(render_pdf(content, "en"))
    assert catalog(render_pdf(content, "en"))["lang"] == "en"
    assert [h.text for h in tree.find("H2")][:2] == ["Summary", "Key figures per administration"]
    assert tree.find("Figure")[0].alt.startswith("Bar chart, coverage funnel:")
    assert tree.find("Figure")[1].alt.endswith("Nov 26 6.")


def test_every_language_has_every_template_word():
    assert set(TEXT["sv"]) == set(TEXT["en"])


def test_the_layout_fetches_data_uris_only(tmp_path):
    """Only the charts' data: URIs are read; a file (or web address) in the HTML is not."""
    picture = tmp_path / "bild.svg"
    picture.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"/>')
    html = (
        '<html lang="sv"><body>'
        f'<img src="{picture.as_uri()}" alt="fil" style="width: 40px; height: 40px">'
        "<img src=\"data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' "
        'width=\'40\' height=\'40\'/>" alt="data" style="width: 40px; height: 40px">'
        "</body></html>"
    )
    images = [
        box.element.get("alt")
        for page in layout(html).pages
        for box in _descendants(page._page_box)
        if type(box).__name__ == "InlineReplacedBox"
    ]
    assert images == ["data"]


def _descendants(box):
    yield box
    for child in getattr(box, "children", []):
        yield from _descendants(child)
