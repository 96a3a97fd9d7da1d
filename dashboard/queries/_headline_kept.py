"""The municipality and administration rows of the national compute_kpis, kept at load time, so
that a page's headline cards read their focus scope's row instead of computing their scope.

Every page opens with the cards of one focus scope (overview.headline_kpis): a municipality, an
administration, or all visible municipalities together, as of the day and a quarter earlier.
Computing them for a scope reads the scope's facts and organisation (about 15 ms a date at a
municipality of the national data); yet a municipality's or an administration's numbers do not
depend on who looks, as long as the viewer sees all of it: the facts of a scope are those of its
units and of the objects it takes part in (docs/metrics.md, "Scopes and membership"), whatever
filter reaches it. The load's snapshot computes the national rows as of its day anyway; they are
kept here (kind ``kpi_rows`` in kpi_fact_frame, through _kpi_materialized) for that day and the
quarter before, tagged with the store version.

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
from dashboard.queries._kpi_dates import previous_quarter
from dashboard.queries.kpi import compute_kpis
from dashboard.queries.metrics import METRICS
from dashboard.queries.viewer import MUNICIPALITY_ROLES, SYSTEM, Viewer
from etl.models import Administration, Municipality

KIND = "kpi_rows"
SCOPE_TYPES = ("municipality", "administration")
_METRIC_NAMES = np.array(list(METRICS), dtype=object)
_METRIC_INDEX = {name: i for i, name in enumerate(METRICS)}
_VALUE_COLUMNS = ("value", "numerator", "denominator")


# --------------------------------------------------------------------------- kept at load time


def _numeric_rows(session, rows: pd.DataFrame) -> pd.DataFrame:
    """compute_kpis rows of SCOPE_TYPES as numbers: scope type (its index), the entity's id and
    municipality id, the metric (its index in METRICS) and the three values (NaN for None), in
    compute_kpis's order (entities by code), so that sums over several rows add up alike."""
    municipalities = {
        code: (id_, id_)
        for id_, code in session.execute(select(Municipality.id, Municipality.code))
    }
    administrations = {
        code: (id_, municipality_id)
        for id_, code, municipality_id in session.execute(
            select(Administration.id, Administration.code, Administration.municipality_id)
        )
    }
    rows = rows[rows["scope_type"].isin(SCOPE_TYPES)]
    is_administration = (rows["scope_type"] == "administration").to_numpy()
    ids = [
        (administrations if adm else municipalities)[code]
        for adm, code in zip(is_administration, rows["scope_id"], strict=True)
    ]
    pairs = np.array(ids, dtype=np.int64).reshape(-1, 2)
    numeric = {
        "scope_type": is_administration.astype(np.uint8),
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
                                                           scope_types=SCOPE_TYPES))},
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
    if scope_type not in SCOPE_TYPES or not _sees_whole_municipalities(viewer):
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
