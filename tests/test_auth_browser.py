"""The login flow in headless Chromium (dash_duo), under the real Content-Security-Policy."""

from __future__ import annotations

import pytest

from tests.kpi_data import build_store
from tests.test_auth_support import PASSWORD, add_account, auth_app, reset_store

# This machine has no network: the Bootstrap CSS from the CDN fails to load. Anything else in the
# console (a CSP violation, a Dash error) fails the test.
OFFLINE = "cdn.jsdelivr.net"


def open_login(dash_duo, app) -> None:
    """Start the server and open "/": it redirects to the (non-Dash) login page, so dash_duo's
    own wait for the React root cannot be used."""
    dash_duo.start_server(app, navigate=False)
    dash_duo._url = dash_duo.server.url
    dash_duo.driver.get(dash_duo.server.url + "/")
    dash_duo.wait_for_element("#login-form")


def real_errors(logs) -> list:
    """Console entries other than the offline CDN and the wrong password's own 401 answer."""
    return [
        e
        for e in logs
        if OFFLINE not in e.get("message", "")
        and not ("/login - " in e.get("message", "") and "401" in e.get("message", ""))
    ]


@pytest.mark.browser
def test_login_wrong_password_right_password_logout(dash_duo, engine, monkeypatch):
    if engine.dialect.name != "sqlite":
        pytest.skip("one back end is enough for the browser")
    build_store(engine)
    add_account(engine, "eva", "ciso", ["1882"])
    app = auth_app(engine, monkeypatch)
    try:
        open_login(dash_duo, app)  # "/" sent us to the login page
        assert dash_duo.driver.current_url.endswith("/login")

        dash_duo.find_element("#login-username").send_keys("eva")
        dash_duo.find_element("#login-password").send_keys("fel-lösenord")
        dash_duo.find_element("#login-submit").click()
        dash_duo.wait_for_text_to_equal("#login-error", "Fel användarnamn eller lösenord.")

        dash_duo.find_element("#login-password").send_keys(PASSWORD)
        dash_duo.find_element("#login-submit").click()
        dash_duo.wait_for_contains_text("#app-user-name", "eva")
        assert dash_duo.driver.current_url.split("?")[0].rstrip("/") == dash_duo.server_url
        dash_duo.wait_for_element("#oversikt-cards")  # the CISO's start page renders its data
        dash_duo.wait_for_contains_text("#app-nav-links", "Logg")  # the CISO may read the log
        assert "Ladda upp" not in dash_duo.find_element("#app-nav-links").text

        dash_duo.find_element("#app-logout").click()
        dash_duo.wait_for_text_to_equal("#login-notice", "Du är utloggad.")
        dash_duo.driver.get(dash_duo.server_url + "/atgarder")
        dash_duo.wait_for_element("#login-form")
        assert real_errors(dash_duo.get_logs()) == []
    finally:
        reset_store()


@pytest.mark.browser
def test_csp_allows_dash_and_plotly(dash_duo, engine, monkeypatch):
    """The overview's charts and the actions grid draw under the CSP without 'unsafe-eval'."""
    if engine.dialect.name != "sqlite":
        pytest.skip("one back end is enough for the browser")
    build_store(engine)
    add_account(engine, "root", "admin", [])
    app = auth_app(engine, monkeypatch)
    try:
        open_login(dash_duo, app)
        dash_duo.find_element("#login-username").send_keys("root")
        dash_duo.find_element("#login-password").send_keys(PASSWORD)
        dash_duo.find_element("#login-submit").click()
        dash_duo.wait_for_element("#oversikt-funnel .main-svg", timeout=15)
        dash_duo.driver.get(dash_duo.server_url + "/atgarder")
        dash_duo.wait_for_element(".ag-row", timeout=15)
        dash_duo.driver.get(dash_duo.server_url + "/inlasningar/ladda-upp")
        dash_duo.wait_for_element("#upload-files")
        csp = [e for e in dash_duo.get_logs() if "Content Security Policy" in e.get("message", "")]
        assert csp == []
        assert real_errors(dash_duo.get_logs()) == []
    finally:
        reset_store()
