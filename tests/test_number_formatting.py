"""Numbers as text (etl.formatting): Babel's ``format_decimal`` text, in both languages, with
Babel's locale parsed once per language rather than once per number."""

from __future__ import annotations

import decimal
import itertools
import random

import babel.core
import numpy as np
import pytest
from babel import numbers as babel_numbers
from sqlalchemy.orm import Session

from dashboard.queries.viewer import SYSTEM
from dashboard.report.content import build_content
from dashboard.report.gather import gather_report
from etl import formatting
from tests import kpi_data


def _values() -> list:
    """Integers and fractions around every rounding and grouping edge, both signs, and the
    types the store and pandas hand over."""
    rng = random.Random(1882)
    values: list = [None, float("nan"), 0, 0.0, -0.0, 1, 7, 999, 1000, 1234567, 10**12]
    values += [0.5, 1.5, 2.5, -0.5, -1.5, 0.05, 0.15, 0.25, 0.45, 0.95, 0.995, 999.5, 999.95]
    values += [0.30000000000000004, 1e-9, -1e-9, 1 / 3, 2 / 3, 12345.678, 0.125, 0.375]
    values += [1e15, 2**53, 123456789.987, 100.0, 1e5, 99999.95, float("inf")]
    values += [rng.uniform(-2, 2) for _ in range(300)]
    values += [rng.uniform(-100_000, 100_000) for _ in range(300)]
    values += [round(rng.uniform(0, 1), 4) for _ in range(300)]
    values += [rng.randint(-50_000, 50_000) for _ in range(300)]
    values += [np.int64(4321), np.float64(0.565), np.float64(-12.25), decimal.Decimal("2.675")]
    negated = [-v for v in values if v is not None]
    return values + negated


VALUES = _values()
LANGS = ("sv", "en", "de")  # any other language writes Swedish


def _babel_number(value, decimals: int, lang: str) -> str:
    """The reference: Babel's own formatting by the locale's name, as etl.formatting wrote every
    number before it kept the parsed locale."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    locale = formatting.locale_of(lang)
    text = babel_numbers.format_decimal(value, format=pattern, locale=locale)
    return text.replace("-", babel_numbers.get_minus_sign_symbol(locale))


@pytest.mark.parametrize("lang", LANGS)
def test_numbers_read_as_babel_writes_them(lang):
    for value, decimals in itertools.product(VALUES, (0, 1, 2)):
        assert formatting.format_number(value, decimals, lang) == _babel_number(
            value, decimals, lang
        ), (value, decimals)


@pytest.mark.parametrize("lang", LANGS)
def test_percentages_are_the_hundredfold_number_with_the_sign(lang):
    for value, decimals in itertools.product(VALUES, (0, 1)):
        if isinstance(value, decimal.Decimal) or value is None:
            continue  # a fraction is a float (Decimal x 100 is no float)
        number = _babel_number(value * 100, decimals, lang)
        expected = "–" if number == "–" else (f"{number}\u00a0%" if lang == "sv" else f"{number}%")
        assert formatting.format_percent(value, decimals, lang) == expected, (value, decimals)


def test_changes_are_signed_and_never_minus_zero():
    assert formatting.format_change(0.06, "rate") == "+6 procentenheter"
    assert formatting.format_change(0.01, "rate", "en") == "+1 percentage point"
    assert formatting.format_change(-1234, "count") == "\u22121\u00a0234"
    assert formatting.format_change(-0.04, "level") == "±0,0"
    assert formatting.format_change(0.44, "level", "en") == "+0.4"


def test_the_report_content_parses_the_locale_once_per_language(sqlite_engine, monkeypatch):
    """Babel parsed the locale's name again for every number the report wrote (most of the
    country's report's time); now the parsed locale is kept. The dates (a few per report) may
    still name their locale."""
    kpi_data.build_store(sqlite_engine)
    with Session(sqlite_engine) as session:
        data = gather_report(session, kpi_data.AS_OF, SYSTEM)
    parsed: list = []
    real_parse = babel.core.Locale.parse.__func__

    def counting_parse(cls, identifier, *args, **kwargs):
        if isinstance(identifier, str):
            parsed.append(identifier)
        return real_parse(cls, identifier, *args, **kwargs)

    for lang in ("sv", "en"):
        build_content(data, lang)  # the kept locale and patterns exist from here on
    monkeypatch.setattr(babel.core.Locale, "parse", classmethod(counting_parse))
    for lang in ("sv", "en"):
        parsed.clear()
        content = build_content(data, lang)
        cells = sum(len(row) for row in content.kpi_table.rows + content.objects.rows)
        assert cells > 50
        # format_long_date twice (subtitle, the table's note): nothing per number.
        assert len(parsed) <= 4, parsed
