"""Exports never fail on stored text: control characters that xlsx cannot hold (old stores have
them: nothing refused them at load) are removed by the one escaping function, etl.report's
escape_formula, which still keeps formulas text. On SQLite and PostgreSQL, the text written
straight into the store as old data would have it.
"""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.orm import Session

from dashboard.export import ExportColumn, export_query
from dashboard.export_workbook import build_scope_workbook
from dashboard.queries.actions import actions_export_select
from dashboard.queries.viewer import SYSTEM, Viewer
from etl import models as m
from etl.issues import ValidationIssue
from etl.report import escape_formula, write_issue_report
from tests import kpi_data
from tests.xlsx_table import column, sheet_table

AS_OF = kpi_data.AS_OF
CISO = Viewer("ciso", "Eva", municipality_codes=frozenset({"1882"}))
GRID = {"startRow": 0, "endRow": 500, "sortModel": [], "filterModel": {}}


def _store_with_control_characters(engine) -> None:
    kpi_data.build_store(engine)
    with Session(engine) as s, s.begin():
        s.execute(update(m.Asset).where(m.Asset.code == "X1").values(name="Tillgång\x01 X1"))
        s.execute(
            update(m.Action)
            .where(m.Action.code == "AC1")
            .values(title='\x02=HYPERLINK("http://evil")', responsible="Anna\x1f Ek")
        )
        s.execute(update(m.Unit).where(m.Unit.code == "1882-KLF-IT").values(name="IT\x0b-enheten"))


def _cells(book) -> list[str]:
    return [
        v for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r if v
    ]  # fmt: skip


def test_the_report_workbook_cleans_stored_control_characters(engine):
    _store_with_control_characters(engine)
    for viewer in (SYSTEM, CISO):
        with Session(engine) as session:
            book = load_workbook(io.BytesIO(build_scope_workbook(session, viewer, AS_OF)))
        assets = {r[0]: r[1] for r in sheet_table(book["Tillgångar"])[1]}
        assert assets["X1"] == "Tillgång X1"
        actions = {r[0]: r for r in sheet_table(book["Åtgärder"])[1]}
        # Cleaned first, then escaped: the formula stays text.
        assert actions["AC1"][1] == '\'=HYPERLINK("http://evil")'
        assert actions["AC1"][2] == "IT-enheten" and actions["AC1"][4] == "Anna Ek"


def test_the_grid_export_cleans_stored_control_characters(engine):
    _store_with_control_characters(engine)
    query = actions_export_select(AS_OF, CISO, GRID)
    columns = [ExportColumn(c.key, c.key) for c in query.selected_columns]
    with Session(engine) as session:
        content, written, _ = export_query(session, query, columns, sheet_title="Åtgärder")
    book = load_workbook(io.BytesIO(content))
    titles = column(book.active, "title")
    assert written == len(titles) and '\'=HYPERLINK("http://evil")' in titles
    assert not any(ch in "".join(map(str, _cells(book))) for ch in "\x01\x02\x0b\x1f")


def test_the_issue_report_cleans_uploaded_control_characters(tmp_path):
    issue = ValidationIssue("a.xlsx", "Tillgångar", 3, "Namn", "X\x01Y", "Fel", "Error")
    for name in ("fel.xlsx", "fel.csv"):
        path = write_issue_report([issue], tmp_path / name)
        if name.endswith(".xlsx"):
            row = next(load_workbook(path).active.iter_rows(min_row=2, values_only=True))
            assert row[4] == "XY"
        else:
            assert "\x01" not in path.read_text(encoding="utf-8-sig")


def test_escape_formula_keeps_tabs_and_line_breaks():
    assert escape_formula("rad 1\nrad 2\tflik") == "rad 1\nrad 2\tflik"
    assert escape_formula("\x00\x1f") == ""
    assert escape_formula("@SUM(A1)") == "'@SUM(A1)"
    assert escape_formula(3) == 3
