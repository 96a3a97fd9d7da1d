"""The report's numbers as text: the same text as ``etl.formatting``, written without parsing
Babel's locale and pattern for every number.

``etl.formatting.format_number`` hands Babel the locale's name and the pattern as strings, and
Babel parses both again for every number (``Locale.parse``, ``parse_pattern``, the locale once
more for the minus sign) and looks up the group and decimal symbols per number. The country's
report writes about 8 000 numbers, and that was most of the time its content took. Here each
language's symbols are read from Babel once; a Python int or float is then written by the steps
of Babel's ``NumberPattern.apply`` for these patterns (the decimal string of the value, rounded
half to even in the current decimal context, grouped by three), anything else (a Decimal, a
NumPy integer, infinity) by Babel itself with the parsed locale and pattern. Tests compare every
function with its ``etl.formatting`` namesake over many values in both languages.
"""

from __future__ import annotations

import decimal
import math
from functools import cache

from babel import numbers as babel_numbers
from babel.core import Locale

from etl.formatting import NBSP, locale_of, shown_change


@cache
def _locale(lang: str) -> tuple[Locale, str, str, str]:
    """The parsed Babel locale of ``lang`` and its minus sign (U+2212 in Swedish), group
    symbol (a no-break space in Swedish) and decimal symbol."""
    locale = Locale.parse(locale_of(lang))
    return (
        locale,
        babel_numbers.get_minus_sign_symbol(locale),
        babel_numbers.get_group_symbol(locale),
        babel_numbers.get_decimal_symbol(locale),
    )


@cache
def _pattern(decimals: int) -> babel_numbers.NumberPattern:
    """The parsed pattern etl.formatting.format_number uses for ``decimals``."""
    return babel_numbers.parse_pattern("#,##0" + ("." + "0" * decimals if decimals > 0 else ""))


@cache
def _quantum(decimals: int) -> decimal.Decimal:
    return decimal.Decimal(10) ** -decimals  # as Babel's get_decimal_quantum


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _grouped(digits: str, symbol: str) -> str:
    """ "1234567" → "1 234 567" (groups of three from the right, as the pattern's #,##0)."""
    head = len(digits) % 3 or 3
    if head == len(digits):
        return digits
    return symbol.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


def format_number(value, decimals: int = 0, lang: str = "sv") -> str:
    """As ``etl.formatting.format_number``: 1234.5 → "1 234,5" in Swedish (the minus sign
    U+2212), "1,234.5" in English, "–" for a missing value."""
    if _missing(value):
        return "–"
    locale, minus, group, point = _locale(lang)
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
        return _pattern(decimals).apply(value, locale).replace("-", minus)
    text = _grouped(whole, group)
    if decimals > 0:
        text += point + fraction
    return minus + text if negative else text


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
