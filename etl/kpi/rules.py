"""The rules of docs/metrics.md, each written once: for Python values and as SQL expressions.

Every user of a rule (the KPIs, the lists, Min enhet, the exports, the reminders, the report)
imports it from here, so that "overdue" or "current classification" cannot mean one thing on a
card and another in a list. Each Python function and its SQL twin say the same thing;
``tests/test_rules.py`` pins both at their edges (the day before, the day, the day after).

- A classification is **current** when its review date — ``next_review_on``, or ``classified_on``
  + 36 months when that is blank — is on or after the as-of date; otherwise it is **expired**.
- The **latest classification** of an asset is the one with the largest ``classified_on`` on or
  before the as-of date; two on the same day: the larger id (the one loaded last) wins.
- A risk analysis counts when it is dated in (as-of − 36 months, as-of].
- An action is **open** unless its status is done (Klar) or cancelled (Avbruten); it is
  **overdue** when open and its due date is strictly before the as-of date (an action due on
  the as-of day is not overdue yet). Days overdue = as-of − due date, bucketed 1–30, 31–90,
  91–180, over 180.
- An action is **due soon** when open and due within [as-of, as-of + 30 days]: not overdue yet,
  and on a manager's to-do list (Min enhet).
- A risk is **high** when likelihood × consequence reaches ``vocab.high_risk_threshold`` of its
  matrix size (9 on the 4×4 matrix).
- Lists sort actions overdue first (rank 0), then open (1), then closed (2).
- The committee sees aggregates only, never row-level lists (DESIGN §5).
- The **evidence-based maturity** of a scope is the highest level 0–5 whose thresholds every
  criterion of ``EVIDENCE_CRITERIA`` meets (cumulative; ``tests/test_evidence_maturity.py`` pins
  each threshold at its edge).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import ColumnElement, Date, Integer, and_, case, literal, not_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import FunctionElement

from etl import vocab
from etl.kpi.dates import (
    CLASSIFICATION_VALID_MONTHS,
    REVIEW_WINDOW_DAYS,
    RISK_ANALYSIS_VALID_MONTHS,
    add_months,
    earliest_still_valid,
    latest_reaching_by,
)
from etl.models import Action, Classification

# --------------------------------------------------------------------------- who sees detail

# Roles that may see numbers but never row-level lists (assets, actions, risks).
AGGREGATE_ONLY_ROLES = frozenset({"committee"})


def sees_detail(role: str) -> bool:
    """Whether ``role`` may see row-level lists at all."""
    return role not in AGGREGATE_ONLY_ROLES


# --------------------------------------------------------------------------- classification


def classification_review_date(classified_on: dt.date, next_review_on: dt.date | None) -> dt.date:
    """The date a classification is due for review: its own, or classified + 36 months."""
    return next_review_on or add_months(classified_on, CLASSIFICATION_VALID_MONTHS)


def classification_is_current(
    classified_on: dt.date, next_review_on: dt.date | None, as_of: dt.date
) -> bool:
    """Current: the review date is on or after ``as_of`` (the review day itself is current)."""
    return classification_review_date(classified_on, next_review_on) >= as_of


def classification_status(
    classified_on: dt.date | None, next_review_on: dt.date | None, as_of: dt.date
) -> tuple[str, dt.date | None]:
    """("current" | "expired" | "missing", the date the classification is due for review)."""
    if classified_on is None:
        return "missing", None
    review = classification_review_date(classified_on, next_review_on)
    return ("current" if review >= as_of else "expired"), review


def classification_review_is_due(
    classified_on: dt.date, next_review_on: dt.date | None, as_of: dt.date
) -> bool:
    """Current and due for review within [as-of, as-of + 90 days] (reviews_due_90d)."""
    review = classification_review_date(classified_on, next_review_on)
    return as_of <= review <= as_of + dt.timedelta(days=REVIEW_WINDOW_DAYS)


def latest_classification_key(classified_on: dt.date, classification_id: int) -> tuple:
    """Sort key of the latest-classification tie-break: the largest key is the latest."""
    return classified_on, classification_id


# Window order of the same tie-break: the first row of each asset is its latest classification
# (the KPI fact query ranks its scoped classifications with it).
LATEST_CLASSIFICATION_ORDER = (Classification.classified_on.desc(), Classification.id.desc())


def latest_classification_sql(as_of: dt.date, asset_ids=None):
    """Subquery (asset_id, classification_id, classified_on, next_review_on): each asset's latest
    classification on or before ``as_of``, of the assets ``asset_ids`` (a select of ids; None:
    every asset). The tie-break of latest_classification_key, as "no later one exists" rather
    than a window: SQLite answers it with one index search per asset (asset_id, classified_on)
    and PostgreSQL with an anti-join, where a window sorts every classification first."""
    later = aliased(Classification, name="later")
    newer_exists = (
        select(later.id)
        .where(
            later.asset_id == Classification.asset_id,
            later.classified_on <= as_of,
            or_(
                later.classified_on > Classification.classified_on,
                and_(
                    later.classified_on == Classification.classified_on,
                    later.id > Classification.id,
                ),
            ),
        )
        .exists()
    )
    query = select(
        Classification.asset_id,
        Classification.id.label("classification_id"),
        Classification.classified_on,
        Classification.next_review_on,
    ).where(Classification.classified_on <= as_of, not_(newer_exists))
    if asset_ids is not None:
        query = query.where(Classification.asset_id.in_(asset_ids))
    return query.subquery("latest_classification")


def classification_current_sql(
    classification_id, classified_on, next_review_on, as_of: dt.date
) -> ColumnElement[bool]:
    """classification_is_current over the columns of a latest-classification row (an outer join:
    a NULL id means unclassified). The 36-month fallback becomes a cut-off date in Python, so
    both back ends compare plain dates."""
    return and_(
        classification_id.isnot(None),
        or_(
            and_(next_review_on.isnot(None), next_review_on >= as_of),
            and_(
                next_review_on.is_(None),
                classified_on >= earliest_still_valid(as_of, CLASSIFICATION_VALID_MONTHS),
            ),
        ),
    )


def classification_review_due_sql(
    classification_id, classified_on, next_review_on, as_of: dt.date
) -> ColumnElement[bool]:
    """classification_review_is_due over the columns of a latest-classification row."""
    window_end = as_of + dt.timedelta(days=REVIEW_WINDOW_DAYS)
    return and_(
        classification_current_sql(classification_id, classified_on, next_review_on, as_of),
        or_(
            and_(next_review_on.isnot(None), next_review_on <= window_end),
            and_(
                next_review_on.is_(None),
                classified_on <= latest_reaching_by(window_end, CLASSIFICATION_VALID_MONTHS),
            ),
        ),
    )


# --------------------------------------------------------------------------- personal data

# Assets that hold personal data and so belong in the register (gdpr_coverage).
PERSONAL_DATA_CODES = ("yes", "sensitive")


# --------------------------------------------------------------------------- risk analysis


def risk_analysis_after(as_of: dt.date) -> dt.date:
    """An analysis counts when dated after this day (and on or before ``as_of``)."""
    return add_months(as_of, -RISK_ANALYSIS_VALID_MONTHS)


def risk_analysis_is_current(analysed_on: dt.date | None, as_of: dt.date) -> bool:
    """Dated in (as-of − 36 months, as-of]."""
    return analysed_on is not None and risk_analysis_after(as_of) < analysed_on <= as_of


def risk_analysis_current_sql(analysed_on, as_of: dt.date) -> ColumnElement[bool]:
    """risk_analysis_is_current for a column already limited to analyses on or before as-of."""
    return analysed_on > risk_analysis_after(as_of)


# --------------------------------------------------------------------------- high risk

# Matrix sizes the threshold CASE spells out; any other size uses the same formula in SQL.
_KNOWN_MATRIX_SIZES = range(2, 11)


def is_high_risk(likelihood: int, consequence: int, matrix_size: int) -> bool:
    return likelihood * consequence >= vocab.high_risk_threshold(matrix_size)


def high_risk_threshold_sql(matrix_size):
    """vocab.high_risk_threshold as a SQL expression over a matrix-size column."""
    whens = [(matrix_size == n, vocab.high_risk_threshold(n)) for n in _KNOWN_MATRIX_SIZES]
    # round(9·n²/16) in whole numbers: 9·n² ≡ 8 (mod 16) has no solution, so no half to round.
    return case(*whens, else_=(matrix_size * matrix_size * 9 + 8) // 16)


def high_risk_sql(likelihood, consequence, matrix_size) -> ColumnElement[bool]:
    return likelihood * consequence >= high_risk_threshold_sql(matrix_size)


# --------------------------------------------------------------------------- actions

OPEN_ACTION_STATUSES = tuple(
    s for s in vocab.ACTION_STATUSES if s not in vocab.CLOSED_ACTION_STATUSES
)
# Days overdue per bucket, inclusive (None: no upper bound), with the metric that counts it.
OVERDUE_BUCKETS = (
    (1, 30, "actions_overdue_1_30"),
    (31, 90, "actions_overdue_31_90"),
    (91, 180, "actions_overdue_91_180"),
    (181, None, "actions_overdue_over_180"),
)


def action_is_open(status: str) -> bool:
    return status not in vocab.CLOSED_ACTION_STATUSES


def action_is_overdue(status: str, due_on: dt.date, as_of: dt.date) -> bool:
    """Open and due strictly before ``as_of``: due on the as-of day is not overdue yet."""
    return action_is_open(status) and due_on < as_of


# How far ahead an open action counts as due soon (a manager's to-do list, Min enhet).
ACTION_DUE_SOON_DAYS = 30


def action_is_due_soon(status: str, due_on: dt.date, as_of: dt.date) -> bool:
    """Open and due in [as-of, as-of + 30 days]: the day itself is due soon, not overdue."""
    return action_is_open(status) and as_of <= due_on <= as_of + dt.timedelta(
        days=ACTION_DUE_SOON_DAYS
    )


def days_overdue(due_on: dt.date, as_of: dt.date) -> int:
    """Whole days past the due date; 0 when not yet past it."""
    return max((as_of - due_on).days, 0)


def overdue_bucket(days: int) -> str | None:
    """The metric of the bucket ``days`` overdue falls in; None when not overdue."""
    for low, high, metric in OVERDUE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return metric
    return None


def action_sort_rank(status: str, due_on: dt.date, as_of: dt.date) -> int:
    """0 overdue, 1 open, 2 closed: what needs attention is on top."""
    if action_is_overdue(status, due_on, as_of):
        return 0
    return 1 if action_is_open(status) else 2


def action_counts_for_risk(status: str) -> bool:
    """An action counts as planned for its risk unless it is cancelled (a done one counts)."""
    return status != "cancelled"


def action_counts_for_risk_sql(status=Action.status) -> ColumnElement[bool]:
    return status != "cancelled"


def action_open_sql(status=Action.status, *, seek: bool = False) -> ColumnElement[bool]:
    """action_is_open in SQL. Two spellings of the same set (status is required and from the
    vocabulary): NOT IN the closed statuses, and with ``seek`` IN the open ones, which lets a
    list's WHERE seek the (status, due_on) index. Do not use ``seek`` inside a correlated
    EXISTS: SQLite 3.40 answers ``EXISTS (… risk_id = risk.id AND status IN (…) AND due_on < …)``
    wrongly over ix_action_risk_status_due (549 risks with an overdue action on the sample
    store where 470 have one); NOT IN gives the right count."""
    if seek:
        return status.in_(OPEN_ACTION_STATUSES)
    return status.notin_(vocab.CLOSED_ACTION_STATUSES)


def action_overdue_sql(
    as_of: dt.date, status=Action.status, due_on=Action.due_on, *, seek: bool = False
) -> ColumnElement[bool]:
    """action_is_overdue in SQL (``seek`` as in action_open_sql)."""
    return and_(action_open_sql(status, seek=seek), due_on < as_of)


def action_due_soon_sql(
    as_of: dt.date, status=Action.status, due_on=Action.due_on
) -> ColumnElement[bool]:
    """action_is_due_soon in SQL."""
    return and_(
        action_open_sql(status),
        due_on >= as_of,
        due_on <= as_of + dt.timedelta(days=ACTION_DUE_SOON_DAYS),
    )


def overdue_bucket_sql(
    as_of: dt.date, low: int, high: int | None, status=Action.status, due_on=Action.due_on
) -> ColumnElement[bool]:
    """Overdue by ``low``..``high`` days (inclusive), as bounds on the due date."""
    bounds = [action_overdue_sql(as_of, status, due_on)]
    if low > 1:
        bounds.append(due_on <= as_of - dt.timedelta(days=low))
    if high is not None:
        bounds.append(due_on >= as_of - dt.timedelta(days=high))
    return and_(*bounds)


def action_sort_rank_sql(
    as_of: dt.date, status=Action.status, due_on=Action.due_on, *, seek: bool = True
) -> ColumnElement[int]:
    """action_sort_rank in SQL (``seek`` as in action_open_sql; lists order by it)."""
    open_ = action_open_sql(status, seek=seek)
    return case((and_(open_, due_on < as_of), 0), (open_, 1), else_=2)


class days_between(FunctionElement):  # noqa: N801 (a SQL function, named like one)
    """Whole days from ``earlier`` to ``later`` (two dates) on SQLite and PostgreSQL."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


