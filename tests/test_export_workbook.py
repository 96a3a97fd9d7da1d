"""Full workbook export of one's scope: sheets per role, formula escaping, date cells.

Store: tests/kpi_data.py. X7 (unit 1861-BUF-GR) is the only säkerhetsskydd asset; its risk R6 and
action AC4 must reach nobody but the protection officer.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

from dashboard.export_workbook import build_scope_workbook
from dashboard.queries.viewer import SYSTEM, Viewer
from etl import models as m
from tests import kpi_data
from tests.xlsx_table import column, sheet_table

CISO_1882 = Viewer("ciso", "Eva", municipality_codes=frozenset({"1882"}))
CISO_1861 = Viewer("ciso", "Fia", municipality_codes=frozenset({"1861"}))
PROTECTION_1861 = Viewer("protection_officer", "Jon", municipality_codes=frozenset({"1861"}))
COMMITTEE = Viewer("committee", "KS", municipality_codes=frozenset({"1882"}))


def _book(engine, viewer):
    with Session(engine) as session:
        data = build_scope_workbook(session, viewer, kpi_data.AS_OF)
    return load_workbook(io.BytesIO(data))


def _column(ws, header):
    return column(ws, header)


def test_committee_gets_the_kpi_sheet_only(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    wb = _book(sqlite_engine, COMMITTEE)
    assert wb.sheetnames == ["Nyckeltal", "Om exporten"]
    levels = set(_column(wb["Nyckeltal"], "Nivå"))
    assert levels == {"Kommun", "Förvaltning"}
    assert set(_column(wb["Nyckeltal"], "Id")) == {"1882", "1882-KLF", "1882-SOC"}


def test_ciso_sees_own_scope_and_no_security_protection(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    wb = _book(sqlite_engine, CISO_1882)
    assert wb.sheetnames == ["Nyckeltal", "Tillgångar", "Åtgärder", "Risker", "Om exporten"]
    assert _column(wb["Tillgångar"], "Id") == ["X1", "X2", "X3", "X4", "X5", "X6"]
    # Hallsberg's CISO: its units' assets X7 (protected: hidden), X8, X9, plus GO-EK's X1, X5.
    other = _book(sqlite_engine, CISO_1861)
    assert _column(other["Tillgångar"], "Id") == ["X1", "X5", "X8", "X9"]
    assert "R6" not in _column(other["Risker"], "Id")
    assert "AC4" not in _column(other["Åtgärder"], "Id")
    protection = _book(sqlite_engine, PROTECTION_1861)
    assert "X7" in _column(protection["Tillgångar"], "Id")
    assert "R6" in _column(protection["Risker"], "Id")
    assert "AC4" in _column(protection["Åtgärder"], "Id")


def test_text_cells_are_escaped_and_dates_are_date_cells(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    with Session(sqlite_engine) as session, session.begin():
        session.execute(
            update(m.Asset).where(m.Asset.code == "X3").values(name='=HYPERLINK("http://x","y")')
        )
        session.execute(update(m.Action).where(m.Action.code == "AC7").values(title="+1+2"))
    wb = _book(sqlite_engine, SYSTEM)
    names = dict(
        zip(_column(wb["Tillgångar"], "Id"), _column(wb["Tillgångar"], "Namn"), strict=True)
    )
    assert names["X3"] == '\'=HYPERLINK("http://x","y")'
    titles = dict(
        zip(_column(wb["Åtgärder"], "Id"), _column(wb["Åtgärder"], "Åtgärd"), strict=True)
    )
    assert titles["AC7"] == "'+1+2"
    ws = wb["Åtgärder"]
    ids = _column(ws, "Id")
    row = ids.index("AC7") + 3  # title row, header row, then the data
    due = ws.cell(row=row, column=6)
    assert due.is_date and due.value.date() == dt.date(2026, 10, 15)
    assert due.number_format == "yyyy-mm-dd"
    assert ws.cell(row=row, column=9).value == 44  # days overdue on 2026-11-28
    assets = wb["Tillgångar"]
    x4 = _column(assets, "Id").index("X4") + 3
    # X4's latest classification on or before the as-of date is the one of 2024-03-01 (expired).
    assert assets.cell(row=x4, column=11).value.date() == dt.date(2024, 3, 1)
    assert assets.cell(row=x4, column=16).value == "Förfallen"


def test_every_sheet_has_a_title_row_a_named_header_row_and_no_merged_cells(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    wb = _book(sqlite_engine, CISO_1882)
    names = set()
    for ws in wb.worksheets:
        # Row 1 says what the sheet holds, whose scope and as of which date.
        assert ws["A1"].value.startswith(f"{ws.title} – Askersund kommun – per 2026-11-28")
        assert ws["B1"].value is None
        assert not ws.merged_cells.ranges
        if ws.title == "Om exporten":
            continue
        (table,) = ws.tables.values()
        assert table.ref.startswith("A2:") and table.headerRowCount in (None, 1)
        headers, rows = sheet_table(ws)
        assert headers == [c.value for c in ws[2]][: len(headers)] and all(headers)
        assert ws.freeze_panes == "A3" and ws.print_title_rows == "$2:$2"
        names.add(table.displayName)
    assert names == {"Nyckeltal", "Tillgangar", "Atgarder", "Risker"}
    assert sheet_table(wb["Tillgångar"])[1][0][0] == "X1"
