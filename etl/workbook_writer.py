"""Write input workbooks (xlsx) or CSV sets from rows keyed by the schema's column keys.

Used by the sample generator, the template writer and the tests, so every file they make has
exactly the headers that ``etl.schema`` declares.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from etl.schema import COVER, WORKBOOK_KINDS, Sheet

Row = Mapping[str, object]

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
DATE_FORMAT = "yyyy-mm-dd"


def cover_rows(kind_label: str, code: str, prepared_by: str = "", prepared_on=None) -> list[Row]:
    """The cover sheet's key/value content as rows (key = column key of COVER)."""
    return [
        {"kind": kind_label, "code": code, "prepared_by": prepared_by, "prepared_on": prepared_on}
    ]


def _cell_value(value: object) -> object:
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    return value


def _write_table(ws, sheet: Sheet, rows: Sequence[Row]) -> None:
    ws.append([c.header for c in sheet.columns])
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for row in rows:
        ws.append([_cell_value(row.get(c.key)) for c in sheet.columns])
    for idx, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(idx)
        ws.column_dimensions[letter].width = max(14, min(45, len(column.header) + 4))
    for row_cells in ws.iter_rows(min_row=2):
        for cell in row_cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    ws.freeze_panes = "A2"


def _write_cover(ws, row: Row) -> None:
    ws.append(["Fält", "Värde"])
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for column in COVER.columns:
        ws.append([column.header, _cell_value(row.get(column.key))])
        if isinstance(row.get(column.key), dt.date):
            ws.cell(ws.max_row, 2).number_format = DATE_FORMAT
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 40


def write_workbook(path: Path, kind: str, rows_by_sheet: Mapping[str, Sequence[Row]]) -> Path:
    """Write one workbook of ``kind`` (organisation|administration|object).

    ``rows_by_sheet`` maps a sheet key (e.g. "assets") to its rows; the cover's single row is
    under "cover". Sheets of the kind that are absent from the mapping are written empty.
    """
    workbook_kind = WORKBOOK_KINDS[kind]
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in workbook_kind.sheets:
        ws = wb.create_sheet(sheet.name)
        rows = rows_by_sheet.get(sheet.key, [])
        if sheet.key_value:
            _write_cover(ws, rows[0] if rows else {})
        else:
            _write_table(ws, sheet, rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    return str(_cell_value(value))


def write_csv_set(
    directory: Path,
    prefix: str,
    kind: str,
    rows_by_sheet: Mapping[str, Sequence[Row]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ";",
) -> list[Path]:
    """Write a workbook as CSV files ``<prefix>.<sheet slug>.csv`` (one per non-empty sheet)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet in WORKBOOK_KINDS[kind].sheets:
        rows = rows_by_sheet.get(sheet.key)
        if rows is None and not sheet.key_value:
            continue
        path = directory / f"{prefix}.{sheet.slug}.csv"
        with path.open("w", newline="", encoding=encoding) as fh:
            writer = csv.writer(fh, delimiter=delimiter)
            if sheet.key_value:
                writer.writerow(["Fält", "Värde"])
                row = rows[0] if rows else {}
                for column in sheet.columns:
                    writer.writerow([column.header, _csv_value(row.get(column.key))])
            else:
                writer.writerow([c.header for c in sheet.columns])
                for row in rows:
                    writer.writerow([_csv_value(row.get(c.key)) for c in sheet.columns])
        written.append(path)
    return written
