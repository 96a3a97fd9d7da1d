"""Frozen committee reports: store a report's numbers and lineage, list, fetch and compare them.

A snapshot holds the JSON of ``gather_report`` at freezing time. Nothing reads owners' rows when
a frozen report is shown again, so later loads cannot change it. Visibility: a snapshot of one
municipality or administration is visible to viewers who may see that scope; a snapshot of every
municipality (scope "") only to viewers who see everything.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dashboard.queries.viewer import (
    Viewer,
    administration_scope_condition,
    municipality_scope_condition,
)
from etl.models import Administration, Municipality
from etl.models_report import ReportSnapshot, utcnow

log = logging.getLogger(__name__)

FREEZE_ROLES = frozenset({"ciso", "admin", "system"})
SNAPSHOT_COLUMNS = ["id", "period", "scope", "scope_name", "as_of", "created_at", "created_by"]


def may_freeze(viewer: Viewer) -> bool:
    return viewer.role in FREEZE_ROLES


def freeze_report(engine: Engine, data: dict, created_by: str, pdf: bytes | None = None) -> int:
    """Store ``data`` (a gathered report) as a snapshot; returns its id."""
    with Session(engine) as session, session.begin():
        snapshot = ReportSnapshot(
            period=data["period"],
            scope=data["scope"]["code"] or "",
            as_of=dt.date.fromisoformat(data["as_of"]),
            created_at=utcnow(),
            created_by=created_by,
            content_json=json.dumps(data, ensure_ascii=False, sort_keys=True),
            pdf=pdf,
        )
        session.add(snapshot)
        session.flush()
        snapshot_id = snapshot.id
    log.info("report frozen: id %s, period %s", snapshot_id, data["period"])
    return snapshot_id


def _visible_scope_codes(session: Session, viewer: Viewer) -> set[str] | None:
    """Scope codes whose snapshots the viewer may see (None = every snapshot)."""
    if viewer.sees_all:
        return None
    codes: set[str] = set()
    for table, condition in (
        (Municipality, municipality_scope_condition(viewer)),
        (Administration, administration_scope_condition(viewer)),
    ):
        query = select(table.code)
        if condition is not None:
            query = query.where(condition)
        codes.update(session.scalars(query).all())
    return codes


def _snapshots_query(session: Session, viewer: Viewer):
    query = select(ReportSnapshot)
    codes = _visible_scope_codes(session, viewer)
    if codes is not None:
        query = query.where(ReportSnapshot.scope.in_(sorted(codes)))
    return query


def list_snapshots(session: Session, viewer: Viewer) -> pd.DataFrame:
    """Visible snapshots, newest period first (columns SNAPSHOT_COLUMNS; no content)."""
    query = _snapshots_query(session, viewer).order_by(
        ReportSnapshot.as_of.desc(), ReportSnapshot.id.desc()
    )
    rows = []
    for snap in session.scalars(query).all():
        try:
            scope_name = json.loads(snap.content_json)["scope"]["name"]
        except (ValueError, KeyError, TypeError):
            scope_name = snap.scope
        rows.append(
            {
                "id": snap.id,
                "period": snap.period,
                "scope": snap.scope,
                "scope_name": scope_name,
                "as_of": snap.as_of,
                "created_at": snap.created_at,
                "created_by": snap.created_by,
            }
        )
    return pd.DataFrame(rows, columns=SNAPSHOT_COLUMNS)


def get_snapshot(session: Session, viewer: Viewer, snapshot_id: int | None) -> dict | None:
    """{"id", "period", "scope", "as_of", "created_at", "created_by", "data", "pdf"} of one
    visible snapshot (None when it does not exist or the viewer may not see it)."""
    if snapshot_id is None:
        return None
    query = _snapshots_query(session, viewer).where(ReportSnapshot.id == int(snapshot_id))
    snap = session.scalars(query).first()
    if snap is None:
        return None
    return {
        "id": snap.id,
        "period": snap.period,
        "scope": snap.scope,
        "as_of": snap.as_of,
        "created_at": snap.created_at,
        "created_by": snap.created_by,
        "data": json.loads(snap.content_json),
        "pdf": snap.pdf,
    }


def snapshot_label(row: dict) -> str:
    """ "2026-Q3 · Askersund kommun (fryst 2026-10-02)" for lists and dropdowns."""
    created = row["created_at"]
    created_text = created.strftime("%Y-%m-%d") if hasattr(created, "strftime") else str(created)
    return f"{row['period']} · {row['scope_name']} (fryst {created_text})"


__all__ = [
    "FREEZE_ROLES",
    "freeze_report",
    "get_snapshot",
    "list_snapshots",
    "may_freeze",
    "snapshot_label",
]
