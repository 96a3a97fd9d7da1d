"""Excel export of a grid: every row matching its current filter and sort, as a real xlsx.

Every exported sheet has the same accessible shape (``write_table``): row 1 is a title that says
what the sheet holds, for which scope and as of which date; row 2 is the header row of an Excel
table (a named table, so that a screen reader announces the column header of each cell and
filters work); the data follows from row 3; no merged cells anywhere.

The rows come from the same scoped query as the grid (the caller passes the grid's filtered,
sorted, unsliced ``select()``), so an export never holds more than the viewer may see. At most
:data:`MAX_EXPORT_ROWS` rows are written; a note row says when the list was cut.

Text cells go through ``etl.report.escape_formula``: values come from owners' workbooks, and a
cell such as ``=HYPERLINK(...)`` must stay text when the file is opened in Excel.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dash import dcc
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Select
from sqlalchemy.orm import Session

from etl.formatting import format_number
from etl.report import escape_formula

log = logging.getLogger(__name__)

MAX_EXPORT_ROWS = 100_000
DATE_FORMAT = "yyyy-mm-dd"
NOTE = {
    "sv": "Listan är avkortad: de första {shown} av {total} rader visas. Filtrera för att få med resten.",
    "en": "The list is cut: the first {shown} of {total} rows are shown. Filter to get the rest.",
}
# Characters Excel refuses in a worksheet title.
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3
TITLE = {"sv": "{what} – {scope} – per {date}", "en": "{what} – {scope} – as of {date}"}
ALL_SCOPE = {"sv": "alla kommuner", "en": "all municipalities"}


@dataclass(frozen=True)
class ExportColumn:
    field: str
    header: str
    kind: str = "text"  # text | number | date | set


def _cell_value(value: object, kind: str) -> object:
    if value is None:
        return None
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return escape_formula(str(value))
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return escape_formula(str(value))


def export_title(what: str, scope: str, as_of: dt.date, lang: str = "sv") -> str:
    """The title row: "Åtgärder – Askersund kommun – per 2026-11-28"."""
    template = TITLE.get(lang, TITLE["sv"])
    return template.format(what=what, scope=scope, date=as_of.isoformat())


def table_name(title: str, taken: set[str] | None = None) -> str:
    """An Excel table name from a sheet title: letters, digits and _ only, unique in the book."""
    ascii_title = title.translate(str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE"))
    name = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_title).strip("_") or "Tabell"
    if not name[0].isalpha():
        name = f"T_{name}"
    base, n = name, 2
    while taken is not None and name in taken:
        name, n = f"{base}_{n}", n + 1
    if taken is not None:
        taken.add(name)
    return name


def write_table(
    ws: Worksheet,
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    name: str,
    widths: Sequence[float] | None = None,
) -> int:
    """Row 1 the title, row 2 the header row of the named table ``name``, data from row 3;
    date cells get the date format. Returns the number of data rows. Values are written as
    given: the caller escapes text (``escape_formula``)."""
    ws.append([escape_formula(title)])
    ws.cell(row=TITLE_ROW, column=1).font = Font(bold=True, size=13)
    ws.append([escape_formula(h) for h in headers])
    for cell in ws[HEADER_ROW]:
        cell.font = Font(bold=True)
    count = 0
    for row in rows:
        ws.append(list(row))
        count += 1
    for column_cells in ws.iter_cols(min_row=FIRST_DATA_ROW, max_col=len(headers)):
        for cell in column_cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    for index, header in enumerate(headers, start=1):
        width = widths[index - 1] if widths else max(12, min(40, len(header) + 4))
        ws.column_dimensions[get_column_letter(index)].width = width
    last = get_column_letter(max(len(headers), 1))
    # A table needs one data row: an empty export keeps one empty row under its header.
    end = HEADER_ROW + max(count, 1)
    table = Table(displayName=name, ref=f"A{HEADER_ROW}:{last}{end}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    return count


def build_workbook(
    columns: Sequence[ExportColumn],
    rows: Iterable[dict],
    *,
    sheet_title: str = "Export",
    title: str | None = None,
    note: str | None = None,
) -> bytes:
    """An xlsx of one sheet: title row, a named table (header row, filter buttons), date cells
    and escaped text; ``note`` below the table."""
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = _BAD_TITLE.sub(" ", sheet_title)[:31] or "Export"
    count = write_table(
        ws,
        title=title or sheet_title,
        headers=[c.header for c in columns],
        rows=([_cell_value(row.get(c.field), c.kind) for c in columns] for row in rows),
        name=table_name(ws.title),
        widths=[
            max(12 if c.kind in ("date", "number") else 28, len(c.header) + 2) for c in columns
        ],
    )
    if note:
        # Below the table so that sorting in Excel does not move it.
        row = HEADER_ROW + max(count, 1) + 2
        ws.cell(row=row, column=1, value=escape_formula(note)).font = Font(italic=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_query(
    session: Session,
    query: Select,
    columns: Sequence[ExportColumn],
    *,
    sheet_title: str,
    title: str | None = None,
    lang: str = "sv",
    limit: int = MAX_EXPORT_ROWS,
) -> tuple[bytes, int, int]:
    """(xlsx bytes, rows written, rows matching): at most ``limit`` rows of the sorted query."""
    from dashboard.grid import count_rows

    total = count_rows(session, query)
    result = session.execute(query.limit(limit))
    rows = [dict(r._mapping) for r in result]
    note = None
    if total > len(rows):
        template = NOTE.get(lang, NOTE["sv"])
        note = template.format(
            shown=format_number(len(rows), 0, lang), total=format_number(total, 0, lang)
        )
    log.info("exporting %d of %d rows (%s)", len(rows), total, sheet_title)
    content = build_workbook(columns, rows, sheet_title=sheet_title, title=title, note=note)
    return content, len(rows), total


def download(content: bytes, filename: str) -> dict:
    """The ``data`` of a dcc.Download for ``content``."""
    return dcc.send_bytes(content, filename)


def export_filename(stem: str, as_of: dt.date) -> str:
    safe = re.sub(r"[^A-Za-z0-9åäöÅÄÖ_-]+", "-", stem).strip("-") or "export"
    return f"{safe}-{as_of.isoformat()}.xlsx"
