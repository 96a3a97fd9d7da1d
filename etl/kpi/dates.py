"""Date arithmetic of the metric definitions, done in Python so the SQL compares plain dates.

Month arithmetic differs between SQLite and PostgreSQL; turning "classified_on + 36 months ≥
as_of" into "classified_on ≥ a cut-off date" keeps the SQL portable and index-friendly.
"""

from __future__ import annotations

import calendar
import datetime as dt

CLASSIFICATION_VALID_MONTHS = 36
RISK_ANALYSIS_VALID_MONTHS = 36
ACCESS_REVIEW_VALID_MONTHS = 12
REVIEW_WINDOW_DAYS = 90


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months, clipped to the month's last day."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def earliest_still_valid(as_of: dt.date, months: int) -> dt.date:
    """The first date d with add_months(d, months) ≥ as_of (add_months is monotone in d)."""
    candidate = add_months(as_of, -months)
    while add_months(candidate, months) < as_of:
        candidate += dt.timedelta(days=1)
    while add_months(candidate - dt.timedelta(days=1), months) >= as_of:
        candidate -= dt.timedelta(days=1)
    return candidate


def latest_reaching_by(limit: dt.date, months: int) -> dt.date:
    """The last date d with add_months(d, months) ≤ limit."""
    candidate = add_months(limit, -months)
    while add_months(candidate + dt.timedelta(days=1), months) <= limit:
        candidate += dt.timedelta(days=1)
    while add_months(candidate, months) > limit:
        candidate -= dt.timedelta(days=1)
    return candidate


def follow_up_period(as_of: dt.date) -> str:
    """The last calendar quarter that ended on or before ``as_of``, e.g. "2026-Q3"."""
    in_year = (as_of.month - 1) // 3
    quarter = (
        as_of.year * 4 + in_year - (month_end(dt.date(as_of.year, 3 * in_year + 3, 1)) > as_of)
    )
    return f"{quarter // 4}-Q{quarter % 4 + 1}"


def follow_up_period_end(period: str) -> dt.date:
    """The last day of a follow-up period such as "2026-Q3" (2026-09-30)."""
    year, quarter = period.split("-Q")
    return month_end(dt.date(int(year), int(quarter) * 3, 1))


def month_end(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def last_month_ends(as_of: dt.date, months: int) -> list[dt.date]:
    """The ends of the last ``months`` months that ended on or before ``as_of``, oldest first."""
    last = dt.date(as_of.year, as_of.month, 1)
    if month_end(last) > as_of:
        last = add_months(last, -1)
    return [month_end(add_months(last, -i)) for i in range(months)][::-1]


class Cutoffs:
    """The date boundaries of one as-of date that the follow-up facts need (etl.kpi.rules turns
    its own boundaries into dates)."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of, self.period = as_of, follow_up_period(as_of)
        self.access_review_from = add_months(as_of, -ACCESS_REVIEW_VALID_MONTHS)


def previous_quarter(as_of: dt.date) -> dt.date:
    """The date one quarter (three calendar months) before ``as_of``: the cards' comparison."""
    return add_months(as_of, -3)


OVERDUE_TREND_MONTHS = 12


def overdue_trend_days(as_of: dt.date) -> list[dt.date]:
    """The days of the report's overdue trend: the last month-ends before ``as_of``, then it."""
    return [d for d in last_month_ends(as_of, OVERDUE_TREND_MONTHS) if d < as_of] + [as_of]
