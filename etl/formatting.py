"""Swedish (and English) formatting of numbers, percentages and dates for display."""

from __future__ import annotations

import datetime as dt
import math

NBSP = "\u00a0"
MONTHS_SV = [
    "jan.",
    "feb.",
    "mars",
    "apr.",
    "maj",
    "juni",
    "juli",
    "aug.",
    "sep.",
    "okt.",
    "nov.",
    "dec.",
]
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value, decimals: int = 0, lang: str = "sv") -> str:
    """1234.5 → "1 234,5" in Swedish (narrow grouping with a no-break space), "1,234.5" in English."""
    if _missing(value):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "sv":
        text = text.replace(",", NBSP).replace(".", ",").replace("-", "−")
    return text


def format_percent(fraction, decimals: int = 0, lang: str = "sv") -> str:
    """0.77 → "77 %" (Swedish puts a space before the sign), "77%" in English."""
    if _missing(fraction):
        return "–"
    number = format_number(fraction * 100, decimals, lang)
    return f"{number}{NBSP}%" if lang == "sv" else f"{number}%"


def shown_change(delta, kind: str) -> float:
    """``delta`` rounded as format_change shows it (whole points, one decimal for levels, whole
    counts): a change that shows as 0 is no change, neither signed nor marked good or bad."""
    if kind == "rate":
        return round(delta * 100) / 100
    return round(delta, 1) if kind == "level" else float(round(delta))


def format_change(delta, kind: str, lang: str = "sv") -> str:
    """A signed change: "+6 procentenheter" for rates, "+12" for counts, "+0,4" for levels."""
    if _missing(delta):
        return ""
    delta = shown_change(delta, kind)
    sign = "+" if delta > 0 else ("±" if delta == 0 else "")
    delta = abs(delta) if delta == 0 else delta  # no "−0,0" from a tiny negative change
    if kind == "rate":
        points = round(abs(delta) * 100)
        if lang == "sv":
            unit = " procentenhet" if points == 1 else " procentenheter"
        else:
            unit = " percentage point" if points == 1 else " percentage points"
        return f"{sign}{format_number(delta * 100, 0, lang)}{unit}"
    if kind == "level":
        return f"{sign}{format_number(delta, 1, lang)}"
    return f"{sign}{format_number(delta, 0, lang)}"


def format_value(value, kind: str, lang: str = "sv") -> str:
    if kind == "rate":
        return format_percent(value, 0, lang)
    if kind == "level":
        return format_number(value, 1, lang)
    return format_number(value, 0, lang)


def format_date(value: dt.date | dt.datetime | str | None, lang: str = "sv") -> str:
    """ISO date: 2026-11-28 is the Swedish standard form (SS-ISO 8601)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        return value[:10]
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def format_long_date(value: dt.date, lang: str = "sv") -> str:
    """28 nov. 2026 / 28 Nov 2026."""
    months = MONTHS_SV if lang == "sv" else MONTHS_EN
    return f"{value.day} {months[value.month - 1]} {value.year}"


def format_month(value: dt.date, lang: str = "sv") -> str:
    months = MONTHS_SV if lang == "sv" else MONTHS_EN
    return f"{months[value.month - 1]} {value.year}"
