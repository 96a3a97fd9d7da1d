"""An unreadable ``?datum=`` in the address: the page shows today and says why, next to the
filter bar, in the page's language. The rule as a function, the page in Chromium.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from dash.testing.wait import until

from dashboard import store
from dashboard.filters import parse_query, unread_date
from tests.axe import describe, run_axe
from tests.kpi_data import build_store
from tests.pages import build_app

NOTICE = "#app-date-notice"


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("?datum=abc", "abc"),
        ("?datum=2026-13-45", "2026-13-45"),
        ("?kommun=1882&datum=9999-01-01", "9999-01-01"),  # a date, but out of bounds
        ("?datum=" + "x" * 200, "x" * 20 + "…"),  # a link cannot write a paragraph
        ("?datum=2026-11-28", None),
        ("?datum=", None),
        ("?kommun=1882", None),
        ("", None),
        (None, None),
    ],
)
def test_unread_date(search, expected):
    assert unread_date(search) == expected
    if expected is not None:  # the filters fall back to today for exactly these
        assert parse_query(search, dt.date(2026, 12, 6)).as_of == dt.date(2026, 12, 6)


@pytest.mark.browser
def test_bad_date_in_the_address_is_named_on_the_page(dash_duo, sqlite_engine):
    build_store(sqlite_engine)
    dash_duo.start_server(build_app(sqlite_engine))
    try:
        dash_duo.wait_for_page(f"{dash_duo.server_url}/risker?datum=2026-13-45")
        dash_duo.wait_for_text_to_equal(
            NOTICE,
            "Datumet i adressen (2026-13-45) kunde inte läsas och används inte; visar i dag.",
            timeout=30,
        )
        assert dash_duo.find_element("#app-filter-as-of").get_attribute("value") == (
            dt.date.today().isoformat()
        )
        time.sleep(2)  # the address is rewritten without the date: the notice stays
        assert "(2026-13-45)" in dash_duo.find_element(NOTICE).text
        assert describe("risker with the date notice", run_axe(dash_duo.driver)) == []
        dash_duo.wait_for_page(f"{dash_duo.server_url}/?datum=abc&sprak=en")
        dash_duo.wait_for_text_to_equal(
            NOTICE,
            "The date in the address (abc) could not be read and is not used; showing today.",
            timeout=30,
        )
        # A filter chosen on the page replaces the address: the notice goes.
        dash_duo.select_dcc_dropdown("#app-filter-municipality", value="Hallsberg (1861)")
        dash_duo.wait_for_no_elements(NOTICE, timeout=30)
        # A readable date: no notice.
        dash_duo.wait_for_page(f"{dash_duo.server_url}/?datum=2026-11-28")
        until(
            lambda: (
                dash_duo.find_element("#app-filter-as-of").get_attribute("value") == "2026-11-28"
            ),
            timeout=30,
        )
        dash_duo.wait_for_no_elements(NOTICE, timeout=30)
        assert dash_duo.get_logs() == []
    finally:
        store.configure(None)