def days_overdue_sql(
    as_of: dt.date, status=Action.status, due_on=Action.due_on, *, seek: bool = True
) -> ColumnElement[int]:
    """days_overdue of an overdue action in SQL; NULL for an action that is not overdue."""
    overdue = action_overdue_sql(as_of, status, due_on, seek=seek)
    return case((overdue, days_between(literal(as_of, Date()), due_on)))


# --------------------------------------------------------------------------- evidence-based maturity

# The evidence-based maturity model (docs/metrics.md, "Evidence-based maturity"). Levels are
# cumulative, as in MSB's Infosäkkollen: a scope is at level n when every criterion meets its
# threshold for every level 1..n. Each criterion is a share (numerator / denominator columns of
# the KPI facts) tied to the gap-analysis area it gives evidence for. ``at_least``: the share must
# reach the threshold; otherwise it must not exceed it (overdue actions, expired classifications
# hold a unit down). A threshold of None: the criterion is not required for that level. A share
# without denominator (no open actions, no personal-data assets) neither helps nor holds back; a
# scope without assets has no evidence level at all.
EVIDENCE_LEVELS = (1, 2, 3, 4, 5)
# Shares are compared with this slack so that 3/10 reaches 30 % in floating point.
_EVIDENCE_SLACK = 1e-9


