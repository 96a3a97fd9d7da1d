"""Sessions: the secret key, cookie flags, idle timeout and the Flask-Login user object."""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from dashboard.queries.viewer import Viewer

log = logging.getLogger(__name__)

SECRET_KEY_ENV = "INFOSAK_SECRET_KEY"
IDLE_TIMEOUT_ENV = "INFOSAK_IDLE_TIMEOUT_MINUTES"
BEHIND_TLS_ENV = "INFOSAK_BEHIND_TLS"
PROXY_HOPS_ENV = "INFOSAK_PROXY_HOPS"
MAX_PROXY_HOPS = 5
DEFAULT_IDLE_MINUTES = 30
SECRET_KEY_FILE = ".secret_key"
MIN_SECRET_LENGTH = 32
LAST_SEEN_KEY = "last_seen"


class ConfigurationError(RuntimeError):
    """The app must not start; the message says what to do (Swedish, shown by the CLI)."""


def data_dir() -> Path:
    """INFOSAK_DATA_DIR read at call time (tests point it at a temporary folder)."""
    from etl import config

    env = os.environ.get("INFOSAK_DATA_DIR")
    return Path(env) if env else config.DATA_DIR


def demo_secret_key(directory: Path) -> str:
    """Generated once and kept in ``directory/.secret_key`` (mode 0600), reused on restart."""
    path = directory / SECRET_KEY_FILE
    if path.exists():
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= MIN_SECRET_LENGTH:
            return key
    directory.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL-free but created with 0600 from the start: the key is never world-readable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    os.chmod(path, 0o600)
    log.info("demo secret key written to %s", path)
    return key


def resolve_secret_key(*, demo: bool, environ: dict | None = None) -> str:
    """INFOSAK_SECRET_KEY; in demo mode a generated key kept in data/. No default secret."""
    environ = os.environ if environ is None else environ
    key = environ.get(SECRET_KEY_ENV, "").strip()
    if key:
        if len(key) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"{SECRET_KEY_ENV} är för kort: använd minst {MIN_SECRET_LENGTH} slumpade tecken, "
                't.ex. python -c "import secrets; print(secrets.token_hex(32))".'
            )
        return key
    if demo:
        return demo_secret_key(data_dir())
    raise ConfigurationError(
        f"Infosäk startar inte utan hemlig nyckel: sätt miljövariabeln {SECRET_KEY_ENV} till minst "
        f"{MIN_SECRET_LENGTH} slumpade tecken, t.ex. "
        'python -c "import secrets; print(secrets.token_hex(32))". '
        "(Demoläget, infosak demo, skapar en egen nyckel.)"
    )


def idle_timeout(environ: dict | None = None) -> dt.timedelta:
    environ = os.environ if environ is None else environ
    raw = environ.get(IDLE_TIMEOUT_ENV, "").strip()
    try:
        minutes = float(raw.replace(",", ".")) if raw else DEFAULT_IDLE_MINUTES
    except ValueError:
        log.warning("%s=%r is not a number; using %s", IDLE_TIMEOUT_ENV, raw, DEFAULT_IDLE_MINUTES)
        minutes = DEFAULT_IDLE_MINUTES
    return dt.timedelta(minutes=minutes if minutes > 0 else DEFAULT_IDLE_MINUTES)


def is_idle_expired(last_seen: float | None, now: float, timeout: dt.timedelta) -> bool:
    """``last_seen``/``now`` in epoch seconds; a session without a stamp counts as expired."""
    if last_seen is None:
        return True
    return now - last_seen > timeout.total_seconds()


def behind_tls(environ: dict | None = None) -> bool:
    environ = os.environ if environ is None else environ
    return environ.get(BEHIND_TLS_ENV, "").strip().lower() in ("1", "true", "yes", "ja")


def proxy_hops(environ: dict | None = None) -> int:
    """How many reverse proxies in front of the app to trust (INFOSAK_PROXY_HOPS, default 0).

    With n > 0 the client's address is taken from the n-th entry from the right of
    X-Forwarded-For (the one the outermost trusted proxy appended), so a client cannot choose it;
    with 0 the headers are ignored and the address is the connecting peer's.
    """
    environ = os.environ if environ is None else environ
    raw = environ.get(PROXY_HOPS_ENV, "").strip()
    if not raw:
        return 0
    if not raw.isdigit() or int(raw) > MAX_PROXY_HOPS:
        raise ConfigurationError(
            f"{PROXY_HOPS_ENV}={raw!r} är inte giltigt: ange antalet omvända proxyservrar framför "
            f"Infosäk som ett heltal 0–{MAX_PROXY_HOPS} (oftast 1), se docs/security.md."
        )
    return int(raw)


def cookie_config(*, tls: bool) -> dict:
    """Flask config for the session cookie: HttpOnly, SameSite=Lax, Secure behind TLS."""
    return {
        "SESSION_COOKIE_NAME": "infosak_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": tls,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": tls,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": dt.timedelta(seconds=0),
    }


@dataclass(frozen=True)
class AuthUser:
    """What Flask-Login keeps per request: the account and the Viewer its queries run as.

    ``get_id`` carries the account's session token, so rotating the token (logout, new password,
    removal) invalidates every cookie issued before.
    """

    user_id: int
    session_token: str
    name: str
    role: str
    viewer: Viewer
    is_demo: bool = False

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.user_id}:{self.session_token}"


def parse_login_id(login_id: str) -> tuple[int, str] | None:
    user_id, _, token = (login_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    return int(user_id), token
