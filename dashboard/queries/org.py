"""Organisation look-ups for the global filters: which municipalities and administrations exist."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.queries.viewer import Viewer, unit_scope_condition
from etl.models import Administration, Municipality, Unit


def municipality_options(session: Session, viewer: Viewer) -> list[dict]:
    """Dropdown options {label, value} for the municipalities the viewer may see."""
    query = select(Municipality.code, Municipality.name).order_by(Municipality.name)
    condition = unit_scope_condition(viewer)
    if condition is not None:
        visible = (
            select(Administration.municipality_id)
            .join(Unit, Unit.administration_id == Administration.id)
            .where(condition)
        )
        query = query.where(Municipality.id.in_(visible))
    return [{"label": f"{name} ({code})", "value": code} for code, name in session.execute(query)]


def administration_options(
    session: Session, viewer: Viewer, municipality: str | None
) -> list[dict]:
    """Dropdown options for administrations, within ``municipality`` when one is chosen."""
    query = (
        select(Administration.code, Administration.name, Municipality.name)
        .join(Municipality, Administration.municipality_id == Municipality.id)
        .order_by(Municipality.name, Administration.name)
    )
    if municipality:
        query = query.where(Municipality.code == municipality)
    condition = unit_scope_condition(viewer)
    if condition is not None:
        visible = select(Unit.administration_id).where(condition)
        query = query.where(Administration.id.in_(visible))
    rows = session.execute(query).all()
    show_municipality = not municipality and len({r[2] for r in rows}) > 1
    return [
        {"label": f"{name} – {mun}" if show_municipality else name, "value": code}
        for code, name, mun in rows
    ]