@dataclass(frozen=True)
class EvidenceCriterion:
    code: str
    area: str  # the maturity area code (vocab.DEFAULT_MATURITY_AREAS) it is evidence for
    numerator: str  # fact column (etl.kpi.compute._metric_columns)
    denominator: str
    at_least: bool
    thresholds: tuple[float | None, float | None, float | None, float | None, float | None]
    sv: str  # "{value} av …": what the share counts, the share in place of {value}
    en: str


EVIDENCE_CRITERIA: tuple[EvidenceCriterion, ...] = (
    EvidenceCriterion(
        "classification_coverage", "klassning", "classified_current", "assets", True,
        (0.10, 0.30, 0.60, 0.80, 0.95),
        "{value} av tillgångarna har en aktuell klassning",
        "{value} of the assets have a current classification",
    ),
    EvidenceCriterion(
        "classifications_expired_share", "klassning", "classified_expired", "classified", False,
        (None, 0.50, 0.20, 0.10, 0.05),
        "{value} av de klassade tillgångarnas klassningar har förfallit",
        "{value} of the classified assets' classifications have expired",
    ),
    EvidenceCriterion(
        "risk_analysis_coverage", "riskhantering", "risk_analysed", "assets", True,
        (None, 0.10, 0.40, 0.70, 0.90),
        "{value} av tillgångarna har en riskanalys från de senaste 36 månaderna",
        "{value} of the assets have a risk analysis from the last 36 months",
    ),
    EvidenceCriterion(
        "action_plan_coverage", "riskhantering", "risks_needing_action_planned",
        "risks_needing_action", True,
        (None, None, 0.50, 0.75, 0.90),
        "{value} av riskerna som kräver åtgärd har en åtgärd",
        "{value} of the risks that need an action have one",
    ),
    EvidenceCriterion(
        "actions_overdue_share", "atgardsuppfoljning", "actions_overdue", "actions_open", False,
        (None, 0.50, 0.20, 0.10, 0.05),
        "{value} av de öppna åtgärderna är försenade",
        "{value} of the open actions are overdue",
    ),
    EvidenceCriterion(
        "actions_on_time_rate", "atgardsuppfoljning", "actions_done_on_time", "actions_done",
        True,
        (None, None, 0.50, 0.75, 0.90),
        "{value} av de klara åtgärderna blev klara i tid",
        "{value} of the completed actions were completed on time",
    ),
    EvidenceCriterion(
        "gdpr_coverage", "personuppgifter", "personal_data_registered", "personal_data", True,
        (None, 0.50, 0.75, 0.90, 1.00),
        "{value} av tillgångarna med personuppgifter finns i registerförteckningen",
        "{value} of the assets with personal data are in the record of processing",
    ),
    EvidenceCriterion(
        "follow_up_rate", "organisation", "submitted", "units", True,
        (None, None, 0.50, 0.75, 0.90),
        "{value} av enheterna har lämnat sin uppföljning",
        "{value} of the units have submitted their follow-up report",
    ),
)  # fmt: skip

