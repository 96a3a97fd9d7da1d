"""Excel export of a grid: every row matching its current filter and sort, as a real xlsx.

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


def build_workbook(
    columns: Sequence[ExportColumn],
    rows: Iterable[dict],
    *,
    sheet_title: str = "Export",
    note: str | None = None,
) -> bytes:
    """An xlsx with a bold, frozen header row, an autofilter, date cells and escaped text."""
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = _BAD_TITLE.sub(" ", sheet_title)[:31] or "Export"
    ws.append([escape_formula(c.header) for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    count = 0
    for row in rows:
        ws.append([_cell_value(row.get(c.field), c.kind) for c in columns])
        count += 1
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if column.kind == "date":
            for (cell,) in ws.iter_rows(min_row=2, max_row=count + 1, min_col=index, max_col=index):
                cell.number_format = DATE_FORMAT
        width = 12 if column.kind in ("date", "number") else 28
        ws.column_dimensions[letter].width = max(width, len(column.header) + 2)
    ws.freeze_panes = "A2"
    last = get_column_letter(max(len(columns), 1))
    ws.auto_filter.ref = f"A1:{last}{count + 1}"
    if note:
        # Below the filtered range so that sorting in Excel does not move it.
        ws.cell(row=count + 3, column=1, value=escape_formula(note)).font = Font(italic=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_query(
    session: Session,
    query: Select,
    columns: Sequence[ExportColumn],
    *,
    sheet_title: str,
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
    return build_workbook(columns, rows, sheet_title=sheet_title, note=note), len(rows), total


def download(content: bytes, filename: str) -> dict:
    """The ``data`` of a dcc.Download for ``content``."""
    return dcc.send_bytes(content, filename)


def export_filename(stem: str, as_of: dt.date) -> str:
    safe = re.sub(r"[^A-Za-z0-9åäöÅÄÖ_-]+", "-", stem).strip("-") or "export"
    return f"{safe}-{as_of.isoformat()}.xlsx"
