"""Wires access control onto the Flask server under Dash: who may pass, and what every response
carries. ``install_security`` runs for every app; ``install_auth`` only where login is on."""

from __future__ import annotations

import json
import logging
import time

import dash
from flask import Flask, g, jsonify, redirect, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, current_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard import store
from dashboard.accessibility_statement import STATEMENT_PATH
from dashboard.auth import audit
from dashboard.auth.login import bp, client_address, end_session
from dashboard.auth.oidc import OidcConfigError, oidc_config
from dashboard.auth.oidc_login import CALLBACK_PATH as OIDC_CALLBACK_PATH
from dashboard.auth.oidc_login import LOGIN_PATH as OIDC_LOGIN_PATH
from dashboard.auth.oidc_login import install_oidc
from dashboard.auth.security import (
    CSRF_COOKIE,
    CSRF_HEADER,
    CSRF_SESSION_KEY,
    content_security_policy,
    csrf_matches,
    is_json_content_type,
    security_headers,
)
from dashboard.auth.session import (
    LAST_SEEN_KEY,
    ConfigurationError,
    behind_tls,
    cookie_config,
    idle_timeout,
    is_idle_expired,
    proxy_hops,
    resolve_secret_key,
)
from dashboard.auth.session_script import KEEP_ALIVE_PATH, STATUS_PATH
from dashboard.auth.user_loader import load_user
from dashboard.auth.users import demo_users_in_store, demo_users_refusal, ensure_demo_users
from dashboard.viewer_context import viewer_of_request
from etl.models import Administration, Municipality, Unit

log = logging.getLogger(__name__)

# Reachable without logging in: the login page, its style sheets and the single sign-on routes
# (which answer 404 while OIDC is not configured).
PUBLIC_PATHS = (
    "/login",
    "/auth/session.js",
    "/_favicon.ico",
    OIDC_LOGIN_PATH,
    OIDC_CALLBACK_PATH,
    STATEMENT_PATH,  # the accessibility statement: the law wants it readable by anyone
)
PUBLIC_PREFIXES = ("/assets/",)
# The session's own questions (dashboard/auth/session_script.py): JSON answers, 401 when ended.
SESSION_API_PATHS = (STATUS_PATH, KEEP_ALIVE_PATH)
# Static files are cacheable; everything else (pages, callback answers) is personal.
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
CALLBACK_PATH = "/_dash-update-component"
ALLOW_EVAL_ENV = "INFOSAK_CSP_ALLOW_EVAL"


def tls_request(server: Flask) -> bool:
    return request.is_secure or server.config.get("INFOSAK_BEHIND_TLS", False)


# --------------------------------------------------------------------------- always on


class StaticFilesIgnoreSession(SecureCookieSessionInterface):
    """The session cookie, except on static files (framework bundles, assets).

    Those are the same for everyone and fingerprinted for a year's caching; a renewed cookie and
    ``Vary: Cookie`` on them made the browser fetch and parse them again on every page loaded by
    its address (1.4 MB of plotly alone). Reading a bundle is not activity either."""

    def save_session(self, app, session, response):
        if request.path.startswith(STATIC_PREFIXES):
            return None
        return super().save_session(app, session, response)


