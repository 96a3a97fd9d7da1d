"""Login and logout routes (a Flask blueprint) and the session helpers they share."""

from __future__ import annotations

import logging
import math
import time
from urllib.parse import urlsplit

import dash
from flask import Blueprint, Response, current_app, jsonify, redirect, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import Session

from dashboard import store
from dashboard.auth import audit
from dashboard.auth.login_page import TEXT, render_login
from dashboard.auth.passwords import hash_password, needs_rehash, verify_password
from dashboard.auth.roles import start_page
from dashboard.auth.security import (
    CSRF_FORM_FIELD,
    CSRF_HEADER,
    CSRF_SESSION_KEY,
    csrf_matches,
    new_csrf_token,
    record_attempt,
    throttle_wait,
)
from dashboard.auth.session import LAST_SEEN_KEY, idle_timeout
from dashboard.auth.session_script import KEEP_ALIVE_PATH, STATUS_PATH, session_script
from dashboard.auth.user_loader import demo_mode, load_user
from dashboard.auth.users import get_user, may_authenticate, new_session_token, normalise_name
from etl.models_auth import User, utcnow

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)
# An error a redirect to /login should show (set by the OIDC callback); only keys in
# FLASHED_ERRORS are shown, so the session cannot carry arbitrary text onto the page.
LOGIN_ERROR_KEY = "login_error"
FLASHED_ERRORS = frozenset({"oidc_denied", "oidc_conflict", "oidc_failed", "oidc_unavailable"})
# The same local copy the Dash pages use (assets/, no CDN).
BOOTSTRAP_CSS = "/assets/00-bootstrap-5.3.3.min.css"


DEMO_REFUSED = "demokonto utanför demoläget"


def client_address() -> str:
    return request.remote_addr or "okänd"


def session_csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    token = session.get(CSRF_SESSION_KEY)
    if not token:
        token = session[CSRF_SESSION_KEY] = new_csrf_token()
    return token


NEXT_MAX_LENGTH = 2000


def has_control_characters(text: str) -> bool:
    """C0 and C1 control characters and DEL: never part of a name or a path we hand out.

    (Browsers drop tabs and newlines from URLs, so a slash, a tab and "/evil.example" would
    become "//evil.example"; CR/LF in a Location header would split it.)
    """
    return any(ch < " " or "\x7f" <= ch <= "\x9f" for ch in text)


