"""The report's numbers as text: the same text as ``etl.formatting``, with each language's Babel
locale and number patterns parsed once.

``etl.formatting.format_number`` hands Babel the locale's name and the pattern as strings, and
Babel parses both again for every number (``Locale.parse``, ``parse_pattern``, the minus sign's
locale once more). The country's report writes thousands of numbers, and that parsing was most
of the time its content took. Here the parsed ``Locale``, the ``NumberPattern`` of each number of
decimals and the minus sign are kept per language, and Babel's own ``NumberPattern.apply`` writes
the digits, as ``format_decimal`` does: tests compare every function with its
``etl.formatting`` namesake over many values in both languages.
"""

from __future__ import annotations

import math
from functools import cache

from babel import numbers as babel_numbers
from babel.core import Locale

from etl.formatting import NBSP, locale_of, shown_change


@cache
def _locale(lang: str) -> tuple[Locale, str]:
    """The parsed Babel locale of ``lang`` and its minus sign (U+2212 in Swedish)."""
    locale = Locale.parse(locale_of(lang))
    return locale, babel_numbers.get_minus_sign_symbol(locale)


@cache
def _pattern(decimals: int) -> babel_numbers.NumberPattern:
    """The parsed pattern etl.formatting.format_number uses for ``decimals``."""
    return babel_numbers.parse_pattern("#,##0" + ("." + "0" * decimals if decimals > 0 else ""))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value, decimals: int = 0, lang: str = "sv") -> str:
    """As ``etl.formatting.format_number``: 1234.5 → "1 234,5" in Swedish, "1,234.5" in
    English, "–" for a missing value."""
    if _missing(value):
        return "–"
    locale, minus = _locale(lang)
    return _pattern(decimals).apply(value, locale).replace("-", minus)


def format_percent(fraction, decimals: int = 0, lang: str = "sv") -> str:
    """As ``etl.formatting.format_percent``: 0.77 → "77 %" in Swedish, "77%" in English."""
    if _missing(fraction):
        return "–"
    number = format_number(fraction * 100, decimals, lang)
    return f"{number}{NBSP}%" if lang == "sv" else f"{number}%"


def format_change(delta, kind: str, lang: str = "sv") -> str:
    """As ``etl.formatting.format_change``: "+6 procentenheter", "+12", "+0,4"."""
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


__all__ = ["format_change", "format_number", "format_percent"]
