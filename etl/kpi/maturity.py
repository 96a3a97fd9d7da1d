"""Self-assessed maturity from the gap analyses (nulägesanalyser) per administration and object.

A node's self-assessed level of an area is that area's latest assessment on or before the as-of
date, whichever analysis it was made in (DESIGN §4): a later analysis of three areas replaces
those three and leaves the others as they were assessed before.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import ColumnElement, func, or_, select

from etl.kpi.frames import query_frame, where
from etl.kpi.scope import Scope, build_scope, load_org
from etl.kpi.viewer import SYSTEM, Viewer
from etl.models import Administration, GapAnalysis, GapAssessment, GovernanceObject, MaturityArea

_NODE_TYPES = ("administration", "governance_object")  # the nodes that have gap analyses
MATRIX_COLUMNS = ["scope_type", "scope_id", "scope_name", "area_code", "area_name", "area_order",
                  "level", "assessed_on"]  # fmt: skip


def _gap_condition(scope: Scope) -> ColumnElement[bool] | None:
    """Gap analyses of visible administrations or visible governance objects."""
    if scope.administration is None and scope.governance_object is None:
        return None
    return or_(
        *(
            column.isnot(None)
            if condition is None
            else column.in_(select(table.id).where(condition))
            for column, table, condition in (
                (GapAnalysis.administration_id, Administration, scope.administration),
                (GapAnalysis.governance_object_id, GovernanceObject, scope.governance_object),
            )
        )
    )


def gap_analyses(conn, scope: Scope, as_of: dt.date | None = None) -> pd.DataFrame:
    """One row per area assessment of a visible gap analysis (on or before ``as_of``), with its
    analysis's node and date and the area's code, name and order."""
    stmt = (
        select(
            GapAnalysis.id.label("gap_analysis_id"),
            GapAnalysis.administration_id,
            GapAnalysis.governance_object_id,
            GapAnalysis.assessed_on,
            GapAssessment.area_id,
            MaturityArea.code.label("area_code"),
            MaturityArea.name.label("area_name"),
            MaturityArea.sort_order.label("area_order"),
            GapAssessment.level,
        )
        .join(GapAssessment, GapAssessment.gap_analysis_id == GapAnalysis.id)
        .join(MaturityArea, MaturityArea.id == GapAssessment.area_id)
    )
    stmt = where(stmt, _gap_condition(scope))
    if as_of is not None:
        stmt = stmt.where(GapAnalysis.assessed_on <= as_of)
    frame = query_frame(conn, stmt)
    frame["administration_id"] = frame["administration_id"].astype("Int64")
    frame["governance_object_id"] = frame["governance_object_id"].astype("Int64")
    return frame


def visible_analyses(conn, scope: Scope, as_of: dt.date | None = None) -> pd.DataFrame:
    """``gap_analyses(conn, scope, as_of)``, read for every date and then filtered."""
    return _up_to(gap_analyses(conn, scope), as_of)


def _up_to(every: pd.DataFrame, as_of: dt.date | None) -> pd.DataFrame:
    if as_of is None:
        return every
    return every[(every["assessed_on"] <= as_of).to_numpy(dtype=bool)].reset_index(drop=True)


def latest_per_area(assessments: pd.DataFrame, node_column: str) -> pd.DataFrame:
    """The latest assessment of each area per administration (or object): the one of the
    analysis with the latest date, ties broken by the larger analysis id (the one loaded last)."""
    rows = assessments[assessments[node_column].notna()]
    rows = rows.sort_values(["assessed_on", "gap_analysis_id"], kind="stable")
    return rows.drop_duplicates([node_column, "area_id"], keep="last")


def maturity_matrix(
    session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
    scope_types: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Each area's latest assessment ≤ as_of per administration and governance object, with the
    date it was made (the areas of one node may carry different dates). ``administration`` and
    ``scope_types`` narrow it as in compute_kpis (one profile reads one node's rows, not the
    country's)."""
    scope = build_scope(viewer, scope_types, municipality, administration)
    return _matrix_of(scope, load_org(session, scope), visible_analyses(session, scope, as_of))


