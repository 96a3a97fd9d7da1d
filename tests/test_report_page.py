"""/rapport: callbacks as functions on the hand-countable store, and the page in Chromium."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from dashboard import store
from dashboard.app import create_app
from tests.kpi_data import AS_OF, build_store
from tests.test_page_overview import find, text_of

FILTERS = {"as_of": AS_OF.isoformat(), "lang": "sv"}


@pytest.fixture
def page(sqlite_engine):
    build_store(sqlite_engine)
    create_app(sqlite_engine, auth=False)
    from dashboard.pages import report

    yield report
    store.configure(None)


def test_report_html_has_the_summary_and_tables(page):
    content, options = page.update_report(FILTERS, "")
    summary = text_of(find(content, "rapport-summary")).replace("\u00a0", " ")
    assert "Av 9 informationstillgångar har 5 (56 %) en aktuell klassning" in summary
    assert "Socialförvaltningen" in text_of(find(content, "rapport-kpi-table"))
    assert find(content, page.FUNNEL).figure.data[0].x == (2, 3, 4, 5, 9)
    assert options[1] == {"label": "2026-Q3 (t.o.m. 2026-09-30)", "value": "2026-Q3"}
    q3, _ = page.update_report(FILTERS, "2026-Q3")
    assert "30 sep. 2026" in text_of(q3)


def test_long_tables_and_crowded_charts_are_cut_on_the_page(page, monkeypatch):
    """A national report has thousands of rows: the page shows the first ones and says where
    the rest are, and a chart with too many administrations asks for a municipality."""
    from dashboard import output_cache

    full, _ = page.update_report(FILTERS, "")
    all_rows = find(full, "rapport-kpi-table").children[1].children
    assert len(all_rows) > 2
    assert find(full, page.MATURITY).figure.data != ()

    monkeypatch.setattr(page, "ROWS_SHOWN", 2)
    monkeypatch.setattr(page, "CHART_GROUPS_SHOWN", 1)
    output_cache.clear()
    content, _ = page.update_report(FILTERS, "")
    rows = find(content, "rapport-kpi-table").children[1].children
    assert [text_of(r) for r in rows] == [text_of(r) for r in all_rows[:2]]
    text = text_of(content).replace("\u00a0", " ")
    assert f"De 2 första av {len(all_rows)} raderna visas" in text
    maturity = find(content, page.MATURITY).figure
    assert maturity.data == () and "Välj en kommun" in maturity.layout.annotations[0].text
    output_cache.clear()


def test_pdf_workbook_freeze_and_compare(page):
    pdf = page.download_pdf(1, FILTERS, "")
    text = PdfReader(io.BytesIO(_bytes(pdf))).pages[0]
    assert "Sammanfattning" in text.extract_text()
    xlsx = page.download_workbook(1, FILTERS)
    assert load_workbook(io.BytesIO(_bytes(xlsx))).sheetnames[0] == "Nyckeltal"
    status, version = page.freeze(1, FILTERS, "2026-Q3", 0)
    assert "2026-Q3 är fryst" in text_of(status) and version == 1
    page.freeze(1, FILTERS, "", version)
    listing, options, _ = page.update_frozen(2, FILTERS)
    assert len(options) == 2
    a, b = sorted(o["value"] for o in options)
    table = page.compare(a, b)
    rows = {r.children[0].children: r for r in find(table, "rapport-compare").children[1].children}
    assert [td.children for td in rows["Försenade åtgärder"].children[1:]] == ["4", "6", "+2"]


def _bytes(download: dict) -> bytes:
    import base64

    return base64.b64decode(download["content"])


def test_page_in_browser(dash_duo, sqlite_engine):
    build_store(sqlite_engine)
    app = create_app(sqlite_engine, auth=False)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/rapport?datum={AS_OF.isoformat()}")
    dash_duo.wait_for_element("#rapport-funnel .main-svg", timeout=60)
    dash_duo.wait_for_element("#rapport-trend .main-svg", timeout=60)
    dash_duo.wait_for_element("#rapport-maturity .main-svg", timeout=60)
    dash_duo.wait_for_contains_text("#rapport-summary", "Av 9 informationstillgångar", timeout=60)
    dash_duo.find_element("#rapport-freeze-button").click()
    dash_duo.wait_for_element("#rapport-freeze-done", timeout=60)
    dash_duo.wait_for_element("#rapport-frozen-table", timeout=60)
    assert dash_duo.get_logs() == []
    store.configure(None)


def test_a_value_and_its_change_stay_on_one_line(page):
    """ "50 % (−17)" is one cell that must not break between the value and its change; a long
    name ("Askersund (hela kommunen)") may wrap."""
    content, _ = page.update_report(FILTERS, "")
    first = find(content, "rapport-kpi-table").children[1].children[0].children
    assert first[0].children == "Askersund (hela kommunen)"
    assert getattr(first[0], "className", None) is None
    assert first[2].children.replace("\u00a0", " ") == "50 % (−17)"
    assert {getattr(cell, "className", None) for cell in first[1:]} == {"text-nowrap"}


def test_administrations_are_indented_under_their_municipality(page):
    """The organisation check lists each municipality, then its administrations indented (as
    the PDF does), not as names of the same rank."""
    content, _ = page.update_report(FILTERS, "")
    organisation = [
        div
        for div in _tables(content)
        if text_of(div.children[0]).startswith("Kommun / förvaltning")
    ][0]
    rows = organisation.children[1].children
    names = [(r.children[0].children, getattr(r.children[0], "className", None)) for r in rows]
    assert names[:3] == [
        ("Askersund", "text-nowrap"),  # a short name stays whole too
        ("Kommunledningsförvaltningen", "ps-4"),
        ("Socialförvaltningen", "ps-4"),
    ]


def _tables(component) -> list:
    """Every dbc.Table in ``component``, depth first."""
    import dash_bootstrap_components as dbc

    found = [component] if isinstance(component, dbc.Table) else []
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            found += _tables(child)
    return found


def test_only_roles_that_may_freeze_get_the_freeze_button(sqlite_engine, monkeypatch):
    """The committee was offered "Frys rapporten", which could only answer that its role may
    not freeze; the CISO and the administrator keep the button."""
    from flask import g

    from dashboard.queries.viewer import Viewer
    from tests.pages import page_module
    from tests.test_auth_support import auth_app, reset_store

    build_store(sqlite_engine)
    app = auth_app(sqlite_engine, monkeypatch)
    report = page_module("/rapport")
    shown = {}
    try:
        for role, codes in (("committee", {"1882"}), ("ciso", {"1882"}), ("admin", set())):
            with app.server.test_request_context("/rapport"):
                g.infosak_viewer = Viewer(role, role, municipality_codes=frozenset(codes))
                shown[role] = find(report.layout(), report.FREEZE_BUTTON) is not None
    finally:
        reset_store()
    assert shown == {"committee": False, "ciso": True, "admin": True}
