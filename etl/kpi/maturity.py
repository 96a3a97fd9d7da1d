"""Self-assessed maturity: the latest gap analysis (nulägesanalys) per administration and object."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import ColumnElement, func, or_, select

from etl.kpi.frames import query_frame
from etl.kpi.scope import Scope, build_scope, load_org
from etl.kpi.viewer import SYSTEM, Viewer
from etl.models import (
    Administration,
    GapAnalysis,
    GapAssessment,
    GovernanceObject,
    MaturityArea,
)

_ANALYSIS_COLUMNS = [
    "gap_analysis_id",
    "administration_id",
    "governance_object_id",
    "assessed_on",
    "level_sum",
    "level_count",
]


def _gap_condition(scope: Scope) -> ColumnElement[bool] | None:
    """Gap analyses of visible administrations or visible governance objects."""
    if scope.administration is None and scope.governance_object is None:
        return None
    parts = []
    parts.append(
        GapAnalysis.administration_id.in_(select(Administration.id).where(scope.administration))
        if scope.administration is not None
        else GapAnalysis.administration_id.isnot(None)
    )
    parts.append(
        GapAnalysis.governance_object_id.in_(
            select(GovernanceObject.id).where(scope.governance_object)
        )
        if scope.governance_object is not None
        else GapAnalysis.governance_object_id.isnot(None)
    )
    return or_(*parts)


def gap_analyses(conn, scope: Scope, as_of: dt.date | None = None) -> pd.DataFrame:
    """One row per visible gap analysis (on or before ``as_of``) with its level sum and count."""
    stmt = (
        select(
            GapAnalysis.id,
            GapAnalysis.administration_id,
            GapAnalysis.governance_object_id,
            GapAnalysis.assessed_on,
            func.sum(GapAssessment.level),
            func.count(GapAssessment.id),
        )
        .join(GapAssessment, GapAssessment.gap_analysis_id == GapAnalysis.id)
        .group_by(
            GapAnalysis.id,
            GapAnalysis.administration_id,
            GapAnalysis.governance_object_id,
            GapAnalysis.assessed_on,
        )
    )
    condition = _gap_condition(scope)
    if condition is not None:
        stmt = stmt.where(condition)
    if as_of is not None:
        stmt = stmt.where(GapAnalysis.assessed_on <= as_of)
    frame = query_frame(conn, stmt, _ANALYSIS_COLUMNS)
    frame["administration_id"] = frame["administration_id"].astype("Int64")
    frame["governance_object_id"] = frame["governance_object_id"].astype("Int64")
    return frame


def visible_analyses(conn, scope: Scope, as_of: dt.date | None = None) -> pd.DataFrame:
    """``gap_analyses(conn, scope, as_of)``: the analyses of every date, then those of
    ``as_of`` and before."""
    every = gap_analyses(conn, scope)
    if as_of is None:
        return every
    return every[(every["assessed_on"] <= as_of).to_numpy(dtype=bool)].reset_index(drop=True)


def latest_per_node(analyses: pd.DataFrame, node_column: str) -> pd.DataFrame:
    """The latest analysis per administration (or object); ties broken by the larger id."""
    rows = analyses[analyses[node_column].notna()]
    rows = rows.sort_values(["assessed_on", "gap_analysis_id"])
    return rows.drop_duplicates(node_column, keep="last").set_index(node_column)


def maturity_matrix(
    session, as_of: dt.date, viewer: Viewer = SYSTEM, *, municipality: str | None = None
) -> pd.DataFrame:
    """Area levels of the latest gap analysis ≤ as_of per administration and governance object."""
    return _maturity_matrix(session, as_of, viewer, municipality)


def _maturity_matrix(session, as_of: dt.date, viewer: Viewer, municipality: str | None):
    scope = build_scope(viewer, None, municipality, None)
    org = load_org(session, scope)
    analyses = visible_analyses(session, scope, as_of)
    columns = [
        "scope_type",
        "scope_id",
        "scope_name",
        "area_code",
        "area_name",
        "area_order",
        "level",
        "assessed_on",
    ]
    chosen = []
    names = {
        "administration": org.administrations.set_index("id"),
        "governance_object": org.objects.set_index("id"),
    }
    for scope_type, column in (
        ("administration", "administration_id"),
        ("governance_object", "governance_object_id"),
    ):
        if scope_type not in scope.types:
            continue
        latest = latest_per_node(analyses, column)
        latest = latest[latest.index.isin(names[scope_type].index)]
        # Column-wise, not a row and a lookup per node (1 600 administrations nationally).
        nodes = names[scope_type].loc[latest.index]
        chosen.extend(
            zip(
                latest["gap_analysis_id"].tolist(),
                [scope_type] * len(latest),
                nodes["code"].tolist(),
                nodes["name"].tolist(),
                latest["assessed_on"].tolist(),
                strict=True,
            )
        )
    if not chosen:
        return pd.DataFrame(columns=columns)
    ids = [c[0] for c in chosen]
    levels = query_frame(
        session,
        select(
            GapAssessment.gap_analysis_id,
            MaturityArea.code,
            MaturityArea.name,
            MaturityArea.sort_order,
            GapAssessment.level,
        )
        .join(MaturityArea, MaturityArea.id == GapAssessment.area_id)
        .where(GapAssessment.gap_analysis_id.in_(ids)),
        ["gap_analysis_id", "area_code", "area_name", "area_order", "level"],
    )
    heads = pd.DataFrame(
        chosen, columns=["gap_analysis_id", "scope_type", "scope_id", "scope_name", "assessed_on"]
    )
    matrix = heads.merge(levels, on="gap_analysis_id")
    order = {"administration": 0, "governance_object": 1}
    matrix = matrix.assign(_o=matrix["scope_type"].map(order)).sort_values(
        ["_o", "scope_id", "area_order", "area_code"]
    )
    return matrix[columns].reset_index(drop=True)


def maturity_history(
    session,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
) -> pd.DataFrame:
    """Every visible gap analysis with its mean level, oldest first (for the trend chart)."""
    scope = build_scope(viewer, None, municipality, administration)
    org = load_org(session, scope)
    analyses = visible_analyses(session, scope)
    # Codes by id looked up once (a frame filter per analysis was quadratic nationally).
    rows = []
    for column, frame, scope_type in (
        ("administration_id", org.administrations, "administration"),
        ("governance_object_id", org.objects, "governance_object"),
    ):
        if scope_type not in scope.types:
            continue
        codes = dict(zip(frame["id"], frame["code"], strict=True))
        for assessed_on, node_id, level_sum, level_count in zip(
            analyses["assessed_on"],
            analyses[column],
            analyses["level_sum"],
            analyses["level_count"],
            strict=True,
        ):
            if pd.isna(node_id) or node_id not in codes:
                continue
            rows.append((assessed_on, codes[node_id], level_sum / level_count))
    history = pd.DataFrame(rows, columns=["assessed_on", "scope_id", "mean_level"])
    return history.sort_values(["assessed_on", "scope_id"]).reset_index(drop=True)
