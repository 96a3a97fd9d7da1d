"""Mognad draws once: the first answer (update_maturity) holds the profile of the chosen node with
its choice, and the browser asks for nothing else on a first visit or a change of filters; a
choice in the profile's dropdown asks for the profile alone (tests/kpi_data.py's store)."""

from __future__ import annotations

import json

import flask
import pytest

from dashboard import output_cache, store
from dashboard.queries.viewer import Viewer
from tests.browser_site import wait_settled
from tests.kpi_data import AS_OF, build_store
from tests.pages import build_app, page_module
from tests.test_page_access import as_viewer

FILTERS = {"as_of": AS_OF.isoformat(), "lang": "sv"}
VIEWERS = {
    "admin": Viewer("admin", name="anna"),
    "ciso": Viewer("ciso", name="eva", municipality_codes=frozenset({"1882"})),
    "committee": Viewer("committee", name="namnd", municipality_codes=frozenset({"1882"})),
    "manager": Viewer("manager", name="bo", unit_codes=frozenset({"1882-SOC-IFO"})),
}
CHOICES = [
    {},
    {"municipality": "1882"},
    {"municipality": "1861"},
    {"municipality": "1882", "administration": "1882-SOC"},
    {"lang": "en"},
]


@pytest.fixture
def page(sqlite_engine, monkeypatch):
    build_store(sqlite_engine)
    build_app(sqlite_engine)
    monkeypatch.setattr(output_cache, "enabled", False)
    yield page_module("/mognad")
    store.configure(None)


def as_json(value) -> str:
    """A component tree or figure as the browser gets it."""
    if hasattr(value, "to_plotly_json") and not hasattr(value, "to_dict"):
        value = value.to_plotly_json()
    elif hasattr(value, "to_dict"):
        value = value.to_dict()
    return json.dumps(value, sort_keys=True, default=_plain, ensure_ascii=False)


def _plain(value):
    if hasattr(value, "to_plotly_json"):
        return value.to_plotly_json()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def by_id(children, wanted: str):
    """The component with id ``wanted`` in a list of components (depth first)."""
    stack = list(children if isinstance(children, list) else [children])
    while stack:
        node = stack.pop()
        if node is None or isinstance(node, (str, int, float)):
            continue
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        if getattr(node, "id", None) == wanted:
            return node
        stack.append(getattr(node, "children", None))
    raise LookupError(wanted)


@pytest.mark.parametrize("role", list(VIEWERS))
@pytest.mark.parametrize("choice", CHOICES, ids=lambda c: ",".join(c.values()) or "all")
def test_the_first_answer_holds_the_profile_a_choice_would_draw(page, role, choice):
    """Everything update_maturity answers is what the page's parts give on their own, and the
    profile in it is update_profile's answer for the choice the dropdown shows."""
    filters = {**FILTERS, **choice}
    context = as_viewer(VIEWERS[role])
    try:
        heat, comparison, trend, holdback, body = page.update_maturity(filters, None)
        parts = page.maturity_parts(filters, None)
        dropdown = by_id(body, page.PROFILE_SELECT)
        figure, areas = page.update_profile(dropdown.value, filters)
    finally:
        context.pop()
    assert [as_json(x) for x in (heat, comparison, trend, holdback)] == [
        as_json(parts[i]) for i in (0, 1, 2, 5)
    ]
    assert (dropdown.options, dropdown.value) == (parts[3], parts[4])
    assert as_json(by_id(body, page.PROFILE).figure) == as_json(figure)
    assert as_json(by_id(body, page.AREA_TABLE).children) == as_json(areas)


def test_the_first_answer_draws_the_first_administration(page):
    """Hand-checked: Askersund's first administration, its three areas and their dates."""
    context = as_viewer(VIEWERS["ciso"])
    try:
        body = page.update_maturity(FILTERS, None)[4]
    finally:
        context.pop()
    assert by_id(body, page.PROFILE_SELECT).value == "administration:1882-KLF"
    radar = by_id(body, page.PROFILE).figure
    assert list(radar.data[0].r)[:3] == [2, 3, 4]
    table = as_json(by_id(body, page.AREA_TABLE).children)
    assert "2026-10-01" in table and "Informationsklassning" in table


def page_requests(posted: list[str]) -> list[str]:
    """The page's own callback requests (the frame's filters and menu, and the charts' table
    views, left out)."""
    return [o for o in posted if "mognad-" in o and "chart-table" not in o]


def close_open_menu(duo) -> None:
    """Close a dropdown's menu left open by a choice (it holds the page's scrolling)."""
    from selenium.webdriver.common.keys import Keys

    if duo.driver.find_elements("css selector", ".dash-dropdown-options"):
        duo.find_element("body").send_keys(Keys.ESCAPE)
        duo.wait_for_no_elements(".dash-dropdown-options", timeout=10)


def test_a_first_visit_asks_for_the_page_once(dash_duo, sqlite_engine):
    """One request for the whole page: before, the profile's choice in the first answer called
    update_profile, and the browser drew the profile a second time. A choice in the dropdown
    asks for the profile alone; new filters ask for the page once."""
    build_store(sqlite_engine)
    app = build_app(sqlite_engine)
    maturity = page_module("/mognad")
    posted: list[str] = []

    @app.server.before_request
    def record_callback_request():
        if flask.request.path.endswith("/_dash-update-component"):
            posted.append((flask.request.get_json(silent=True) or {}).get("output", ""))

    output_cache.clear()
    try:
        dash_duo.start_server(app)
        dash_duo.wait_for_page(f"{dash_duo.server_url}/mognad?datum={AS_OF.isoformat()}")
        dash_duo.wait_for_element("#mognad-profile .polarlayer", timeout=20)
        dash_duo.wait_for_contains_text("#mognad-area-table", "Ålder", timeout=20)
        wait_settled(dash_duo, timeout=30)
        first_visit = page_requests(posted)
        assert len(first_visit) == 1, first_visit
        assert f"{maturity.PROFILE_BODY}.children" in first_visit[0]
        chosen = dash_duo.find_element(f"#{maturity.PROFILE_SELECT}").text
        assert "Kommunledningsförvaltningen" in chosen
        assert "2026-10-01" in dash_duo.find_element(f"#{maturity.AREA_TABLE}").text

        posted.clear()
        dash_duo.select_dcc_dropdown("#app-filter-municipality", value="Askersund (1882)")
        dash_duo.wait_for_contains_text("#app-scope-line", "Askersund", timeout=20)
        close_open_menu(dash_duo)
        wait_settled(dash_duo, timeout=30)
        after_filter = page_requests(posted)
        assert len(after_filter) == 1, after_filter
        assert f"{maturity.PROFILE_BODY}.children" in after_filter[0]

        posted.clear()
        dropdown = dash_duo.find_element(f"#{maturity.PROFILE_SELECT}")
        # At once: the site scrolls smoothly, and a click during the scroll lands elsewhere.
        dash_duo.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", dropdown
        )
        dash_duo.select_dcc_dropdown(f"#{maturity.PROFILE_SELECT}", value="Socialförvaltningen")
        # Socialförvaltningen's areas were assessed on 2026-04-01.
        dash_duo.wait_for_contains_text(f"#{maturity.AREA_TABLE}", "2026-04-01", timeout=20)
        wait_settled(dash_duo, timeout=30)
        assert page_requests(posted) == [
            f"..{maturity.PROFILE}.figure...{maturity.AREA_TABLE}.children.."
        ]
        assert dash_duo.get_logs() == []
    finally:
        output_cache.clear()
        store.configure(None)
