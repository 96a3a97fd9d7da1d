"""Min enhet as the manager's to-do list: what the unit owes, each item with its date.

Every list follows the rule of etl.kpi.rules that its number on the cards uses, over the same
rows, so that a list's length is the number (tests/test_unit_todo.py):
- assets without a current classification: assets − classified_current (classification_coverage)
  of the assets the unit owns as primary owner, as the unit's numbers count them;
- assets without a current risk analysis: assets − risk-analysed (risk_analysis_coverage);
- classifications due for review within 90 days (reviews_due_90d);
- overdue actions (actions_overdue) and actions due soon (open, due within 30 days);
- the follow-up report of the period when the unit has not submitted one (follow_up_rate).

Säkerhetsskydd assets and the actions on their risks count in the numbers but are listed only
for the protection officer (etl.visibility): each list says how many it leaves out, so that
listed + left out = the number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, not_, select
from sqlalchemy.orm import Session

from dashboard.queries.my_unit import unit_detail_ids
from dashboard.queries.viewer import Viewer
from etl.kpi.dates import follow_up_period, follow_up_period_end
from etl.kpi.rules import (
    action_due_soon_sql,
    action_overdue_sql,
    classification_review_is_due,
    classification_status,
    days_overdue_sql,
    latest_classification_sql,
    risk_analysis_is_current,
)
from etl.models import Action, Asset, FollowUpReport, RiskAnalysis
from etl.visibility import may_see_protected, shown_action

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


def _action_frame(session: Session, condition, unit_ids, viewer: Viewer, as_of: dt.date):
    """(the unit's actions under ``condition`` the viewer may see, due first; how many more
    count but are not listed)."""
    where = [Action.owner_unit_id.in_(unit_ids), condition]
    shown = shown_action(viewer.role)
    listed = select(
        Action.code,
        Action.title,
        Action.responsible,
        Action.due_on,
        days_overdue_sql(as_of).label("days_overdue"),
    ).where(*where)
    hidden = 0
    if shown is not None:
        listed = listed.where(shown)
        hidden = int(session.scalar(select(func.count()).where(*where, not_(shown))) or 0)
    rows = session.execute(listed.order_by(Action.due_on, Action.code)).all()
    return pd.DataFrame(rows, columns=ACTION_TODO_COLUMNS), hidden


def unit_todo(session: Session, as_of: dt.date, unit_code: str, viewer: Viewer) -> TodoList:
    """The to-do list of the unit ``unit_code`` for ``viewer`` (empty when the viewer may not
    see the unit's rows: another unit, or the committee, which sees aggregates only)."""
    unit_ids = unit_detail_ids(unit_code, viewer)
    protected_shown = may_see_protected(viewer.role)
    unclassified, unanalysed, reviews = [], [], []
    hidden = {"unclassified": 0, "unanalysed": 0, "reviews_due": 0}
    for row in _asset_rows(session, as_of, unit_ids):
        status, review = classification_status(row.classified_on, row.next_review_on, as_of)
        analysed = risk_analysis_is_current(row.analysed_on, as_of)
        due = status == "current" and classification_review_is_due(
            row.classified_on, row.next_review_on, as_of
        )
        items = (
            ("unclassified", unclassified, status != "current", (status, review)),
            (
                "unanalysed",
                unanalysed,
                not analysed,
                ("lapsed" if row.analysed_on else "missing", row.analysed_on),
            ),
            ("reviews_due", reviews, due, ("due", review)),
        )
        for kind, target, applies, (code, date) in items:
            if not applies:
                continue
            if row.security_protection and not protected_shown:
                hidden[kind] += 1
                continue
            target.append((row.code, row.name, code, date))
    overdue, hidden["overdue"] = _action_frame(
        session, action_overdue_sql(as_of), unit_ids, viewer, as_of
    )
    due_soon, hidden["due_soon"] = _action_frame(
        session, action_due_soon_sql(as_of), unit_ids, viewer, as_of
    )
    reviews_frame = pd.DataFrame(reviews, columns=ASSET_TODO_COLUMNS)
    return TodoList(
        unclassified=pd.DataFrame(unclassified, columns=ASSET_TODO_COLUMNS),
        unanalysed=pd.DataFrame(unanalysed, columns=ASSET_TODO_COLUMNS),
        reviews_due=reviews_frame.sort_values("date", kind="stable").reset_index(drop=True),
        overdue=overdue,
        due_soon=due_soon,
        follow_up=_follow_up_due(session, as_of, unit_code, viewer),
        hidden=hidden,
    )


def _follow_up_due(session: Session, as_of: dt.date, unit_code: str, viewer: Viewer):
    """The period whose report the unit owes (none submitted for it), with the day the period
    ended; None when it is in, or when the viewer may not see the unit."""
    unit_id = session.scalar(unit_detail_ids(unit_code, viewer))
    if unit_id is None:
        return None
    period = follow_up_period(as_of)
    submitted = session.scalar(
        select(FollowUpReport.id).where(
            FollowUpReport.unit_id == unit_id,
            FollowUpReport.period == period,
            FollowUpReport.submitted.is_(True),
        )
    )
    if submitted is not None:
        return None
    return {"period": period, "period_end": follow_up_period_end(period)}
