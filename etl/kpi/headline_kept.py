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
kept here (kind ``kpi_rows`` in kpi_fact_frame, through etl.kpi.kept) for that day and the
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

from etl.kpi import kept as materialized
from etl.kpi.compute import KPI_COLUMNS, _to_python, compute_kpis
from etl.kpi.dates import previous_quarter
from etl.kpi.definitions import METRIC_ORDER, METRICS, metrics_for_scope
from etl.kpi.frames import query_frame
from etl.kpi.scope import build_scope
from etl.kpi.viewer import MUNICIPALITY_ROLES, SYSTEM, Viewer
from etl.models import Administration, GovernanceObject, Municipality

KIND = "kpi_rows"
SCOPE_TYPES = ("municipality", "administration", "governance_object")
HEADLINE_TYPES = ("municipality", "administration")  # the cards' focus types
_METRIC_INDEX = {name: i for i, name in enumerate(METRICS)}
_VALUE_COLUMNS = ("value", "numerator", "denominator")
_ENTITY_TABLES = {
    "municipality": Municipality,
    "administration": Administration,
    "governance_object": GovernanceObject,
}


# --------------------------------------------------------------------------- kept at load time


def _applicable(scope_type: str) -> list[str]:
    """The metrics compute_kpis gives a scope of this type, in its order."""
    return sorted(metrics_for_scope(scope_type), key=METRIC_ORDER.__getitem__)


def wide_columns(rows: pd.DataFrame) -> tuple[pd.Index, dict[str, np.ndarray]]:
    """Compute_kpis rows of one scope type as one entry per entity, sorted by code as
    compute_kpis sorts its entities: the codes, and each metric's numerator ``n<j>`` and, for a
    rate or level, its denominator ``d<j>`` (j: index in METRICS) as floats, NaN for None."""
    columns = {}
    for part, prefix in (("numerator", "n"), ("denominator", "d")):
        pivot = rows.pivot(index="scope_id", columns="metric", values=part)
        for metric in pivot.columns:
            if prefix == "d" and METRICS[metric].kind == "count":
                continue
            column = pd.to_numeric(pivot[metric]).to_numpy(dtype="float64", na_value=np.nan)
            columns[f"{prefix}{_METRIC_INDEX[metric]}"] = column
    return pivot.index, columns


def _wide_rows(session, rows: pd.DataFrame) -> pd.DataFrame:
    """compute_kpis rows of SCOPE_TYPES as one row per entity: its scope type (index in
    SCOPE_TYPES) and id, each metric's numerator ``n<j>`` and, for a rate or level, its
    denominator ``d<j>`` (wide_columns, in kept.compact's types). Entities in
    compute_kpis's order (by type, then code); values are divided on reading (metric_blocks): a
    national frame is 0.3 MB, not 2.5."""
    ids = {
        scope_type: {code: id_ for code, id_ in session.execute(select(table.code, table.id))}
        for scope_type, table in _ENTITY_TABLES.items()
    }
    parts = []
    for index, scope_type in enumerate(SCOPE_TYPES):
        mine = rows[rows["scope_type"] == scope_type]
        if mine.empty:
            continue
        if set(mine["metric"]) != set(_applicable(scope_type)):
            raise ValueError(f"{scope_type}: rows of other metrics than compute_kpis gives")
        codes, numbers = wide_columns(mine)
        wide = {
            "scope_type": np.full(len(codes), index, dtype=np.uint8),
            "entity_id": np.array([ids[scope_type][code] for code in codes], dtype=np.int64),
            **numbers,
        }
        parts.append(pd.DataFrame(wide))
    frame = pd.concat(parts, ignore_index=True)  # a metric another type lacks: NaN
    columns = {"scope_type": frame["scope_type"].to_numpy(dtype=np.uint8)}
    columns["entity_id"] = materialized.compact(frame["entity_id"].to_numpy(dtype="float64"))
    for name in frame.columns[2:]:
        columns[name] = materialized.compact(frame[name].to_numpy(dtype="float64"))
    return pd.DataFrame(columns)


