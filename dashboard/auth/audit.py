"""The audit log: who did what, when. Writes never break the request that triggered them."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from etl.models_auth import AuditEvent, utcnow

log = logging.getLogger(__name__)

# Actions, with the Swedish words the log page shows.
ACTIONS: dict[str, dict[str, str]] = {
    "login": {"sv": "Inloggning", "en": "Login"},
    "login_failed": {"sv": "Misslyckad inloggning", "en": "Failed login"},
    "login_throttled": {"sv": "Inloggning spärrad", "en": "Login throttled"},
    "oidc_denied": {
        "sv": "Inloggning med organisationskonto nekad",
        "en": "Organisation account login refused",
    },
    "logout": {"sv": "Utloggning", "en": "Logout"},
    "idle_logout": {"sv": "Utloggad (inaktiv)", "en": "Logged out (idle)"},
    "upload": {"sv": "Uppladdning", "en": "Upload"},
    "upload_refused": {"sv": "Uppladdning nekad", "en": "Upload refused"},
    "export": {"sv": "Export", "en": "Export"},
    "forbidden": {"sv": "Nekad åtkomst", "en": "Access denied"},
    "user_add": {"sv": "Konto skapat", "en": "Account created"},
    "user_remove": {"sv": "Konto borttaget", "en": "Account removed"},
    "user_passwd": {"sv": "Lösenord bytt", "en": "Password changed"},
}
DETAIL_MAX = 2000


def action_label(action: str, lang: str = "sv") -> str:
    return ACTIONS.get(action, {}).get(lang, action)


def record_event(
    session: Session,
    action: str,
    actor: str | None,
    detail: str = "",
    address: str | None = None,
) -> AuditEvent:
    """Add one event to ``session`` (committed with the caller's transaction)."""
    event = AuditEvent(
        at=utcnow(),
        actor=actor,
        action=action,
        detail=(detail or "")[:DETAIL_MAX],
        address=(address or None) and address[:64],
    )
    session.add(event)
    return event


def record(
    engine: Engine, action: str, actor: str | None, detail: str = "", address: str | None = None
) -> None:
    """Write one event in a transaction of its own; a failure is logged, never raised."""
    try:
        with Session(engine) as session, session.begin():
            record_event(session, action, actor, detail, address)
    except Exception:  # noqa: BLE001 - auditing must not take the request down with it
        log.exception("audit event %s by %s could not be written", action, actor)


def record_request(action: str, detail: str = "") -> None:
    """Record ``action`` for the user of the current request (for pages: exports, uploads)."""
    from flask import has_request_context, request

    from dashboard import store
    from dashboard.viewer_context import current_viewer

    viewer = current_viewer()
    address = request.remote_addr if has_request_context() else None
    record(store.get_engine(), action, viewer.name or None, detail, address)


def recent_events(
    session: Session, limit: int = 500, actions: Sequence[str] | None = None
) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if actions:
        query = query.where(AuditEvent.action.in_(list(actions)))
    return list(session.scalars(query))
