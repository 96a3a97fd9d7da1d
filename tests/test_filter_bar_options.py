"""The filter bar's administration list: every page sends it, so a long one waits for a
municipality (the whole country's 1 356 administrations were 114 kB on each page)."""

from __future__ import annotations

import pytest

import dashboard.app as shell
from dashboard import store
from tests.kpi_data import AS_OF, build_store
from tests.pages import build_app

FILTERS = {"as_of": AS_OF.isoformat(), "lang": "sv"}


@pytest.fixture
def app(sqlite_engine):
    build_store(sqlite_engine)
    yield build_app(sqlite_engine)
    store.configure(None)


def frame(app, filters):
    with app.server.test_request_context("/_dash-update-component", method="POST"):
        municipalities, administrations, _, _, placeholder, *_ = shell.update_frame(
            filters, "/", ""
        )
    return municipalities, administrations, placeholder


def test_a_long_administration_list_waits_for_a_municipality(app, monkeypatch):
    municipalities, administrations, placeholder = frame(app, FILTERS)
    assert len(administrations) > 1 and placeholder == "Alla förvaltningar"

    monkeypatch.setattr(shell, "ADMINISTRATION_OPTIONS_SHOWN", 1)
    cut = frame(app, FILTERS)
    assert cut == (municipalities, [], "Välj kommun först")
    assert frame(app, {**FILTERS, "lang": "en"})[2] == "Choose a municipality first"

    # A chosen administration keeps the list, so the filter can show its name.
    chosen = frame(app, {**FILTERS, "administration": "1882-SOC"})
    assert "1882-SOC" in {o["value"] for o in chosen[1]}
    # A municipality with few administrations lists them as before.
    monkeypatch.setattr(shell, "ADMINISTRATION_OPTIONS_SHOWN", 10)
    one = frame(app, {**FILTERS, "municipality": "1882"})
    assert one[1] and one[2] == "Alla förvaltningar"
