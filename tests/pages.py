"""Helpers for page tests: the app on a test store, and page modules as Dash imported them."""

from __future__ import annotations

import sys

import dash

from dashboard.app import create_app


def build_app(engine):
    """The app on ``engine`` without login (create_app starts from an empty callback registry)."""
    return create_app(engine, auth=False)


def page_module(path: str):
    """The page module as Dash imported it (importing dashboard.pages.x would run it twice)."""
    for registered in dash.page_registry.values():
        if registered["path"] == path:
            return sys.modules[registered["module"]]
    raise LookupError(path)


def open_pager_page_by_keyboard(dash_duo, pager_id: str, number: str) -> None:
    """Tab through the page until the pager's link ``number`` has the focus, then press Enter:
    what a keyboard user does (the pager must be reachable without a mouse)."""
    from selenium.webdriver.common.keys import Keys

    link = next(
        a
        for a in dash_duo.find_elements(f"#{pager_id} a, #{pager_id} button")
        if a.text.strip() == number
    )
    focused = dash_duo.find_element("body")
    for _ in range(400):
        if dash_duo.driver.switch_to.active_element == link:
            break
        focused.send_keys(Keys.TAB)
        focused = dash_duo.driver.switch_to.active_element
    assert dash_duo.driver.switch_to.active_element == link
    link.send_keys(Keys.ENTER)
