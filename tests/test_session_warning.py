"""Before the idle timeout logs a user out, a dialog warns and offers to stay logged in (WCAG 2.2.1
Timing Adjustable), operable by keyboard; staying extends the session on the server.

The idle time is configured to 20 seconds (INFOSAK_IDLE_TIMEOUT_MINUTES); the warning comes at
half of it. The routes the page asks (status, keep-alive) are tested without a browser too.
"""

from __future__ import annotations

import time

import pytest
from dash.testing.application_runners import ThreadedRunner
from dash.testing.composite import DashComposite
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard.auth.session import LAST_SEEN_KEY
from dashboard.auth.session_script import KEEP_ALIVE_PATH, STATUS_PATH
from etl.db import make_engine, migrate
from tests.axe import describe, run_axe
from tests.browser_site import log_in_as, require_browser, wait_settled
from tests.kpi_data import build_store
from tests.test_auth_support import add_account, auth_app, csrf_header, login, reset_store

IDLE_SECONDS = 20

STATUS_JS = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {credentials: 'same-origin'})
  .then(r => r.json().then(body => done({status: r.status, body: body})))
  .catch(e => done({error: String(e)}));
"""


@pytest.fixture
def short_session_site(request, tmp_path, monkeypatch):
    require_browser()
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(engine)
    build_store(engine)
    add_account(engine, "eva", "ciso", ["1882"])
    app = auth_app(engine, monkeypatch, idle_minutes=IDLE_SECONDS / 60)
    try:
        with (
            ThreadedRunner() as runner,
            DashComposite(
                server=runner,
                browser="chrome",
                headless=True,
                options=request.config.hook.pytest_setup_options(),
            ) as duo,
        ):
            duo.start_server(app, navigate=False)
            duo._url = runner.url
            yield duo
    finally:
        reset_store()
        engine.dispose()


def wait_for_dialog(duo, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = duo.driver.find_elements(By.CSS_SELECTOR, "[role=alertdialog]")
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no warning within {timeout} s")


@pytest.mark.browser
def test_warning_before_logout_and_staying_logged_in(short_session_site):
    duo = short_session_site
    log_in_as(duo, "eva")
    duo.driver.get(duo.server_url + "/atgarder")
    wait_settled(duo)
    quiet_since = time.monotonic()

    dialog = wait_for_dialog(duo, IDLE_SECONDS)
    warned_after = time.monotonic() - quiet_since
    assert warned_after < IDLE_SECONDS - 5, warned_after  # time left to answer
    assert dialog.get_attribute("aria-modal") == "true"
    title = duo.driver.find_element(By.ID, dialog.get_attribute("aria-labelledby"))
    assert title.text == "Du loggas snart ut"
    body = duo.driver.find_element(By.ID, dialog.get_attribute("aria-describedby"))
    assert "sekunder" in body.text
    focused = duo.driver.switch_to.active_element
    assert focused.get_attribute("id") == "session-warning-stay"
    assert describe("warning", run_axe(duo.driver)) == []
    # Tab stays inside the dialog.
    focused.send_keys(Keys.TAB)
    assert duo.driver.switch_to.active_element.get_attribute("id") == "session-warning-logout"
    duo.driver.switch_to.active_element.send_keys(Keys.SHIFT, Keys.TAB)
    assert duo.driver.switch_to.active_element.get_attribute("id") == "session-warning-stay"

    duo.driver.switch_to.active_element.send_keys(Keys.ENTER)
    deadline = time.monotonic() + 5
    while duo.driver.find_elements(By.CSS_SELECTOR, "[role=alertdialog]"):
        assert time.monotonic() < deadline, "the dialog stayed open"
        time.sleep(0.1)
    # Past the moment the session would have ended without the answer: still logged in.
    time.sleep(max(0.0, IDLE_SECONDS + 2 - (time.monotonic() - quiet_since)))
    status = duo.driver.execute_async_script(STATUS_JS, STATUS_PATH)
    assert status["status"] == 200 and status["body"]["remaining"] > 0, status

    # Unanswered, the warning comes again and the session ends at its time: the login page.
    wait_for_dialog(duo, IDLE_SECONDS)
    deadline = time.monotonic() + IDLE_SECONDS
    while "utgangen=1" not in duo.driver.current_url:
        assert time.monotonic() < deadline, duo.driver.current_url
        time.sleep(0.2)


@pytest.fixture
def client(engine, monkeypatch):
    build_store(engine)
    add_account(engine, "eva", "ciso", ["1882"])
    app = auth_app(engine, monkeypatch, idle_minutes=5)
    yield app.server.test_client()
    reset_store()


def test_status_is_not_activity_and_keep_alive_is(client):
    login(client, "eva")
    with client.session_transaction() as sess:
        sess[LAST_SEEN_KEY] = time.time() - 4 * 60
    status = client.get(STATUS_PATH)
    assert status.status_code == 200
    assert 50 <= status.json["remaining"] <= 60
    with client.session_transaction() as sess:  # asking did not stamp the session
        assert time.time() - sess[LAST_SEEN_KEY] >= 4 * 60 - 1
    assert client.post(KEEP_ALIVE_PATH, json={}).status_code == 403  # no CSRF token
    kept = client.post(KEEP_ALIVE_PATH, json={}, headers=csrf_header(client))
    assert kept.status_code == 200 and kept.json["remaining"] > 4 * 60
    with client.session_transaction() as sess:
        sess[LAST_SEEN_KEY] = time.time() - 6 * 60
    assert client.get(STATUS_PATH).status_code == 401  # ended: JSON 401, not a redirect
