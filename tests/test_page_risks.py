"""Risker: callbacks as plain functions on the hand-countable store, and the page in Chromium.

Counted by hand from tests/kpi_data.py as of 2026-11-28. Risks R1–R9; R8 (3×3) and R9 (1×1)
belong to the object GO-EK and count for both participating municipalities, so the cards (from
compute_kpis, summed over municipalities) say 11 risks while the matrix holds the 9 distinct
ones. High (score ≥ 9): R1 9, R3 16, R4 12, R6 12, R8 9. Without a live action: R3 (none) and R4
(its only action is cancelled). R6's asset X7 is under säkerhetsskydd.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dashboard import store
from dashboard.queries.risks import matrix_from_counts, parse_cell, risk_counts
from dashboard.queries.viewer import Viewer
from etl.kpi.compute import compute_kpis
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
    yield page_module("/risker")
    store.configure(None)


def test_cards_matrix_treatment_high_risks(page):
    cards, matrix, treatment, high, note = page.update_risks(FILTERS)
    assert card_values(cards) == {
        "risker-card-risks": "11",
        "risker-card-risks-high": "6",
        "risker-card-risks-high-without-action": "2",
    }
    heat = matrix.data[0]
    assert heat.type == "heatmap"
    # Rows are likelihood 1..4, columns consequence 1..4.
    assert [list(row) for row in heat.z] == [[1, 1, 0, 0], [0, 2, 0, 0], [0, 0, 2, 1], [0, 0, 1, 1]]
    assert list(matrix.layout.yaxis.ticktext) == ["1 Låg", "2 Medel", "3 Hög", "4 Mycket hög"]
    assert treatment.data[0].type == "bar"
    assert list(treatment.data[0].x) == ["Reducera", "Acceptera", "Överföra", "Undvika"]
    assert list(treatment.data[0].y) == [4, 4, 1, 0]
    table = high[0].children
    codes = [tr.children[0].children for tr in table.children[1].children]
    assert codes == ["R3", "R4"]
    assert note == ""


@pytest.mark.parametrize("municipality", ["1882", "1861"])
def test_matrix_adds_up_to_compute_kpis(page, sqlite_engine, municipality):
    with Session(sqlite_engine) as session:
        kpis = compute_kpis(
            session,
            AS_OF,
            scope_types=["municipality"],
            municipality=municipality,
            metrics=["risks"],
        )
        matrix = matrix_from_counts(risk_counts(session, AS_OF, municipality=municipality))
    assert matrix["count"].sum() == kpis.set_index("metric")["value"]["risks"]
    assert page.update_risks({**FILTERS, "municipality": municipality})[1].data[0].z is not None


def test_administration_filter_leaves_object_risks_out(page):
    cards, matrix, *_ = page.update_risks({**FILTERS, "administration": "1882-SOC"})
    assert card_values(cards)["risker-card-risks"] == "2"  # R4, R5
    assert sum(sum(row) for row in matrix.data[0].z) == 2


def test_click_a_cell_lists_its_risks(page):
    click = {"points": [{"x": 3, "y": 3, "z": 2}]}
    data, label = page.cell_state(page.MATRIX, click, "sv")
    assert data == {"likelihood": 3, "consequence": 3}
    assert label == "Risker med sannolikhet 3 och konsekvens 3."
    response = page.load_rows(ALL_ROWS, FILTERS, data)
    assert response["rowCount"] == 2
    assert {(r["code"], r["subject"]) for r in response["rowData"]} == {
        ("R1", "Tillgång X1"),
        ("R8", "Ekonomisystem"),
    }
    # Clearing (or any other trigger) lists every risk again, highest score first.
    assert page.cell_state(page.CELL_CLEAR, click, "sv")[0] is None
    everything = page.load_rows(ALL_ROWS, FILTERS, None)
    assert everything["rowCount"] == 9
    assert [r["code"] for r in everything["rowData"][:3]] == ["R3", "R4", "R6"]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"points": []},
        {"likelihood": "x", "consequence": 1},
        {"likelihood": 0, "consequence": 2},
        {"likelihood": 99, "consequence": 2},
        "junk",
    ],
)
def test_forged_cells_are_ignored(data):
    assert parse_cell(data) is None


def test_security_protection_is_counted_not_listed(page, sqlite_engine):
    ciso = Viewer("ciso", municipality_codes=frozenset({"1861"}))
    with Session(sqlite_engine) as session:
        from dashboard.queries.risks import hidden_protected_count, risks_block

        listed = risks_block(session, ciso, ALL_ROWS, AS_OF)
        hidden = hidden_protected_count(session, AS_OF, ciso)
        matrix = matrix_from_counts(risk_counts(session, AS_OF, ciso))
    # Hallsberg: R6 (X7, protected), R7, and the object's R8, R9.
    assert matrix["count"].sum() == 4
    assert sorted(r["code"] for r in listed["rowData"]) == ["R7", "R8", "R9"]
    assert hidden == 1


def test_manager_sees_only_own_unit(sqlite_engine):
    build_store(sqlite_engine)
    manager = Viewer("manager", unit_codes=frozenset({"1882-KLF-IT"}))
    with Session(sqlite_engine) as session:
        matrix = matrix_from_counts(risk_counts(session, AS_OF, manager))
    assert matrix["count"].sum() == 3  # R1, R2, R3 of X1 and X2


def test_english(page):
    cards, matrix, treatment, *_ = page.update_risks({**FILTERS, "lang": "en"})
    assert matrix.layout.xaxis.title.text == "Consequence"
    assert list(treatment.data[0].x)[0] == "Reduce"


def test_empty_store_says_what_to_do(sqlite_engine):
    build_app(sqlite_engine)
    risks = page_module("/risker")

    try:
        assert "infosak load" in str(risks.layout())
        cards, matrix, treatment, high, note = risks.update_risks(FILTERS)
        assert matrix.layout.annotations[0].text == "Inga uppgifter för det här urvalet."
        assert risks.load_rows(ALL_ROWS, FILTERS, None)["rowCount"] == 0
    finally:
        store.configure(None)


def test_page_in_browser(dash_duo, sqlite_engine):
    build_store(sqlite_engine)
    app = build_app(sqlite_engine)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/risker?datum={AS_OF.isoformat()}")
    dash_duo.wait_for_element("#risker-matrix .main-svg", timeout=30)
    dash_duo.wait_for_element("#risker-treatment .main-svg", timeout=30)
    dash_duo.wait_for_text_to_equal("#risker-card-risks-value", "11", timeout=30)
    dash_duo.wait_for_element('#risker-grid .ag-row[row-index="8"]', timeout=30)
    # Click the likelihood 3 × consequence 3 cell: its two risks are listed.
    dash_duo.driver.execute_script(
        "const gd = document.querySelector('#risker-matrix .js-plotly-plot');"
        "gd.emit('plotly_click', {points: [{x: 3, y: 3, z: 2, curveNumber: 0,"
        " pointNumber: [2, 2], data: gd.data[0]}]});"
    )
    dash_duo.wait_for_text_to_equal(
        "#risker-cell-label", "Risker med sannolikhet 3 och konsekvens 3.", timeout=30
    )
    dash_duo.wait_for_no_elements('#risker-grid .ag-row[row-index="2"]', timeout=30)
    dash_duo.select_dcc_dropdown("#app-filter-municipality", value="Hallsberg (1861)")
    dash_duo.wait_for_text_to_equal("#risker-card-risks-value", "4", timeout=30)
    dash_duo.wait_for_text_to_equal(
        "#risker-cell-label",
        "Alla risker visas. Klicka på en ruta i matrisen för att avgränsa.",
        timeout=30,
    )
    assert dash_duo.get_logs() == []
    store.configure(None)


def test_committee_gets_no_risk_detail(sqlite_engine):
    from dashboard.queries.risks import high_risks_without_action, risks_block

    build_store(sqlite_engine)
    committee = Viewer("committee", municipality_codes=frozenset({"1882"}))
    with Session(sqlite_engine) as session:
        assert risks_block(session, committee, ALL_ROWS, AS_OF)["rowCount"] == 0
        assert high_risks_without_action(session, AS_OF, committee)[1] == 0
        assert (
            matrix_from_counts(risk_counts(session, AS_OF, committee))["count"].sum() == 7
        )  # counts only
