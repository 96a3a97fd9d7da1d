"""The load history (lineage): which files were offered to the ETL, when, and with what outcome.

A load is visible with its source: an administration's workbook to whoever sees units of that
administration, an object's workbook to whoever sees the object; the organisation workbook and
loads that never reached a source only to viewers who see everything.
"""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import ColumnElement, Select, case, func, literal, or_, select
from sqlalchemy.orm import Session

from dashboard.grid import GridColumn, fetch_block, labelled
from dashboard.queries.viewer import Viewer, governance_object_scope_condition, unit_scope_condition
from etl.kpi.rules import sees_detail
from etl.models import (
    Administration,
    GovernanceObject,
    GovernanceParticipant,
    Load,
    LoadError,
    Municipality,
    Source,
    Unit,
)
from etl.schema import ALL_SHEETS

OUTCOME_LABELS = {
    "sv": {"accepted": "Godkänd", "rejected": "Avvisad", "unchanged": "Oförändrad"},
    "en": {"accepted": "Accepted", "rejected": "Rejected", "unchanged": "Unchanged"},
}
# A rejected file can have thousands of errors; the page lists the first ones and says so.
MAX_ERRORS_SHOWN = 500
# The human name of a load's source: the administration, the object or "Organisation".
SOURCE_NAME = func.coalesce(Administration.name, GovernanceObject.name, Source.key, literal(""))
NEWEST_FIRST = (Load.started_at.desc(), Load.id.desc())


def load_scope_condition(viewer: Viewer) -> ColumnElement[bool] | None:
    """Loads the viewer may see (None = all). Needs the Source join of ``loads_select``."""
    if viewer.sees_all:
        return None
    units = unit_scope_condition(viewer)
    visible_administrations = select(Unit.administration_id)
    if units is not None:
        visible_administrations = visible_administrations.where(units)
    conditions = [Source.administration_id.in_(visible_administrations)]
    objects = governance_object_scope_condition(viewer)
    if objects is not None:
        conditions.append(
            Source.governance_object_id.in_(select(GovernanceObject.id).where(objects))
        )
    return or_(*conditions)


def _filter_condition(
    municipality: str | None, administration: str | None
) -> ColumnElement[bool] | None:
    """An administration's own workbook, or everything that concerns a municipality (its
    administrations, the objects it takes part in, the organisation)."""
    if administration:
        return Source.administration_id.in_(
            select(Administration.id).where(Administration.code == administration)
        )
    if not municipality:
        return None
    municipality_id = select(Municipality.id).where(Municipality.code == municipality)
    return or_(
        Source.administration_id.in_(
            select(Administration.id).where(Administration.municipality_id.in_(municipality_id))
        ),
        Source.governance_object_id.in_(
            select(GovernanceParticipant.governance_object_id).where(
                GovernanceParticipant.municipality_id.in_(municipality_id)
            )
        ),
        Source.kind == "organisation",
    )


def loads_select(
    viewer: Viewer, *, municipality: str | None = None, administration: str | None = None
) -> Select:
    """Every visible load with its source, as labelled columns."""
    query = (
        select(
            Load.id.label("load_id"),
            Load.started_at.label("started_at"),
            Load.finished_at.label("finished_at"),
            Load.file_name.label("file_name"),
            Source.key.label("source_key"),
            Source.kind.label("source_kind"),
            SOURCE_NAME.label("source_name"),
            Load.outcome.label("outcome"),
            Load.rows_total.label("rows_total"),
            Load.error_count.label("error_count"),
            Load.counts_json.label("counts_json"),
        )
        .outerjoin(Source, Load.source_id == Source.id)
        .outerjoin(Administration, Source.administration_id == Administration.id)
        .outerjoin(GovernanceObject, Source.governance_object_id == GovernanceObject.id)
    )
    conditions = (load_scope_condition(viewer), _filter_condition(municipality, administration))
    return query.where(*[c for c in conditions if c is not None])


def latest_loads(
    session: Session, viewer: Viewer, *, limit: int = 10, **where: str | None
) -> pd.DataFrame:
    """The newest ``limit`` visible loads, newest first (the columns of loads_select)."""
    result = session.execute(loads_select(viewer, **where).order_by(*NEWEST_FIRST).limit(limit))
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def sheet_name(key: str, lang: str = "sv") -> str:
    """The workbook sheet's own (Swedish) name for a sheet key; English keeps the key."""
    if lang != "sv":
        return key.replace("_", " ")
    return next((s.name for s in ALL_SHEETS if s.key == key), key)


