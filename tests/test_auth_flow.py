"""Login, logout, sessions, idle timeout, throttling and the audit trail, through Flask's test
client against a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth.session import LAST_SEEN_KEY, ConfigurationError
from dashboard.auth.users import set_password
from etl.models_auth import AuditEvent
from tests.kpi_data import build_store
from tests.test_auth_support import (
    PASSWORD,
    add_account,
    audit_count,
    auth_app,
    csrf_from_form,
    login,
    post_callback,
    reset_store,
)


@pytest.fixture
def app(engine, monkeypatch):
    build_store(engine)
    add_account(engine, "eva", "ciso", ["1882"])
    add_account(engine, "bo", "manager", ["1882-SOC-IFO"])
    application = auth_app(engine, monkeypatch)
    yield application
    reset_store()


@pytest.fixture
def client(app):
    return app.server.test_client()


def test_anonymous_pages_redirect_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    response = client.get("/atgarder?kommun=1861")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/atgarder%3Fkommun%3D1861"


@pytest.mark.parametrize(
    "path", ["/_dash-layout", "/_dash-dependencies", "/_reload-hash",
             "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js"],
)  # fmt: skip
def test_anonymous_dash_internals_get_401(client, path):
    assert client.get(path).status_code == 401


def test_anonymous_callback_gets_401_and_no_data(client, app):
    body = {"output": "oversikt-cards.children", "inputs": [], "changedPropIds": []}
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 401
    assert "Askersund" not in response.text


def test_login_page_is_public_and_has_csrf_token(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Logga in" in response.text and "Användarnamn" in response.text
    assert len(csrf_from_form(response.text)) >= 32
    assert "Demokonton" not in response.text  # no demo accounts outside demo mode


def test_login_page_names_its_public_icon(client):
    """Without an icon link the browser asks for /favicon.ico, which the guard redirects to the
    login with a fresh anonymous session: an extra round trip for every visitor of the form."""
    page = client.get("/login")
    assert '<link rel="icon" href="/_favicon.ico">' in page.text
    icon = client.get("/_favicon.ico")
    assert icon.status_code == 200
    assert icon.data


def test_wrong_password_is_refused_and_audited(client, engine):
    response = login(client, "eva", "fel-lösenord")
    assert response.status_code == 401
    assert "Fel användarnamn eller lösenord." in response.text
    assert client.get("/").status_code == 302
    assert audit_count(engine, "login_failed", "eva") == 1
    assert audit_count(engine, "login") == 0


def test_unknown_user_gets_the_same_message(client, engine):
    response = login(client, "ingen", PASSWORD)
    assert response.status_code == 401
    assert "Fel användarnamn eller lösenord." in response.text


def test_login_without_csrf_token_is_refused(client, engine):
    client.get("/login")
    response = client.post("/login", data={"username": "eva", "password": PASSWORD})
    assert response.status_code == 400
    assert "Formuläret hade gått ut" in response.text
    assert audit_count(engine, "login") == 0


def test_login_lands_on_role_start_page_and_audits(client, engine):
    response = login(client, "eva")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"  # the CISO starts on the overview
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200 and "eva" in layout.text
    assert audit_count(engine, "login", "eva") == 1
    with Session(engine) as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "login"))
        assert event.detail == "ciso" and event.address == "127.0.0.1"


def test_manager_start_page_falls_back_until_the_page_exists(client):
    import dash

    response = login(client, "bo")
    expected = (
        "/min-enhet" if "/min-enhet" in [p["path"] for p in dash.page_registry.values()] else "/"
    )
    assert response.headers["Location"] == expected


def test_next_parameter_is_kept_but_never_leaves_the_site(client):
    page = client.get("/login?next=/atgarder")
    token = csrf_from_form(page.text)
    form = {"username": "eva", "password": PASSWORD, "csrf_token": token}
    assert (
        client.post("/login", data=dict(form, next="/atgarder")).headers["Location"] == "/atgarder"
    )
    client.post("/logout", data={"csrf_token": "x"})
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        fresh = type(client)(client.application)
        token = csrf_from_form(fresh.get("/login").text)
        response = fresh.post("/login", data=dict(form, csrf_token=token, next=evil))
        assert response.headers["Location"] == "/"


def test_session_cookie_flags(client):
    response = login(client, "eva")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("infosak_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie  # plain HTTP in the test
    csrf_cookie = next(c for c in cookies if c.startswith("_csrf_token="))
    assert "HttpOnly" not in csrf_cookie and "SameSite=Strict" in csrf_cookie


def test_cookies_are_secure_behind_tls(engine, monkeypatch):
    build_store(engine)
    add_account(engine, "eva", "ciso", ["1882"])
    monkeypatch.setenv("INFOSAK_BEHIND_TLS", "1")
    app = auth_app(engine, monkeypatch)
    client = app.server.test_client()
    response = login(client, "eva")
    cookies = response.headers.getlist("Set-Cookie")
    assert all("Secure" in c for c in cookies), cookies
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    reset_store()


def test_logout_ends_the_session_and_old_cookie(client, engine, app):
    login(client, "eva")
    stolen = client.get_cookie("infosak_session").value
    token = client.get_cookie("_csrf_token").value
    response = client.post("/logout", data={"csrf_token": token})
    assert response.headers["Location"] == "/login?utloggad=1"
    assert client.get("/").status_code == 302
    assert audit_count(engine, "logout", "eva") == 1
    # The cookie copied before logout is worthless: the account's session token was rotated.
    replay = app.server.test_client()
    replay.set_cookie("infosak_session", stolen)
    assert replay.get("/_dash-layout").status_code == 401


def test_logout_needs_the_csrf_token(client, engine):
    login(client, "eva")
    client.post("/logout", data={"csrf_token": "forged"})
    assert client.get("/").status_code == 200
    assert audit_count(engine, "logout") == 0


def test_new_password_ends_open_sessions(client, engine):
    login(client, "eva")
    assert client.get("/_dash-layout").status_code == 200
    with Session(engine) as s, s.begin():
        set_password(s, "eva", "ett-annat-lösenord")
    assert client.get("/_dash-layout").status_code == 401


def test_idle_timeout_logs_out(client, engine):
    login(client, "eva")
    assert client.get("/_dash-layout").status_code == 200
    with client.session_transaction() as sess:
        sess[LAST_SEEN_KEY] = time.time() - 31 * 60
    assert client.get("/_dash-layout").status_code == 401
    response = client.get("/")
    assert response.headers["Location"] == "/login"
    assert audit_count(engine, "idle_logout", "eva") == 1
    page = client.get("/login?utgangen=1")
    assert "Du loggades ut efter 30 minuter utan aktivitet." in page.text


def test_idle_timeout_is_configurable(engine, monkeypatch):
    build_store(engine)
    add_account(engine, "eva", "ciso", ["1882"])
    app = auth_app(engine, monkeypatch, idle_minutes=5)
    client = app.server.test_client()
    login(client, "eva")
    with client.session_transaction() as sess:
        sess[LAST_SEEN_KEY] = time.time() - 4 * 60
    assert client.get("/_dash-layout").status_code == 200  # activity stamps the session again
    with client.session_transaction() as sess:
        sess[LAST_SEEN_KEY] = time.time() - 6 * 60
    assert client.get("/_dash-layout").status_code == 401
    reset_store()


def test_callback_without_csrf_header_is_refused(client, app):
    login(client, "eva")
    response = post_callback(
        client, app, "app-filter-municipality", {"app-filters.data": {"lang": "sv"}}, headers={}
    )
    assert response.status_code == 403
    ok = post_callback(client, app, "app-filter-municipality", {"app-filters.data": {"lang": "sv"}})
    assert ok.status_code == 200


def test_callback_must_be_json(client, app):
    login(client, "eva")
    response = client.post(
        "/_dash-update-component",
        data="output=x",
        content_type="text/plain",
        headers={"X-CSRFToken": client.get_cookie("_csrf_token").value},
    )
    assert response.status_code == 415


def test_no_secret_key_refuses_to_start(engine, monkeypatch, tmp_path):
    from dashboard.app import create_app

    monkeypatch.delenv("INFOSAK_SECRET_KEY", raising=False)
    monkeypatch.setenv("INFOSAK_DATA_DIR", str(tmp_path))
    with pytest.raises(ConfigurationError, match="INFOSAK_SECRET_KEY"):
        create_app(engine, auth=True)
    monkeypatch.setenv("INFOSAK_SECRET_KEY", "kort")
    with pytest.raises(ConfigurationError, match="för kort"):
        create_app(engine, auth=True)
    assert not (tmp_path / ".secret_key").exists()  # no key is invented outside demo mode
    reset_store()


def test_server_attribute_always_has_login(monkeypatch, tmp_path):
    import dashboard.app as app_module

    monkeypatch.setenv("INFOSAK_SECRET_KEY", "k" * 64)
    monkeypatch.setenv("INFOSAK_DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    from etl.db import make_engine, migrate

    migrate(make_engine(f"sqlite:///{tmp_path / 'p.db'}"))
    monkeypatch.delattr(app_module, "server", raising=False)
    monkeypatch.delattr(app_module, "app", raising=False)
    server = app_module.server  # what gunicorn "dashboard.app:server" gets
    assert server.config["INFOSAK_AUTH"] is True
    assert server.test_client().get("/").status_code == 302
    reset_store()


def test_app_without_auth_argument_has_login_even_under_pytest(engine, monkeypatch):
    """Login is the default everywhere; only an explicit auth=False turns it off (tests)."""
    from dashboard.app import create_app

    monkeypatch.setenv("INFOSAK_SECRET_KEY", "k" * 64)
    app = create_app(engine)
    assert app.server.config["INFOSAK_AUTH"] is True
    assert app.server.test_client().get("/").status_code == 302
    open_app = create_app(engine, auth=False)
    assert open_app.server.config["INFOSAK_AUTH"] is False
    assert open_app.server.test_client().get("/").status_code == 200
    reset_store()


def test_static_bundles_are_cacheable_and_leave_the_session_alone(client, engine):
    """A logged-in browser can keep the framework's bundles between page loads: their answers
    neither renew the session cookie nor vary by it, and fetching one is not activity."""
    login(client, "eva")
    bundle = "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js"
    first = client.get(bundle)
    assert first.status_code == 200
    assert "Set-Cookie" not in first.headers
    assert "cookie" not in first.headers.get("Vary", "").lower()
    page = client.get("/")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