def install_security(app: dash.Dash) -> None:
    """Security headers on every response; callback POSTs must be JSON."""
    import os

    server = app.server
    server.session_interface = StaticFilesIgnoreSession()
    hops = proxy_hops()
    server.config["INFOSAK_PROXY_HOPS"] = hops
    if hops:
        # Behind n trusted reverse proxies: the client's address (for login throttling and the
        # audit log), scheme and host come from the X-Forwarded-* entries those proxies added.
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    tls = behind_tls()
    server.config["INFOSAK_BEHIND_TLS"] = tls
    server.config.update(cookie_config(tls=tls))
    allow_eval = os.environ.get(ALLOW_EVAL_ENV, "").strip() in ("1", "true", "yes")

    def csp() -> str:
        # Computed on first use: pages and clientside callbacks are registered by then.
        if "INFOSAK_CSP" not in server.config:
            server.config["INFOSAK_CSP"] = content_security_policy(
                app.csp_hashes(), allow_eval=allow_eval
            )
        return server.config["INFOSAK_CSP"]

    @server.before_request
    def _json_callbacks_only():
        is_callback = request.method == "POST" and request.path.endswith(CALLBACK_PATH)
        if is_callback and not is_json_content_type(request.content_type):
            return jsonify(error="Callbacks must be sent as application/json."), 415
        return None

    @server.after_request
    def _headers(response):
        for name, value in security_headers(csp(), tls=tls_request(server)).items():
            response.headers[name] = value
        if not request.path.startswith(STATIC_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        return response


# --------------------------------------------------------------------------- login on


def _deny(reason: str | None = None):
    """Callbacks and Dash internals get 401; pages go to the login form."""
    path = request.path
    if path.startswith(("/_dash-", "/_reload-hash")) or path in SESSION_API_PATHS:
        return jsonify(error="Inloggning krävs."), 401
    if reason == "timeout":
        return redirect("/login?utgangen=1")
    target = request.full_path if request.query_string else path
    from urllib.parse import quote

    return redirect("/login" + ("" if path == "/" else f"?next={quote(target, safe='/')}"))


def exported_outputs(request_body: dict | None, response_body: dict | None) -> list[str]:
    """Ids of dcc.Download outputs that a callback answer actually filled (for the audit log)."""
    if not isinstance(request_body, dict) or not isinstance(response_body, dict):
        return []
    outputs = request_body.get("outputs")
    outputs = outputs if isinstance(outputs, list) else [outputs]
    answered = response_body.get("response") or {}
    found = []
    for output in outputs:
        if not isinstance(output, dict) or output.get("property") != "data":
            continue
        out_id = output.get("id")
        key = out_id if isinstance(out_id, str) else json.dumps(out_id, sort_keys=True)
        if "download" not in key.lower():
            continue
        filled = answered.get(key) if isinstance(answered, dict) else None
        if isinstance(filled, dict) and filled.get("data"):
            found.append(key)
    return found


def _audit_exports(response) -> None:
    if response.status_code != 200 or response.direct_passthrough:
        return
    try:
        response_body = json.loads(response.get_data(as_text=True))
    except ValueError:
        return
    for out_id in exported_outputs(request.get_json(silent=True), response_body):
        data = (response_body["response"][out_id] or {}).get("data") or {}
        filename = data.get("filename", "") if isinstance(data, dict) else ""
        audit.record(
            store.get_engine(),
            "export",
            current_user.name,
            f"{out_id}: {filename}".strip(),
            client_address(),
        )


def demo_account_rows(accounts, engine=None) -> list[tuple[str, str, str]]:
    """Demo accounts with their scope spelt out (names, not codes): the login page and the
    ``infosak demo`` command show them. ``engine``: default the app's store."""
    rows = []
    with Session(engine or store.get_engine()) as s:
        for account in accounts:
            names = []
            for code in account.scope:
                name = (
                    s.scalar(select(Municipality.name).where(Municipality.code == code))
                    or s.scalar(select(Administration.name).where(Administration.code == code))
                    or s.scalar(select(Unit.name).where(Unit.code == code))
                    or code
                )
                names.append(name)
            rows.append((account.name, account.role, ", ".join(names)))
    return rows


def install_auth(app: dash.Dash, *, demo: bool) -> None:
    """Login required for everything but the login page; sessions, CSRF, idle timeout."""
    server = app.server
    server.secret_key = resolve_secret_key(demo=demo)
    try:
        oidc = oidc_config()
    except OidcConfigError as exc:
        # Refuse to start rather than run with single sign-on half set up.
        raise ConfigurationError(f"OIDC-inställningarna är felaktiga: {exc}") from exc
    server.config["INFOSAK_AUTH"] = True
    timeout = idle_timeout()
    server.config["INFOSAK_IDLE_TIMEOUT"] = timeout

    login_manager = LoginManager()
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    login_manager.init_app(server)
    server.register_blueprint(bp)
    install_oidc(server, oidc)

    if demo:
        accounts = ensure_demo_users(store.get_engine())
        server.config["INFOSAK_DEMO_ACCOUNTS"] = demo_account_rows(accounts)
    else:
        # Demo accounts are refused at login anyway (may_authenticate); starting at all on such
        # a store would hide that someone ran the demo against the production database.
        left = demo_users_in_store(store.get_engine())
        if left:
            raise ConfigurationError(demo_users_refusal(left))

    @server.before_request
    def _gate():
        path = request.path
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return None
        if not current_user.is_authenticated:
            return _deny()
        now = time.time()
        if is_idle_expired(session.get(LAST_SEEN_KEY), now, timeout):
            end_session("idle_logout")
            return _deny("timeout")
        # Neither asking how long the session has left nor fetching a static file is activity.
        if path != STATUS_PATH and not path.startswith(STATIC_PREFIXES):
            session[LAST_SEEN_KEY] = now
        is_callback = request.method == "POST" and path.endswith(CALLBACK_PATH)
        if is_callback and not csrf_matches(
            session.get(CSRF_SESSION_KEY), request.headers.get(CSRF_HEADER)
        ):
            log.warning("callback without a valid CSRF token from %s", current_user.name)
            return jsonify(error="Ogiltig CSRF-token."), 403
        g.infosak_viewer = current_user.viewer
        return None

    @server.after_request
    def _session_cookies(response):
        token = session.get(CSRF_SESSION_KEY)
        if current_user.is_authenticated and token and request.cookies.get(CSRF_COOKIE) != token:
            # Readable by script on purpose: the Dash renderer echoes it in X-CSRFToken.
            response.set_cookie(
                CSRF_COOKIE,
                token,
                httponly=False,
                samesite="Strict",
                secure=tls_request(server),
                path="/",
            )
        is_callback = request.method == "POST" and request.path.endswith(CALLBACK_PATH)
        if is_callback and current_user.is_authenticated:
            _audit_exports(response)
        return response


__all__ = ["install_auth", "install_security", "load_user", "logout_user", "viewer_of_request"]