def format_counts(counts_json: str | None, lang: str = "sv") -> str:
    """``{"assets": 12, "risks": 4}`` → "Tillgångar 12 · Risker 4" (empty when unreadable)."""
    try:
        counts = json.loads(counts_json or "{}")
    except (TypeError, ValueError):
        return ""
    if not isinstance(counts, dict):
        return ""
    return " · ".join(
        f"{sheet_name(sheet, lang)} {int(rows)}"
        for sheet, rows in counts.items()
        if isinstance(rows, int | float)
    )


def visible_load(session: Session, viewer: Viewer, load_id: int | None) -> dict | None:
    """One load the viewer may see (None when it does not exist or is out of scope)."""
    if load_id is None:
        return None
    row = session.execute(loads_select(viewer).where(Load.id == load_id)).mappings().first()
    return dict(row) if row else None


def load_errors(
    session: Session,
    viewer: Viewer,
    load_id: int | None,
    *,
    lang: str = "sv",
    limit: int = MAX_ERRORS_SHOWN,
) -> tuple[pd.DataFrame, int]:
    """The errors of one visible load in file order and how many there are in all."""
    columns = ["sheet", "row", "column", "value", "message"]
    if load_id is None or not sees_detail(viewer.role):
        # Error rows quote cell values: no rows for aggregate-only roles (the committee).
        return pd.DataFrame(columns=columns), 0
    visible = loads_select(viewer).with_only_columns(Load.id).where(Load.id == load_id)
    where = [LoadError.load_id == load_id, LoadError.load_id.in_(visible)]
    total = session.scalar(select(func.count()).select_from(LoadError).where(*where)) or 0
    message = LoadError.message_en if lang == "en" else LoadError.message_sv
    query = (
        select(LoadError.sheet, LoadError.row, LoadError.column, LoadError.value, message)
        .where(*where)
        # Errors without a sheet (file-level) first, then in the order of the workbook.
        .order_by(
            case((LoadError.sheet.is_(None), 0), else_=1),
            LoadError.sheet,
            func.coalesce(LoadError.row, 0),
            LoadError.column,
            LoadError.id,
        )
        .limit(limit)
    )
    return pd.DataFrame(session.execute(query).all(), columns=columns), int(total)


def loads_block(
    session: Session,
    viewer: Viewer,
    request: object,
    *,
    lang: str = "sv",
    **where: str | None,
) -> dict:
    """One block of the loads grid, newest first unless the grid sorts otherwise."""
    outcome = labelled(Load.outcome, OUTCOME_LABELS.get(lang, OUTCOME_LABELS["sv"]))
    query = loads_select(viewer, **where)
    columns = {
        "started_at": GridColumn(Load.started_at, "date"),
        "file_name": GridColumn(Load.file_name, "text"),
        "source_name": GridColumn(SOURCE_NAME, "text"),
        "outcome_label": GridColumn(outcome, "text"),
        "rows_total": GridColumn(Load.rows_total, "number"),
        "error_count": GridColumn(Load.error_count, "number"),
    }
    response = fetch_block(
        session,
        query.add_columns(outcome.label("outcome_label")),
        columns,
        request,
        id_field="load_id",
        default_order=(Load.started_at.desc(),),
        tiebreaker=Load.id.desc(),
    )
    for row in response["rowData"]:
        row["counts"] = format_counts(row.pop("counts_json", None), lang)
        for field in ("started_at", "finished_at"):
            if isinstance(row.get(field), str):
                row[field] = row[field].replace("T", " ")  # "2026-11-28 10:05", Swedish style
    return response


def latest_rejected_load_id(session: Session, viewer: Viewer, **where: str | None) -> int | None:
    """The newest visible rejected load: what the errors panel shows before a row is picked."""
    query = loads_select(viewer, **where)
    row = session.execute(
        query.where(Load.outcome == "rejected").order_by(*NEWEST_FIRST).limit(1)
    ).first()
    return int(row.load_id) if row else None


def outcome_label(outcome: str | None, lang: str = "sv") -> str:
    labels = OUTCOME_LABELS.get(lang, OUTCOME_LABELS["sv"])
    return labels.get(outcome or "", outcome or "")
