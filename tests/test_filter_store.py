"""The filter store's reader: what the browser holds for the global filters, read by one set of
bounds (dashboard/bounds.py) whether it comes from the URL, the filter bar or a forged request."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.filters import Filters, parse_query, store_problems

TODAY = dt.date(2026, 11, 28)
DEFAULTS = Filters(as_of=TODAY)


@pytest.mark.parametrize(
    "data",
    [
        ["1882"],
        "1882",
        {"municipality": ["1882"]},
        {"administration": {"code": "1882-SOC"}},
        {"municipality": "x" * 65},
        {"as_of": "9999-12-31"},
        {"as_of": "0001-01-01"},
        {"as_of": "1899-12-31"},
        {"as_of": 20261128},
        {"as_of": ["2026-11-28"]},
        {"lang": ["sv"]},
        {"lang": {"sv": 1}},
    ],
)
def test_a_forged_store_falls_back_to_the_defaults_and_is_named(data):
    assert Filters.from_store(data, TODAY) == DEFAULTS
    assert store_problems(data)


def test_a_written_store_has_no_problems():
    filters = Filters(dt.date(2200, 12, 31), "1882", "1882-SOC", "en")
    assert store_problems(filters.to_store()) == []
    assert Filters.from_store(filters.to_store(), TODAY) == filters
    assert store_problems(None) == store_problems({}) == []
    assert Filters.from_store({"as_of": "1900-01-01"}, TODAY).as_of == dt.date(1900, 1, 1)


def test_a_url_beyond_the_date_bounds_shows_today():
    assert parse_query("?datum=9999-12-31&kommun=1882", TODAY) == Filters(TODAY, "1882")
