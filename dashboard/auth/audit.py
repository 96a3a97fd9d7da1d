"""The audit log: who did what, when. Writes never break the request that triggered them.

Reading it is scoped like everything else (DESIGN §5), in the query, with the viewer as a
parameter. An event belongs to the account that acted (``actor``: the account that logged in,
failed to, uploaded, exported, ...). Admins (and the system) read every event. A CISO reads the
events of accounts whose scope lies in one of the CISO's municipalities, wholly or in part: an
account scoped to a municipality, to one of its administrations or to one of its units. Events
without such an account are for admins only: failed logins under names no account has, the
operator's command-line account changes (``cli:<user>``), refused single sign-on without an
account, and the admins' own actions (an admin's scope is everything, not a municipality). No
event names a protected (säkerhetsskydd) asset: events carry account names, roles, file names,
download names and addresses, never an asset. Every other role reads nothing, forged or not.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Engine, false, select
from sqlalchemy.orm import Session

from dashboard.auth.roles import may_read_audit
from dashboard.auth.users import scope_codes
from dashboard.queries.viewer import MUNICIPALITY_ROLES, Viewer
from etl.models import Administration, Municipality, Unit
from etl.models_auth import AuditEvent, User, utcnow

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


def _municipalities_of_codes(session: Session, codes: set[str]) -> dict[str, str]:
    """Each municipality, administration or unit code in ``codes`` → its municipality's code."""
    if not codes:
        return {}
    wanted = sorted(codes)
    found = {
        c: c
        for c in session.scalars(select(Municipality.code).where(Municipality.code.in_(wanted)))
    }
    found.update(
        session.execute(
            select(Administration.code, Municipality.code)
            .join(Municipality, Administration.municipality_id == Municipality.id)
            .where(Administration.code.in_(wanted))
        ).all()
    )
    found.update(
        session.execute(
            select(Unit.code, Municipality.code)
            .join(Administration, Unit.administration_id == Administration.id)
            .join(Municipality, Administration.municipality_id == Municipality.id)
            .where(Unit.code.in_(wanted))
        ).all()
    )
    return found


def actors_in_scope(session: Session, viewer: Viewer) -> list[str] | None:
    """Names of the accounts whose events ``viewer`` may read; None means every event."""
    if viewer.sees_all:
        return None
    if not may_read_audit(viewer) or viewer.role not in MUNICIPALITY_ROLES:
        return []
    accounts = [
        (u.name, scope_codes(u)) for u in session.scalars(select(User)) if u.role != "admin"
    ]
    municipality_of = _municipalities_of_codes(session, {c for _, cs in accounts for c in cs})
    mine = viewer.municipality_codes
    return sorted(
        name for name, codes in accounts if any(municipality_of.get(c) in mine for c in codes)
    )


def audit_scope_condition(session: Session, viewer: Viewer) -> ColumnElement[bool] | None:
    """The events ``viewer`` may read, as a condition on AuditEvent (None: all of them)."""
    actors = actors_in_scope(session, viewer)
    if actors is None:
        return None
    return AuditEvent.actor.in_(actors) if actors else false()


def recent_events(
    session: Session,
    viewer: Viewer,
    limit: int = 500,
    actions: Sequence[str] | None = None,
) -> list[AuditEvent]:
    """The ``limit`` latest events that ``viewer`` may read (see the module's docstring)."""
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    scope = audit_scope_condition(session, viewer)
    if scope is not None:
        query = query.where(scope)
    if actions:
        query = query.where(AuditEvent.action.in_(list(actions)))
    return list(session.scalars(query))
