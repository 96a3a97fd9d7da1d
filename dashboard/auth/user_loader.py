"""The logged-in account behind a login cookie: Flask-Login's user loader (dashboard.auth.guard
installs it; the login views call it when a session starts)."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from dashboard import store
from dashboard.auth.session import AuthUser, parse_login_id
from dashboard.auth.users import may_authenticate, viewer_for
from etl.models_auth import User


def demo_mode() -> bool:
    """Whether the app runs in demo mode: the one place the login form and the cookie check ask."""
    return bool(current_app.config.get("INFOSAK_DEMO", False))


def load_user(login_id: str) -> AuthUser | None:
    """Flask-Login's user loader: the account must exist and the cookie's token must be current."""
    parsed = parse_login_id(login_id)
    if parsed is None:
        return None
    user_id, token = parsed
    with Session(store.get_engine()) as s:
        user = s.get(User, user_id)
        if user is None or user.session_token != token:
            return None
        # A cookie from a demo session is worth nothing to an app that is not in demo mode.
        if not may_authenticate(user, demo_mode=demo_mode()):
            return None
        return AuthUser(
            user_id=user.id,
            session_token=user.session_token,
            name=user.name,
            role=user.role,
            viewer=viewer_for(s, user),
            is_demo=user.is_demo,
        )
