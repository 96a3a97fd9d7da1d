"""Excel export: a real xlsx read back with openpyxl — headers, date cells, autofilter, frozen
header, formula escaping and the 100 000-row cap with its note."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import export
from dashboard.export import ExportColumn, build_workbook, export_filename, export_query
from etl.models import Action
from tests.kpi_data import build_store

COLUMNS = [
    ExportColumn("code", "Id"),
    ExportColumn("title", "Åtgärd"),
    ExportColumn("due_on", "Slutdatum", "date"),
    ExportColumn("days", "Dagar försenad", "number"),
]


def read(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_workbook_shape_and_cells():
    rows = [
        {
            "code": "A1",
            "title": '=HYPERLINK("http://x")',
            "due_on": dt.date(2026, 5, 1),
            "days": 211,
        },
        {"code": "A2", "title": "+SUM(1)", "due_on": "2026-08-01", "days": None},
        {"code": "A3", "title": "Åtgärda @once", "due_on": None, "days": 3},
    ]
    sheet = read(build_workbook(COLUMNS, rows, sheet_title="Åtgärder: lista"))
    assert sheet.title == "Åtgärder  lista"
    assert [c.value for c in sheet[1]] == ["Id", "Åtgärd", "Slutdatum", "Dagar försenad"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D4"
    assert sheet["B2"].value == '\'=HYPERLINK("http://x")'
    assert sheet["B3"].value == "'+SUM(1)"
    assert sheet["B4"].value == "Åtgärda @once"
    assert sheet["C2"].is_date and sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["C3"].value.date() == dt.date(2026, 8, 1)
    assert sheet["C4"].value is None
    assert sheet["D2"].value == 211 and sheet["D3"].value is None


def test_export_query_caps_rows_with_a_note(sqlite_engine, monkeypatch):
    build_store(sqlite_engine)
    query = select(
        Action.code.label("code"), Action.title.label("title"), Action.due_on.label("due_on")
    ).order_by(Action.code)
    with Session(sqlite_engine) as session:
        content, written, total = export_query(
            session, query, COLUMNS[:3], sheet_title="T", limit=4
        )
    assert (written, total) == (4, 10)
    sheet = read(content)
    assert [sheet.cell(row=r, column=1).value for r in range(2, 6)] == ["AC1", "AC10", "AC2", "AC3"]
    assert sheet.auto_filter.ref == "A1:C5"
    assert sheet["A7"].value == (
        "Listan är avkortad: de första 4 av 10 rader visas. Filtrera för att få med resten."
    )
    assert export.MAX_EXPORT_ROWS == 100_000


def test_filename():
    assert export_filename("åtgärder", dt.date(2026, 11, 28)) == "åtgärder-2026-11-28.xlsx"
    assert export_filename("../../etc", dt.date(2026, 1, 2)) == "etc-2026-01-02.xlsx"
