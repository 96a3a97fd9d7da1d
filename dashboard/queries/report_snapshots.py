"""Frozen committee reports: store a report's numbers and lineage, list, fetch and compare them.

A snapshot holds the JSON of ``gather_report`` at freezing time, so later loads cannot change it.
Frozen reports are scoped like everything else (DESIGN §5), and what a report holds depends on its
maker as much as on its scope (a CISO's report of an administration has shared-object numbers
that the administration's security officer's leaves out). Freezing therefore records the scope
types of the content and the org codes the maker could see (its audience), and a viewer receives
the snapshot only when it may see the snapshot's scope (a municipality or administration code;
"" = all the maker saw), its own report would hold every scope type the snapshot holds, and it
sees every org code of the audience ("*", a maker who saw everything: only such viewers).
Snapshots frozen before these were recorded go to viewers who see everything only. The report
holds aggregates only, with säkerhetsskydd assets counted unnamed for every role.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dashboard.queries.viewer import (
    SYSTEM,
    Viewer,
    administration_scope_condition,
    municipality_scope_condition,
)
from etl.models import Administration, Municipality
from etl.models_report import ReportSnapshot, utcnow

log = logging.getLogger(__name__)

FREEZE_ROLES = frozenset({"ciso", "admin", "system"})
SNAPSHOT_COLUMNS = ["id", "period", "scope", "scope_name", "as_of", "created_at", "created_by"]
# The scope types whose rows a report can hold (gather_report: municipalities, administrations,
# shared objects); a unit never has a section of its own.
REPORT_SCOPE_TYPES = ("municipality", "administration", "governance_object")
EVERYTHING = "*"


def may_freeze(viewer: Viewer) -> bool:
    return viewer.role in FREEZE_ROLES


def report_content_types(viewer: Viewer) -> tuple[str, ...]:
    """The scope types whose rows ``viewer``'s own report holds (gather_report reads them
    through compute_kpis, which gives each role its visible scope types)."""
    return tuple(t for t in REPORT_SCOPE_TYPES if t in viewer.visible_scope_types)


def freeze_report(
    engine: Engine, data: dict, created_by: str, pdf: bytes | None = None, viewer: Viewer = SYSTEM
) -> int:
    """Store ``data`` (a report gathered for ``viewer``) as a snapshot; returns its id.

    ``viewer`` decides who may receive it (module doc); the default, the system, makes a
    snapshot for viewers who see everything only."""
    made_for = data.get("viewer_role")
    if made_for is not None and made_for != viewer.role:
        raise ValueError(f"report gathered for {made_for}, frozen for {viewer.role}")
    with Session(engine) as session, session.begin():
        snapshot = ReportSnapshot(
            period=data["period"],
            scope=data["scope"]["code"] or "",
            as_of=dt.date.fromisoformat(data["as_of"]),
            created_at=utcnow(),
            created_by=created_by,
            content_json=json.dumps(data, ensure_ascii=False, sort_keys=True),
            pdf=pdf,
            content_types=",".join(report_content_types(viewer)),
            audience=json.dumps(
                [EVERYTHING]
                if viewer.sees_all
                else sorted(
                    viewer.municipality_codes | viewer.administration_codes | viewer.unit_codes
                )
            ),
            made_for_role=viewer.role,
        )
        session.add(snapshot)
        session.flush()
        snapshot_id = snapshot.id
    log.info("report frozen: id %s, period %s", snapshot_id, data["period"])
    return snapshot_id


def _holds_no_more(snap: ReportSnapshot, viewer: Viewer, codes: set[str]) -> bool:
    """Whether ``viewer`` (who sees the org codes ``codes``) may see all that ``snap`` holds."""
    if snap.content_types is None or snap.audience is None:
        return False  # frozen before what it holds was recorded
    try:
        audience = json.loads(snap.audience)
    except ValueError:
        return False
    held = {t for t in snap.content_types.split(",") if t}
    if not held <= set(report_content_types(viewer)):
        return False
    return isinstance(audience, list) and all(
        code != EVERYTHING and code in codes for code in audience
    )


def _visible_snapshots(session: Session, viewer: Viewer, snapshot_id: int | None = None):
    """The snapshots ``viewer`` may receive (one when ``snapshot_id`` is given), newest first."""
    query = select(ReportSnapshot).order_by(ReportSnapshot.as_of.desc(), ReportSnapshot.id.desc())
    if snapshot_id is not None:
        query = query.where(ReportSnapshot.id == snapshot_id)
    if viewer.sees_all:
        return list(session.scalars(query).all())
    codes: set[str] = set()  # the municipalities and administrations the viewer may see
    for table, condition in (
        (Municipality, municipality_scope_condition(viewer)),
        (Administration, administration_scope_condition(viewer)),
    ):
        codes.update(session.scalars(select(table.code).where(condition)).all())
    # A scope the viewer may see (an all-municipality snapshot has scope ""; its audience decides).
    query = query.where(ReportSnapshot.scope.in_(sorted(codes | {""})))
    return [s for s in session.scalars(query).all() if _holds_no_more(s, viewer, codes)]


def _row(snap: ReportSnapshot, **more) -> dict:
    return {"id": snap.id, "period": snap.period, "scope": snap.scope, "as_of": snap.as_of,
            "created_at": snap.created_at, "created_by": snap.created_by, **more}  # fmt: skip


def list_snapshots(session: Session, viewer: Viewer) -> pd.DataFrame:
    """Visible snapshots, newest period first (columns SNAPSHOT_COLUMNS; no content)."""
    rows = []
    for snap in _visible_snapshots(session, viewer):
        try:
            scope_name = json.loads(snap.content_json)["scope"]["name"]
        except (ValueError, KeyError, TypeError):
            scope_name = snap.scope
        rows.append(_row(snap, scope_name=scope_name))
    return pd.DataFrame(rows, columns=SNAPSHOT_COLUMNS)


def get_snapshot(session: Session, viewer: Viewer, snapshot_id: int | None) -> dict | None:
    """{"id", "period", "scope", "as_of", "created_at", "created_by", "data", "pdf"} of one
    visible snapshot (None when it does not exist or the viewer may not see it)."""
    if snapshot_id is None or isinstance(snapshot_id, bool):
        return None
    try:
        snapshot_id = int(snapshot_id)
    except (TypeError, ValueError, OverflowError):
        return None  # a forged id is no id
    if not -(2**31) <= snapshot_id < 2**31:
        return None
    found = _visible_snapshots(session, viewer, snapshot_id)
    if not found:
        return None
    return _row(found[0], data=json.loads(found[0].content_json), pdf=found[0].pdf)


def snapshot_label(row: dict, lang: str = "sv") -> str:
    """ "2026-Q3 · Askersund kommun (fryst 2026-10-02)" for lists and dropdowns."""
    created = row["created_at"]
    created_text = created.strftime("%Y-%m-%d") if hasattr(created, "strftime") else str(created)
    frozen = "frozen" if lang == "en" else "fryst"
    return f"{row['period']} · {row['scope_name']} ({frozen} {created_text})"
