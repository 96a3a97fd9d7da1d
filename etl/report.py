"""Write validation issues to a CSV or xlsx report a person can act on.

Cells that a spreadsheet would evaluate as a formula are escaped (``escape_formula``): values
come from uploaded files, so a cell such as ``=HYPERLINK(...)`` must stay text when the report
is opened in Excel. ``escape_formula`` is the one escaping of text bound for a spreadsheet: every
xlsx and CSV export of the project (this report, the grid exports, the report workbook) passes
its text cells through it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from etl.issues import ValidationIssue

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# C0 control characters other than tab, line feed and carriage return: XML 1.0 (and so xlsx) has
# no way to hold them, and openpyxl raises IllegalCharacterError on them. Old stores can hold
# them (nothing refused them at load), so an export must never trip over one.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
HEADERS = {
    "sv": ("Fil", "Blad", "Rad", "Kolumn", "Värde", "Meddelande"),
    "en": ("File", "Sheet", "Row", "Column", "Value", "Message"),
}


def escape_formula(text: object) -> object:
    """``text`` safe for a spreadsheet cell: control characters that xlsx cannot hold removed,
    then a leading apostrophe when a spreadsheet would read it as a formula (the removal comes
    first, so that "\\x01=cmd" cannot become a formula once cleaned).

    Non-strings (row numbers, None) are returned unchanged.
    """
    if not isinstance(text, str):
        return text
    text = CONTROL_CHARACTERS.sub("", text)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def issue_rows(issues: Iterable[ValidationIssue], lang: str = "sv") -> list[tuple]:
    return [
        tuple(
            escape_formula(v) for v in (i.file, i.sheet, i.row, i.column, i.value, i.message(lang))
        )
        for i in issues
    ]


def write_issue_report(issues: Iterable[ValidationIssue], path: Path, lang: str = "sv") -> Path:
    """Write ``issues`` to ``path`` (.xlsx, otherwise CSV: UTF-8 with BOM and ``;`` for Excel)."""
    path = Path(path)
    headers = HEADERS["en" if lang == "en" else "sv"]
    rows = issue_rows(issues, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.casefold() == ".xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = "Fel" if lang != "en" else "Issues"
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
        for letter, width in zip("ABCDEF", (28, 18, 6, 22, 30, 90), strict=True):
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = "A2"
        wb.save(path)
    else:
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(headers)
            writer.writerows(("" if v is None else v for v in row) for row in rows)
    return path
