"""The municipality, administration and governance object rows of the national compute_kpis,
kept at load time, so that a page's headline cards read their focus scope's row instead of
computing their scope; the overview's organisation table and Förvaltningsobjekt read their
rows the same way (``scope_frame``).

Every page opens with the cards of one focus scope (overview.headline_kpis): a municipality, an
administration, or all visible municipalities together, as of the day and a quarter earlier.
Computing them for a scope reads the scope's facts and organisation (about 15 ms a date at a
municipality of the national data); yet a municipality's or an administration's numbers do not
depend on who looks, as long as the viewer sees all of it: the facts of a scope are those of its
units and of the objects it takes part in (docs/metrics.md, "Scopes and membership"), whatever
filter reaches it. The load's snapshot computes the national rows as of its day anyway; they are
kept here (kind ``kpi_rows`` in kpi_fact_frame, through _kpi_materialized) for that day and the
quarter before (municipalities and administrations only: the cards' comparison), tagged with
the store version.

Only viewers who see whole municipalities read them: the system and administrators (everything)
and the municipality roles (their municipalities and those municipalities' administrations).
An administration-scoped viewer does not see the shared objects' rows that count for their
administration, and a manager's focus is a unit, so their cards are computed as before; so is
every date or store version without kept rows. tests/test_headline_kept.py holds both paths
equal for every role and filter.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import select

from dashboard.queries import _kpi_materialized as materialized
from dashboard.queries._frames import query_frame
from dashboard.queries._kpi_dates import previous_quarter
from dashboard.queries._kpi_scope import build_scope
from dashboard.queries.kpi import KPI_COLUMNS, _to_python, compute_kpis
from dashboard.queries.metrics import METRICS
from dashboard.queries.viewer import MUNICIPALITY_ROLES, SYSTEM, Viewer
from etl.models import Administration, GovernanceObject, Municipality

KIND = "kpi_rows"
SCOPE_TYPES = ("municipality", "administration", "governance_object")
HEADLINE_TYPES = ("municipality", "administration")  # the cards' focus types
_NO_MUNICIPALITY = -1  # an object's row: objects belong to no one municipality
_METRIC_NAMES = np.array(list(METRICS), dtype=object)
_METRIC_INDEX = {name: i for i, name in enumerate(METRICS)}
_VALUE_COLUMNS = ("value", "numerator", "denominator")


# --------------------------------------------------------------------------- kept at load time


def _numeric_rows(session, rows: pd.DataFrame) -> pd.DataFrame:
    """compute_kpis rows of SCOPE_TYPES as numbers: scope type (its index), the entity's id and
    municipality id, the metric (its index in METRICS) and the three values (NaN for None), in
    compute_kpis's order (entities by code), so that sums over several rows add up alike."""
    ids = {
        "municipality": {
            code: (id_, id_)
            for id_, code in session.execute(select(Municipality.id, Municipality.code))
        },
        "administration": {
            code: (id_, municipality_id)
            for id_, code, municipality_id in session.execute(
                select(Administration.id, Administration.code, Administration.municipality_id)
            )
        },
        "governance_object": {
            code: (id_, _NO_MUNICIPALITY)
            for id_, code in session.execute(select(GovernanceObject.id, GovernanceObject.code))
        },
    }
    rows = rows[rows["scope_type"].isin(SCOPE_TYPES)]
    pairs = np.array(
        [ids[t][code] for t, code in zip(rows["scope_type"], rows["scope_id"], strict=True)],
        dtype=np.int64,
    ).reshape(-1, 2)
    numeric = {
        "scope_type": rows["scope_type"].map(SCOPE_TYPES.index).to_numpy(dtype=np.uint8),
        "entity_id": pairs[:, 0],
        "municipality_id": pairs[:, 1],
        "metric": rows["metric"].map(_METRIC_INDEX).to_numpy(dtype=np.uint8),
    }
    for column in _VALUE_COLUMNS:
        numeric[column] = pd.to_numeric(rows[column]).to_numpy(dtype="float64", na_value=np.nan)
    return pd.DataFrame(numeric)


