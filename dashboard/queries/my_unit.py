"""Min enhet: one unit's assets and their classification status, reviews due within 90 days, its
actions and its latest follow-up report. Headline numbers come from compute_kpis (scope unit).

Classification status follows docs/metrics.md: the latest classification on or before the as-of
date is current when its next review date (or classified date + 36 months) is on or after the
as-of date, expired otherwise; an asset without one is missing a classification.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import case, func, literal, not_, select
from sqlalchemy.orm import Session

from dashboard.queries.actions import (
    action_list_conditions,
    detail_condition,
    status_label_expression,
    visible_units,
)
from dashboard.queries.coverage import STATUS_LABELS
from dashboard.queries.viewer import SYSTEM, Viewer, unit_scope_condition
from etl.kpi.compute import KPI_COLUMNS, compute_kpis
from etl.kpi.dates import follow_up_period, follow_up_period_end
from etl.kpi.rules import (
    action_due_soon_sql,
    action_overdue_sql,
    action_sort_rank_sql,
    classification_review_is_due,
    classification_status,
    days_overdue_sql,
    latest_classification_sql,
    risk_analysis_is_current,
)
from etl.models import (
    Action,
    Administration,
    Asset,
    AssetOwner,
    FollowUpReport,
    GovernanceObject,
    RiskAnalysis,
    Unit,
)
from etl.visibility import may_see_protected, shown_action, shown_asset

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
OWNER_ROLE = {"sv": ("Primär ägare", "Delägare"), "en": ("Primary owner", "Co-owner")}
ASSET_COLUMNS = ["asset_code", "asset_name", "carrier_name", "governance_object_name",
                 "owner_role", "status", "status_code", "classified_on", "review_on"]  # fmt: skip


def unit_options(
    session: Session,
    viewer: Viewer = SYSTEM,
    *,
    municipality: str | None = None,
    administration: str | None = None,
) -> list[dict] | None:
    """Dropdown options for the units the viewer may see (a manager: only their own); None when
    there are more than MAX_UNIT_OPTIONS (the country's 13 000 units: a list nobody picks from)."""
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

    A unit's numbers are the same whoever sees it, so they are the system's (the KPI mart's when
    it holds ``as_of``), narrowed to the unit's administration so that one unit does not cost
    the whole country (compute_kpis gives a unit the same numbers whatever the narrowing)."""
    administration = session.scalar(
        select(Administration.code)
        .join(Unit, Unit.administration_id == Administration.id)
        .where(Unit.id.in_(_unit_ids(unit_code, viewer, rows=False)))
    )
    if administration is None or "unit" not in viewer.visible_scope_types:
        return pd.DataFrame(columns=KPI_COLUMNS).set_index("metric")
    frame = compute_kpis(
        session,
        as_of,
        SYSTEM,
        scope_types=["unit"],
        administration=administration,
        metrics=list(UNIT_METRICS),
    )
    return frame[frame["scope_id"] == unit_code].set_index("metric")


def _unit_ids(unit_code: str, viewer: Viewer, *, rows: bool = True):
    """The unit's id, only when the viewer may see it (a forged code gets nothing) and, for
    ``rows`` (every list of Min enhet), only for roles that see rows, not the committee. The
    unit's own row under the viewer's condition, not a membership test against every visible
    unit (all 13 000 of them for the system)."""
    query = select(Unit.id).where(Unit.code == unit_code)
    for condition in (unit_scope_condition(viewer), detail_condition(viewer) if rows else None):
        if condition is not None:
            query = query.where(condition)
    return query


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
    unit_ids = _unit_ids(unit_code, viewer)
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
    labels = STATUS_LABELS.get(lang, STATUS_LABELS["sv"])
    primary, co_owner = OWNER_ROLE.get(lang, OWNER_ROLE["sv"])
    records = []
    for row in rows:
        status, review = classification_status(row.classified_on, row.next_review_on, as_of)
        role = primary if row.is_primary else co_owner
        records.append((row.asset_code, row.asset_name, row.carrier_name,
                        row.governance_object_name, role, labels[status], status,
                        row.classified_on, review))  # fmt: skip
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
        Action.owner_unit_id.in_(_unit_ids(unit_code, viewer)),
        *action_list_conditions(viewer),
    )
    result = session.execute(query.order_by(rank, Action.due_on, Action.id).limit(limit))
    frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    return frame.drop(columns="total"), total


def hidden_unit_actions(
    session: Session, unit_code: str, viewer: Viewer = SYSTEM, *conditions
) -> int:
    """The unit's actions (under ``conditions``) that the lists leave out because they are on
    risks of säkerhetsskydd assets (counted in the unit's numbers, never listed: etl.visibility)."""
    shown = shown_action(viewer.role)
    if shown is None:
        return 0
    query = select(func.count()).where(
        Action.owner_unit_id.in_(_unit_ids(unit_code, viewer)), *conditions, not_(shown)
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
            FollowUpReport.unit_id.in_(_unit_ids(unit_code, viewer, rows=False)),
            FollowUpReport.period <= period,
        )
        .order_by(FollowUpReport.period.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {**row._asdict(), "current_period": period, "submitted": bool(row.submitted)}


# Min enhet as the manager's to-do list: what the unit owes, each item with its date.
#
# Every list follows the rule of etl.kpi.rules that its number on the cards uses, over the same
# rows, so that a list's length is the number (tests/test_unit_todo.py):
# - assets without a current classification: assets − classified_current (classification_coverage)
#   of the assets the unit owns as primary owner, as the unit's numbers count them;
# - assets without a current risk analysis: assets − risk-analysed (risk_analysis_coverage);
# - classifications due for review within 90 days (reviews_due_90d);
# - overdue actions (actions_overdue) and actions due soon (open, due within 30 days);
# - the follow-up report of the period when the unit has not submitted one (follow_up_rate).
#
# Säkerhetsskydd assets and the actions on their risks count in the numbers but are listed only
# for the protection officer (etl.visibility): each list says how many it leaves out, so that
# listed + left out = the number.
ASSET_TODO_COLUMNS = ["asset_code", "asset_name", "status_code", "date"]
ACTION_TODO_COLUMNS = ["code", "title", "responsible", "due_on", "days_overdue"]


@dataclass
class TodoList:
    """The unit's to-do items per kind (frames with their dates) and, per kind, how many items
    the viewer may not see listed (säkerhetsskydd) but that count in the unit's numbers."""

    unclassified: pd.DataFrame  # status_code missing | expired; date: review date passed
    unanalysed: pd.DataFrame  # date: the latest analysis (older than 36 months), or none
    reviews_due: pd.DataFrame  # date: the review date
    overdue: pd.DataFrame  # due_on and days_overdue
    due_soon: pd.DataFrame  # due_on
    follow_up: dict | None  # {"period", "period_end"} when the period's report is missing
    hidden: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> int:
        """Listed plus left out: the number the unit's cards give for ``kind``."""
        return len(getattr(self, kind)) + self.hidden.get(kind, 0)


def _asset_rows(session: Session, as_of: dt.date, unit_ids) -> list:
    owned = select(Asset.id).where(Asset.primary_unit_id.in_(unit_ids))
    latest = latest_classification_sql(as_of, owned)
    last_analysis = (
        select(RiskAnalysis.asset_id, func.max(RiskAnalysis.analysed_on).label("analysed_on"))
        .where(RiskAnalysis.asset_id.in_(owned), RiskAnalysis.analysed_on <= as_of)
        .group_by(RiskAnalysis.asset_id)
        .subquery("last_analysis")
    )
    return session.execute(
        select(
            Asset.code,
            Asset.name,
            Asset.security_protection,
            latest.c.classified_on,
            latest.c.next_review_on,
            last_analysis.c.analysed_on,
        )
        .outerjoin(latest, latest.c.asset_id == Asset.id)
        .outerjoin(last_analysis, last_analysis.c.asset_id == Asset.id)
        .where(Asset.primary_unit_id.in_(unit_ids))
        .order_by(Asset.name, Asset.code)
    ).all()


def _action_frame(session: Session, condition, unit_code: str, viewer: Viewer, as_of: dt.date):
    """(the unit's actions under ``condition`` the viewer may see, due first; how many more
    count but are not listed)."""
    listed = select(
        Action.code,
        Action.title,
        Action.responsible,
        Action.due_on,
        days_overdue_sql(as_of).label("days_overdue"),
    ).where(Action.owner_unit_id.in_(_unit_ids(unit_code, viewer)), condition)
    shown = shown_action(viewer.role)
    if shown is not None:
        listed = listed.where(shown)
    rows = session.execute(listed.order_by(Action.due_on, Action.code)).all()
    hidden = hidden_unit_actions(session, unit_code, viewer, condition)
    return pd.DataFrame(rows, columns=ACTION_TODO_COLUMNS), hidden


def unit_todo(session: Session, as_of: dt.date, unit_code: str, viewer: Viewer) -> TodoList:
    """The to-do list of the unit ``unit_code`` for ``viewer`` (empty when the viewer may not
    see the unit's rows: another unit, or the committee, which sees aggregates only)."""
    protected_shown = may_see_protected(viewer.role)
    listed = {"unclassified": [], "unanalysed": [], "reviews_due": []}
    hidden = dict.fromkeys(listed, 0)
    unit_ids = _unit_ids(unit_code, viewer)
    for row in _asset_rows(session, as_of, unit_ids):
        status, review = classification_status(row.classified_on, row.next_review_on, as_of)
        analysed = risk_analysis_is_current(row.analysed_on, as_of)
        due = status == "current" and classification_review_is_due(
            row.classified_on, row.next_review_on, as_of
        )
        items = {  # kind: (status code, date) when the asset is on that list
            "unclassified": status != "current" and (status, review),
            "unanalysed": not analysed
            and ("lapsed" if row.analysed_on else "missing", row.analysed_on),
            "reviews_due": due and ("due", review),
        }
        for kind, item in items.items():
            if item and row.security_protection and not protected_shown:
                hidden[kind] += 1
            elif item:
                listed[kind].append((row.code, row.name, *item))
    frames = {kind: pd.DataFrame(rows, columns=ASSET_TODO_COLUMNS) for kind, rows in listed.items()}
    reviews = frames.pop("reviews_due").sort_values("date", kind="stable").reset_index(drop=True)
    condition = action_overdue_sql(as_of)
    overdue, hidden["overdue"] = _action_frame(session, condition, unit_code, viewer, as_of)
    condition = action_due_soon_sql(as_of)
    due_soon, hidden["due_soon"] = _action_frame(session, condition, unit_code, viewer, as_of)
    # The period whose report the unit owes (none submitted for it), with the day it ended.
    period = follow_up_period(as_of)
    submitted = select(FollowUpReport.id).where(
        FollowUpReport.unit_id.in_(unit_ids),
        FollowUpReport.period == period,
        FollowUpReport.submitted.is_(True),
    )
    follow_up = None
    if session.scalar(unit_ids) is not None and session.scalar(submitted) is None:
        follow_up = {"period": period, "period_end": follow_up_period_end(period)}
    return TodoList(
        **frames,
        reviews_due=reviews,
        overdue=overdue,
        due_soon=due_soon,
        follow_up=follow_up,
        hidden=hidden,
    )
