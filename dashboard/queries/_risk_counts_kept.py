"""The Risker page's national risk counts, kept in the store at load time (like the KPI facts).

Every number on the page restricts risks the same way (dashboard.queries.risks,
``scoped_analysis_ids``): an asset's risks count for the asset's primary unit, an object-level
analysis' risks for the object. So one national row per unit (asset risks) and per object
(object-level risks) holds all a scope needs; a request sums the rows of its visible units and
objects. Two kinds are kept in ``kpi_fact_frame`` through etl.kpi.kept, for the load's day:

- ``risk_cells``: per (unit_id, object_id, shared) the risks per (likelihood, consequence,
  treatment), one column each (``n|3|4|reduce``), and how many are of säkerhetsskydd assets;
- ``risk_high_open``: every high risk without a live action, with its unit or object, whether
  its asset is under säkerhetsskydd, and its rank in the list's order (score, code, id).

A unit is -1 on an object's row and an object -1 on a unit's row (the columns stay integers).
When nothing is kept for the store version and date the page queries the tables as before;
tests/test_risk_counts_kept.py holds both paths equal for every role and filter.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import case, func, literal, not_, select

from dashboard.queries.actions import detail_condition, visible_objects, visible_units
from dashboard.queries.viewer import Viewer
from etl.kpi import cache
from etl.kpi import kept as materialized
from etl.kpi.frames import query_frame
from etl.kpi.rules import action_counts_for_risk_sql, high_risk_sql
from etl.models import Action, Asset, Risk, RiskAnalysis

log = logging.getLogger(__name__)

CELLS_KIND = "risk_cells"
HIGH_OPEN_KIND = "risk_high_open"
PROTECTED = "protected"
_CELL_PREFIX = "n|"
_PROTECTED_PREFIX = "p|"
_KEYS = ["unit_id", "object_id", "shared"]
_NONE = -1


# --------------------------------------------------------------------------- kept at load time


def _owner_columns():
    """(unit_id, object_id, shared) of a risk joined to its analysis and (outer) asset."""
    shared = RiskAnalysis.asset_id.is_(None)
    unit_id = case((shared, _NONE), else_=func.coalesce(Asset.primary_unit_id, _NONE))
    object_id = case((shared, func.coalesce(RiskAnalysis.governance_object_id, _NONE)), else_=_NONE)
    return unit_id.label("unit_id"), object_id.label("object_id"), shared


def _is_protected():
    return func.coalesce(Asset.security_protection, False).is_(True)


def _risk_rows(*columns):
    return (
        select(*columns)
        .select_from(Risk)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .outerjoin(Asset, Asset.id == RiskAnalysis.asset_id)
    )


def cell_column(likelihood: int, consequence: int, treatment: str) -> str:
    return f"{_CELL_PREFIX}{int(likelihood)}|{int(consequence)}|{treatment}"


def protected_column(likelihood: int, consequence: int) -> str:
    return f"{_PROTECTED_PREFIX}{int(likelihood)}|{int(consequence)}"


def parse_cell_column(name: str) -> tuple[int, int, str]:
    likelihood, consequence, treatment = name[len(_CELL_PREFIX) :].split("|", 2)
    return int(likelihood), int(consequence), treatment


def national_cells(conn, as_of: dt.date) -> pd.DataFrame:
    """Per (unit_id, object_id, shared): the risks of analyses on or before ``as_of`` per
    (likelihood, consequence, treatment) and the säkerhetsskydd ones, as integer columns."""
    cell = (Risk.likelihood, Risk.consequence, Risk.treatment)
    # Assets' and objects' risks in two groupings by plain columns: one grouping by the CASE
    # that tells them apart took 0.8 s nationally on SQLite, these two 0.5 s.
    of_assets = (
        select(
            Asset.primary_unit_id,
            literal(_NONE),
            literal(0),
            *cell,
            func.sum(case((Asset.security_protection.is_(True), 1), else_=0)),
            func.count(),
        )
        .select_from(Risk)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .join(Asset, Asset.id == RiskAnalysis.asset_id)
        .where(RiskAnalysis.analysed_on <= as_of)
        .group_by(Asset.primary_unit_id, *cell)
    )
    of_objects = (
        select(
            literal(_NONE),
            RiskAnalysis.governance_object_id,
            literal(1),
            *cell,
            literal(0),
            func.count(),
        )
        .select_from(Risk)
        .join(RiskAnalysis, Risk.risk_analysis_id == RiskAnalysis.id)
        .where(RiskAnalysis.asset_id.is_(None), RiskAnalysis.analysed_on <= as_of)
        .group_by(RiskAnalysis.governance_object_id, *cell)
    )
    connection = conn.connection() if hasattr(conn, "get_bind") else conn
    # One fetch each: iterating fetched the 300 000 groups row by row.
    rows = [*connection.execute(of_assets).fetchall(), *connection.execute(of_objects).fetchall()]
    names = [*_KEYS, "likelihood", "consequence", "treatment", PROTECTED, "n"]
    columns = zip(*rows, strict=True) if rows else [[] for _ in names]
    long = pd.DataFrame(dict(zip(names, map(list, columns), strict=True)))
    long[["unit_id", "object_id"]] = long[["unit_id", "object_id"]].fillna(_NONE)
    return _wide(long)


def _wide(long: pd.DataFrame) -> pd.DataFrame:
    """One row per (unit_id, object_id, shared): a count column per (likelihood, consequence,
    treatment) present in the country, the säkerhetsskydd risks per (likelihood, consequence)
    (what a list leaves out of a matrix cell) and in all."""
    if long.empty:
        return pd.DataFrame({k: np.array([], dtype=np.int32) for k in [*_KEYS, PROTECTED]})
    # Summed into matrices by integer codes: a pivot of the 300 000 national groups took
    # a second, most of it building a column name per group.
    keys, row = np.unique(long[_KEYS].to_numpy(dtype=np.int64), axis=0, return_inverse=True)
    row = row.ravel()
    likelihood = long["likelihood"].to_numpy(dtype=np.int64)
    consequence = long["consequence"].to_numpy(dtype=np.int64)
    treatment_code, treatments = pd.factorize(long["treatment"], sort=True)
    counts = long["n"].to_numpy(dtype=np.int64)
    protected = long[PROTECTED].to_numpy(dtype=np.int64)
    columns = {name: keys[:, i] for i, name in enumerate(_KEYS)}
    cell = (likelihood * 1000 + consequence) * len(treatments) + treatment_code
    for code, values in _summed(row, len(keys), cell, counts):
        lik_con, treatment = divmod(int(code), len(treatments))
        columns[cell_column(*divmod(lik_con, 1000), treatments[treatment])] = values
    for code, values in _summed(row, len(keys), likelihood * 1000 + consequence, protected):
        if values.any():
            columns[protected_column(*divmod(int(code), 1000))] = values
    columns[PROTECTED] = np.bincount(row, weights=protected, minlength=len(keys)).astype(np.int64)
    wide = pd.DataFrame(columns)
    return wide.astype(
        {column: materialized.smallest_int_type(wide[column]) for column in wide.columns}
    )


def _summed(row: np.ndarray, rows: int, code: np.ndarray, values: np.ndarray):
    """(code, per-row sums of ``values`` with that code) for every code present."""
    codes, column = np.unique(code, return_inverse=True)
    matrix = np.zeros((rows, len(codes)), dtype=np.int64)
    np.add.at(matrix, (row, column.ravel()), values)
    return [(code, matrix[:, i]) for i, code in enumerate(codes)]


def national_high_open(conn, as_of: dt.date) -> pd.DataFrame:
    """Every high risk without a live action (analyses on or before ``as_of``): risk_id,
    unit_id, object_id, shared, protected and rank, the list's order (score desc, code, id)."""
    unit_id, object_id, shared = _owner_columns()
    live_action = (
        select(Action.id).where(Action.risk_id == Risk.id, action_counts_for_risk_sql()).exists()
    )
    rank = func.row_number().over(
        order_by=((Risk.likelihood * Risk.consequence).desc(), Risk.code, Risk.id)
    )
    stmt = _risk_rows(
        Risk.id.label("risk_id"),
        unit_id,
        object_id,
        case((shared, 1), else_=0).label("shared"),
        case((_is_protected(), 1), else_=0).label(PROTECTED),
        rank.label("rank"),
    ).where(
        RiskAnalysis.analysed_on <= as_of,
        high_risk_sql(Risk.likelihood, Risk.consequence, RiskAnalysis.matrix_size),
        not_(live_action),
    )
    frame = query_frame(conn, stmt)
    columns = ["risk_id", *_KEYS, PROTECTED, "rank"]
    if frame.empty:
        return pd.DataFrame({c: np.array([], dtype=np.int64) for c in columns})
    frame = frame[columns]
    return frame.astype(
        {column: materialized.smallest_int_type(frame[column]) for column in columns}
    )


