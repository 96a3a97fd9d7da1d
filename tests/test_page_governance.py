"""Förvaltningsobjekt: callbacks as plain functions on the hand-countable store, and the page in
Chromium.

tests/kpi_data.py has one object, GO-EK (Ekonomisystem), run by Sydnärke IT, with participants
Askersund (1882, via Kommunledningsförvaltningen) and the whole of Hallsberg (1861). Its assets
X1 and X5 are currently classified (100 %); of their 4 owners 3 took part in the latest
classification (75 %). Its workbook's actions are the provider's AC5 (119 days overdue) and AC6
(211 days overdue).
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dashboard import store
from dashboard.queries.governance import (
    object_actions,
    party_summary,
    shown_object_kpis,
    visible_object_list,
)
from dashboard.queries.viewer import Viewer
from etl.kpi.compute import compute_kpis
from etl.models import Action, GovernanceObject, Unit
from tests.kpi_data import AS_OF, build_store
from tests.pages import build_app, open_pager_page_by_keyboard, page_module

FILTERS = {"as_of": AS_OF.isoformat(), "lang": "sv"}


def find(component, component_id):
    if component is None or isinstance(component, str | int | float):
        return None
    if isinstance(component, list | tuple):
        for child in component:
            found = find(child, component_id)
            if found is not None:
                return found
        return None
    if getattr(component, "id", None) == component_id:
        return component
    return find(getattr(component, "children", None), component_id)


def text_of(component) -> str:
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


def metric_values(card) -> dict[str, str]:
    values = {}

    def walk(node):
        if isinstance(node, list | tuple):
            for child in node:
                walk(child)
            return
        if node is None or isinstance(node, str | int | float):
            return
        metric = getattr(node, "data-metric", None)
        if metric:
            values[metric] = node.children
        walk(getattr(node, "children", None))

    walk(card)
    return values


@pytest.fixture
def page(sqlite_engine):
    build_store(sqlite_engine)
    build_app(sqlite_engine)
    yield page_module("/forvaltningsobjekt")
    store.configure(None)


def test_object_card(page):
    figure, note, comparison, cards = page.update_objects(FILTERS)
    assert note == "1 objekt."
    card = find(cards, "forvaltningsobjekt-card-go-ek")
    text = text_of(card)
    assert "Ekonomisystem (GO-EK)" in text
    assert "Leverantör:  Sydnärke IT" in text
    assert "Askersund – Kommunledningsförvaltningen" in text
    assert "Hallsberg – hela kommunen" in text
    assert metric_values(card) == {
        "assets": "2",
        "classification_coverage": "100\u00a0%",
        "shared_owner_participation": "75\u00a0%",
        "risk_analysis_coverage": "100\u00a0%",
        "actions_open": "2",
        "actions_overdue": "2",
    }
    # Overdue first, the oldest on top.
    assert text.index("AC6") < text.index("AC5")
    assert "211" in text and "119" in text
    assert [t.type for t in figure.data] == ["bar", "bar"]
    assert [list(t.x) for t in figure.data] == [[1.0], [0.75]]
    assert list(figure.data[1].text) == ["75\u00a0%"]


def test_party_counts_equal_compute_kpis(page, sqlite_engine):
    with Session(sqlite_engine) as s, s.begin():
        # A participant's own action in the object's workbook, done: not open, not overdue.
        go_id = s.query(GovernanceObject.id).scalar()
        unit_id = s.query(Unit.id).filter(Unit.code == "1882-KLF-IT").scalar()
        s.query(Action).filter(Action.code == "AC1").update(
            {"governance_object_id": go_id, "owner_unit_id": unit_id}
        )
    with Session(sqlite_engine) as session:
        kpis = compute_kpis(
            session,
            AS_OF,
            scope_types=["governance_object"],
            metrics=["actions_open", "actions_overdue"],
        ).set_index("metric")
        parties = party_summary(session, AS_OF, [go_id])
        actions = object_actions(session, AS_OF, [go_id])
    assert parties["open"].sum() == kpis["value"]["actions_open"] == 3
    assert parties["overdue"].sum() == kpis["value"]["actions_overdue"] == 2
    assert list(parties["party"]) == [
        "Sydnärke IT (leverantör)",
        "Askersund – Kommunledningsförvaltningen",
    ]
    assert list(actions["code"]) == ["AC6", "AC5", "AC1"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"municipality": "1861"}, 1),
        ({"administration": "1882-KLF"}, 1),
        ({"administration": "1882-SOC"}, 0),
    ],
)
def test_filters_choose_participating_objects(page, filters, expected):
    figure, note, comparison, cards = page.update_objects({**FILTERS, **filters})
    assert (find(cards, "forvaltningsobjekt-card-go-ek") is not None) == bool(expected)


def participant_viewers() -> dict[str, Viewer]:
    """Who takes part in GO-EK through 1882-KLF (named as a participant) and who does not."""
    return {
        "officer_klf": Viewer("security_officer", administration_codes=frozenset({"1882-KLF"})),
        "head_klf": Viewer("admin_head", administration_codes=frozenset({"1882-KLF"})),
        "manager_klf_it": Viewer("manager", unit_codes=frozenset({"1882-KLF-IT"})),
        "head_soc": Viewer("admin_head", administration_codes=frozenset({"1882-SOC"})),
        "manager_soc_ifo": Viewer("manager", unit_codes=frozenset({"1882-SOC-IFO"})),
        # Hallsberg takes part as a whole municipality, not through 1861-BUF by name.
        "officer_buf": Viewer("security_officer", administration_codes=frozenset({"1861-BUF"})),
        "ciso_1861": Viewer("ciso", municipality_codes=frozenset({"1861"})),
    }


@pytest.mark.parametrize(
    ("who", "shown", "detail"),
    [
        ("officer_klf", 1, False),
        ("head_klf", 1, False),
        ("manager_klf_it", 1, False),
        ("head_soc", 0, None),
        ("manager_soc_ifo", 0, None),
        ("officer_buf", 0, None),
        ("ciso_1861", 1, True),
    ],
)
def test_participants_see_their_objects_numbers_only(sqlite_engine, who, shown, detail):
    build_store(sqlite_engine)
    viewer = participant_viewers()[who]
    with Session(sqlite_engine) as session:
        objects, total = visible_object_list(session, viewer)
        assert total == shown
        if not shown:
            return
        assert list(objects["code"]) == ["GO-EK"]
        assert bool(objects["detail"].iloc[0]) is detail
        go_id = int(objects["id"].iloc[0])
        # Rows only for the object's own scope; the counts per party for every participant.
        assert object_actions(session, AS_OF, [go_id], viewer).empty is (not detail)
        assert party_summary(session, AS_OF, [go_id], viewer)["overdue"].sum() == 2
        kpis = shown_object_kpis(session, AS_OF, viewer, objects).set_index("metric")
    # The object's own numbers (tests/kpi_data.py: X1 and X5; AC5 and AC6 overdue), whoever asks.
    assert kpis["value"]["assets"] == 2
    assert kpis["value"]["actions_overdue"] == 2
    assert kpis["value"]["classification_coverage"] == 1.0


def test_participant_page_shows_numbers_and_says_why(page):
    from flask import Flask, g

    officer = participant_viewers()["officer_klf"]
    with Flask(__name__).test_request_context():
        from flask import current_app

        current_app.config["INFOSAK_AUTH"] = True
        g.infosak_viewer = officer
        figure, note, comparison, cards = page.update_objects(FILTERS)
    assert note == "1 objekt."
    card = find(cards, "forvaltningsobjekt-card-go-ek")
    assert metric_values(card)["actions_overdue"] == "2"
    assert "Din förvaltning deltar i objektet" in text_of(card)
    assert "AC6" not in text_of(card)
    assert metric_values(comparison)["assets"] == "2"


def test_english_and_empty_store(sqlite_engine):
    build_app(sqlite_engine)
    governance = page_module("/forvaltningsobjekt")

    try:
        assert "infosak load" in str(governance.layout())
        figure, note, comparison, cards = governance.update_objects({**FILTERS, "lang": "en"})
        assert "No data for this selection." in text_of(cards)
    finally:
        store.configure(None)


def test_page_in_browser(dash_duo, sqlite_engine):
    build_store(sqlite_engine)
    app = build_app(sqlite_engine)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/forvaltningsobjekt?datum={AS_OF.isoformat()}")
    dash_duo.wait_for_element("#forvaltningsobjekt-coverage .main-svg", timeout=30)
    dash_duo.wait_for_element("#forvaltningsobjekt-card-go-ek", timeout=30)
    dash_duo.wait_for_text_to_equal("#forvaltningsobjekt-count", "1 objekt.", timeout=30)
    dash_duo.select_dcc_dropdown("#app-filter-municipality", value="Askersund (1882)")
    dash_duo.select_dcc_dropdown("#app-filter-administration", value="Socialförvaltningen")
    dash_duo.wait_for_no_elements("#forvaltningsobjekt-card-go-ek", timeout=30)
    dash_duo.wait_for_text_to_equal("#forvaltningsobjekt-count", "", timeout=30)
    assert dash_duo.get_logs() == []
    store.configure(None)


def test_committee_gets_counts_not_action_rows(sqlite_engine):
    build_store(sqlite_engine)
    committee = Viewer("committee", municipality_codes=frozenset({"1882"}))
    with Session(sqlite_engine) as session:
        go_id = session.query(GovernanceObject.id).scalar()
        assert object_actions(session, AS_OF, [go_id], committee).empty
        assert party_summary(session, AS_OF, [go_id], committee)["open"].sum() == 2


def test_card_pages_hold_at_most_cards_per_page_and_keep_within_the_pages(page):
    per = page.CARDS_PER_PAGE
    assert page.card_page_bounds(0, 1) == (0, 0, 1)
    assert page.card_page_bounds(per, 1) == (0, per, 1)
    assert page.card_page_bounds(per + 1, 1) == (0, per, 2)
    assert page.card_page_bounds(per + 1, 2) == (per, per + 1, 2)
    # A page beyond the last shows the last; no page or a malformed one the first.
    assert page.card_page_bounds(per + 1, 9) == (per, per + 1, 2)
    assert page.card_page_bounds(per + 1, None) == (0, per, 2)
    assert page.card_page_bounds(per + 1, "x") == (0, per, 2)


@pytest.fixture
def generated_page(tmp_path, monkeypatch):
    """The page on the generated Sydnärke set (seven shared objects), two cards a page."""
    import datetime as dt

    from tests.generated_store import loaded_generated_store

    with loaded_generated_store("sqlite", tmp_path, dt.date(2026, 11, 28)) as (engine, _):
        build_app(engine)
        module = page_module("/forvaltningsobjekt")
        monkeypatch.setattr(module, "CARDS_PER_PAGE", 2)
        yield module, engine
        store.configure(None)


def test_object_cards_are_paged_in_the_comparisons_order(generated_page):
    page, engine = generated_page
    filters = {"as_of": "2026-11-28", "lang": "sv"}
    figure, note, comparison, section = page.update_objects(filters)
    with Session(engine) as session:
        codes = list(session.scalars(GovernanceObject.__table__.select().with_only_columns(
            GovernanceObject.code)))  # fmt: skip
    rows = comparison.children.children[2].children
    order = [text_of(r.children[0]).rsplit("(", 1)[1].rstrip(")") for r in rows]
    assert sorted(order) == sorted(codes) and len(order) == 7

    def card_codes(children) -> list[str]:
        return [
            c.id.removeprefix("forvaltningsobjekt-card-")
            for c in children
            if str(getattr(c, "id", "")).startswith("forvaltningsobjekt-card-")
        ]

    pager = find(section, page.CARD_PAGER)
    assert (pager.max_value, pager.active_page) == (4, 1)
    first = find(section, page.CARDS).children
    assert "Objektkort 1–2 av 7" in text_of(first[0])
    pages = [card_codes(first)] + [
        card_codes(page.page_object_cards(n, filters)) for n in (2, 3, 4)
    ]
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    assert [code for p in pages for code in p] == [code.lower() for code in order]
    assert "Objektkort 7–7 av 7" in text_of(page.page_object_cards(4, filters)[0])


@pytest.mark.browser
def test_card_pager_works_by_keyboard_and_is_axe_clean(dash_duo, generated_page, monkeypatch):
    """The pager in Chromium: reached with Tab, a page chosen with Enter shows the next cards
    (each under its own heading), and axe finds nothing on the paged page."""

    from tests.axe import describe, run_axe

    _, engine = generated_page
    app = build_app(engine)  # registers the pages anew: the page module is a new one
    page = page_module("/forvaltningsobjekt")
    monkeypatch.setattr(page, "CARDS_PER_PAGE", 2)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/forvaltningsobjekt?datum=2026-11-28")
    dash_duo.wait_for_contains_text(f"#{page.CARDS}", "Objektkort 1–2 av 7", timeout=60)
    headings = dash_duo.find_elements(f"#{page.CARDS} h2")
    assert len(headings) == 2
    first_titles = [h.text for h in headings]
    open_pager_page_by_keyboard(dash_duo, page.CARD_PAGER, "2")
    dash_duo.wait_for_contains_text(f"#{page.CARDS}", "Objektkort 3–4 av 7", timeout=60)
    titles = [h.text for h in dash_duo.find_elements(f"#{page.CARDS} h2")]
    assert len(titles) == 2 and not set(titles) & set(first_titles)
    assert describe("/forvaltningsobjekt paged", run_axe(dash_duo.driver)) == []
    assert dash_duo.get_logs() == []
