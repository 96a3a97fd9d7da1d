"""Swedish (and English) formatting of numbers, percentages and dates for display."""

from __future__ import annotations

import datetime as dt
import decimal
import math
from functools import cache
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.core import Locale

NBSP = "\u00a0"
# The locales of the two UI languages (Babel's CLDR data: month names, separators, signs).
LOCALES = {"sv": "sv_SE", "en": "en_GB"}
# Stored times are naive UTC; people read them in Swedish time, whatever the server's zone.
LOCAL_TIME_ZONE = ZoneInfo("Europe/Stockholm")


def locale_of(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["sv"])


def month_abbreviations(lang: str = "sv") -> list[str]:
    """January..December abbreviated as the language writes them (jan., feb., mars ...)."""
    names = babel_dates.get_month_names("abbreviated", locale=locale_of(lang))
    return [names[month] for month in range(1, 13)]


MONTHS_SV = month_abbreviations("sv")
MONTHS_EN = month_abbreviations("en")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@cache
def _number_symbols(lang: str) -> tuple[Locale, str, str, str]:
    """The parsed Babel locale of ``lang`` and its minus sign (U+2212 in Swedish), group symbol
    (a no-break space in Swedish) and decimal symbol: read once, since Babel parses the locale
    again for every number it is handed by name (most of the country's report's time)."""
    locale = Locale.parse(locale_of(lang))
    return (
        locale,
        babel_numbers.get_minus_sign_symbol(locale),
        babel_numbers.get_group_symbol(locale),
        babel_numbers.get_decimal_symbol(locale),
    )


@cache
def _number_pattern(decimals: int) -> babel_numbers.NumberPattern:
    return babel_numbers.parse_pattern("#,##0" + ("." + "0" * decimals if decimals > 0 else ""))


@cache
def _quantum(decimals: int) -> decimal.Decimal:
    return decimal.Decimal(10) ** -decimals  # as Babel's get_decimal_quantum


def _grouped(digits: str, symbol: str) -> str:
    """ "1234567" → "1 234 567" (groups of three from the right, as the pattern's #,##0)."""
    head = len(digits) % 3 or 3
    if head == len(digits):
        return digits
    return symbol.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


def format_number(value, decimals: int = 0, lang: str = "sv") -> str:
    """1234.5 → "1 234,5" in Swedish (grouped with a no-break space, decimal comma, the minus
    sign U+2212), "1,234.5" in English.

    The text is Babel's ``format_decimal`` with the pattern ``#,##0.00…`` (tests compare the two
    over many values): a Python int or float is written by the steps of Babel's
    ``NumberPattern.apply`` for this pattern (its decimal string, rounded half to even in the
    current decimal context, grouped by three), anything else (a Decimal, a NumPy number,
    infinity) by Babel itself."""
    if _missing(value):
        return "–"
    locale, minus, group, point = _number_symbols(lang)
    kind = type(value)
    if kind is int:
        negative = value < 0
        whole, fraction = str(-value if negative else value), "0" * decimals
    elif kind is float and math.isfinite(value):
        number = decimal.Decimal(str(value))
        negative = number.is_signed()
        rounded = abs(number).normalize().quantize(_quantum(decimals))
        whole, _, fraction = f"{rounded:f}".partition(".")
    else:
        # Babel writes a hyphen-minus with the pattern; the locale's own minus sign is U+2212.
        return _number_pattern(decimals).apply(value, locale).replace("-", minus)
    text = _grouped(whole, group)
    if decimals > 0:
        text += point + fraction
    return minus + text if negative else text


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
    """ISO date: 2026-11-28 is the Swedish standard form (SS-ISO 8601), unambiguous in English."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        return value[:10]
    if isinstance(value, dt.datetime):
        return format_datetime(value, lang)
    return value.isoformat()


def local_time(value: dt.datetime) -> dt.datetime:
    """A stored time (naive UTC, or aware) in Swedish time (Europe/Stockholm)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL_TIME_ZONE)


def format_datetime(
    value: dt.datetime | str | None, lang: str = "sv", *, seconds: bool = False
) -> str:
    """A stored time as Swedish time, ISO style: "2026-11-28 14:05" (with ``seconds`` ":09").
    The one helper for every time shown (load log, audit log, report footer, frozen reports),
    so that they all read in the same zone."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return format_date(value, lang)
    return local_time(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def format_long_date(value: dt.date, lang: str = "sv") -> str:
    """28 nov. 2026 / 28 Nov 2026."""
    return babel_dates.format_date(value, "d MMM y", locale=locale_of(lang))


def format_month(value: dt.date, lang: str = "sv") -> str:
    """okt. 2025 / Oct 2025."""
    return babel_dates.format_date(value, "MMM y", locale=locale_of(lang))


def plotly_locale(lang: str = "sv") -> dict:
    """plotly.js's locale format for ``lang`` from Babel's data: month and day names on date
    axes ("okt. 2025"), decimal comma and space grouping on number axes and hovers."""
    locale = locale_of(lang)
    months = babel_dates.get_month_names("wide", locale=locale)
    short_months = babel_dates.get_month_names("abbreviated", locale=locale)
    days = babel_dates.get_day_names("wide", locale=locale)
    short_days = babel_dates.get_day_names("abbreviated", locale=locale)
    # Babel numbers weekdays from Monday (0), d3 from Sunday.
    sunday_first = [6, 0, 1, 2, 3, 4, 5]
    return {
        "moduleType": "locale",
        "name": lang,
        "dictionary": {},
        "format": {
            "days": [days[i] for i in sunday_first],
            "shortDays": [short_days[i] for i in sunday_first],
            "months": [months[i] for i in range(1, 13)],
            "shortMonths": [short_months[i] for i in range(1, 13)],
            "periods": ["AM", "PM"] if lang == "en" else ["fm", "em"],
            "dateTime": "%a %e %b %Y %X",
            "date": "%Y-%m-%d",
            "time": "%H:%M:%S",
            "decimal": babel_numbers.get_decimal_symbol(locale),
            "thousands": babel_numbers.get_group_symbol(locale),
            "grouping": [3],
            "currency": ["", " kr"] if lang == "sv" else ["£", ""],
            "year": "%Y",
            "month": "%b %Y",
            "dayMonth": "%-d %b",
            "dayMonthYear": "%-d %b %Y",
        },
    }
