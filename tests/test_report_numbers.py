"""The report's numbers (dashboard.report.numbers): the text of etl.formatting, in both
languages, with Babel's locale parsed once per language rather than once per number."""

from __future__ import annotations

import decimal
import itertools
import random

import babel.core
import numpy as np
import pytest
from sqlalchemy.orm import Session

from dashboard.queries.viewer import SYSTEM
from dashboard.report import numbers
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


@pytest.mark.parametrize("lang", LANGS)
def test_numbers_read_as_etl_formatting_writes_them(lang):
    for value, decimals in itertools.product(VALUES, (0, 1, 2)):
        assert numbers.format_number(value, decimals, lang) == formatting.format_number(
            value, decimals, lang
        ), (value, decimals)


@pytest.mark.parametrize("lang", LANGS)
def test_percentages_read_as_etl_formatting_writes_them(lang):
    for value, decimals in itertools.product(VALUES, (0, 1)):
        if isinstance(value, decimal.Decimal):
            continue  # a fraction is a float (Decimal x 100 is no float)
        assert numbers.format_percent(value, decimals, lang) == formatting.format_percent(
            value, decimals, lang
        ), (value, decimals)


@pytest.mark.parametrize("lang", LANGS)
def test_changes_read_as_etl_formatting_writes_them(lang):
    for value, kind in itertools.product(VALUES, ("rate", "level", "count")):
        if isinstance(value, decimal.Decimal) or value in (float("inf"), float("-inf")):
            continue  # no change is infinite (round() of it raises in both)
        assert numbers.format_change(value, kind, lang) == formatting.format_change(
            value, kind, lang
        ), (value, kind)


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
