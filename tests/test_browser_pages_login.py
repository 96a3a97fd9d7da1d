"""The browser benchmark's logged-in first visits (benchmarks.browser_pages).

A first visit used to end, now and then, on the login form ("not settled within 60 s": three
resources, 26 DOM nodes, no script): the login cookie was added through the login page while
that page was still loading, and the page's own favicon request, sent before the cookie, came
back as a redirect to the login page whose Set-Cookie replaced it with an anonymous one.
These tests use a small stand-in server with the app's login behaviour: every page of it sets an
anonymous cookie, and a page asked for without the user's cookie redirects to the login form.
"""

from __future__ import annotations

import threading
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser_site import require_browser

LOGIN_COOKIE = "infosak_login"
USER_LOGIN = "logged-in-user"
PAGE = "<!doctype html><html><head><title>t</title></head><body><p>sida</p></body></html>"


class _LoginSite(BaseHTTPRequestHandler):
    """/page for the user's login cookie only (else a redirect to /login); everything else
    answers with the login form and an anonymous cookie, as the app's login gate does."""

    requests: list[tuple[str, str | None]]

    def do_GET(self):  # noqa: N802 (http.server's name)
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        login = cookie[LOGIN_COOKIE].value if LOGIN_COOKIE in cookie else None
        self.requests.append((self.path, login))
        if self.path == "/page" and login == USER_LOGIN:
            self._answer(200, PAGE)
        elif self.path == "/page":
            self._answer(302, "", location="/login")
        else:
            self._answer(200, PAGE.replace("sida", "logga in"), anonymous=True)

    def _answer(self, status: int, body: str, location: str | None = None,
                anonymous: bool = False) -> None:  # fmt: skip
        data = body.encode()
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        if anonymous:
            self.send_header("Set-Cookie", f"{LOGIN_COOKIE}=anonymous; Path=/; HttpOnly")
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def login_site():
    handler = type("Handler", (_LoginSite,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", handler.requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_the_first_request_of_the_browser_is_the_measured_page_with_the_login(login_site):
    """No page of the server is opened before the measured one: nothing the server answers can
    replace the login cookie before the measurement starts."""
    from benchmarks.browser_pages import Browser, visit

    require_browser()
    base, requests = login_site
    browser = Browser(base, {LOGIN_COOKIE: USER_LOGIN})
    try:
        figures = visit(browser, f"{base}/page")
    finally:
        browser.close()
    assert requests[0] == ("/page", USER_LOGIN)
    assert figures["dom_nodes"] > 0


@pytest.mark.browser
def test_a_page_answered_with_the_login_form_fails_at_once(login_site, monkeypatch):
    """Without a valid login cookie the page is the login form, which never becomes the page asked
    for: the visit says so instead of waiting out the page's time limit."""
    from benchmarks import browser_pages
    from benchmarks.browser_pages import Browser, NotLoggedInError, visit

    require_browser()
    # Only so that a visit that waits for settling (instead of failing) ends the test sooner.
    monkeypatch.setattr(browser_pages, "PAGE_LIMIT_S", 10.0)
    base, _ = login_site
    browser = Browser(base, {LOGIN_COOKIE: "expired"})
    try:
        with pytest.raises(NotLoggedInError, match="login page"):
            visit(browser, f"{base}/page")
    finally:
        browser.close()
