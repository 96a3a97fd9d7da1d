"""What a request from the browser may hold: the bounds of its dates, numbers, codes and texts.

Callbacks take values the browser sends (the filter store, the grids' requests) and a forger can
send anything JSON allows: integers of a thousand digits, dates in year 9999, lists where text
belongs. Every such value is read through these functions, so that one rule says what is
acceptable and nothing past it reaches a query or a date calculation.
"""

from __future__ import annotations

import datetime as dt
import math

# Dates the app computes with: the store's dates lie well within, and date arithmetic a few
# years either side (36 months back, quarters, month ends) never leaves Python's range.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2200, 12, 31)
MAX_DATE_TEXT = 32  # "2026-11-28 00:00:00" and the like; longer is not a date
MAX_CODE_LENGTH = 64  # municipality, administration and unit codes ("1882-SOC-IFO")
MAX_TEXT_LENGTH = 200  # filter texts: longer ones are cut, not rejected


def bounded_date(value: object) -> dt.date | None:
    """A date within [EARLIEST_DATE, LATEST_DATE] from a date or ISO text ("2026-11-28",
    "2026-11-28 00:00:00"); None for anything else."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and len(value) <= MAX_DATE_TEXT:
        try:
            day = dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    else:
        return None
    return day if EARLIEST_DATE <= day <= LATEST_DATE else None


def finite_number(value: object) -> float | None:
    """A JSON number as a finite float; None for booleans, text, containers, NaN, infinities
    and integers too large for a float (Python's json reads ``1e400`` as inf and a 400-digit
    integer as an int that float() refuses)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def bounded_code(value: object) -> str | None:
    """A code from the browser (a municipality's, an administration's): non-empty text of at
    most MAX_CODE_LENGTH characters; None for anything else."""
    if not isinstance(value, str) or not value or len(value) > MAX_CODE_LENGTH:
        return None
    return value


def bounded_text(value: object) -> str | None:
    """Filter text cut to MAX_TEXT_LENGTH; numbers are read as their text, containers not."""
    if isinstance(value, bool) or value is None or not isinstance(value, str | int | float):
        return None
    return str(value)[:MAX_TEXT_LENGTH]
