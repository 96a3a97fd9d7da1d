"""What each role sees, in the browser: whose numbers a page shows, which pages the menu holds
and which the guard refuses, the committee's aggregate Risker, a participant's governance
objects, the CISO's glance and the manager's to-do list (tests/kpi_data.py's store, accounts of
tests/browser_site.py)."""

from __future__ import annotations

import pytest

from tests.browser_site import find_all, log_in_as, site_fixture, texts, wait_settled
from tests.kpi_data import AS_OF

DATE = f"datum={AS_OF.isoformat()}"


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    yield from site_fixture(request, tmp_path_factory)


def open_page(duo, path: str) -> None:
    duo.driver.get(f"{duo.server_url}{path}?{DATE}")
    wait_settled(duo, timeout=40)


def menu(duo) -> list[str]:
    return texts(duo, "#app-nav-links a.nav-link")


def assert_no_console_errors(duo) -> None:
    logs = duo.get_logs()  # read once: the browser hands each entry out once
    assert logs == [], [entry["message"][80:1500] for entry in logs]


def text(duo, selector: str) -> str:
    return duo.find_element(selector).text


@pytest.mark.browser
def test_manager(site):
    log_in_as(site, "bo")
    open_page(site, "/")
    assert "Rapport" not in menu(site) and "Min enhet" in menu(site)
    scope = "Siffrorna gäller: Din enhet: Individ och familj (Socialförvaltningen)"
    site.wait_for_text_to_equal("#app-scope-line", scope, timeout=20)
    assert text(site, "#oversikt-scope-note") == ""
    assert "Alla kommuner" not in text(site, ".app-filter-bar")
    assert "Askersund (1882)" in text(site, ".app-filter-bar")
    # Not in the menu and refused when typed: the report is not for managers.
    open_page(site, "/rapport")
    site.wait_for_element("#page-refused", timeout=20)
    assert find_all(site, "#rapport-content") == []
    # Min enhet: the to-do list with its dates (hand-counted in tests/test_unit_todo.py).
    open_page(site, "/min-enhet")
    site.wait_for_contains_text("#min-enhet-todo-unclassified", "Förföll 2026-10-01", timeout=30)
    assert "X3 Tillgång X3 – Aldrig klassad" in text(site, "#min-enhet-todo-unclassified")
    assert "Aldrig riskanalyserad" in text(site, "#min-enhet-todo-unanalysed")
    assert "AC7" in text(site, "#min-enhet-todo-overdue")
    counts = {
        kind: site.find_element(f"#min-enhet-todo-{kind}").get_attribute("data-count")
        for kind in ("unclassified", "unanalysed", "overdue", "follow-up")
    }
    assert counts == {"unclassified": "2", "unanalysed": "2", "overdue": "1", "follow-up": "0"}
    # The unit's overdue card says the same as its list.
    assert text(site, "#min-enhet-card-actions-overdue-value") == "1"
    assert "att göra-lista" in text(site, "#app-role-note")
    assert_no_console_errors(site)


@pytest.mark.browser
def test_committee(site):
    log_in_as(site, "namnd")
    open_page(site, "/")
    assert "Min enhet" not in menu(site) and "Rapport" in menu(site)
    site.wait_for_text_to_equal("#app-scope-line", "Siffrorna gäller: Askersund kommun", timeout=20)
    open_page(site, "/risker")
    site.wait_for_element("#risker-aggregate-only", timeout=20)
    assert "Alla risker visas" not in text(site, "#_pages_content")
    assert find_all(site, "#risker-grid") == []
    assert text(site, "#risker-card-risks-value") != "–"
    assert "enskilda risker listas inte" in text(site, "#app-role-note")
    # The other pages with row lists: their numbers and charts, and why there is no list.
    open_page(site, "/atgarder")
    site.wait_for_element("#atgarder-aggregate-only", timeout=20)
    assert find_all(site, ".ag-root-wrapper") == []
    assert text(site, "#atgarder-card-actions-overdue-value") != "–"
    open_page(site, "/tackning")
    site.wait_for_element("#tackning-aggregate-only", timeout=20)
    assert find_all(site, ".ag-root-wrapper") == []
    open_page(site, "/min-enhet")
    site.wait_for_element("#page-refused", timeout=20)
    assert_no_console_errors(site)


@pytest.mark.browser
def test_security_officer_sees_shared_object_numbers(site):
    log_in_as(site, "so")
    open_page(site, "/forvaltningsobjekt")
    site.wait_for_element("#forvaltningsobjekt-card-go-ek", timeout=30)
    site.wait_for_text_to_equal("#forvaltningsobjekt-count", "1 objekt.", timeout=30)
    table = text(site, "#forvaltningsobjekt-comparison-table")
    assert "Ekonomisystem (GO-EK)" in table
    assert "Din förvaltning deltar i objektet" in text(site, "#forvaltningsobjekt-card-go-ek")
    assert "Inga uppgifter" not in text(site, "#_pages_content")
    scope = "Siffrorna gäller: Kommunledningsförvaltningen, Askersund kommun"
    assert text(site, "#app-scope-line") == scope
    assert_no_console_errors(site)


@pytest.mark.browser
def test_ciso_glance(site):
    log_in_as(site, "eva")
    open_page(site, "/")
    site.wait_for_element("#oversikt-glance-table", timeout=30)
    rows = texts(site, "#oversikt-glance-table tbody tr")
    assert len(rows) == 3
    assert rows[2].startswith("Ekonomisystem (objekt)")
    assert "Logg" in menu(site)
    assert_no_console_errors(site)
