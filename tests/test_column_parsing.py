"""Column-at-a-time parsing gives exactly what parsing cell by cell gives: values and problems."""

import datetime as dt
import itertools

import pytest

from etl.columns import _parse_cell_by_cell, parse_column
from etl.schema import ALL_SHEETS

CELLS = [
    None, "", "   ", "1882", " 1882-SOC ", 1882.0, 3, 2.5, True, dt.date(2026, 3, 1),
    dt.datetime(2026, 3, 1, 12, 0), "2026-03-01", "1/3/2026", "2026-02-30", "31 mars 2026",
    "Ja", "nej", "x", "2 Betydande", "9", "Pågående", "Klar", "reducera", "2026-Q3", "Q5 2026",
    "85 %", "0,85", "abc\0def", "a" * 70, "b" * 10_001, "Försumbar", "IT-system", "Ja, känsliga",
    "CISO", float("nan"), "1882-SOC-IFO, 1882-SOC-HT", "x" * 61 + ";y",
]  # fmt: skip


def outcome(function, cells, column, limit):
    problems = []
    values = function(cells, column, limit, 4, problems)
    return values, sorted((p.index, repr(p.value), p.message_sv, p.message_en) for p in problems)


COLUMNS = {(c.type, c.required): c for s in ALL_SHEETS for c in s.columns}


@pytest.mark.parametrize("column", list(COLUMNS.values()), ids=lambda c: f"{c.type}-{c.required}")
@pytest.mark.parametrize("limit", [None, 60])
def test_same_values_and_problems_as_cell_by_cell(column, limit):
    for start in range(0, len(CELLS), 7):
        cells = list(itertools.islice(itertools.cycle(CELLS), start, start + len(CELLS)))
        fast = outcome(parse_column, cells, column, limit)
        slow = outcome(_parse_cell_by_cell, cells, column, limit)
        assert repr(fast) == repr(slow)  # repr: NaN and dates compare as written


def test_each_problem_once_per_cell():
    text = next(c for c in COLUMNS.values() if c.type == "text")
    problems = []
    parse_column(["a\0" + "b" * 100], text, 10, 4, problems)
    assert len(problems) == 1 and "NUL" in problems[0].message_sv


CSV_CELLS = [c for c in CELLS if c is None or type(c) is str]  # what a CSV file's columns hold


@pytest.mark.parametrize("column", list(COLUMNS.values()), ids=lambda c: f"{c.type}-{c.required}")
@pytest.mark.parametrize("limit", [None, 60])
def test_text_only_columns_the_same_as_cell_by_cell(column, limit):
    """A CSV column (text and blanks only) takes the shortcuts; the outcome is the same."""
    for start in range(0, len(CSV_CELLS), 5):
        cells = list(itertools.islice(itertools.cycle(CSV_CELLS), start, start + len(CSV_CELLS)))
        for chosen in (cells, [c for c in cells if c and "\0" not in c and len(c) < 60]):
            fast = outcome(parse_column, chosen, column, limit)
            slow = outcome(_parse_cell_by_cell, chosen, column, limit)
            assert repr(fast) == repr(slow)


@pytest.mark.parametrize("limit", [None, 10])
def test_a_repeated_code_list_parses_as_each_cell_alone(limit):
    """A code list's text is parsed once per column: every cell still gets what parsing it alone
    gives (its own list, or its own problem at its own row)."""
    from etl.parsing import CellError, parse_cell

    column = next(c for c in COLUMNS.values() if c.type == "code_list")
    cells = ["1882-SOC-IFO, 1882-SOC-HT", "a\tb", None, "1882-SOC-IFO, 1882-SOC-HT", "a\tb",
             "x" * 20, "  ", "x" * 20, "A;\nB;;A", 1882.0, "A;\nB;;A"]  # fmt: skip
    problems = []
    values = parse_column(cells, column, limit, 4, problems)
    expected, where = [], []
    for index, cell in enumerate(cells):
        try:
            value = None if cell is None else parse_cell(column.type, cell)
        except CellError:
            value = None
            where.append(index)
        expected.append(value)
    assert values == [None if v is not None and limit and any(len(c) > limit for c in v) else v
                      for v in expected]  # fmt: skip
    if limit is None:
        assert values[0] == ["1882-SOC-IFO", "1882-SOC-HT"] and values[0] is not values[3]
    assert values[8] == ["A", "B"] and values[8] is not values[10]
    assert [p.index for p in problems if p.message_en.startswith("The code contains")] == where
    assert where == [1, 4]
    too_long = [p.index for p in problems if "too long" in p.message_en]
    assert too_long == ([0, 3, 5, 7] if limit else [])
