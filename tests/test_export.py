"""Excel export: a real xlsx read back with openpyxl — title row, a named table whose first row
is the header row, no merged cells, date cells, frozen header, formula escaping and the
100 000-row cap with its note."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard import export
from dashboard.export import (
    ExportColumn,
    build_workbook,
    export_filename,
    export_query,
    export_title,
)
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
    title = export_title("Åtgärder", "Askersund kommun", dt.date(2026, 11, 28))
    sheet = read(build_workbook(COLUMNS, rows, sheet_title="Åtgärder: lista", title=title))
    assert sheet.title == "Åtgärder  lista"
    # Row 1: the title (one cell, nothing merged); row 2: the header row of a named table.
    assert [c.value for c in sheet[1]] == ["Åtgärder – Askersund kommun – per 2026-11-28"] + [
        None
    ] * 3
    assert not sheet.merged_cells.ranges
    assert [c.value for c in sheet[2]] == ["Id", "Åtgärd", "Slutdatum", "Dagar försenad"]
    assert all(c.font.bold for c in sheet[2])
    (table,) = sheet.tables.values()
    assert (table.displayName, table.ref) == ("Atgarder_lista", "A2:D5")
    assert [c.name for c in table.tableColumns] == ["Id", "Åtgärd", "Slutdatum", "Dagar försenad"]
    assert sheet.auto_filter.ref is None  # the table filters; a second filter would clash
    assert sheet.freeze_panes == "A3" and sheet.print_title_rows == "$2:$2"
    assert sheet["B3"].value == '\'=HYPERLINK("http://x")'
    assert sheet["B4"].value == "'+SUM(1)"
    assert sheet["B5"].value == "Åtgärda @once"
    assert sheet["C3"].is_date and sheet["C3"].number_format == "yyyy-mm-dd"
    assert sheet["C4"].value.date() == dt.date(2026, 8, 1)
    assert sheet["C5"].value is None
    assert sheet["D3"].value == 211 and sheet["D4"].value is None


def test_title_escapes_a_formula_and_an_empty_export_still_has_its_table():
    sheet = read(build_workbook(COLUMNS, [], sheet_title="T", title="=1+1"))
    assert sheet["A1"].value == "'=1+1"
    (table,) = sheet.tables.values()
    assert table.ref == "A2:D3"  # one empty row under the header: Excel wants one data row


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
    assert [sheet.cell(row=r, column=1).value for r in range(3, 7)] == ["AC1", "AC10", "AC2", "AC3"]
    assert [t.ref for t in sheet.tables.values()] == ["A2:C6"]
    assert sheet["A1"].value == "T"  # without a title of its own: the sheet's name
    assert sheet["A8"].value == (
        "Listan är avkortad: de första 4 av 10 rader visas. Filtrera för att få med resten."
    )
    assert export.MAX_EXPORT_ROWS == 100_000


def test_filename():
    assert export_filename("åtgärder", dt.date(2026, 11, 28)) == "åtgärder-2026-11-28.xlsx"
    assert export_filename("../../etc", dt.date(2026, 1, 2)) == "etc-2026-01-02.xlsx"
