"""The accessibility statement: public, in both languages, with a configurable reporting address,
DIGG's enforcement procedure and the date of the last review; linked from the login page and
from every page's footer."""

from __future__ import annotations

import pytest

from dashboard.accessibility_statement import CONTACT_ENV, LAST_REVIEWED, STATEMENT_PATH
from tests.kpi_data import build_store
from tests.test_auth_support import add_account, auth_app, login, reset_store


@pytest.fixture
def client(sqlite_engine, monkeypatch):
    build_store(sqlite_engine)
    add_account(sqlite_engine, "eva", "ciso", ["1882"])
    app = auth_app(sqlite_engine, monkeypatch)
    try:
        yield app.server.test_client()
    finally:
        reset_store()


def test_statement_is_public_in_both_languages(client):
    sv = client.get(STATEMENT_PATH)
    assert sv.status_code == 200
    assert '<html lang="sv">' in sv.text
    for text in ("Tillgänglighetsredogörelse", "digg.se", "PDF/UA", "Tillsyn",
                 "Rapportera brister", LAST_REVIEWED.isoformat()):  # fmt: skip
        assert text in sv.text
    en = client.get(f"{STATEMENT_PATH}?sprak=en")
    assert '<html lang="en">' in en.text
    assert "Accessibility statement" in en.text and "Enforcement procedure" in en.text


def test_reporting_address_is_configurable(client, monkeypatch):
    assert "registratur" in client.get(STATEMENT_PATH).text  # the default
    monkeypatch.setenv(CONTACT_ENV, "tillganglighet@askersund.se")
    page = client.get(STATEMENT_PATH).text
    assert 'href="mailto:tillganglighet@askersund.se"' in page
    monkeypatch.setenv(CONTACT_ENV, "Kommunstyrelsen, Box 1, 696 80 Askersund")
    page = client.get(STATEMENT_PATH).text
    assert "Kommunstyrelsen, Box 1, 696 80 Askersund" in page and "mailto:" not in page


def test_login_page_links_the_statement(client):
    assert 'href="/tillganglighet?sprak=sv"' in client.get("/login").text
    assert 'href="/tillganglighet?sprak=en"' in client.get("/login?sprak=en").text


def test_every_page_has_the_footer_link_and_the_document_language(client):
    login(client, "eva")
    index = client.get("/atgarder").text
    assert index.startswith('<!DOCTYPE html>\n<html lang="sv">')
    layout = client.get("/_dash-layout").get_json()
    text = str(layout)
    assert "app-footer-statement" in text and STATEMENT_PATH in text
    assert "app-skip-link" in text
