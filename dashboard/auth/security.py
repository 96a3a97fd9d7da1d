"""Web security: response headers, CSRF tokens and login throttling. Mostly pure functions."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from etl.models_auth import LoginAttempt

# --------------------------------------------------------------------------- headers


def content_security_policy(script_hashes: Sequence[str] = (), *, allow_eval: bool = False) -> str:
    """A CSP that Dash runs under.

    Scripts: only our origin plus the hashes of Dash's inline bootstrap script(s) from
    ``Dash.csp_hashes()`` – no 'unsafe-inline'. 'unsafe-eval' only when asked for: the Dash
    renderer, dcc, dbc, dash-ag-grid and plotly's SVG traces run without it (see
    docs/security.md); plotly's WebGL traces would need it. Styles need 'unsafe-inline' because
    plotly and dcc inject <style> elements at run time; style injection cannot run script.
    """
    script_src = ["'self'", *script_hashes]
    if allow_eval:
        script_src.append("'unsafe-eval'")
    directives = {
        "default-src": ["'self'"],
        "script-src": script_src,
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def security_headers(csp: str, *, tls: bool) -> dict[str, str]:
    """Headers every response gets; HSTS only where the browser reached us over TLS."""
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    if tls:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


# --------------------------------------------------------------------------- CSRF

CSRF_SESSION_KEY = "csrf"
CSRF_FORM_FIELD = "csrf_token"
# The Dash renderer copies this cookie into this header on every callback request.
CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, sent: str | None) -> bool:
    """Constant-time comparison; a missing token on either side never matches."""
    if not expected or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


def is_json_content_type(content_type: str | None) -> bool:
    """A cross-site HTML form can send only urlencoded, multipart or text/plain bodies."""
    return (content_type or "").split(";")[0].strip().lower() == "application/json"


# --------------------------------------------------------------------------- throttling

MAX_FAILURES = 5
THROTTLE_WINDOW = dt.timedelta(minutes=15)


def _failures(session: Session, key: ColumnElement[bool], since: dt.datetime) -> int:
    return session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(key, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    )


def is_throttled(session: Session, username: str, address: str, now: dt.datetime) -> bool:
    """5 failures for the account, or from the address, within 15 minutes.

    A successful login resets the account's count (only its owner can do that) but not the
    address's: otherwise an attacker could reset it with an account of their own.
    """
    since = now - THROTTLE_WINDOW
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, LoginAttempt.success.is_(True)
        )
    )
    account_since = max(since, last_success) if last_success else since
    if _failures(session, LoginAttempt.username == username, account_since) >= MAX_FAILURES:
        return True
    return _failures(session, LoginAttempt.address == address, since) >= MAX_FAILURES


def record_attempt(
    session: Session, username: str, address: str, success: bool, now: dt.datetime
) -> None:
    session.add(
        LoginAttempt(at=now, username=username[:100], address=address[:64], success=success)
    )


# --------------------------------------------------------------------------- uploads

UPLOAD_MAX_MB_ENV = "INFOSAK_UPLOAD_MAX_MB"
DEFAULT_UPLOAD_MAX_MB = 10
# dcc.Upload sends the file base64-encoded inside the callback's JSON body.
_BASE64_GROWTH = 4 / 3
_JSON_OVERHEAD = 256 * 1024


def upload_max_bytes(environ: dict | None = None) -> int:
    import os

    environ = os.environ if environ is None else environ
    raw = environ.get(UPLOAD_MAX_MB_ENV, "").strip().replace(",", ".")
    try:
        mb = float(raw) if raw else DEFAULT_UPLOAD_MAX_MB
    except ValueError:
        mb = DEFAULT_UPLOAD_MAX_MB
    return int((mb if mb > 0 else DEFAULT_UPLOAD_MAX_MB) * 1024 * 1024)


def max_content_length(upload_bytes: int) -> int:
    """Flask's request body limit: one upload, base64-encoded, plus the callback's JSON."""
    return int(upload_bytes * _BASE64_GROWTH) + _JSON_OVERHEAD


def decoded_size(base64_text: str) -> int:
    """Size in bytes of base64 data, computed without decoding it."""
    text = base64_text.strip()
    padding = len(text) - len(text.rstrip("="))
    return len(text) * 3 // 4 - padding