def keep(session, as_of: dt.date, rows_as_of: pd.DataFrame) -> int:
    """Keep the national rows as of ``as_of`` (``rows_as_of``: compute_kpis for the system, which
    the snapshot has computed) and as of the quarter before (computed here from the facts the
    load kept). In the caller's transaction; returns the number of frames written."""
    before = previous_quarter(as_of)
    return materialized.keep_frames(
        session, as_of, {KIND: lambda: _numeric_rows(session, rows_as_of)}
    ) + materialized.keep_frames(
        session,
        before,
        {KIND: lambda: _numeric_rows(session, compute_kpis(session, before, SYSTEM,
                                                           scope_types=HEADLINE_TYPES))},
    )  # fmt: skip


# --------------------------------------------------------------------------- read by the pages


def _sees_whole_municipalities(viewer: Viewer) -> bool:
    return viewer.sees_all or (
        viewer.role in MUNICIPALITY_ROLES and bool(viewer.municipality_codes)
    )


def _municipality_ids(conn, codes) -> np.ndarray:
    found = conn.execute(select(Municipality.id).where(Municipality.code.in_(sorted(codes))))
    return np.fromiter((row[0] for row in found), dtype=np.int64)


def _administration(conn, code: str) -> tuple[int, str] | None:
    """(id, municipality code) of the administration ``code``."""
    row = conn.execute(
        select(Administration.id, Municipality.code)
        .join(Municipality, Administration.municipality_id == Municipality.id)
        .where(Administration.code == code)
    ).first()
    return None if row is None else (row[0], row[1])


def _selection(
    conn, kept: dict[str, np.ndarray], viewer: Viewer, scope_type: str, scope_id: str | None,
    municipality: str | None,
) -> np.ndarray | None:  # fmt: skip
    """The kept rows of the focus (a boolean mask), or None when they cannot stand for it."""
    of_type = kept["scope_type"] == SCOPE_TYPES.index(scope_type)
    allowed = None if viewer.sees_all else viewer.municipality_codes
    if scope_type == "municipality":
        if scope_id is None:
            if allowed is None:
                return of_type
            return of_type & np.isin(kept["entity_id"], _municipality_ids(conn, allowed))
        if allowed is not None and scope_id not in allowed:
            return None  # outside the viewer's scope: the computed path shows nothing
        return of_type & np.isin(kept["entity_id"], _municipality_ids(conn, {scope_id}))
    if scope_id is None:
        return None
    administration = _administration(conn, scope_id)
    if administration is None:
        return None
    entity_id, municipality_code = administration
    if municipality is not None and municipality != municipality_code:
        return None  # a filter pair that selects nothing: computed as such
    if allowed is not None and municipality_code not in allowed:
        return None
    return of_type & (kept["entity_id"] == entity_id)


def focus_rows(
    conn, as_of: dt.date, viewer: Viewer, scope_type: str, scope_id: str | None,
    municipality: str | None,
) -> pd.DataFrame | None:  # fmt: skip
    """The compute_kpis rows (metric, value, numerator, denominator; NaN for None) of the focus
    scope ``(scope_type, scope_id)`` as of ``as_of`` from the kept national rows, or None when
    they are not kept or cannot stand for this viewer's rows (then the caller computes them).
    ``municipality`` is the municipality filter beside an administration focus."""
    if scope_type not in HEADLINE_TYPES or not _sees_whole_municipalities(viewer):
        return None
    kept = materialized.kept_columns(conn, KIND, as_of)
    if kept is None:
        return None
    chosen = _selection(conn, kept.arrays, viewer, scope_type, scope_id, municipality)
    if chosen is None:
        return None
    columns = {"metric": _METRIC_NAMES[kept.arrays["metric"][chosen]]}
    for column in _VALUE_COLUMNS:
        columns[column] = kept.arrays[column][chosen]
    return pd.DataFrame(columns)


