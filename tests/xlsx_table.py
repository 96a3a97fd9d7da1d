"""Read an exported sheet as a spreadsheet user (or a screen reader) finds it: the title in row
1 and the named Excel table below it, whose first row is the header row."""

from __future__ import annotations

from openpyxl.utils.cell import range_boundaries


def sheet_table(ws) -> tuple[list[str], list[tuple]]:
    """(headers, data rows) of the sheet's one table; the empty row kept under the header of an
    empty export is not a data row."""
    (table,) = ws.tables.values()
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    rows = list(
        ws.iter_rows(
            min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True
        )
    )
    data = [r for r in rows[1:] if any(v is not None for v in r)]
    return list(rows[0]), data


def column(ws, header: str) -> list:
    """The values of one column of the sheet's table, by its header."""
    headers, rows = sheet_table(ws)
    index = headers.index(header)
    return [row[index] for row in rows]


__all__ = ["column", "sheet_table"]