def is_safe_next(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no protocol-relative '//' or '/\\', no
    backslash (browsers read it as '/'), no control character, not absurdly long."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if len(target) > NEXT_MAX_LENGTH or "\\" in target or has_control_characters(target):
        return False
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return False
    return not parts.path.startswith(("/login", "/logout"))


def landing_page(role: str, next_path: str | None) -> str:
    """Where a fresh login goes: the page asked for, else the role's start page."""
    if is_safe_next(next_path) and urlsplit(next_path).path != "/":
        return next_path
    registered = [p["path"] for p in dash.page_registry.values()]
    return start_page(role, registered)


def _lang() -> str:
    lang = request.values.get("sprak", "sv")
    return lang if lang in TEXT else "sv"


def _page(
    status: int = 200, *, error_key=None, notice=None, username="", wait: float = 0
) -> Response:
    config = current_app.config
    html = render_login(
        lang=_lang(),
        csrf_token=session_csrf_token(),
        next_path=request.values.get("next", "")
        if is_safe_next(request.values.get("next"))
        else "",
        username=username,
        error_key=error_key,
        notice=notice,
        demo=demo_mode(),
        demo_accounts=config.get("INFOSAK_DEMO_ACCOUNTS", ()),
        bootstrap=BOOTSTRAP_CSS,
        oidc=config.get("INFOSAK_OIDC", False),
        wait_seconds=wait,
    )
    response = Response(html, status=status, mimetype="text/html")
    if wait:
        response.headers["Retry-After"] = str(math.ceil(wait))
    return response


@bp.get("/login")
def login_form():
    if current_user.is_authenticated:
        return redirect(landing_page(current_user.role, request.args.get("next")))
    texts = TEXT[_lang()]
    notice = None
    flashed = session.pop(LOGIN_ERROR_KEY, None)
    if flashed in FLASHED_ERRORS:
        return _page(error_key=flashed)
    if request.args.get("utgangen"):
        minutes = int(idle_timeout().total_seconds() // 60)
        notice = texts["timeout"].format(minutes=minutes)
    elif request.args.get("utloggad"):
        notice = texts["logged_out"]
    return _page(notice=notice)


@bp.post("/login")
def login_submit():
    username = normalise_name(request.form.get("username", ""))[:100]
    password = request.form.get("password", "")
    if has_control_characters(username):
        # No account has such a name; answered before anything is stored (PostgreSQL refuses
        # NUL in text) and never echoed back into the form.
        return _page(400, error_key="bad_input")
    if not csrf_matches(session.get(CSRF_SESSION_KEY), request.form.get(CSRF_FORM_FIELD)):
        return _page(400, error_key="bad_form", username=username)
    address = client_address()
    engine = store.get_engine()
    now = utcnow()
    with Session(engine) as s, s.begin():
        wait = throttle_wait(s, username, address, now)
        if wait > 0:
            # Refused without checking the password, and not counted as a failure: waiting out
            # the delay is all it takes. The owner at another address is not slowed by it.
            audit.record_event(s, "login_throttled", username or None, "", address)
            return _page(429, error_key="throttled", username=username, wait=wait)
        user = get_user(s, username) if username else None
        detail = ""
        if user is not None and not may_authenticate(user, demo_mode=demo_mode()):
            # Checked against the dummy hash below: same time, same answer as a wrong password.
            user, detail = None, DEMO_REFUSED
        ok = verify_password(user.password_hash if user else None, password)
        record_attempt(s, username, address, ok, now)
        if not ok:
            audit.record_event(s, "login_failed", username or None, detail, address)
            failed = True
        else:
            failed = False
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            user.last_login_at = now
            audit.record_event(s, "login", user.name, user.role, address)
            login_id, role = f"{user.id}:{user.session_token}", user.role
    if failed:
        return _page(401, error_key="bad_credentials", username=username)
    return start_session(login_id, role, request.form.get("next"))


def start_session(
    login_id: str, role: str, next_path: str | None, lang: str | None = None
) -> Response:
    """Log ``login_id`` in (local password or OIDC alike) and send it to its start page."""
    lang = lang or session.get("lang") or _lang()
    # A new session on login: nothing from the anonymous session survives (session fixation).
    session.clear()
    user = load_user(login_id)
    if user is None:  # removed between the check and now
        return _page(401, error_key="bad_credentials")
    login_user(user, remember=False)
    session[LAST_SEEN_KEY] = time.time()
    session[CSRF_SESSION_KEY] = new_csrf_token()
    target = landing_page(role, next_path)
    if lang == "en" and "sprak=" not in target:
        target += ("&" if "?" in target else "?") + "sprak=en"
    return redirect(target)


@bp.post("/logout")
def logout():
    """POST only, with the CSRF token: a link on another site cannot log anyone out."""
    if current_user.is_authenticated and csrf_matches(
        session.get(CSRF_SESSION_KEY), request.form.get(CSRF_FORM_FIELD)
    ):
        end_session("logout")
    return redirect("/login?utloggad=1")


def end_session(action: str) -> None:
    """Log the current user out, audit it, and (for real accounts) end its other cookies too."""
    name = current_user.name
    with Session(store.get_engine()) as s, s.begin():
        user = s.get(User, current_user.user_id)
        # Demo accounts are shared by everyone trying the demo: do not log the others out.
        if user is not None and not user.is_demo:
            user.session_token = new_session_token()
        audit.record_event(s, action, name, "", client_address())
    logout_user()
    session.clear()


@bp.get("/auth/session.js")
def session_js():
    timeout = current_app.config.get("INFOSAK_IDLE_TIMEOUT") or idle_timeout()
    return Response(session_script(timeout), mimetype="text/javascript")


def _remaining() -> float:
    """Seconds until the idle timeout ends this session (the gate has just checked it)."""
    timeout = current_app.config.get("INFOSAK_IDLE_TIMEOUT") or idle_timeout()
    last_seen = session.get(LAST_SEEN_KEY) or time.time()
    return max(0.0, timeout.total_seconds() - (time.time() - last_seen))


@bp.get(STATUS_PATH)
def session_status():
    """How long the session has left; the gate does not count this request as activity."""
    return jsonify(remaining=round(_remaining(), 1))


@bp.post(KEEP_ALIVE_PATH)
def keep_alive():
    """ "Fortsätt vara inloggad": the gate has stamped this request as activity. CSRF-checked, so
    that another site cannot keep a forgotten session open."""
    if not csrf_matches(session.get(CSRF_SESSION_KEY), request.headers.get(CSRF_HEADER)):
        return jsonify(error="Ogiltig CSRF-token."), 403
    return jsonify(remaining=round(_remaining(), 1))
