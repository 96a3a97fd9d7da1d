"""Web security: response headers, CSRF tokens and login throttling."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, func, or_, select
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
#
# Growing delays, never a hard lock: a wrong password costs the next attempt some waiting, and the
# waiting doubles with each further failure up to a cap. Three counts, each over the attempts kept
# in ``login_attempt`` (so every process and worker sees the same state):
#
# - per account AND address: the attacker's own address slows down; the owner at another address
#   is not affected at all. A success of that pair starts its count again.
# - per address, across accounts (password spraying): looser, and not reset by a success, or an
#   attacker could reset it with an account of their own.
# - per account, across addresses (a guessing attack spread over many addresses): looser still,
#   and it never applies to an address the account has logged in from before (within
#   KNOWN_ADDRESS_DAYS), so an attacker cannot use it to keep the owner out.


@dataclass(frozen=True)
class Backoff:
    """``free`` failures cost nothing; then ``base`` seconds, doubling per failure, up to ``cap``."""

    free: int
    base: float
    cap: float
    window: dt.timedelta

    def wait(self, failures: int) -> float:
        """Seconds to wait after the last of ``failures`` failures before the next attempt."""
        if failures < self.free:
            return 0.0
        # The exponent is bounded so that a huge count never overflows a float.
        return min(self.cap, self.base * 2.0 ** min(failures - self.free, 40))


PAIR_BACKOFF = Backoff(free=5, base=1.0, cap=15 * 60.0, window=dt.timedelta(hours=24))
ADDRESS_BACKOFF = Backoff(free=30, base=1.0, cap=15 * 60.0, window=dt.timedelta(hours=1))
ACCOUNT_BACKOFF = Backoff(free=100, base=1.0, cap=5 * 60.0, window=dt.timedelta(hours=1))
KNOWN_ADDRESS_DAYS = 90
# Failed attempts older than the longest window count for nothing; successes are kept as long as
# they make an address "known".
FAILURE_RETENTION = max(PAIR_BACKOFF.window, ADDRESS_BACKOFF.window, ACCOUNT_BACKOFF.window)
SUCCESS_RETENTION = dt.timedelta(days=KNOWN_ADDRESS_DAYS)


def _failures(
    session: Session, key: ColumnElement[bool], since: dt.datetime
) -> tuple[int, dt.datetime | None]:
    """How many failures match ``key`` since ``since``, and when the last one was."""
    count, last = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            key, LoginAttempt.success.is_(False), LoginAttempt.at >= since
        )
    ).one()
    return count or 0, last


def _last_success(session: Session, key: ColumnElement[bool]) -> dt.datetime | None:
    return session.scalar(select(func.max(LoginAttempt.at)).where(key, LoginAttempt.success))


def _remaining(
    backoff: Backoff, failures: int, last: dt.datetime | None, now: dt.datetime
) -> float:
    if last is None:
        return 0.0
    return max(0.0, backoff.wait(failures) - (now - last).total_seconds())


def throttle_wait(session: Session, username: str, address: str, now: dt.datetime) -> float:
    """Seconds before ``username`` may try a password from ``address`` (0: now)."""
    is_account = LoginAttempt.username == username
    is_pair = and_(is_account, LoginAttempt.address == address)
    pair_success = _last_success(session, is_pair)
    account_success = _last_success(session, is_account)

    def since(backoff: Backoff, success: dt.datetime | None) -> dt.datetime:
        start = now - backoff.window
        return max(start, success) if success else start

    waits = [
        _remaining(
            PAIR_BACKOFF, *_failures(session, is_pair, since(PAIR_BACKOFF, pair_success)), now
        ),
        _remaining(
            ADDRESS_BACKOFF,
            *_failures(session, LoginAttempt.address == address, since(ADDRESS_BACKOFF, None)),
            now,
        ),
    ]
    known = pair_success is not None and now - pair_success <= SUCCESS_RETENTION
    if not known:
        waits.append(
            _remaining(
                ACCOUNT_BACKOFF,
                *_failures(session, is_account, since(ACCOUNT_BACKOFF, account_success)),
                now,
            )
        )
    return max(waits)


def record_attempt(
    session: Session, username: str, address: str, success: bool, now: dt.datetime
) -> None:
    session.add(
        LoginAttempt(at=now, username=username[:100], address=address[:64], success=success)
    )
    if success:
        # Pruned on success only: cheap enough there, and the table stays bounded.
        session.execute(
            delete(LoginAttempt).where(
                or_(
                    and_(~LoginAttempt.success, LoginAttempt.at < now - FAILURE_RETENTION),
                    LoginAttempt.at < now - SUCCESS_RETENTION,
                )
            )
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
