"""Which role may open which page (DESIGN §5), as one table: the menu lists a page only for the
roles it has content for, and the page guard refuses it to every other role.

The table only decides about pages. What a page shows is still scoped where data is read
(every query takes the viewer), so a forged callback gets nothing more for passing here.

Why each role has the pages it has:
- the committee sees aggregates only, never rows: no Min enhet (one unit's rows), no loads
  (files and their rejected rows), no log, no upload;
- a manager sees their units: no report (it describes municipalities and administrations), no
  log, no upload;
- the log is the CISO's and the administrator's; uploads the security officer's and the
  administrator's (dashboard.auth.roles.UPLOAD_ROLES, AUDIT_ROLES).
"""

from __future__ import annotations

from dashboard.auth.roles import AUDIT_ROLES, UPLOAD_ROLES
from etl.kpi.viewer import ROLES, Viewer

# Every role but the system itself (which may open everything: tests without login).
_ALL = frozenset(ROLES) - {"system"}

PAGE_ROLES: dict[str, frozenset[str]] = {
    "/": _ALL,
    "/mognad": _ALL,
    "/tackning": _ALL,
    "/atgarder": _ALL,
    "/risker": _ALL,
    "/forvaltningsobjekt": _ALL,
    "/min-enhet": _ALL - {"committee"},
    "/inlasningar": _ALL - {"committee"},
    "/inlasningar/ladda-upp": frozenset(UPLOAD_ROLES) - {"system"},
    "/rapport": _ALL - {"manager"},
    "/logg": frozenset(AUDIT_ROLES) - {"system"},
}
# Pages every visitor may open whatever the role (the accessibility statement, the 404 page).
OPEN_PAGES = frozenset({"/tillganglighet", "/404"})


def may_open(path: str, role: str) -> bool:
    """Whether ``role`` may open the page at ``path`` (a path outside the table: only the
    system, so that a new page is closed until it is given its roles here)."""
    if role == "system" or path in OPEN_PAGES:
        return True
    roles = PAGE_ROLES.get(path)
    return roles is not None and role in roles


def roles_of(path: str) -> tuple[str, ...]:
    """The roles that may open ``path``, sorted (for a page's ``roles=`` registration)."""
    return tuple(sorted(PAGE_ROLES.get(path, ())))


def page_visible_to(page: dict, viewer: Viewer) -> bool:
    """Whether the navbar lists ``page`` (a dash.page_registry entry) for ``viewer``: the same
    table the page guard applies."""
    return may_open(page["path"], viewer.role)
