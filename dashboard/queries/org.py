"""Organisation look-ups for the global filters: which municipalities and administrations exist."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.queries.viewer import Viewer, municipality_scope_condition, unit_scope_condition
from etl.models import Administration, Municipality, Unit

# Beyond this many visible municipalities (a region's or the country's instance) and with no
# municipality chosen, the pages and the committee report compare municipalities and leave the
# administrations to a chosen municipality: nationally 1 356 administrations were tables,
# heatmaps and bars that nobody reads and that kept the browser busy for minutes.
MUNICIPALITIES_WITH_ADMINISTRATIONS = 12


def visible_municipality_count(session: Session, viewer: Viewer) -> int:
    """How many municipalities the viewer may see (0 for a viewer who sees none)."""
    if "municipality" not in viewer.visible_scope_types:
        return 0
    count = select(func.count(Municipality.id))
    condition = municipality_scope_condition(viewer)
    if condition is not None:
        count = count.where(condition)
    return session.execute(count).scalar_one()


def lists_municipalities_only(session: Session, viewer: Viewer) -> bool:
    """Whether a view of every visible municipality (none chosen) shows municipalities only."""
    return visible_municipality_count(session, viewer) > MUNICIPALITIES_WITH_ADMINISTRATIONS


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


def municipality_of_administrations(session: Session, codes: list[str]) -> dict[str, str]:
    """Administration code -> its municipality's code, for ``codes``."""
    if not codes:
        return {}
    query = (
        select(Administration.code, Municipality.code)
        .join(Municipality, Administration.municipality_id == Municipality.id)
        .where(Administration.code.in_(codes))
    )
    return dict(session.execute(query).all())
