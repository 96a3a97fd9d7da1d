"""Security headers on every response, with and without login."""

from __future__ import annotations

import pytest

from dashboard.auth.security import content_security_policy, decoded_size, security_headers
from tests.test_auth_support import add_account, auth_app, login, reset_store


@pytest.fixture
def client(sqlite_engine, monkeypatch):
    add_account(sqlite_engine, "root", "admin", [])
    app = auth_app(sqlite_engine, monkeypatch)
    yield app.server.test_client()
    reset_store()


def directives(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in csp.split("; ")}


@pytest.mark.parametrize("path", ["/login", "/", "/_dash-layout", "/assets/style.css"])
def test_headers_on_every_response(client, path):
    for logged_in in (False, True):
        if logged_in:
            login(client, "root")
        response = client.get(path)
        h = response.headers
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["X-Frame-Options"] == "DENY"
        assert h["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in h  # plain HTTP here
        csp = directives(h["Content-Security-Policy"])
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["object-src"] == ["'none'"]
        script = csp["script-src"]
        assert script[0] == "'self'" and "'unsafe-inline'" not in script
        assert "'unsafe-eval'" not in script
        assert all(s.startswith("'sha256-") for s in script[1:]) and len(script) >= 2
        cache = h.get("Cache-Control", "")
        assert ("no-store" in cache) == (not path.startswith("/assets/"))


def test_hsts_behind_tls(client):
    response = client.get("/login", base_url="https://infosak.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_headers_also_without_login(sqlite_engine):
    from dashboard.app import create_app

    app = create_app(sqlite_engine, auth=False)
    response = app.server.test_client().get("/")
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    reset_store()


def test_pure_builders():
    assert "'unsafe-eval'" in content_security_policy(allow_eval=True)
    assert "'unsafe-eval'" not in content_security_policy(["'sha256-x'"])
    assert "Strict-Transport-Security" in security_headers("x", tls=True)
    assert "Strict-Transport-Security" not in security_headers("x", tls=False)
    assert decoded_size("YWJj") == 3 and decoded_size("YWI=") == 2 and decoded_size("YQ==") == 1
