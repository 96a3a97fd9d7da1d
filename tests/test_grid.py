"""The server-side grid: AG Grid filter/sort models applied in SQL on SQLite and PostgreSQL.

Data: the ten actions of tests/kpi_data.py (codes AC1–AC10, titles = codes):
  AC1 2026-12-31 in_progress IT-enheten      AC10 2025-01-01 cancelled IT-enheten
  AC2 2026-09-01 cancelled Individ och familj AC7 2026-10-15 not_started Individ och familj
  AC3 2026-11-20 not_started Äldreomsorg      AC4 2026-04-01 done Grundskola
  AC8 2026-06-01 done Grundskola              AC9 2026-12-31 done Förskola
  AC5 2026-08-01 in_progress (provider)       AC6 2026-05-01 not_started (provider)
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard import grid
from dashboard.grid import GridColumn, fetch_block, filtered_query, parse_request
from etl.models import Action, Unit
from tests import kpi_data

COLUMNS = {
    "code": GridColumn(Action.code),
    "status": GridColumn(Action.status, "set"),
    "due_on": GridColumn(Action.due_on, "date"),
    "code_length": GridColumn(func.length(Action.code), "number"),
    "unit_name": GridColumn(Unit.name),
}
QUERY = select(
    Action.id.label("id"),
    Action.code.label("code"),
    Action.status.label("status"),
    Action.due_on.label("due_on"),
    func.length(Action.code).label("code_length"),
    Unit.name.label("unit_name"),
).outerjoin(Unit, Unit.id == Action.owner_unit_id)


@pytest.fixture
def session(engine):
    kpi_data.build_store(engine)
    with Session(engine) as s:
        yield s


def block(session, filter_model=None, sort_model=None, start=0, end=100):
    request = {
        "startRow": start,
        "endRow": end,
        "filterModel": filter_model or {},
        "sortModel": sort_model or [],
    }
    return fetch_block(session, QUERY, COLUMNS, request, tiebreaker=Action.id)


def codes(response) -> list[str]:
    return [row["code"] for row in response["rowData"]]


def text(kind, value):
    return {"filterType": "text", "type": kind, "filter": value}


def test_no_filter_counts_every_row(session):
    response = block(session)
    assert response["rowCount"] == 10
    assert len(response["rowData"]) == 10


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (text("contains", "ac1"), {"AC1", "AC10"}),  # case-insensitive
        (text("equals", "ac1"), {"AC1"}),
        (text("notEqual", "AC1"), {f"AC{i}" for i in range(2, 11)}),
        (text("startsWith", "AC1"), {"AC1", "AC10"}),
        (text("endsWith", "0"), {"AC10"}),
        (text("notContains", "1"), {f"AC{i}" for i in range(2, 10)}),
        (text("contains", "%"), set()),  # wildcards are literal
    ],
)
def test_text_filters(session, model, expected):
    assert set(codes(block(session, {"code": model}))) == expected


def test_blank_and_not_blank(session):
    assert set(codes(block(session, {"unit_name": text("blank", None)}))) == {"AC5", "AC6"}
    assert block(session, {"unit_name": text("notBlank", None)})["rowCount"] == 8


def test_combined_conditions(session):
    either = {
        "filterType": "text",
        "operator": "OR",
        "conditions": [text("equals", "AC1"), text("equals", "AC2")],
    }
    assert set(codes(block(session, {"code": either}))) == {"AC1", "AC2"}
    both = {
        "filterType": "text",
        "operator": "AND",
        "conditions": [text("contains", "AC"), text("endsWith", "1")],
    }
    assert codes(block(session, {"code": both})) == ["AC1"]
    legacy = {
        "filterType": "text",
        "operator": "OR",
        "condition1": text("equals", "AC3"),
        "condition2": text("equals", "AC4"),
    }
    assert set(codes(block(session, {"code": legacy}))) == {"AC3", "AC4"}


def test_set_filter(session):
    done = {"filterType": "set", "values": ["done"]}
    assert set(codes(block(session, {"status": done}))) == {"AC4", "AC8", "AC9"}
    two = {"filterType": "set", "values": ["done", "cancelled"]}
    assert block(session, {"status": two})["rowCount"] == 5
    assert block(session, {"status": {"filterType": "set", "values": []}})["rowCount"] == 0
    # A set filter without units lists rows without a unit.
    nobody = {"filterType": "set", "values": [None]}
    assert set(codes(block(session, {"unit_name": nobody}))) == {"AC5", "AC6"}


def date(kind, start, end=None):
    return {
        "filterType": "date",
        "type": kind,
        "dateFrom": f"{start} 00:00:00",
        "dateTo": f"{end} 00:00:00" if end else None,
    }


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (date("lessThan", "2026-05-01"), {"AC10", "AC4"}),
        (date("greaterThan", "2026-12-01"), {"AC1", "AC9"}),
        (date("equals", "2026-12-31"), {"AC1", "AC9"}),
        (date("inRange", "2026-08-01", "2026-10-15"), {"AC5", "AC2", "AC7"}),  # inclusive
        (date("inRange", "2026-10-15", "2026-08-01"), {"AC5", "AC2", "AC7"}),  # reversed
    ],
)
def test_date_filters(session, model, expected):
    assert set(codes(block(session, {"due_on": model}))) == expected


@pytest.mark.parametrize(
    ("model", "count"),
    [
        ({"filterType": "number", "type": "equals", "filter": 4}, 1),
        ({"filterType": "number", "type": "lessThan", "filter": 4}, 9),
        ({"filterType": "number", "type": "greaterThanOrEqual", "filter": 3}, 10),
        ({"filterType": "number", "type": "inRange", "filter": 3, "filterTo": 3}, 9),
        ({"filterType": "number", "type": "notEqual", "filter": "3"}, 1),
    ],
)
def test_number_filters(session, model, count):
    assert block(session, {"code_length": model})["rowCount"] == count


@pytest.mark.parametrize(
    "filter_model",
    [
        {"no_such_field": text("equals", "x")},  # unknown field
        {"code": {"filterType": "text", "type": "dropTables", "filter": "x"}},  # unknown operator
        {"due_on": date("equals", "not-a-date")},
        {"code_length": {"filterType": "number", "type": "equals", "filter": "NaN"}},
        {"code_length": {"filterType": "number", "type": "equals", "filter": {"$gt": 1}}},
        {"code": "not a model"},
        "not a dict",
    ],
)
def test_malformed_filters_are_ignored(session, filter_model):
    request = {"startRow": 0, "endRow": 100, "filterModel": filter_model}
    assert fetch_block(session, QUERY, COLUMNS, request)["rowCount"] == 10


def test_values_are_bound_not_spliced(session):
    hostile = text("contains", "'; DELETE FROM action; --")
    assert block(session, {"code": hostile})["rowCount"] == 0
    assert session.scalar(select(func.count()).select_from(Action)) == 10


def test_sort_with_stable_tiebreak_and_nulls_last(session):
    by_due = block(session, sort_model=[{"colId": "due_on", "sort": "desc"}])
    assert codes(by_due)[:3] == ["AC1", "AC9", "AC3"]
    by_unit = block(session, sort_model=[{"colId": "unit_name", "sort": "asc"}])
    assert [r["unit_name"] for r in by_unit["rowData"]][-2:] == [None, None]
    by_unit_desc = block(session, sort_model=[{"colId": "unit_name", "sort": "desc"}])
    assert [r["unit_name"] for r in by_unit_desc["rowData"]][-2:] == [None, None]
    ignored = block(session, sort_model=[{"colId": "nope", "sort": "asc"}, "junk"])
    assert ignored["rowCount"] == 10


def test_slicing_pages_through_rows(session):
    sort = [{"colId": "code", "sort": "asc"}]
    page = block(session, sort_model=sort, start=2, end=5)
    assert codes(page) == ["AC2", "AC3", "AC4"]
    assert page["rowCount"] == 10
    beyond = block(session, sort_model=sort, start=50, end=60)
    assert beyond == {"rowData": [], "rowCount": 10}


def test_rows_are_json_ready(session):
    row = block(session, {"code": text("equals", "AC1")})["rowData"][0]
    assert row["due_on"] == "2026-12-31"
    assert row[grid.ROW_ID] == str(row["id"])


def test_parse_request_caps_and_defaults():
    huge = parse_request({"startRow": -5, "endRow": 10**12})
    assert (huge.start_row, huge.limit) == (0, grid.MAX_BLOCK_SIZE)
    default = parse_request(None)
    assert (default.start_row, default.end_row) == (0, 100)
    assert parse_request({"startRow": "x", "endRow": True}).start_row == 0
    backwards = parse_request({"startRow": 40, "endRow": 10})
    assert backwards.limit == 0


def test_filtered_query_keeps_filter_and_sort_for_exports(session):
    request = {
        "filterModel": {"status": {"filterType": "set", "values": ["done"]}},
        "sortModel": [{"colId": "due_on", "sort": "desc"}],
        "startRow": 0,
        "endRow": 1,
    }
    rows = session.execute(filtered_query(QUERY, COLUMNS, request, tiebreaker=Action.id)).all()
    assert [r.code for r in rows] == ["AC9", "AC8", "AC4"]  # not sliced to endRow
    assert rows[0].due_on == dt.date(2026, 12, 31)


def test_create_grid_is_infinite_swedish_and_text_only():
    component = grid.create_grid(
        "test-grid",
        [grid.column_def("code", "Kod"), grid.column_def("due_on", "Slutdatum", "date")],
        "sv",
    )
    assert component.rowModelType == "infinite"
    assert component.dashGridOptions["localeText"]["page"] == "Sida"
    assert component.dashGridOptions["localeText"]["of"] == "av"
    assert component.getRowId == f"params.data.{grid.ROW_ID}"
    assert component.dangerously_allow_code is False
    assert all("cellRenderer" not in col for col in component.columnDefs)
    assert component.columnDefs[1]["filter"] == "agDateColumnFilter"
    english = grid.create_grid("test-grid-en", [], "en")
    assert "localeText" not in english.dashGridOptions


def test_text_filters_fold_swedish_letters(session):
    # SQLite's lower() folds ASCII only; the grid folds Å, Ä, Ö too.
    assert codes(block(session, {"unit_name": text("startsWith", "äldre")})) == ["AC3"]
    assert codes(block(session, {"unit_name": text("contains", "ÄLDREOMSORG")})) == ["AC3"]


def test_values_beyond_the_bounds_are_ignored_not_raised(session):
    """A 400-digit integer made float() raise OverflowError inside the callback; year 9999 and
    year 1 are outside the dates the app computes with (dashboard/bounds.py)."""
    huge = 10**400
    far = block(session, start=0, end=100)
    assert (
        fetch_block(session, QUERY, COLUMNS, {"startRow": huge, "endRow": huge})["rowCount"] == 10
    )
    number = {"code_length": {"filterType": "number", "type": "equals", "filter": huge}}
    assert block(session, number)["rowCount"] == far["rowCount"] == 10
    for day in ("9999-12-31 00:00:00", "0001-01-01", "1899-12-31"):
        assert block(session, {"due_on": date("equals", day)})["rowCount"] == 10, day
    assert block(session, {"due_on": date("equals", "2200-12-31")})["rowCount"] == 0


def test_request_problems_name_what_no_grid_sends():
    assert grid.request_problems(None) == []
    good = {
        "startRow": 0,
        "endRow": 100,
        "sortModel": [{"colId": "due_on", "sort": "desc"}],
        "filterModel": {
            "due_on": date("inRange", "2026-01-01 00:00:00", "2026-12-31 00:00:00"),
            "code": {"filterType": "text", "operator": "OR",
                     "conditions": [text("contains", "AC"), text("blank", None)]},
            "code_length": {"filterType": "number", "type": "greaterThan", "filter": 3},
        },
    }  # fmt: skip
    assert grid.request_problems(good) == []
    forged = [
        {"startRow": 10**400},
        {"endRow": -1},
        {"startRow": 1.5},
        {"startRow": "0"},
        {"sortModel": "due_on"},
        {"sortModel": [{"colId": ["due_on"], "sort": "asc"}]},
        {"filterModel": []},
        {"filterModel": {"due_on": date("equals", "9999-12-31 00:00:00")}},
        {"filterModel": {"due_on": date("equals", "1899-12-31")}},
        {"filterModel": {"code_length": {"filterType": "number", "filter": 10**400}}},
        {"filterModel": {"code_length": {"filterType": "number", "filter": float("nan")}}},
        {"filterModel": {"code": text("contains", ["AC"])}},
        {"filterModel": {"code": text([], "AC")}},
        {"filterModel": {"code": {"filterType": "sql", "filter": "x"}}},
        {"filterModel": {"code": {"operator": "XOR", "conditions": []}}},
        {"filterModel": {"status": {"filterType": "set", "values": [{"a": 1}]}}},
        [],
    ]
    for request in forged:
        assert grid.request_problems(request), request


def test_date_filters_refuse_years_the_server_does_not_read():
    definition = grid.column_def("due_on", "Slutdatum", "date")
    assert definition["filterParams"]["minValidYear"] == 1900
    assert definition["filterParams"]["maxValidYear"] == 2200
