"""Min enhet: one unit's assets and their classification status, reviews due within 90 days, its
actions and its latest follow-up report. Headline numbers come from compute_kpis (scope unit).

Classification status follows docs/metrics.md: the latest classification on or before the as-of
date is current when its next review date (or classified date + 36 months) is on or after the
as-of date, expired otherwise; an asset without one is missing a classification.
"""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
from sqlalchemy import case, func, literal, not_, select
from sqlalchemy.orm import Session

from dashboard.queries.actions import (
    action_list_conditions,
    detail_condition,
    status_label_expression,
    visible_units,
)
from dashboard.queries.viewer import SYSTEM, Viewer, unit_scope_condition
from etl.kpi.compute import KPI_COLUMNS, compute_kpis
from etl.kpi.dates import follow_up_period
from etl.kpi.rules import (
    action_sort_rank_sql,
    classification_review_is_due,
    classification_status,
    days_overdue_sql,
    latest_classification_sql,
)
from etl.models import (
    Action,
    Administration,
    Asset,
    AssetOwner,
    FollowUpReport,
    GovernanceObject,
    Unit,
)
from etl.visibility import shown_action, shown_asset

log = logging.getLogger(__name__)

UNIT_METRICS = (
    "assets",
    "classification_coverage",
    "reviews_due_90d",
    "actions_open",
    "actions_overdue",
    "actions_overdue_1_30",
    "actions_overdue_31_90",
    "actions_overdue_91_180",
    "actions_overdue_over_180",
    "follow_up_rate",
    "training_completion",
    "access_review_current",
)
MAX_UNIT_OPTIONS = 2000
MAX_ASSETS = 500
MAX_ACTIONS = 200
CLASSIFICATION_STATUS = {
    "sv": {"current": "Aktuell", "expired": "Förfallen", "missing": "Saknas"},
    "en": {"current": "Current", "expired": "Expired", "missing": "Missing"},
}
OWNER_ROLE = {"sv": ("Primär ägare", "Delägare"), "en": ("Primary owner", "Co-owner")}
ASSET_COLUMNS = [
    "asset_code",
    "asset_name",
    "carrier_name",
    "governance_object_name",
    "owner_role",
    "status",
    "status_code",
    "classified_on",
    "review_on",
]


def unit_options(
    session: Session,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
) -> list[dict] | None:
    """Dropdown options for the units the viewer may see (a manager: only their own).

    None when there are more than MAX_UNIT_OPTIONS (the whole country has some 13 000 units: a
    list nobody picks from, sent to the browser each time); the page asks for a narrower filter.
    """
    visible = visible_units(viewer, municipality, administration)
    count = session.scalar(select(func.count()).select_from(visible.subquery()))
    if count > MAX_UNIT_OPTIONS:
        return None
    rows = session.execute(
        select(Unit.code, Unit.name, Administration.name)
        .join(Administration, Unit.administration_id == Administration.id)
        .where(Unit.id.in_(visible))
        .order_by(Administration.name, Unit.name)
    ).all()
    return [{"label": f"{name} – {admin}", "value": code} for code, name, admin in rows]


def resolve_unit(options: list[dict] | None, requested: object) -> str | None:
    """The requested unit when it is one of ``options`` (never trust the browser), else the
    first option, else None."""
    codes = [o["value"] for o in options or []]
    if isinstance(requested, str) and requested in codes:
        return requested
    return codes[0] if codes else None


def unit_kpis(session: Session, as_of: dt.date, unit_code: str, viewer: Viewer = SYSTEM):
    """compute_kpis rows of this one unit, indexed by metric (empty when it is not visible).

    A unit's numbers are the same whoever sees it, so once the viewer may see the unit they are
    the system's, read from the KPI mart when it holds ``as_of``; narrowed to the unit's
    administration, so that one unit does not cost the whole country (compute_kpis gives a unit
    the same numbers whatever the narrowing: tests/test_kpi.py)."""
    unit = session.execute(
        select(Unit.id, Administration.code)
        .join(Administration, Unit.administration_id == Administration.id)
        .where(Unit.code == unit_code)
    ).first()
    if unit is None or not _may_see_unit(session, viewer, unit[0]):
        return pd.DataFrame(columns=KPI_COLUMNS).set_index("metric")
    frame = compute_kpis(
        session,
        as_of,
        SYSTEM,
        scope_types=["unit"],
        administration=unit[1],
        metrics=list(UNIT_METRICS),
    )
    frame = frame[frame["scope_id"] == unit_code]
    return frame.set_index("metric")


def _may_see_unit(session: Session, viewer: Viewer, unit_id: int) -> bool:
    if "unit" not in viewer.visible_scope_types:
        return False
    condition = unit_scope_condition(viewer)
    if condition is None:
        return True
    return session.scalar(select(Unit.id).where(Unit.id == unit_id, condition)) is not None


def _unit_ids(unit_code: str, viewer: Viewer):
    """The unit's id, only when the viewer may see it (a forged code gets nothing)."""
    query = select(Unit.id).where(Unit.code == unit_code)
    # The unit's own row under the viewer's condition: not a membership test against every
    # visible unit (all 13 000 of them for the system, gathered for each statement).
    condition = unit_scope_condition(viewer)
    return query if condition is None else query.where(condition)


def unit_detail_ids(unit_code: str, viewer: Viewer):
    """As _unit_ids, but empty for aggregate-only roles (not the committee): what every list of
    Min enhet, the to-do list included, reads under."""
    query = _unit_ids(unit_code, viewer)
    detail = detail_condition(viewer)
    return query if detail is None else query.where(detail)