def _matrix_of(scope: Scope, org, assessments: pd.DataFrame) -> pd.DataFrame:
    """maturity_matrix of ``scope`` from its organisation and its analyses up to the date."""
    parts = []
    for scope_type in _NODE_TYPES:
        if scope_type not in scope.types:
            continue
        column, nodes = f"{scope_type}_id", org.table(scope_type).set_index("id")
        latest = latest_per_area(assessments, column)
        latest = latest[latest[column].isin(nodes.index)]
        if latest.empty:
            continue
        # Column-wise, not a row and a lookup per node (1 600 administrations nationally).
        named = nodes.loc[latest[column].astype("int64")]
        latest = latest.assign(
            scope_type=scope_type,
            scope_id=named["code"].to_numpy(dtype=object),
            scope_name=named["name"].to_numpy(dtype=object),
        )
        parts.append(latest.sort_values(["scope_id", "area_order", "area_code"]))
    if not parts:
        return pd.DataFrame(columns=MATRIX_COLUMNS)
    return pd.concat(parts, ignore_index=True)[MATRIX_COLUMNS]


def assessed_node_count(
    session, as_of: dt.date, viewer: Viewer = SYSTEM, *, municipality: str | None = None
) -> int:
    """How many visible administrations and governance objects have a gap analysis on or before
    ``as_of``: the rows maturity_matrix would give a node each, counted without reading them."""
    stmt = select(
        func.count(func.distinct(GapAnalysis.administration_id)),
        func.count(func.distinct(GapAnalysis.governance_object_id)),
    ).where(GapAnalysis.assessed_on <= as_of)
    stmt = where(stmt, _gap_condition(build_scope(viewer, None, municipality, None)))
    administrations, objects = session.execute(stmt).one()
    return int(administrations or 0) + int(objects or 0)


def maturity_matrix_and_history(
    session,
    as_of: dt.date,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``maturity_matrix(session, as_of, viewer, municipality=municipality)`` and the history
    for the trend chart: the self-assessed mean level of each visible node (narrowed to
    ``administration`` too) at each date it was assessed, oldest first, the mean over every
    area's latest assessment up to that date. One read of the gap analyses serves both: a
    node's analyses are in a scope's read whenever the node is, so the narrower history keeps
    its own nodes' analyses from the matrix's wider read."""
    scope = build_scope(viewer, None, municipality, None)
    org = load_org(session, scope)
    every = gap_analyses(session, scope)
    matrix = _matrix_of(scope, org, _up_to(every, as_of))
    if administration is None:
        return matrix, _history_of(scope, org, every)
    narrow = build_scope(viewer, None, municipality, administration)
    return matrix, _history_of(narrow, load_org(session, narrow), every)


def _history_of(scope: Scope, org, assessments: pd.DataFrame) -> pd.DataFrame:
    """The history of ``scope`` from its organisation and the analyses of every date (of its
    nodes, and possibly of others, which are left out)."""
    rows = []
    for scope_type in _NODE_TYPES:
        if scope_type not in scope.types:
            continue
        column, frame = f"{scope_type}_id", org.table(scope_type)
        codes = dict(zip(frame["id"], frame["code"], strict=True))
        own = assessments[assessments[column].notna()]
        own = own.sort_values([column, "assessed_on", "gap_analysis_id"], kind="stable")
        # Per node, analysis by analysis: each replaces the levels of the areas it assessed;
        # the point of that date is the mean of the latest level of every area so far.
        node_id, levels, point = None, {}, None
        for node, on, area, level in zip(
            own[column].tolist(),
            own["assessed_on"].tolist(),
            own["area_id"].tolist(),
            own["level"].tolist(),
            strict=True,
        ):
            if node not in codes:
                continue
            if node != node_id:
                node_id, levels = node, {}
            levels[area] = level
            point = (on, codes[node], sum(levels.values()) / len(levels))
            if rows and rows[-1][:2] == point[:2]:
                rows[-1] = point  # another area of the same analysis date
            else:
                rows.append(point)
    history = pd.DataFrame(rows, columns=["assessed_on", "scope_id", "mean_level"])
    return history.sort_values(["assessed_on", "scope_id"]).reset_index(drop=True)
