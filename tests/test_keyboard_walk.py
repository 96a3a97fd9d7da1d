"""Keyboard only, with a visible focus at every stop: log in, skip to the content, change the
global filter on Översikt, go to Åtgärder, sort the grid from its header and export it.

Only Selenium key presses reach the page (no clicks, no scripts that act); scripts only read
which element has the focus and how it is drawn.
"""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.browser_site import site_fixture, wait_settled
from tests.test_auth_support import PASSWORD

FOCUS_JS = """
const e = document.activeElement;
const s = getComputedStyle(e);
const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
    || (s.boxShadow && s.boxShadow !== 'none');
return {tag: e.tagName, type: e.type || '', id: e.id, cls: String(e.className), text: (e.innerText || '').slice(0, 40),
        colId: e.getAttribute('col-id'), sort: e.getAttribute('aria-sort'),
        visible: visible, outline: s.outlineStyle + ' ' + s.outlineWidth, shadow: s.boxShadow};
"""


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    yield from site_fixture(request, tmp_path_factory)


def press(duo, *keys) -> None:
    ActionChains(duo.driver).send_keys(*keys).perform()


def focused(duo) -> dict:
    return duo.driver.execute_script(FOCUS_JS)


def tab_to(duo, matches, limit: int = 60, backwards: bool = False) -> dict:
    """Press Tab until ``matches(focus)``; every element on the way must show its focus."""
    seen = []
    for _ in range(limit):
        if backwards:
            ActionChains(duo.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(
                Keys.SHIFT
            ).perform()
        else:
            press(duo, Keys.TAB)
        time.sleep(0.05)
        focus = focused(duo)
        seen.append(f"{focus['tag']}#{focus['id']}.{focus['cls'][:30]}")
        assert focus["visible"], f"focus not visible on {focus} after {seen}"
        if matches(focus):
            return focus
    raise AssertionError(f"not reached by Tab; focus went through {seen}")


@pytest.mark.browser
def test_keyboard_only_walk(site):
    duo = site
    duo.driver.get(f"{duo.server_url}/login")
    duo.wait_for_element("#login-form")
    # The user name field has autofocus.
    assert focused(duo)["id"] == "login-username"
    press(duo, "eva", Keys.TAB, PASSWORD, Keys.ENTER)
    duo.wait_for_contains_text("#app-user-name", "eva", timeout=20)
    wait_settled(duo)

    # The skip link is the first stop and moves the focus to the main content.
    focus = tab_to(duo, lambda f: True, limit=1)
    assert focus["text"] == "Hoppa till innehållet", focus
    press(duo, Keys.ENTER)
    assert focused(duo)["id"] == "main"

    # Back to the top, then forward to the administration filter, open it, pick the first one.
    duo.driver.get(f"{duo.server_url}/")
    wait_settled(duo)
    tab_to(duo, lambda f: f["id"] == "app-filter-administration")
    press(duo, Keys.ENTER)
    duo.wait_for_element(".dash-dropdown-option")
    press(duo, Keys.ARROW_DOWN)
    time.sleep(0.3)
    option = focused(duo)
    assert option["visible"] and option["type"] == "radio", option  # the first option's radio
    press(duo, Keys.ENTER)
    wait_settled(duo)
    assert "forvaltning=1882-" in duo.driver.current_url, duo.driver.current_url

    # The navbar link to Åtgärder (Shift+Tab back up from the filter), followed with Enter.
    tab_to(duo, lambda f: "atgarder" in (f["text"] or "").lower() or f["text"] == "Åtgärder",
           backwards=True)  # fmt: skip
    press(duo, Keys.ENTER)
    duo.wait_for_element(".ag-header-cell", timeout=20)
    wait_settled(duo)
    assert "/atgarder" in duo.driver.current_url and "forvaltning=1882-" in duo.driver.current_url

    # Into the grid: the first header cell; Enter sorts by that column.
    header = tab_to(duo, lambda f: "ag-header-cell" in f["cls"])
    press(duo, Keys.ENTER)
    wait_settled(duo)
    after = focused(duo)
    assert after["colId"] == header["colId"] and after["sort"] == "ascending", after

    # Back out of the grid to the export button; Enter downloads the workbook.
    tab_to(duo, lambda f: f["id"] == "atgarder-export", backwards=True)
    press(duo, Keys.ENTER)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        files = [p for p in duo.download_dir.iterdir() if p.suffix == ".xlsx"]
        if files:
            break
        time.sleep(0.2)
    assert files, "no workbook downloaded"
    assert files[0].read_bytes()[:2] == b"PK"
