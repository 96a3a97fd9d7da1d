"""The CISO's glance: maturity, coverage and overdue actions per administration and per shared
governance object, in one frame for one table on Översikt.

Every value is a compute_kpis row (one truth with the cards, ``infosak kpi`` and the other
pages): the administrations the viewer may see within the filters, and the objects whose
numbers it may see (dashboard.queries.governance: its scope's and those it takes part in).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.queries.governance import shown_object_kpis, visible_object_list
from dashboard.queries.viewer import Viewer
from etl.kpi.compute import compute_kpis
from etl.kpi.scope import build_scope
from etl.models import Administration

GLANCE_METRICS = (
    "maturity_self",
    "maturity_evidence",
    "classification_coverage",
    "risk_analysis_coverage",
    "actions_overdue",
)
GLANCE_COLUMNS = ["scope_type", "code", "name", *GLANCE_METRICS]
# More administrations than this (a region's or the country's view) make no glance: the page
# asks for a municipality instead.
MAX_GLANCE_ADMINISTRATIONS = 60


def _wide(kpis: pd.DataFrame, scope_type: str) -> pd.DataFrame:
    """One row per scope of ``scope_type`` with one column per GLANCE_METRICS value."""
    rows = kpis[kpis["scope_type"] == scope_type] if not kpis.empty else kpis
    if rows.empty:
        return pd.DataFrame(columns=GLANCE_COLUMNS)
    wide = rows.pivot_table(
        index=["scope_id", "scope_name"], columns="metric", values="value", aggfunc="first"
    ).reset_index()
    wide = wide.rename(columns={"scope_id": "code", "scope_name": "name"})
    for metric in GLANCE_METRICS:
        if metric not in wide.columns:
            wide[metric] = None
    wide["scope_type"] = scope_type
    return wide[GLANCE_COLUMNS].sort_values("name").reset_index(drop=True)


def glance_rows(
    session: Session,
    as_of: dt.date,
    viewer: Viewer,
    *,
    municipality: str | None = None,
    administration: str | None = None,
) -> pd.DataFrame | None:
    """Administrations (by name), then shared objects (by name), columns GLANCE_COLUMNS; None
    when the selection holds more than MAX_GLANCE_ADMINISTRATIONS administrations."""
    # Counted before anything is computed: the country's 1 356 administrations are not read.
    scope = build_scope(viewer, ["administration"], municipality, administration)
    counted = select(func.count(Administration.id))
    if scope.administration is not None:
        counted = counted.where(scope.administration)
    if (
        "administration" in scope.types
        and (session.scalar(counted) or 0) > MAX_GLANCE_ADMINISTRATIONS
    ):
        return None
    administrations = _wide(
        compute_kpis(
            session,
            as_of,
            viewer,
            scope_types=["administration"],
            municipality=municipality,
            administration=administration,
            metrics=list(GLANCE_METRICS),
        ),
        "administration",
    )
    objects, _total = visible_object_list(
        session, viewer, municipality=municipality, administration=administration
    )
    object_rows = _wide(
        shown_object_kpis(
            session,
            as_of,
            viewer,
            objects,
            municipality=municipality,
            administration=administration,
            metrics=GLANCE_METRICS,
        ),
        "governance_object",
    )
    frames = [f for f in (administrations, object_rows) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=GLANCE_COLUMNS)
    return pd.concat(frames, ignore_index=True)