def keep(session, as_of: dt.date) -> int:
    """Compute and keep both kinds as of ``as_of`` for the store version the session sees, in
    the caller's transaction; returns the number of frames written (0: the store changed
    meanwhile, or it has no kpi_fact_frame yet)."""
    return materialized.keep_frames(
        session,
        as_of,
        {
            CELLS_KIND: lambda: national_cells(session, as_of),
            HIGH_OPEN_KIND: lambda: national_high_open(session, as_of),
        },
    )


# --------------------------------------------------------------------------- read per request


@dataclass(frozen=True)
class KeptRisks:
    """The kept rows of one (viewer, filter): cells in scope and high risks without action."""

    cells: pd.DataFrame
    high_open: pd.DataFrame


def _ids(conn, query) -> np.ndarray:
    return np.fromiter((row[0] for row in conn.execute(query)), dtype=np.int64)


def _scope_ids(conn, viewer: Viewer, municipality, administration):
    """(unit ids, object ids) whose risks count for the selection (as scoped_analysis_ids)."""

    def compute():
        units = _ids(conn, visible_units(viewer, municipality, administration))
        objects = (
            np.array([], dtype=np.int64)
            if administration
            else _ids(conn, visible_objects(viewer, municipality, None))
        )
        return units, objects

    return cache.cached(conn, ("risk_scope_ids", viewer, municipality, administration), compute)