def keep(session, as_of: dt.date, rows_as_of: pd.DataFrame) -> int:
    """Keep the national rows as of ``as_of`` (``rows_as_of``: compute_kpis for the system, which
    the snapshot has computed) and as of the quarter before (computed here from the facts the
    load kept). In the caller's transaction; returns the number of frames written."""
    before = previous_quarter(as_of)
    return materialized.keep_frames(
        session, as_of, {KIND: lambda: _wide_rows(session, rows_as_of)}
    ) + materialized.keep_frames(
        session,
        before,
        {KIND: lambda: _wide_rows(session, compute_kpis(session, before, SYSTEM,
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


def metric_blocks(
    arrays: dict[str, np.ndarray], rows: np.ndarray, names: list[str]
) -> dict[str, np.ndarray]:
    """Value, numerator and denominator of the metrics ``names`` as (entities x metrics) arrays
    of the kept ``rows`` (an index array into wide_columns's columns), NaN for None. A value is
    the numerator for a count, else numerator / denominator as compute_kpis divides them."""
    n = len(rows)
    blocks = {c: np.full((n, len(names)), np.nan) for c in _VALUE_COLUMNS}
    for k, name in enumerate(names):
        j = _METRIC_INDEX[name]
        numerator = materialized.expand(arrays[f"n{j}"][rows])
        blocks["numerator"][:, k] = numerator
        if METRICS[name].kind == "count":
            blocks["value"][:, k] = numerator
            continue
        denominator = materialized.expand(arrays[f"d{j}"][rows])
        blocks["denominator"][:, k] = denominator
        with np.errstate(divide="ignore", invalid="ignore"):
            blocks["value"][:, k] = np.where(
                denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan
            )
    return blocks


def _blocks(
    arrays: dict[str, np.ndarray], rows: np.ndarray, scope_type: str, metrics: set[str] | None
) -> tuple[list[str], dict[str, np.ndarray]]:
    """The metrics of ``scope_type`` (compute_kpis's order) and their metric_blocks."""
    names = [m for m in _applicable(scope_type) if metrics is None or m in metrics]
    blocks = metric_blocks(arrays, rows, names)
    return names, blocks


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
    names, blocks = _blocks(kept.arrays, np.flatnonzero(chosen), scope_type, None)
    n = int(chosen.sum())
    columns = {"metric": np.tile(np.array(names, dtype=object), n)}
    for column in _VALUE_COLUMNS:
        columns[column] = blocks[column].reshape(-1)  # entity by entity, as compute_kpis
    return pd.DataFrame(columns)


def scope_rows(
    conn, as_of: dt.date, viewer: Viewer, scope_type: str, entities: pd.DataFrame,
    metrics: tuple[str, ...],
) -> pd.DataFrame | None:  # fmt: skip
    """compute_kpis's rows of ``entities`` (columns id, code, name) for ``metrics`` from the kept
    national rows, as compute_kpis gives them (same order and Python values), or None when none
    are kept or this viewer does not read them.

    For a scope type whose rows do not depend on who looks, such as a governance object: all of
    its facts count wherever it is seen (docs/metrics.md)."""
    if scope_type not in SCOPE_TYPES or not _sees_whole_municipalities(viewer):
        return None
    kept = materialized.kept_columns(conn, KIND, as_of)
    if kept is None:
        return None
    arrays = kept.arrays
    rows = np.flatnonzero(
        (arrays["scope_type"] == SCOPE_TYPES.index(scope_type))
        & np.isin(arrays["entity_id"], entities["id"].to_numpy(dtype=np.int64))
    )
    names, blocks = _blocks(arrays, rows, scope_type, set(metrics))
    n, k = len(rows), len(names)
    if n == 0 or k == 0:
        return pd.DataFrame(columns=KPI_COLUMNS)
    # In the kept order (compute_kpis's: by code), named from ``entities``.
    named = entities.set_index("id").loc[arrays["entity_id"][rows].astype(np.int64)]

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
            "scope_id": np.repeat(named["code"].to_numpy(dtype=object), k),
            "scope_name": np.repeat(named["name"].to_numpy(dtype=object), k),
            "metric": np.tile(np.array(names, dtype=object), n),
            "value": python("value", lambda name: METRICS[name].kind == "count"),
            "numerator": python("numerator", lambda name: True),
            "denominator": python("denominator", lambda name: True),
        }
    )[KPI_COLUMNS]


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
