"""The roles a user account can have (DESIGN §5), what they are called and where they start."""

from __future__ import annotations

from collections.abc import Iterable

from dashboard.queries.viewer import ROLES, Viewer

# Every role of etl.kpi.viewer.ROLES but "system" (the CLI's and the load's own viewer).
USER_ROLES: tuple[str, ...] = tuple(role for role in ROLES if role != "system")

ROLE_LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "ciso": "Informationssäkerhetssamordnare (CISO)",
        "security_officer": "Informationssäkerhetshandläggare",
        "admin_head": "Förvaltningschef",
        "manager": "Chef (informationsägare)",
        "committee": "Nämnd",
        "dpo": "Dataskyddsombud",
        "protection_officer": "Säkerhetsskyddschef",
        "admin": "Administratör",
        "system": "System",
    },
    "en": {
        "ciso": "Information security coordinator (CISO)",
        "security_officer": "Security officer",
        "admin_head": "Head of administration",
        "manager": "Manager (information owner)",
        "committee": "Committee",
        "dpo": "Data protection officer",
        "protection_officer": "Security protection officer",
        "admin": "Administrator",
        "system": "System",
    },
}

# Each role's start page after login; a page that is not registered falls back to "/".
START_PAGES: dict[str, str] = {
    "ciso": "/",
    "security_officer": "/",
    "admin_head": "/",
    "manager": "/min-enhet",
    "committee": "/",
    "dpo": "/tackning",
    "protection_officer": "/",
    "admin": "/",
}

UPLOAD_ROLES = frozenset({"security_officer", "admin", "system"})
AUDIT_ROLES = frozenset({"ciso", "admin", "system"})
# Roles that need at least one scope code (admin sees everything by design).
SCOPED_ROLES = frozenset(USER_ROLES) - {"admin"}


def role_label(role: str, lang: str = "sv") -> str:
    return ROLE_LABELS.get(lang, ROLE_LABELS["sv"]).get(role, role)


def start_page(role: str, registered_paths: Iterable[str] = ()) -> str:
    """The role's start page if a page is registered at that path, else the overview."""
    path = START_PAGES.get(role, "/")
    return path if path in set(registered_paths) else "/"


def may_upload(viewer: Viewer) -> bool:
    return viewer.role in UPLOAD_ROLES


def may_read_audit(viewer: Viewer) -> bool:
    return viewer.role in AUDIT_ROLES