# Each evidence criterion's numerator and denominator as compute_kpis' metrics hold them (the
# same fact sums, etl.kpi.compute._metric_columns): a metric name takes its numerator and
# denominator, ("value", name) a count's value, and ("difference", a, b) a count a minus a
# count b. Read from the KPI mart when it holds the date, the pages count nothing again: the
# country's evidence was 1,3 s of fact queries, the same numbers from the mart a few
# milliseconds.
EVIDENCE_CRITERION_METRICS: dict[str, tuple] = {
    "classification_coverage": ("classification_coverage",),
    "classifications_expired_share": (
        ("value", "classifications_expired"),
        ("difference", "assets", "assets_unclassified"),  # classified
    ),
    "risk_analysis_coverage": ("risk_analysis_coverage",),
    "action_plan_coverage": ("action_plan_coverage",),
    "actions_overdue_share": (("value", "actions_overdue"), ("value", "actions_open")),
    "actions_on_time_rate": ("actions_on_time_rate",),
    "gdpr_coverage": ("gdpr_coverage",),
    "follow_up_rate": ("follow_up_rate",),
}


def criterion_met(criterion: EvidenceCriterion, share, level: int):
    """Whether ``share`` (a float or a numpy array; NaN: no denominator) meets ``criterion``'s
    threshold for ``level``. No threshold at that level, or no share: met."""
    threshold = criterion.thresholds[level - 1]
    share = np.asarray(share, dtype="float64")
    if threshold is None:
        return np.ones(share.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        meets = (
            share >= threshold - _EVIDENCE_SLACK
            if criterion.at_least
            else share <= threshold + _EVIDENCE_SLACK
        )
    return meets | np.isnan(share)


def evidence_level(shares: dict[str, np.ndarray], assets, area: str | None = None):
    """The evidence level 0–5 per scope (NaN where ``assets`` is 0) from the criteria's
    ``shares`` (arrays by criterion code, NaN without denominator); only the criteria of
    ``area`` when given. Cumulative: level n needs every level 1..n met."""
    assets = np.asarray(assets, dtype="float64")
    level = np.zeros(assets.shape)
    reached = np.ones(assets.shape, dtype=bool)
    for n in EVIDENCE_LEVELS:
        for criterion in EVIDENCE_CRITERIA:
            if area is None or criterion.area == area:
                reached &= criterion_met(criterion, shares[criterion.code], n)
        level += reached
    return np.where(assets > 0, level, np.nan)


def evidence_shortfalls(shares: dict[str, float], level: int) -> list[EvidenceCriterion]:
    """The criteria that keep one scope at ``level``: those not met for ``level`` + 1."""
    if level >= EVIDENCE_LEVELS[-1]:
        return []
    return [c for c in EVIDENCE_CRITERIA if not criterion_met(c, shares[c.code], level + 1)]
