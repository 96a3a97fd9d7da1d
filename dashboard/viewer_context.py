"""Who is looking. Pages always ask here and pass the viewer to the query layer, so that scoping
lives in one place (DESIGN §5).

- In a request of an app with login on: the logged-in user's Viewer; nobody logged in gives
  ``NOBODY``, whose queries return nothing (the login gate stops such requests before that).
- In a request of an app built with ``auth=False`` (tests only; the CLI and ``server`` never
  build one): ``SYSTEM``.
- Outside any request (CLI commands, tests calling a callback function directly): ``SYSTEM``.
"""

from __future__ import annotations

from flask import current_app, g, has_request_context
from flask_login import current_user

from dashboard.auth.users import NOBODY
from dashboard.queries.viewer import SYSTEM, Viewer


def auth_enabled() -> bool:
    return has_request_context() and bool(current_app.config.get("INFOSAK_AUTH"))


def current_viewer() -> Viewer:
    if not auth_enabled():
        return SYSTEM
    return viewer_of_request() or NOBODY


def viewer_of_request() -> Viewer | None:
    """The logged-in user's viewer for this request, or None when nobody is logged in."""
    viewer = g.get("infosak_viewer")
    if viewer is not None:
        return viewer
    if current_user and current_user.is_authenticated:
        return current_user.viewer
    return None