def _in_scope(frame: pd.DataFrame, units: np.ndarray, objects: np.ndarray) -> np.ndarray:
    shared = frame["shared"].to_numpy() == 1
    of_unit = ~shared & np.isin(frame["unit_id"].to_numpy(), units)
    of_object = shared & np.isin(frame["object_id"].to_numpy(), objects)
    return of_unit | of_object


def kept_risks(
    conn,
    as_of: dt.date,
    viewer: Viewer,
    municipality: str | None = None,
    administration: str | None = None,
) -> KeptRisks | None:
    """The kept rows in the selection's scope, or None when none are kept for this store
    version and date."""
    cells = materialized.kept_national(conn, CELLS_KIND, as_of)
    high_open = materialized.kept_national(conn, HIGH_OPEN_KIND, as_of)
    if cells is None or high_open is None:
        return None
    units, objects = _scope_ids(conn, viewer, municipality, administration)
    return KeptRisks(
        cells[_in_scope(cells, units, objects)],
        high_open[_in_scope(high_open, units, objects)],
    )


def counts(kept: KeptRisks) -> pd.DataFrame:
    """risk_counts' frame (likelihood, consequence, treatment, count) from the kept cells;
    groups without risks are left out, as a GROUP BY leaves them out."""
    names = [c for c in kept.cells.columns if c.startswith(_CELL_PREFIX)]
    totals = kept.cells[names].to_numpy(dtype=np.int64).sum(axis=0) if names else []
    rows = [
        (*parse_cell_column(name), int(total))
        for name, total in zip(names, totals, strict=True)
        if total
    ]
    return pd.DataFrame(rows, columns=["likelihood", "consequence", "treatment", "count"])


def listed_by_cell(kept: KeptRisks, viewer: Viewer) -> dict[tuple[int, int], int]:
    """How many risks the viewer's lists show per (likelihood, consequence): säkerhetsskydd
    ones only for those who may see them, none for aggregate-only roles; empty cells left out."""
    if detail_condition(viewer) is not None:
        return {}
    frame = kept.cells
    listed: dict[tuple[int, int], int] = {}
    for name in frame.columns:
        if name.startswith(_CELL_PREFIX):
            likelihood, consequence, _ = parse_cell_column(name)
            key = (likelihood, consequence)
            listed[key] = listed.get(key, 0) + int(frame[name].to_numpy(dtype=np.int64).sum())
    if not viewer.may_see_security_protection:
        for name in frame.columns:
            if name.startswith(_PROTECTED_PREFIX):
                likelihood, consequence = (
                    int(v) for v in name[len(_PROTECTED_PREFIX) :].split("|")
                )
                key = (likelihood, consequence)
                listed[key] -= int(frame[name].to_numpy(dtype=np.int64).sum())
    return {key: n for key, n in listed.items() if n}


def hidden_protected(kept: KeptRisks, viewer: Viewer) -> int:
    """Counted risks that lists leave out because their asset is under säkerhetsskydd."""
    if viewer.may_see_security_protection:
        return 0
    return int(kept.cells[PROTECTED].to_numpy(dtype=np.int64).sum())


def high_open_ids(kept: KeptRisks, viewer: Viewer, limit: int) -> tuple[list[int], int]:
    """(the ids of the first ``limit`` listed high risks without action, in the list's order;
    how many the list has): säkerhetsskydd ones only for those who may see them, none for
    aggregate-only roles."""
    if detail_condition(viewer) is not None:
        return [], 0
    rows = kept.high_open
    if not viewer.may_see_security_protection:
        rows = rows[rows[PROTECTED].to_numpy() == 0]
    first = rows.nsmallest(max(limit, 0), "rank") if limit > 0 else rows.iloc[:0]
    return [int(i) for i in first.sort_values("rank")["risk_id"]], len(rows)


__all__ = [
    "CELLS_KIND",
    "HIGH_OPEN_KIND",
    "KeptRisks",
    "counts",
    "hidden_protected",
    "high_open_ids",
    "keep",
    "kept_risks",
    "listed_by_cell",
    "national_cells",
    "national_high_open",
]