def scope_rows(
    conn, as_of: dt.date, viewer: Viewer, scope_type: str, entities: pd.DataFrame,
    metrics: tuple[str, ...],
) -> pd.DataFrame | None:  # fmt: skip
    """compute_kpis's rows of ``entities`` (columns id, code, name; sorted by code) for
    ``metrics`` from the kept national rows, as compute_kpis gives them (same order and Python
    values), or None when none are kept or this viewer does not read them.

    For a scope type whose rows do not depend on who looks, such as a governance object: all of
    its facts count wherever it is seen (docs/metrics.md)."""
    if scope_type not in SCOPE_TYPES or not _sees_whole_municipalities(viewer):
        return None
    kept = materialized.kept_columns(conn, KIND, as_of)
    if kept is None:
        return None
    arrays = kept.arrays
    wanted = [i for i, name in enumerate(METRICS) if name in set(metrics)]
    chosen = (
        (arrays["scope_type"] == SCOPE_TYPES.index(scope_type))
        & np.isin(arrays["entity_id"], entities["id"].to_numpy(dtype=np.int64))
        & np.isin(arrays["metric"], wanted)
    )
    metric_ids = arrays["metric"][chosen]
    n = len(entities)
    if n == 0 or len(metric_ids) == 0:
        return pd.DataFrame(columns=KPI_COLUMNS)
    k = len(metric_ids) // n
    names = [str(name) for name in _METRIC_NAMES[metric_ids[:k]]]
    blocks = {column: arrays[column][chosen].reshape(n, k) for column in _VALUE_COLUMNS}

    def python(column: str, whole) -> np.ndarray:
        # compute_kpis's conversion, metric by metric over the same entities (kpi._to_python)
        parts = [
            np.full(n, None, dtype=object)
            if column == "denominator" and METRICS[name].kind == "count"
            else _to_python(blocks[column][:, j], whole(name))
            for j, name in enumerate(names)
        ]
        return np.column_stack(parts).reshape(-1)

    return pd.DataFrame(
        {
            "scope_type": scope_type,
            "scope_id": np.repeat(entities["code"].to_numpy(dtype=object), k),
            "scope_name": np.repeat(entities["name"].to_numpy(dtype=object), k),
            "metric": np.tile(np.array(names, dtype=object), n),
            "value": python("value", lambda name: METRICS[name].kind == "count"),
            "numerator": python("numerator", lambda name: True),
            "denominator": python("denominator", lambda name: True),
        }
    )[KPI_COLUMNS]


_ENTITY_TABLES = {
    "municipality": Municipality,
    "administration": Administration,
    "governance_object": GovernanceObject,
}


def scope_frame(
    conn, as_of: dt.date, viewer: Viewer, scope_types, municipality: str | None,
    administration: str | None, metrics: tuple[str, ...],
) -> pd.DataFrame | None:  # fmt: skip
    """``compute_kpis(conn, as_of, viewer, scope_types=..., municipality=...,
    administration=..., metrics=...)`` from the kept national rows, or None when they are not
    kept or do not stand for this viewer's rows. The entities are those compute_kpis reports
    (its organisation: each type's rows under the scope's condition, by code)."""
    scope = build_scope(viewer, scope_types, municipality, administration)
    if not set(scope.types) <= set(SCOPE_TYPES) or not _sees_whole_municipalities(viewer):
        return None
    frames = []
    for scope_type in scope.types:
        table = _ENTITY_TABLES[scope_type]
        condition = getattr(scope, scope_type)
        entities = select(table.id, table.code, table.name)
        if condition is not None:
            entities = entities.where(condition)
        rows = scope_rows(
            conn, as_of, viewer, scope_type,
            query_frame(conn, entities.order_by(table.code), ["id", "code", "name"]), metrics,
        )  # fmt: skip
        if rows is None:
            return None
        if not rows.empty:
            frames.append(rows)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=KPI_COLUMNS)
