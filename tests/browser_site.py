"""One served app and one Chromium for a whole test module: the accessibility tests visit every
page as every role, and starting a server and a browser per page would take most of their time.

``site_fixture`` builds the app with login on over tests/kpi_data.py's store (SQLite; the pages
are the same on PostgreSQL), adds one account per role, starts it in a thread and opens one
browser; ``log_in_as`` switches accounts in that browser.
"""

from __future__ import annotations

import time

import dash
import pytest
from dash.testing.application_runners import ThreadedRunner
from dash.testing.composite import DashComposite
from selenium.webdriver.common.by import By

from dashboard.auth.page_access import page_visible_to
from dashboard.queries.viewer import Viewer
from etl.db import make_engine, migrate
from tests.conftest import CHROMEDRIVER, CHROMIUM, browser_required
from tests.kpi_data import build_store
from tests.test_auth_support import PASSWORD, add_account, auth_app, reset_store

# One account per role (tests/kpi_data.py's codes): name -> (role, scope).
ACCOUNTS: dict[str, tuple[str, list[str]]] = {
    "eva": ("ciso", ["1882"]),
    "so": ("security_officer", ["1882-KLF"]),
    "head": ("admin_head", ["1882-SOC"]),
    "bo": ("manager", ["1882-SOC-IFO"]),
    "namnd": ("committee", ["1882"]),
    "dso": ("dpo", ["1882"]),
    "skydd": ("protection_officer", ["1861-BUF"]),
    "root": ("admin", []),
}


def require_browser() -> None:
    if CHROMIUM and CHROMEDRIVER:
        return
    if browser_required():
        pytest.fail("Chromium and chromedriver are required in CI")
    pytest.skip("Chromium/chromedriver not installed")


def site_fixture(request, tmp_path_factory, *, demo: bool = False):
    """Generator body for a module-scoped fixture: yields a started DashComposite (``demo``: the
    app in demo mode, with its banner and demo accounts beside ACCOUNTS)."""
    require_browser()
    folder = tmp_path_factory.mktemp("site")
    engine = make_engine(f"sqlite:///{folder / 'store.db'}")
    migrate(engine)
    build_store(engine)
    for name, (role, scope) in ACCOUNTS.items():
        add_account(engine, name, role, scope)
    downloads = folder / "downloads"
    downloads.mkdir()
    with pytest.MonkeyPatch.context() as monkeypatch:
        app = auth_app(engine, monkeypatch, demo=demo)
        try:
            with (
                ThreadedRunner() as runner,
                DashComposite(
                    server=runner,
                    browser="chrome",
                    headless=True,
                    options=request.config.hook.pytest_setup_options(),
                    download_path=str(downloads),
                ) as duo,
            ):
                # Not navigate=True: "/" redirects to the login page, which has no React root.
                duo.start_server(app, navigate=False)
                duo._url = runner.url
                duo.download_dir = downloads
                yield duo
        finally:
            reset_store()
            engine.dispose()


def log_out(duo) -> None:
    """Forget the session: cookies can only be deleted on a page of the server's origin."""
    if not duo.driver.current_url.startswith(duo.server_url):
        duo.driver.get(f"{duo.server_url}/login")
    duo.driver.delete_all_cookies()


def log_in_as(duo, name: str, lang: str = "sv") -> None:
    """A fresh login in the shared browser (cookies of the previous account are dropped)."""
    log_out(duo)
    duo.driver.get(f"{duo.server_url}/login?sprak={lang}")
    # A loaded machine (the suite runs in parallel with the browser tests) can take over
    # 10 s to serve the first page of a new login: wait like the step after it.
    duo.wait_for_element("#login-form", timeout=20)
    duo.find_element("#login-username").send_keys(name)
    duo.find_element("#login-password").send_keys(PASSWORD)
    duo.find_element("#login-submit").click()
    duo.wait_for_contains_text("#app-user-name", name, timeout=20)


def pages_for(role: str) -> list[dict]:
    """The registered pages ``role`` may open, in menu order (404 excluded)."""
    viewer = Viewer(role=role, name=role)
    return sorted(
        (
            p
            for p in dash.page_registry.values()
            if p["path"] != "/404" and page_visible_to(p, viewer)
        ),
        key=lambda p: (p.get("order") is None, p.get("order") or 0, p["path"]),
    )


SETTLED_JS = """
const busy = document.querySelectorAll('[data-dash-is-loading="true"]').length;
const grids = Array.from(document.querySelectorAll('.ag-root-wrapper'));
// An infinite-model grid is ready when it shows rows or its "no rows" overlay.
const gridsBusy = grids.filter(g => !g.querySelector('.ag-row:not(.ag-row-loading)')
    && !g.querySelector('.ag-overlay-no-rows-wrapper, .ag-overlay-no-rows-center')).length;
return busy + gridsBusy + (document.readyState === 'complete' ? 0 : 1);
"""


def wait_settled(duo, timeout: float = 20.0, quiet: float = 0.4) -> None:
    """Wait until no Dash callback is pending and every grid has its rows, for ``quiet`` s."""
    deadline = time.monotonic() + timeout
    calm_since = None
    while time.monotonic() < deadline:
        if duo.driver.execute_script(SETTLED_JS) == 0:
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= quiet:
                return
        else:
            calm_since = None
        time.sleep(0.1)
    raise AssertionError(f"{duo.driver.current_url} did not settle in {timeout} s")


def active_element(duo):
    return duo.driver.switch_to.active_element


def find_all(duo, selector: str) -> list:
    return duo.driver.find_elements(By.CSS_SELECTOR, selector)


# One script: a callback may render the elements again between a lookup and a read of their
# texts (a stale element reference, seen on a loaded machine with the menu's links).
TEXTS_JS = "return Array.from(document.querySelectorAll(arguments[0]), e => e.innerText.trim());"


def texts(duo, selector: str) -> list[str]:
    """The visible texts of every element that ``selector`` matches, read at one moment."""
    return duo.driver.execute_script(TEXTS_JS, selector)
