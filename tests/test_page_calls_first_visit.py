"""The callbacks the benchmarks time for a page's first visit (benchmarks.page_calls): those
Dash calls when the page is drawn, and each grid's rows callback, which skips Dash's call at
mount but answers the grid's own first request on every first visit."""

from __future__ import annotations

from benchmarks.page_calls import build_app, page_calls
from dashboard import store
from tests.kpi_data import AS_OF, build_store

FILTERS = {"as_of": AS_OF.isoformat(), "lang": "sv", "municipality": None, "administration": None}


def names(app, path: str) -> set[str]:
    return {call.name for call in page_calls(app, path, FILTERS, block_size=100)}


def test_first_visit_calls_hold_the_grids_rows_and_not_the_profile_choice(sqlite_engine):
    build_store(sqlite_engine)
    app = build_app(sqlite_engine)
    try:
        assert "actions.load_rows" in names(app, "/atgarder")
        assert "risks.load_rows" in names(app, "/risker")
        assert {"coverage.gap_rows", "coverage.owner_rows"} <= names(app, "/tackning")
        maturity = names(app, "/mognad")
        assert "maturity.update_maturity" in maturity
        assert "maturity.update_profile" not in maturity
    finally:
        store.configure(None)
