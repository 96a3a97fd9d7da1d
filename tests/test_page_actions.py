"""Åtgärder: callbacks as plain functions on the hand-countable store, and the page in Chromium.

Counted by hand from tests/kpi_data.py as of 2026-11-28. Open: AC1, AC7, AC3 (units) and the
provider actions AC5, AC6, which count for both participating municipalities → 7 over all
municipalities. Overdue: AC3 (8 days), AC7 (44), AC5 (119), AC6 (211) → 6 with the provider's
counted twice. On time: AC4 (on time) and AC8 (late) were completed by the as-of date → 50 %.
The grid lists distinct actions: 10 in all, 7 in Askersund (1882), 5 in Hallsberg (1861).
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from dashboard import store
from dashboard.queries.viewer import Viewer
from etl.kpi.compute import compute_kpis
from etl.models import Action
from tests.kpi_data import AS_OF, build_store
from tests.pages import build_app, page_module

FILTERS = {"as_of": AS_OF.isoformat(), "lang": "sv"}


ALL_ROWS = {"startRow": 0, "endRow": 100, "filterModel": {}, "sortModel": []}


def card_values(cards) -> dict[str, str]:
    return {col.children.id: col.children.children.children[1].children for col in cards}


@pytest.fixture
def page(sqlite_engine):
    build_store(sqlite_engine)
    build_app(sqlite_engine)
    yield page_module("/atgarder")
    store.configure(None)


def rows(page, filters=FILTERS, request=ALL_ROWS, **controls):
    args = {
        k: controls.get(k)
        for k in ("administration", "unit", "governance_object", "responsible", "statuses")
    }
    overdue = ["overdue"] if controls.get("overdue_only") else []
    return page.load_rows(request, filters, *args.values(), overdue)


def test_cards_and_charts_all_municipalities(page):
    note, cards, aging, trend, trend_note = page.update_summary(FILTERS)
    assert card_values(cards) == {
        "atgarder-card-actions-open": "7",
        "atgarder-card-actions-overdue": "6",
        "atgarder-card-actions-on-time-rate": "50\u00a0%",
    }
    assert aging.data[0].type == "bar"
    assert list(aging.data[0].y) == [1, 1, 2, 2]  # 1–30, 31–90, 91–180, >180 days
    assert trend.data[0].type == "scatter"
    assert "uppskattning" in trend.layout.title.text
    assert trend_note.startswith("Få ögonblicksbilder")


def test_cards_equal_compute_kpis_for_a_municipality(page, sqlite_engine):
    cards = page.update_summary({**FILTERS, "municipality": "1882"})[1]
    with Session(sqlite_engine) as session:
        kpis = compute_kpis(
            session,
            AS_OF,
            scope_types=["municipality"],
            municipality="1882",
            metrics=["actions_open", "actions_overdue"],
        )
    expected = kpis.set_index("metric")["value"]
    values = card_values(cards)
    assert values["atgarder-card-actions-open"] == str(int(expected["actions_open"])) == "5"
    assert values["atgarder-card-actions-overdue"] == str(int(expected["actions_overdue"])) == "4"


def test_open_actions_estimate_per_month(page):
    # Hallsberg: AC5 and AC6 open all year; AC4 done 2026-03-01, AC8 2026-06-10, AC9 2026-12-05.
    trend = page.update_summary({**FILTERS, "municipality": "1861"})[3]
    assert list(trend.data[0].y) == [5, 5, 5, 5, 4, 4, 4, 3, 3, 3, 3, 3]
    assert trend.data[0].x[0] == "nov. 2025" and trend.data[0].x[-1] == "okt. 2026"


def test_grid_rows_overdue_first(page):
    response = rows(page)
    assert response["rowCount"] == 10
    first = [(r["code"], r["days_overdue"]) for r in response["rowData"][:5]]
    assert first == [("AC6", 211), ("AC5", 119), ("AC7", 44), ("AC3", 8), ("AC1", None)]
    provider = response["rowData"][0]
    assert provider["owner_name"] == "Sydnärke IT"
    assert provider["governance_object_name"] == "Ekonomisystem"
    assert provider["status"] == "Ej påbörjad"
    assert provider["due_on"] == "2026-05-01"


@pytest.mark.parametrize(
    ("filters", "controls", "count"),
    [
        ({"municipality": "1882"}, {}, 7),
        ({"municipality": "1861"}, {}, 5),
        ({"administration": "1882-SOC"}, {}, 3),  # SOC is not a participant of GO-EK
        ({"administration": "1882-KLF"}, {}, 4),
        ({}, {"administration": "1882-SOC"}, 3),
        ({}, {"unit": "1861-BUF-GR"}, 2),
        ({}, {"governance_object": "GO-EK"}, 2),
        ({}, {"statuses": ["done"]}, 3),
        ({}, {"statuses": ["done", "bogus"]}, 3),
        ({}, {"overdue_only": True}, 4),
        ({"municipality": "1882"}, {"overdue_only": True}, 4),
        ({}, {"responsible": "nobody"}, 0),
    ],
)
def test_grid_controls_and_global_filters(page, filters, controls, count):
    assert rows(page, {**FILTERS, **filters}, **controls)["rowCount"] == count


def test_grid_column_filter_and_sort_in_sql(page):
    request = {
        "startRow": 0,
        "endRow": 2,
        "filterModel": {"status": {"filterType": "text", "type": "equals", "filter": "klar"}},
        "sortModel": [{"colId": "completed_on", "sort": "desc"}],
    }
    response = rows(page, request=request)
    assert response["rowCount"] == 3
    assert [r["code"] for r in response["rowData"]] == ["AC9", "AC8"]


def test_responsible_control(page, sqlite_engine):
    with Session(sqlite_engine) as s, s.begin():
        s.query(Action).filter(Action.code == "AC7").update({"responsible": "Åsa Öberg"})
    assert [r["code"] for r in rows(page, responsible="öberg")["rowData"]] == ["AC7"]


def test_export_has_the_grid_rows_as_a_real_workbook(page, sqlite_engine):
    with Session(sqlite_engine) as s, s.begin():
        s.query(Action).filter(Action.code == "AC9").update({"title": '=HYPERLINK("x")'})
    request = {"filterModel": {}, "sortModel": [{"colId": "due_on", "sort": "asc"}]}
    data, note = page.export_actions(1, request, FILTERS, None, None, None, None, ["done"], [])
    assert note == "3 rader exporterade."
    assert data["filename"] == "atgarder-2026-11-28.xlsx"
    import base64

    book = load_workbook(io.BytesIO(base64.b64decode(data["content"])))
    sheet = book.active
    assert sheet.title == "Åtgärder"
    # Row 1: what, whose and when; row 2: the header row of the named table; data from row 3.
    assert sheet["A1"].value == "Åtgärder – Alla kommuner tillsammans – per 2026-11-28"
    assert [c.value for c in sheet[2]][:3] == ["Id", "Åtgärd", "Förvaltning"]
    assert sheet.freeze_panes == "A3"
    assert [t.ref for t in sheet.tables.values()] == ["A2:J5"]
    codes = [sheet.cell(row=r, column=1).value for r in range(3, 6)]
    assert codes == ["AC4", "AC8", "AC9"]
    due = sheet.cell(row=3, column=7)
    assert due.is_date and due.value.date().isoformat() == "2026-04-01"
    assert sheet.cell(row=5, column=2).value == '\'=HYPERLINK("x")'


def test_unit_options_wait_for_an_administration_when_they_are_many(page, monkeypatch):
    """The whole country's units are too many for a list: beyond UNIT_OPTIONS_SHOWN and with no
    administration chosen the unit control is empty and says to choose an administration."""
    from dashboard import output_cache

    output_cache.clear()
    administrations, units, placeholder, objects = page.update_options(FILTERS, None)
    assert len(units) > 1 and placeholder == "Alla"
    monkeypatch.setattr(page, "UNIT_OPTIONS_SHOWN", 1)
    output_cache.clear()
    cut = page.update_options(FILTERS, None)
    assert cut == (administrations, [], "Välj förvaltning först", objects)
    english = page.update_options({**FILTERS, "lang": "en"}, None)
    assert english[2] == "Choose an administration first"
    # An administration chosen on the page or in the global filters lists its units again.
    chosen = page.update_options(FILTERS, "1882-SOC")
    assert chosen[1] and chosen[2] == "Alla"
    assert {o["value"] for o in chosen[1]} < {o["value"] for o in units}
    output_cache.clear()


def test_english_labels(page):
    response = rows(page, {**FILTERS, "lang": "en"}, statuses=["in_progress"])
    assert {r["status"] for r in response["rowData"]} == {"In progress"}
    note, cards, *_ = page.update_summary({**FILTERS, "lang": "en"})
    assert note.startswith("All municipalities")


def test_empty_store_says_what_to_do(sqlite_engine):
    build_app(sqlite_engine)
    actions = page_module("/atgarder")

    try:
        body = actions.layout()
        assert "infosak load" in str(body)
        outputs = actions.update_summary(FILTERS)
        assert card_values(outputs[1])["atgarder-card-actions-open"] == "–"
        assert rows(actions)["rowCount"] == 0
    finally:
        store.configure(None)


def test_page_in_browser(dash_duo, sqlite_engine):
    build_store(sqlite_engine)
    app = build_app(sqlite_engine)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/atgarder?datum={AS_OF.isoformat()}")
    dash_duo.wait_for_element("#atgarder-aging .main-svg", timeout=30)
    dash_duo.wait_for_element("#atgarder-trend .main-svg", timeout=30)
    dash_duo.wait_for_text_to_equal("#atgarder-card-actions-open-value", "7", timeout=30)
    # The grid is filled by the server, block by block.
    dash_duo.wait_for_element("#atgarder-grid .ag-row[row-index='9']", timeout=30)
    first = "#atgarder-grid .ag-row[row-index='0'] [col-id='code']"
    dash_duo.wait_for_text_to_equal(first, "AC6", timeout=30)
    dash_duo.select_dcc_dropdown("#app-filter-municipality", value="Hallsberg (1861)")
    dash_duo.wait_for_text_to_equal("#atgarder-card-actions-open-value", "2", timeout=30)
    dash_duo.wait_for_no_elements('#atgarder-grid .ag-row[row-index="5"]', timeout=30)
    dash_duo.wait_for_element("#atgarder-grid .ag-row[row-index='4']", timeout=30)
    # A page control narrows the list only.
    # A script click: the global dropdown's menu may still cover the switch after picking.
    switch = dash_duo.find_element("#atgarder-overdue-only input")
    dash_duo.driver.execute_script("arguments[0].click();", switch)
    dash_duo.wait_for_no_elements('#atgarder-grid .ag-row[row-index="2"]', timeout=30)
    assert dash_duo.get_logs() == []
    store.configure(None)


def test_committee_sees_aggregates_but_no_action_rows(sqlite_engine):
    from dashboard.queries.actions import actions_block

    build_store(sqlite_engine)
    committee = Viewer("committee", municipality_codes=frozenset({"1882"}))
    ciso = Viewer("ciso", municipality_codes=frozenset({"1882"}))
    with Session(sqlite_engine) as session:
        assert actions_block(session, committee, ALL_ROWS, AS_OF)["rowCount"] == 0
        assert actions_block(session, ciso, ALL_ROWS, AS_OF)["rowCount"] == 7
