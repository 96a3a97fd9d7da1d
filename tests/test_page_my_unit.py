"""Min enhet: callbacks as plain functions on the hand-countable store, and the page in Chromium.

From tests/kpi_data.py as of 2026-11-28 (review window to 2027-02-26):
- 1882-KLF-IT owns X1 (current, review 2027-01-10) and X2 (expired: classified 2022-06-01, no
  review date → 2025-06-01) as primary, and co-owns X9 (review 2026-11-28 = the as-of date).
  Action AC1 is open (due 2026-12-31), AC10 cancelled. Report 2026-Q3 submitted, 80 %, access
  review 2026-01-15.
- 1882-SOC-IFO: X3 (missing), X4 (expired 2026-10-01; the 2027 classification is after the
  as-of date), X5 (current). AC7 is 44 days overdue.
- 1882-SOC-AO: report for 2026-Q3 not submitted.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dashboard import store
from dashboard.queries.my_unit import unit_actions, unit_assets, unit_options
from dashboard.queries.viewer import Viewer
from etl.kpi.compute import compute_kpis
from tests.kpi_data import AS_OF, build_store
from tests.pages import build_app, page_module

FILTERS = {"as_of": AS_OF.isoformat(), "lang": "sv"}


def card_values(cards) -> dict[str, str]:
    values = {}
    for col in cards:
        card = col.children
        if getattr(card, "id", None):
            values[card.id] = card.children.children[1].children
    return values


def rows_of(table_div) -> list[list[str]]:
    table = table_div.children
    body = table.children[1]
    return [[td.children for td in tr.children] for tr in body.children]


@pytest.fixture
def page(sqlite_engine):
    build_store(sqlite_engine)
    build_app(sqlite_engine)
    yield page_module("/min-enhet")
    store.configure(None)


def test_picker_offers_visible_units_and_keeps_a_valid_choice(page):
    options, value = page.update_picker(FILTERS, None)
    assert [o["value"] for o in options] == [
        "1861-BUF-FS",
        "1861-BUF-GR",
        "1882-KLF-IT",
        "1882-SOC-IFO",
        "1882-SOC-AO",
    ]
    assert value == "1861-BUF-FS"
    assert page.update_picker(FILTERS, "1882-SOC-AO")[1] == "1882-SOC-AO"
    options, value = page.update_picker({**FILTERS, "administration": "1882-SOC"}, "1861-BUF-FS")
    assert [o["value"] for o in options] == ["1882-SOC-IFO", "1882-SOC-AO"]
    assert value == "1882-SOC-IFO"


def test_too_many_units_ask_for_a_narrower_filter(page, monkeypatch):
    """Five units are visible to the system; with a bound of four the picker offers none and the
    page says how to narrow; a municipality's three are offered again."""
    from dashboard.queries import my_unit

    monkeypatch.setattr(my_unit, "MAX_UNIT_OPTIONS", 4)
    assert page.update_picker(FILTERS, "1882-SOC-AO") == ([], None)
    cards, aging, follow_up, *_ = page.update_unit("1882-SOC-AO", FILTERS)
    assert cards == []
    assert "fler än" in follow_up.children and "Välj kommun eller förvaltning" in follow_up.children
    options, value = page.update_picker({**FILTERS, "municipality": "1882"}, "1882-SOC-AO")
    assert [o["value"] for o in options] == ["1882-KLF-IT", "1882-SOC-IFO", "1882-SOC-AO"]
    assert value == "1882-SOC-AO"


def test_it_unit(page):
    cards, aging, follow_up, reviews, actions, assets = page.update_unit("1882-KLF-IT", FILTERS)
    assert card_values(cards) == {
        "min-enhet-card-assets": "2",
        "min-enhet-card-classification-coverage": "50\u00a0%",
        "min-enhet-card-reviews-due-90d": "1",
        "min-enhet-card-actions-open": "1",
        "min-enhet-card-actions-overdue": "0",
    }
    assert rows_of(assets[0]) == [
        [
            "X1",
            "Tillgång X1",
            "–",
            "Ekonomisystem",
            "Primär ägare",
            "Aktuell",
            "2025-01-10",
            "2027-01-10",
        ],
        ["X2", "Tillgång X2", "–", "–", "Primär ägare", "Förfallen", "2022-06-01", "2025-06-01"],
        ["X9", "Tillgång X9", "–", "–", "Delägare", "Aktuell", "2025-05-05", "2026-11-28"],
    ]
    assert [r[0] for r in rows_of(reviews)] == ["X9", "X1"]
    assert [r[0] for r in rows_of(actions[0])] == ["AC1", "AC10"]
    report = follow_up[0].children
    assert [d.children for d in report[1::2]] == ["2026-Q3", "Ja", "80\u00a0%", "2026-01-15"]
    assert aging.layout.annotations[0].text == "Inga uppgifter för det här urvalet."


