"""Översikt: callbacks as plain functions on the hand-countable store, and the page in Chromium.

Expected numbers are counted by hand from tests/kpi_data.py (as of 2026-11-28):
assets X1…X9; current classifications X1, X5, X6, X7, X9 (5/9), one quarter earlier also X4
(6/9); funnel 9 → 5 → 4 (X9's analysis is exactly 36 months old) → 3 (X5's only action is
cancelled) → 2 (X6's action AC3 is overdue). Overdue actions: AC7 (44 days) and AC3 (8 days) in
1882-SOC, provider actions AC5 (119 days) and AC6 (211 days) count for 1882-KLF and for each
participating municipality (1882 and 1861).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import store
from tests.kpi_data import AS_OF, build_store
from tests.pages import build_app, open_pager_page_by_keyboard, page_module

FILTERS = {"as_of": AS_OF.isoformat(), "lang": "sv"}


def find(component, component_id):
    """The component with ``component_id`` inside a Dash component tree (None when absent)."""
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


@pytest.fixture
def page(sqlite_engine):
    build_store(sqlite_engine)
    build_app(sqlite_engine)
    yield page_module("/")
    store.configure(None)


def test_all_municipalities_cards_funnel_aging(page):
    note, cards, funnel_fig, aging_fig, org, high, loads, aging_title = page.update_overview(
        FILTERS
    )
    assert aging_title == "Försenade åtgärder per förvaltning"
    assert note.startswith("Alla kommuner tillsammans")
    assert len(cards) == 8
    value = find(cards, "oversikt-card-classification-coverage-value")
    assert value.children == "56\u00a0%"
    card = find(cards, "oversikt-card-classification-coverage")
    assert "−11 procentenheter sedan förra kvartalet" in text_of(card)
    # 2 unit actions + 2 provider actions counted for each of the 2 participating municipalities.
    assert find(cards, "oversikt-card-actions-overdue-value").children == "6"
    assert find(cards, "oversikt-card-gdpr-coverage-value").children == "50\u00a0%"
    assert find(cards, "oversikt-card-follow-up-rate-value").children == "60\u00a0%"
    assert list(funnel_fig.data[0].x) == [9, 5, 4, 3, 2]
    by_bucket = {t.name: dict(zip(t.y, t.x, strict=True)) for t in aging_fig.data}
    assert by_bucket["1–30 dagar"]["Socialförvaltningen"] == 1
    assert by_bucket["31–90 dagar"]["Socialförvaltningen"] == 1
    assert by_bucket["91–180 dagar"]["Kommunledningsförvaltningen"] == 1
    assert by_bucket[">180 dagar"]["Kommunledningsförvaltningen"] == 1
    assert find(high, "oversikt-high-risks-value").children == "2"
    assert "inga uppgifter" in text_of(loads).lower()


def test_org_check_spelled_out(page):
    org = page.update_overview(FILTERS)[4]
    text = text_of(org)
    assert "Socialförvaltningen" in text and "Askersund" in text
    rows = {
        text_of(r.children[0]): [text_of(td) for td in r.children[1:]]
        for r in org.children.children[2].children
    }
    # Columns: CISO, security officer, DPO, protection officer, unit managers, failed checks.
    assert rows["Socialförvaltningen"][1] == "✗ Saknas"
    assert rows["Kommunledningsförvaltningen"][1] == "✓ Utsedd"
    # Askersund: 1 of 2 administrations has a security officer; 2 of 3 units have a manager.
    assert rows["Askersund"][1] == "✗ 1 av 2"
    assert rows["Askersund"][4] == "✗ 2 av 3"
    # Row headers: municipalities bold, their administrations indented, the name the cell's text.
    heads = {r.children[0].children: r.children[0] for r in org.children.children[2].children}
    assert heads["Askersund"].className == "fw-bold" and heads["Askersund"].scope == "row"
    assert heads["Socialförvaltningen"].className == "fw-normal ps-4"


def test_municipality_filter_changes_numbers(page):
    filters = {**FILTERS, "municipality": "1882"}
    note, cards, funnel_fig, *_ = page.update_overview(filters)
    assert note == ""  # whose numbers: the line under the filters (tests/test_scope_text.py)
    # Askersund: X1…X6 (6 assets), current X1, X5, X6 → 50 %.
    assert find(cards, "oversikt-card-classification-coverage-value").children == "50\u00a0%"
    assert find(cards, "oversikt-card-actions-overdue-value").children == "4"
    assert list(funnel_fig.data[0].x)[0] == 6


def test_administration_filter_and_english(page):
    filters = {**FILTERS, "municipality": "1882", "administration": "1882-SOC", "lang": "en"}
    note, cards, *_ = page.update_overview(filters)
    assert note == ""
    # 1882-SOC: X3, X4, X5, X6 → current X5, X6 → 50%.
    assert find(cards, "oversikt-card-classification-coverage-value").children == "50%"
    assert "since last quarter" in text_of(cards)


def test_empty_store_says_what_to_do(sqlite_engine):
    build_app(sqlite_engine)
    overview = page_module("/")

    try:
        body = overview.layout()
        assert "infosak load" in text_of(body)
        assert find(body, overview.FUNNEL) is None
        outputs = overview.update_overview({"as_of": "2026-11-28"})
        assert len(outputs[1]) == 8
        assert find(outputs[1], "oversikt-card-actions-overdue-value").children == "–"
    finally:
        store.configure(None)


def test_previous_quarter_is_three_months_back():
    from dashboard.queries.overview import previous_quarter

    assert previous_quarter(dt.date(2026, 11, 28)) == dt.date(2026, 8, 28)
    assert previous_quarter(dt.date(2026, 5, 31)) == dt.date(2026, 2, 28)


def test_page_in_browser(dash_duo, sqlite_engine):
    build_store(sqlite_engine)
    app = build_app(sqlite_engine)
    dash_duo.start_server(app)
    value_id = "#oversikt-card-classification-coverage-value"
    dash_duo.wait_for_page(f"{dash_duo.server_url}/?datum={AS_OF.isoformat()}")
    dash_duo.wait_for_element("#oversikt-funnel .main-svg", timeout=15)
    dash_duo.wait_for_element("#oversikt-aging .main-svg", timeout=15)
    # Selenium reads the no-break space before % as a plain space.
    dash_duo.wait_for_text_to_equal(value_id, "56 %", timeout=15)
    dash_duo.select_dcc_dropdown("#app-filter-municipality", value="Askersund (1882)")
    dash_duo.wait_for_text_to_equal(value_id, "50 %", timeout=15)
    dash_duo.wait_for_text_to_equal("#oversikt-card-actions-overdue-value", "4", timeout=15)
    assert dash_duo.get_logs() == []
    store.configure(None)


def test_cards_fall_back_to_the_level_a_viewer_can_see(sqlite_engine):
    """A manager sees units only and a security officer no municipality: their cards sum the
    scopes they can see instead of showing "–" for a level they cannot."""
    from sqlalchemy.orm import Session

    from dashboard.queries.overview import focus_scope, headline_kpis
    from dashboard.queries.viewer import Viewer
    from etl.kpi.compute import compute_kpis

    manager = Viewer("manager", unit_codes=frozenset({"1882-SOC-IFO"}))
    officer = Viewer("security_officer", administration_codes=frozenset({"1882-SOC"}))
    assert focus_scope(None, None, manager) == ("unit", None)
    assert focus_scope("1882", "1882-SOC", manager) == ("unit", None)
    assert focus_scope("1882", None, officer) == ("administration", None)
    assert focus_scope(None, "1882-SOC", officer) == ("administration", "1882-SOC")
    assert focus_scope("1882", None) == ("municipality", "1882")

    build_store(sqlite_engine)
    with Session(sqlite_engine) as session:
        cards = headline_kpis(session, AS_OF, officer, metrics=("assets",))
        expected = compute_kpis(
            session, AS_OF, officer, scope_types=["administration"], metrics=["assets"]
        )
    assert cards.set_index("metric").loc["assets", "value"] == expected["value"].sum() > 0


def test_rows_by_metric_splits_in_one_pass_keeping_row_order():
    import pandas as pd

    from dashboard.queries.overview import MetricRows, rows_by_metric

    rows = pd.DataFrame(
        {
            "scope_id": ["1882", "1882", "1861", "1861"],
            "metric": ["assets", "risks", "assets", "risks"],
            "value": [3, 1, 4, 2],
            "numerator": [3, 1, 4, 2],
            "denominator": [None, None, None, None],
        }
    )
    split = rows_by_metric(rows)
    assert split == {
        "assets": MetricRows([3, 4], [3, 4], [None, None]),
        "risks": MetricRows([1, 2], [1, 2], [None, None]),
    }
    assert rows_by_metric(rows.iloc[0:0]) == {}


def org_frame(municipalities: int) -> pd.DataFrame:
    """Organisation-check rows: each municipality with one administration."""
    rows = []
    for m in range(municipalities):
        for scope_type, scope_id, name in (
            ("municipality", f"{m:04d}", f"Kommun {m}"),
            ("administration", f"{m:04d}-KLF", f"Kommunledning {m}"),
        ):
            rows.append(
                {"scope_type": scope_type, "scope_id": scope_id, "scope_name": name,
                 "metric": "org_ciso", "value": 1.0, "numerator": None, "denominator": None}
            )  # fmt: skip
    return pd.DataFrame(rows)


def _org_names(table) -> list[str]:
    """The row headers of an organisation table (scroll_region(dbc.Table))."""
    return [text_of(r.children[0]) for r in table.children.children[2].children]


def test_org_table_lists_administrations_only_for_a_few_municipalities(page):
    few = page.MUNICIPALITIES_WITH_ADMINISTRATIONS
    table = page.create_org_table(org_frame(few), "sv")
    names = _org_names(table)
    assert len(names) == 2 * few and "Kommunledning 0" in names
    assert "Välj en kommun" not in text_of(table.children.children[0])

    # A region's or the country's instance: municipalities only, and the caption says how to see
    # a municipality's administrations; no pager while one page holds them all. No failures
    # known: by name.
    shown = page.create_org_table(org_frame(few + 1), "sv")
    table = find(shown, page.ORG_ROWS).children
    assert _org_names(table) == sorted(f"Kommun {m}" for m in range(few + 1))
    caption = text_of(table.children.children[0])
    assert "Välj en kommun för att se dess förvaltningar" in caption
    assert f"visar 1–{few + 1} av {few + 1}" in caption
    assert find(shown, page.ORG_PAGER) is None


def failing_frame(municipalities: int) -> pd.DataFrame:
    """Organisation-check rows of ``municipalities`` municipalities only, municipality m with
    m % 7 failed checks."""
    rows = [
        {"scope_type": "municipality", "scope_id": f"{m:04d}", "scope_name": f"Kommun {m:02d}",
         "metric": "org_checks_failed", "value": float(m % 7), "numerator": None,
         "denominator": None}
        for m in range(municipalities)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_org_table_pages_the_country_most_failures_first(page):
    size = page.ORG_PAGE_SIZE
    frame = failing_frame(size + 5)
    # Hand-ordered: 6 failures (06, 13, 20, 27), then 5 (05, 12, 19, 26), ... then 0, by name.
    expected = [
        f"Kommun {m:02d}" for failed in range(6, -1, -1) for m in range(size + 5) if m % 7 == failed
    ]
    shown = page.create_org_table(frame, "sv")
    table = find(shown, page.ORG_ROWS).children
    assert _org_names(table) == expected[:size]
    assert f"visar 1–{size} av {size + 5}" in text_of(table.children.children[0])
    pager = find(shown, page.ORG_PAGER)
    assert (pager.max_value, pager.active_page) == (2, 1)

    rest, pages = page.org_page(frame, "sv", 2)
    assert pages == 2 and _org_names(rest) == expected[size:]
    assert f"visar {size + 1}–{size + 5} av {size + 5}" in text_of(rest.children.children[0])
    # A page beyond the last (or no page at all) shows the last (the first).
    assert _org_names(page.org_page(frame, "sv", 9)[0]) == expected[size:]
    assert _org_names(page.org_page(frame, "sv", None)[0]) == expected[:size]


@pytest.mark.browser
def test_org_pager_works_by_keyboard_and_is_axe_clean(dash_duo, tmp_path, monkeypatch):
    """The country's organisation check in Chromium (here: 4 municipalities counted as many,
    two a page): the pager is reached with Tab, Enter shows the next municipalities, axe finds
    nothing."""

    from dashboard.queries import org
    from tests.axe import describe, run_axe
    from tests.generated_store import loaded_generated_store

    with loaded_generated_store("sqlite", tmp_path, dt.date(2026, 11, 28)) as (engine, _):
        app = build_app(engine)
        page = page_module("/")
        for module in (org, page):
            monkeypatch.setattr(module, "MUNICIPALITIES_WITH_ADMINISTRATIONS", 1)
        monkeypatch.setattr(page, "ORG_PAGE_SIZE", 2)
        dash_duo.start_server(app)
        dash_duo.wait_for_page(f"{dash_duo.server_url}/?datum=2026-11-28")
        dash_duo.wait_for_contains_text(f"#{page.ORG_ROWS}", "visar 1–2 av 4", timeout=60)
        first = [th.text for th in dash_duo.find_elements(f"#{page.ORG_ROWS} tbody th")]
        open_pager_page_by_keyboard(dash_duo, page.ORG_PAGER, "2")
        dash_duo.wait_for_contains_text(f"#{page.ORG_ROWS}", "visar 3–4 av 4", timeout=60)
        second = [th.text for th in dash_duo.find_elements(f"#{page.ORG_ROWS} tbody th")]
        assert len(first) == len(second) == 2 and not set(first) & set(second)
        assert describe("/ paged", run_axe(dash_duo.driver)) == []
        assert dash_duo.get_logs() == []
        store.configure(None)