def unit_assets(
    session: Session,
    as_of: dt.date,
    unit_code: str,
    viewer: Viewer = SYSTEM,
    *,
    lang: str = "sv",
    limit: int = MAX_ASSETS,
) -> tuple[pd.DataFrame, int, int]:
    """(assets the unit owns, primary first then by name; how many in all; how many are hidden
    because they are under säkerhetsskydd). Columns ASSET_COLUMNS."""
    unit_ids = unit_detail_ids(unit_code, viewer)
    # Limited to the unit's assets: ranking every classification of a national store took
    # SQLite half a minute.
    latest = latest_classification_sql(
        as_of, select(AssetOwner.asset_id).where(AssetOwner.unit_id.in_(unit_ids))
    )
    base = (
        select(
            Asset.code.label("asset_code"),
            Asset.name.label("asset_name"),
            Asset.carrier_name.label("carrier_name"),
            GovernanceObject.name.label("governance_object_name"),
            AssetOwner.is_primary.label("is_primary"),
            latest.c.classified_on,
            latest.c.next_review_on,
        )
        .select_from(AssetOwner)
        .join(Asset, AssetOwner.asset_id == Asset.id)
        .outerjoin(GovernanceObject, Asset.governance_object_id == GovernanceObject.id)
        .outerjoin(latest, latest.c.asset_id == Asset.id)
        .where(AssetOwner.unit_id.in_(unit_ids))
    )
    # Both counts in one statement: the shown assets and, for who may not see them, the hidden.
    shown = shown_asset(viewer.role)
    if shown is None:
        counted = func.count(), literal(0)
    else:
        counted = (func.sum(case((shown, 1), else_=0)), func.sum(case((shown, 0), else_=1)))
        base = base.where(shown)
    total, hidden = session.execute(
        select(*counted)
        .select_from(AssetOwner)
        .join(Asset, AssetOwner.asset_id == Asset.id)
        .where(AssetOwner.unit_id.in_(unit_ids))
    ).one()
    total, hidden = int(total or 0), int(hidden or 0)
    rows = session.execute(
        base.order_by(AssetOwner.is_primary.desc(), Asset.name, Asset.code).limit(limit)
    ).all()
    labels = CLASSIFICATION_STATUS.get(lang, CLASSIFICATION_STATUS["sv"])
    primary, co_owner = OWNER_ROLE.get(lang, OWNER_ROLE["sv"])
    records = []
    for row in rows:
        status, review = classification_status(row.classified_on, row.next_review_on, as_of)
        records.append(
            {
                "asset_code": row.asset_code,
                "asset_name": row.asset_name,
                "carrier_name": row.carrier_name,
                "governance_object_name": row.governance_object_name,
                "owner_role": primary if row.is_primary else co_owner,
                "status": labels[status],
                "status_code": status,
                "classified_on": row.classified_on,
                "review_on": review,
            }
        )
    return pd.DataFrame(records, columns=ASSET_COLUMNS), total, hidden


def reviews_due(assets: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Current classifications due for review within [as-of, as-of + 90 days], soonest first."""
    if assets.empty:
        return assets
    due = assets[
        [
            status == "current" and classification_review_is_due(classified, review, as_of)
            for status, classified, review in zip(
                assets["status_code"], assets["classified_on"], assets["review_on"], strict=True
            )
        ]
    ]
    return due.sort_values(["review_on", "asset_name"]).reset_index(drop=True)


def unit_actions(
    session: Session,
    as_of: dt.date,
    unit_code: str,
    viewer: Viewer = SYSTEM,
    *,
    lang: str = "sv",
    limit: int = MAX_ACTIONS,
) -> tuple[pd.DataFrame, int]:
    """(the unit's actions, overdue first then open then the rest by due date; how many)."""
    status = status_label_expression(lang)
    rank = action_sort_rank_sql(as_of)
    query = select(
        Action.code.label("code"),
        Action.title.label("title"),
        Action.responsible.label("responsible"),
        Action.due_on.label("due_on"),
        status.label("status"),
        Action.completed_on.label("completed_on"),
        days_overdue_sql(as_of).label("days_overdue"),
        # how many in all, counted before the limit (one statement instead of two)
        func.count().over().label("total"),
    ).where(
        Action.owner_unit_id.in_(unit_detail_ids(unit_code, viewer)),
        *action_list_conditions(viewer),
    )
    result = session.execute(query.order_by(rank, Action.due_on, Action.id).limit(limit))
    frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    return frame.drop(columns="total"), total


def hidden_unit_actions(session: Session, unit_code: str, viewer: Viewer = SYSTEM) -> int:
    """The unit's actions that unit_actions leaves out because they are on risks of
    säkerhetsskydd assets (counted in the unit's numbers, never listed: etl.visibility)."""
    shown = shown_action(viewer.role)
    if shown is None:
        return 0
    query = select(func.count()).where(
        Action.owner_unit_id.in_(unit_detail_ids(unit_code, viewer)), not_(shown)
    )
    return int(session.scalar(query) or 0)


def latest_follow_up(
    session: Session, as_of: dt.date, unit_code: str, viewer: Viewer = SYSTEM
) -> dict | None:
    """The unit's latest follow-up report for a period that has ended by the as-of date."""
    period = follow_up_period(as_of)
    row = session.execute(
        select(
            FollowUpReport.period,
            FollowUpReport.submitted,
            FollowUpReport.submitted_on,
            FollowUpReport.training_completion_pct,
            FollowUpReport.last_access_review_on,
        )
        .where(
            FollowUpReport.unit_id.in_(_unit_ids(unit_code, viewer)),
            FollowUpReport.period <= period,
        )
        .order_by(FollowUpReport.period.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {
        "period": row.period,
        "current_period": period,
        "submitted": bool(row.submitted),
        "submitted_on": row.submitted_on,
        "training_completion_pct": row.training_completion_pct,
        "last_access_review_on": row.last_access_review_on,
    }
