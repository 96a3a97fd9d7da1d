"""Täckning: asset-gap queries, callbacks and the page in Chromium, on tests/kpi_data.py.

Hand count as of 2026-11-28 (primary unit → administration):
  no current classification X2 (expired), X3 (none), X4 (expired), X8 (none)        → 4
  no risk analysis within 36 months X2 (2022), X3, X4, X9 (exactly 36 months old) → 4
  personal data without register reference X2 (none), X5 (blank "  ")             → 2
  any of these X2, X3, X4, X5, X8, X9                                               → 6
  shared assets: X1 owners IT+Grundskola, only IT took part (1 missing); X5 both took part;
  X9 three owners, nobody listed as taking part (3 missing)                         → 4
Askersund (1882) has X1…X6; X7 (Grundskola) is säkerhetsskydd.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard import store
from dashboard.queries.coverage import (
    _org_conditions,
    asset_gap_block,
    shared_owner_block,
    shared_owner_gap_select,
    summary_counts,
)
from dashboard.queries.viewer import SYSTEM, Viewer
from etl.models import Administration, Asset, Unit
from tests.kpi_data import AS_OF, build_store
from tests.pages import build_app, page_module
from tests.test_page_overview import find, text_of

FILTERS = {"as_of": AS_OF.isoformat(), "lang": "sv"}
ALL_ROWS = {"startRow": 0, "endRow": 100}


@pytest.fixture
def filled(engine):
    build_store(engine)
    store.configure(engine)
    yield engine
    store.configure(None)


def _codes(block):
    return sorted(r["asset_code"] for r in block["rowData"])


def test_gap_counts_and_lists(filled):
    with store.read_session() as s:
        assert summary_counts(s, AS_OF)[0] == {
            "any": 6,
            "classification": 4,
            "expired": 2,
            "risk_analysis": 4,
            "register": 2,
        }
        assert _codes(asset_gap_block(s, AS_OF, SYSTEM, ALL_ROWS, gap="classification")) == [
            "X2",
            "X3",
            "X4",
            "X8",
        ]
        assert _codes(asset_gap_block(s, AS_OF, SYSTEM, ALL_ROWS, gap="expired")) == ["X2", "X4"]
        assert _codes(asset_gap_block(s, AS_OF, SYSTEM, ALL_ROWS, gap="risk_analysis")) == [
            "X2",
            "X3",
            "X4",
            "X9",
        ]
        assert _codes(asset_gap_block(s, AS_OF, SYSTEM, ALL_ROWS, gap="register")) == ["X2", "X5"]
        assert _codes(asset_gap_block(s, AS_OF, SYSTEM, ALL_ROWS, gap="bogus")) == [
            "X2",
            "X3",
            "X4",
            "X5",
            "X8",
            "X9",
        ]
        assert summary_counts(s, AS_OF, municipality="1882")[0] == {
            "any": 4,
            "classification": 3,
            "expired": 2,
            "risk_analysis": 3,
            "register": 2,
        }
        assert (
            summary_counts(s, AS_OF, municipality="1882", administration="1882-KLF")[0]["any"] == 1
        )


def test_gap_rows_say_why(filled):
    with store.read_session() as s:
        rows = {r["asset_code"]: r for r in asset_gap_block(s, AS_OF, SYSTEM, ALL_ROWS)["rowData"]}
        assert rows["X2"]["classification_status"] == "Förfallen"
        assert rows["X2"]["classified_on"] == "2022-06-01"
        assert rows["X2"]["personal_data"] == "Känsliga"
        assert rows["X2"]["register_missing"] == "Ja"
        assert rows["X3"]["classification_status"] == "Saknas"
        assert rows["X5"]["classification_status"] == "Aktuell"
        assert rows["X9"]["risk_analysed_on"] == "2023-11-28"
        assert rows["X9"]["unit_name"] == "Förskola"
        english = asset_gap_block(s, AS_OF, SYSTEM, ALL_ROWS, gap="expired", lang="en")
        assert {r["classification_status"] for r in english["rowData"]} == {"Expired"}


def test_gap_grid_filters_sorts_and_pages_in_sql(filled):
    with store.read_session() as s:
        request = {
            "startRow": 0,
            "endRow": 2,
            "sortModel": [{"colId": "asset_code", "sort": "desc"}],
            "filterModel": {
                "classification_status": {
                    "filterType": "text",
                    "type": "equals",
                    "filter": "saknas",
                }
            },
        }
        block = asset_gap_block(s, AS_OF, SYSTEM, request, gap="classification")
        assert block["rowCount"] == 2
        assert [r["asset_code"] for r in block["rowData"]] == ["X8", "X3"]
        second = asset_gap_block(s, AS_OF, SYSTEM, {"startRow": 2, "endRow": 4}, gap="any")
        assert second["rowCount"] == 6 and len(second["rowData"]) == 2


def test_shared_owner_gaps(filled):
    with store.read_session() as s:
        assert summary_counts(s, AS_OF)[1] == 4
        rows = shared_owner_block(s, AS_OF, SYSTEM, ALL_ROWS)["rowData"]
        pairs = sorted((r["asset_code"], r["owner_unit_name"]) for r in rows)
        assert pairs == [
            ("X1", "Grundskola"),
            ("X9", "Förskola"),
            ("X9", "Grundskola"),
            ("X9", "IT-enheten"),
        ]
        x1 = next(r for r in rows if r["asset_code"] == "X1")
        assert x1["owners"] == 2 and x1["classified_on"] == "2025-01-10"
        assert summary_counts(s, AS_OF, municipality="1882")[1] == 1


def test_shared_owner_block_reads_only_its_rows_assets(filled):
    """A block of the shared-owner list builds its rows for its own assets: the latest
    classification and the owners per asset are ranked for the block's assets, not the whole
    country's, and the rows are the same as the full list's."""
    from sqlalchemy import event

    from etl.models import AssetOwner

    with store.read_session() as s:
        full = shared_owner_block(s, AS_OF, SYSTEM, ALL_ROWS)["rowData"]
        x9 = [r["id"] for r in full if r["asset_code"] == "X9"]
        narrowed = shared_owner_gap_select(AS_OF, SYSTEM, owner_ids=x9)
        rows = [dict(r) for r in s.execute(narrowed.order_by(AssetOwner.id)).mappings()]
        assert [r["id"] for r in rows] == sorted(x9) and len(rows) == 3
        by_id = {r["id"]: r for r in full}
        for row in rows:
            assert row["owners"] == by_id[row["id"]]["owners"] == 3
            assert row["owner_unit_name"] == by_id[row["id"]]["owner_unit_name"]

    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    event.listen(filled, "before_cursor_execute", seen)
    try:
        with store.read_session() as s:
            again = shared_owner_block(s, AS_OF, SYSTEM, ALL_ROWS)["rowData"]
    finally:
        event.remove(filled, "before_cursor_execute", seen)
    assert again == full
    # The block's rows: one statement naming the block's owner rows, whose classification
    # ranking is restricted to their assets.
    rows_statement = [q for q in statements if "AS owner_administration_name" in q]
    assert len(rows_statement) == 1, statements
    ranking = rows_statement[0].split("FROM classification", 1)[1]
    assert "asset_owner.id IN" in ranking, rows_statement[0]


def test_viewer_scope_and_security_protection(filled):
    ciso_1861 = Viewer("ciso", municipality_codes=frozenset({"1861"}))
    protection = Viewer("protection_officer", municipality_codes=frozenset({"1861"}))
    officer = Viewer("security_officer", administration_codes=frozenset({"1882-SOC"}))
    with store.read_session() as s:

        def visible(viewer):
            # The assets every list of the page is drawn from.
            assets = (
                select(Asset.code)
                .join(Unit, Asset.primary_unit_id == Unit.id)
                .join(Administration, Unit.administration_id == Administration.id)
                .where(*_org_conditions(viewer, None, None))
            )
            return sorted(s.scalars(assets))

        assert visible(SYSTEM) == [f"X{i}" for i in range(1, 10)]
        assert visible(ciso_1861) == ["X8", "X9"]  # X7 is säkerhetsskydd
        assert visible(protection) == ["X7", "X8", "X9"]
        assert visible(officer) == ["X3", "X4", "X5", "X6"]
        assert summary_counts(s, AS_OF, officer)[0]["classification"] == 2
        # The committee sees aggregates only: no asset rows, no counts of them by name.
        committee = Viewer("committee", municipality_codes=frozenset({"1882"}))
        assert asset_gap_block(s, AS_OF, committee, ALL_ROWS)["rowCount"] == 0
        assert shared_owner_block(s, AS_OF, committee, ALL_ROWS)["rowCount"] == 0
        # A forged request for another municipality gets nothing.
        assert asset_gap_block(s, AS_OF, officer, ALL_ROWS, municipality="1861")["rowCount"] == 0


def test_callbacks(sqlite_engine):
    build_store(sqlite_engine)
    build_app(sqlite_engine)
    page = page_module("/tackning")
    try:
        cards, options, owners = page.update_summary(FILTERS)
        assert find(cards, "tackning-card-assets-value").children == "9"
        assert find(cards, "tackning-card-classification-coverage-value").children == "56\u00a0%"
        assert find(cards, "tackning-card-classifications-expired-value").children == "2"
        assert [o["label"] for o in options] == [
            "saknar något (6)",
            "saknar aktuell klassning (4)",
            "har förfallen klassning (2)",
            "saknar riskanalys inom 36 månader (4)",
            "saknar hänvisning till registerförteckningen (2)",
        ]
        assert owners.startswith("4 ägare")

        fig, note = page.update_chart(FILTERS, "administration")
        by_metric = {t.name: dict(zip(t.y, t.x, strict=True)) for t in fig.data}
        assert by_metric["Klassningsgrad"] == {
            "Kommunledningsförvaltningen": 0.5,
            "Socialförvaltningen": 0.5,
            "Barn- och utbildning": pytest.approx(2 / 3),
        }
        assert note == ""
        fig, _ = page.update_chart({**FILTERS, "lang": "en"}, "governance_object")
        assert fig.data[0].name == "Classification coverage"
        assert list(fig.data[0].y) == ["Ekonomisystem"] and list(fig.data[0].x) == [1.0]
        fig, _ = page.update_chart(FILTERS, "'; DROP TABLE asset; --")
        assert len(fig.data[0].y) == 3  # an unknown level falls back to administrations

        rows = page.gap_rows(ALL_ROWS, {**FILTERS, "municipality": "1882"}, "register")
        assert _codes(rows) == ["X2", "X5"]
        rows = page.owner_rows(ALL_ROWS, FILTERS)
        assert rows["rowCount"] == 4
    finally:
        store.configure(None)


def test_limit_scopes_keeps_the_worst(sqlite_engine):
    import pandas as pd

    build_app(sqlite_engine)
    page = page_module("/tackning")
    store.configure(None)
    df = pd.DataFrame(
        {
            "scope_id": ["a", "b", "c"],
            "metric": ["classification_coverage"] * 3,
            "value": [0.9, None, 0.1],
        }
    )
    shown, total = page.limit_scopes(df, 2)
    assert total == 3 and sorted(shown["scope_id"]) == ["b", "c"]


def test_empty_store(sqlite_engine):
    build_app(sqlite_engine)
    page = page_module("/tackning")
    try:
        assert "infosak load" in text_of(page.layout())
        cards, options, owners = page.update_summary(FILTERS)
        assert find(cards, "tackning-card-assets-value").children == "–"
        assert options[0]["label"] == "saknar något (0)"
        fig, _ = page.update_chart(FILTERS, "unit")
        assert fig.data == ()
        assert page.gap_rows(ALL_ROWS, FILTERS, "any")["rowCount"] == 0
    finally:
        store.configure(None)


def test_page_in_browser(dash_duo, sqlite_engine):
    build_store(sqlite_engine)
    app = build_app(sqlite_engine)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/tackning?datum={AS_OF.isoformat()}")
    dash_duo.wait_for_element("#tackning-chart .main-svg", timeout=15)
    rows = "#tackning-gap-grid .ag-center-cols-container .ag-row"
    dash_duo.wait_for_contains_text("#tackning-gap-grid", "X9", timeout=15)
    assert len(dash_duo.find_elements(rows)) == 6
    dash_duo.wait_for_contains_text("#tackning-owners-count", "4 ägare", timeout=15)
    dash_duo.wait_for_text_to_equal("#tackning-card-assets-value", "9", timeout=15)
    dash_duo.select_dcc_dropdown("#app-filter-municipality", value="Askersund (1882)")
    dash_duo.wait_for_text_to_equal("#tackning-card-assets-value", "6", timeout=15)
    dash_duo.wait_for_contains_text("#tackning-owners-count", "1 ägare", timeout=15)
    _wait_rows(dash_duo, rows, 4)
    # Another gap: the grid asks the server again.
    choice = dash_duo.find_element("#_dbcprivate_radioitems_tackning-gap_input_expired")
    # A script click: the radio may sit below the fold of the 1000 px high test window.
    dash_duo.driver.execute_script("arguments[0].click();", choice)
    _wait_rows(dash_duo, rows, 2)
    assert dash_duo.get_logs() == []
    store.configure(None)


def _wait_rows(dash_duo, selector, count, timeout=15):
    import time

    deadline = time.time() + timeout
    while time.time() < deadline and len(dash_duo.find_elements(selector)) != count:
        time.sleep(0.25)
    assert len(dash_duo.find_elements(selector)) == count