def test_statuses_and_overdue_actions(page):
    cards, aging, follow_up, reviews, actions, assets = page.update_unit("1882-SOC-IFO", FILTERS)
    statuses = {r[0]: r[5] for r in rows_of(assets[0])}
    assert statuses == {"X3": "Saknas", "X4": "Förfallen", "X5": "Aktuell"}
    assert rows_of(actions[0])[0] == ["AC7", "AC7", "–", "2026-10-15", "Ej påbörjad", "44"]
    assert list(aging.data[0].y) == [0, 1, 0, 0]
    assert "Ingen klassning" in reviews.children


def test_not_submitted_report(page):
    follow_up = page.update_unit("1882-SOC-AO", FILTERS)[2]
    assert [d.children for d in follow_up[0].children[1::2]][:2] == ["2026-Q3", "Nej"]


def test_cards_equal_compute_kpis(page, sqlite_engine):
    cards = page.update_unit("1882-SOC-IFO", FILTERS)[0]
    with Session(sqlite_engine) as session:
        kpis = compute_kpis(
            session, AS_OF, scope_types=["unit"], metrics=["assets", "actions_overdue"]
        )
    row = kpis[kpis["scope_id"] == "1882-SOC-IFO"].set_index("metric")["value"]
    values = card_values(cards)
    assert values["min-enhet-card-assets"] == str(int(row["assets"])) == "3"
    assert values["min-enhet-card-actions-overdue"] == str(int(row["actions_overdue"])) == "1"


def test_manager_sees_only_their_unit_and_forged_codes_get_nothing(sqlite_engine):
    build_store(sqlite_engine)
    manager = Viewer("manager", unit_codes=frozenset({"1882-SOC-IFO"}))
    with Session(sqlite_engine) as session:
        assert [o["value"] for o in unit_options(session, manager)] == ["1882-SOC-IFO"]
        assets, total, hidden = unit_assets(session, AS_OF, "1882-KLF-IT", manager)
        actions, action_total = unit_actions(session, AS_OF, "1882-KLF-IT", manager)
    assert (len(assets), total, action_total) == (0, 0, 0)


def test_security_protection_assets_are_not_listed(sqlite_engine):
    build_store(sqlite_engine)
    ciso = Viewer("ciso", municipality_codes=frozenset({"1861"}))
    officer = Viewer("protection_officer", municipality_codes=frozenset({"1861"}))
    with Session(sqlite_engine) as session:
        assets, total, hidden = unit_assets(session, AS_OF, "1861-BUF-GR", ciso)
        seen, _, none_hidden = unit_assets(session, AS_OF, "1861-BUF-GR", officer)
    assert "X7" not in set(assets["asset_code"]) and hidden == 1
    assert "X7" in set(seen["asset_code"]) and none_hidden == 0


def test_empty_store_and_english(sqlite_engine):
    build_app(sqlite_engine)
    my_unit = page_module("/min-enhet")
    try:
        assert "infosak load" in str(my_unit.layout())
        options, value = my_unit.update_picker(FILTERS, None)
        assert (options, value) == ([], None)
        cards, aging, follow_up, *_ = my_unit.update_unit(None, {**FILTERS, "lang": "en"})
        assert follow_up.children == "There is no unit you may see."
    finally:
        store.configure(None)


def test_page_in_browser(dash_duo, sqlite_engine):
    build_store(sqlite_engine)
    app = build_app(sqlite_engine)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/min-enhet?datum={AS_OF.isoformat()}")
    dash_duo.wait_for_element("#min-enhet-aging .main-svg", timeout=30)
    dash_duo.wait_for_text_to_equal("#min-enhet-card-assets-value", "2", timeout=30)  # Förskola
    dash_duo.select_dcc_dropdown("#app-filter-municipality", value="Askersund (1882)")
    # The picker falls back to the first unit of Askersund: IT-enheten.
    dash_duo.wait_for_text_to_equal(
        "#min-enhet-card-classification-coverage-value", "50 %", timeout=30
    )
    dash_duo.select_dcc_dropdown(
        "#min-enhet-unit", value="Individ och familj – Socialförvaltningen"
    )
    dash_duo.wait_for_text_to_equal("#min-enhet-card-assets-value", "3", timeout=30)
    dash_duo.wait_for_element("#min-enhet-actions-table", timeout=30)
    assert dash_duo.get_logs() == []
    store.configure(None)


def test_committee_gets_no_asset_or_action_rows(sqlite_engine):
    build_store(sqlite_engine)
    committee = Viewer("committee", municipality_codes=frozenset({"1882"}))
    with Session(sqlite_engine) as session:
        assets, total, _ = unit_assets(session, AS_OF, "1882-KLF-IT", committee)
        actions, action_total = unit_actions(session, AS_OF, "1882-KLF-IT", committee)
    assert (total, action_total) == (0, 0)
