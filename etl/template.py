"""An empty workbook for owners to fill in, and the input-format tables of docs/input-format.md.

Both are derived from ``etl.schema`` so the template, the documentation and the reader can never
disagree: ``write_template`` writes every sheet of a workbook kind through
``etl.workbook_writer`` (identical headers to the generator's), then adds dropdowns, date checks,
input messages and a first sheet "Hjälp". The reader matches sheets by name, so "Hjälp" is ignored
when a filled-in template is loaded.
"""

from __future__ import annotations

import logging
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from etl import vocab
from etl.schema import CHOICES, WORKBOOK_KINDS, Column, ColumnType, Sheet, WorkbookKind
from etl.workbook_writer import cover_rows, write_workbook

log = logging.getLogger(__name__)

HELP_SHEET = "Hjälp"
# Rows of each table sheet that get dropdowns and date checks (Excel stores the range, not cells).
VALIDATED_ROWS = 2000
# Excel limits: an inline list at most 255 characters, prompt title 32, prompt text 255.
MAX_INLINE_LIST = 255
MAX_PROMPT_TITLE = 32
MAX_PROMPT = 255
DOC_BEGIN = "<!-- BEGIN GENERATED: etl.template.input_format_markdown() -->"
DOC_END = "<!-- END GENERATED -->"


def _labels(levels: dict[int, str]) -> str:
    return ", ".join(f"{n} {label}" for n, label in levels.items())


def _one_of(values: list[str]) -> str:
    return "En av: " + ", ".join(values)


# What an owner may write in a cell of each type (Swedish; shown in Hjälp and the docs).
ACCEPTED_VALUES_SV: dict[ColumnType, str] = {
    ColumnType.TEXT: "Fritext",
    ColumnType.CODE: "Kod; mellanslag runt koden ignoreras",
    ColumnType.CODE_LIST: "En eller flera koder åtskilda med komma eller semikolon",
    ColumnType.DATE: "Datum: 2026-03-01, 1/3/2026, 1 mars 2026, 20260301 eller en datumcell",
    ColumnType.BOOL: "Ja eller Nej",
    ColumnType.CLASS_LEVEL: "Siffra 0–4 eller etikett: " + _labels(vocab.CLASSIFICATION_LEVELS),
    ColumnType.MATURITY_LEVEL: "Siffra 0–5 eller etikett: " + _labels(vocab.MATURITY_LEVELS),
    ColumnType.LIKELIHOOD: "Siffra 1–4 eller etikett: " + _labels(vocab.LIKELIHOOD_LEVELS),
    ColumnType.CONSEQUENCE: "Siffra 1–4 eller etikett: " + _labels(vocab.CONSEQUENCE_LEVELS),
    ColumnType.TREATMENT: _one_of(CHOICES[ColumnType.TREATMENT]),
    ColumnType.ACTION_STATUS: _one_of(CHOICES[ColumnType.ACTION_STATUS]),
    ColumnType.CARRIER_TYPE: _one_of(CHOICES[ColumnType.CARRIER_TYPE]),
    ColumnType.PERSONAL_DATA: _one_of(CHOICES[ColumnType.PERSONAL_DATA]),
    ColumnType.ROLE: _one_of(CHOICES[ColumnType.ROLE]),
    ColumnType.WORKBOOK_KIND: _one_of(CHOICES[ColumnType.WORKBOOK_KIND]),
    ColumnType.PERCENT: "0–100, t.ex. 85, 85 %, 85,5 eller en procentcell",
    ColumnType.PERIOD: "Kvartal 2026-Q3 (även 2026 Q3 och Q3 2026) eller halvår 2026-H1",
    ColumnType.INT: "Heltal",
}

TEMPLATE_KINDS = tuple(WORKBOOK_KINDS)  # organisation, administration, object


# ---------------------------------------------------------------------------- template


def _prompt(column: Column) -> tuple[str, str]:
    """Input-message title and text for a column (help text, then what is accepted)."""
    required = "Obligatorisk. " if column.required else ""
    text = f"{required}{column.help_sv}. {ACCEPTED_VALUES_SV[column.type]}."
    text = text.replace("..", ".")
    return column.header[:MAX_PROMPT_TITLE], text[:MAX_PROMPT]


def _list_validation(wb, choices: list[str]) -> DataValidation:
    """A dropdown; inline when Excel allows, else from a hidden sheet of lists."""
    inline = ",".join(choices)
    if len(inline) + 2 <= MAX_INLINE_LIST and not any("," in c for c in choices):
        return DataValidation(type="list", formula1=f'"{inline}"', allow_blank=True)
    lists = wb["Listor"] if "Listor" in wb.sheetnames else wb.create_sheet("Listor")
    lists.sheet_state = "hidden"
    col = lists.max_column + (1 if lists["A1"].value is not None else 0)
    for row, choice in enumerate(choices, start=1):
        lists.cell(row, col, choice)
    letter = get_column_letter(col)
    return DataValidation(
        type="list", formula1=f"Listor!${letter}$1:${letter}${len(choices)}", allow_blank=True
    )


def _validation_for(wb, column: Column) -> DataValidation | None:
    if column.type in CHOICES:
        dv = _list_validation(wb, CHOICES[column.type])
        dv.error = "Välj ett värde i listan."
    elif column.type == ColumnType.DATE:
        # A warning, not a stop: "1 mars 2026" typed as text is accepted by the loader too.
        dv = DataValidation(
            type="date",
            operator="between",
            formula1="DATE(1990,1,1)",
            formula2="DATE(2100,12,31)",
            allow_blank=True,
            errorStyle="warning",
        )
        dv.error = "Skriv ett datum, t.ex. 2026-03-01."
    else:
        return None
    dv.errorTitle = column.header[:MAX_PROMPT_TITLE]
    dv.promptTitle, dv.prompt = _prompt(column)
    dv.showInputMessage = dv.showErrorMessage = True
    return dv


def _header_message(ws: Worksheet, cell: str, column: Column) -> None:
    """An input message (no restriction) on a header cell, from the column's help text."""
    dv = DataValidation(allow_blank=True)
    dv.promptTitle, dv.prompt = _prompt(column)
    dv.showInputMessage = True
    ws.add_data_validation(dv)
    dv.add(cell)


def _decorate_table(wb, ws: Worksheet, sheet: Sheet) -> None:
    for idx, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(idx)
        _header_message(ws, f"{letter}1", column)
        dv = _validation_for(wb, column)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{VALIDATED_ROWS}")


def _decorate_cover(wb, ws: Worksheet, sheet: Sheet) -> None:
    # Key/value layout: field names in column A from row 2, values in column B.
    for row, column in enumerate(sheet.columns, start=2):
        _header_message(ws, f"A{row}", column)
        dv = _validation_for(wb, column)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"B{row}")
            if column.type == ColumnType.DATE:
                ws.cell(row, 2).number_format = "yyyy-mm-dd"


def _help_rows(kind: WorkbookKind) -> list[tuple[list[object], str]]:
    """The Hjälp sheet as (cells, style) rows; style is title|sheet|header|text."""
    rows: list[tuple[list[object], str]] = [
        ([f"Mall för arbetsbok: {kind.label_sv}"], "title"),
        (
            [
                "Fyll i ett blad per flik. Rad 1 är rubriker: ändra dem inte. Tomma rader hoppas "
                "över. Det här bladet läses inte in."
            ],
            "text",
        ),
        (
            [
                "Bladet Uppgifter anger Typ och Kod; en ny fil med samma Typ och Kod ersätter den "
                "tidigare filens uppgifter."
            ],
            "text",
        ),
        ([], "text"),
    ]
    for sheet in kind.sheets:
        status = "obligatoriskt blad" if sheet.required else "frivilligt blad"
        rows.append(([f"{sheet.name} ({status})"], "sheet"))
        if sheet.help_sv:
            rows.append(([sheet.help_sv], "text"))
        rows.append((["Kolumn", "Obligatorisk", "Godtagna värden", "Förklaring"], "header"))
        for column in sheet.columns:
            rows.append(
                (
                    [
                        column.header,
                        "Ja" if column.required else "Nej",
                        ACCEPTED_VALUES_SV[column.type],
                        column.help_sv,
                    ],
                    "text",
                )
            )
        rows.append(([], "text"))
    return rows


def _write_help(wb, kind: WorkbookKind) -> None:
    ws = wb.create_sheet(HELP_SHEET, 0)
    for cells, style in _help_rows(kind):
        ws.append(cells)
        if len(cells) == 1:  # titles and prose span the whole table width
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=4)
        if style in ("title", "sheet", "header"):
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True, size=14 if style == "title" else 11)
    for letter, width in zip("ABCD", (32, 14, 60, 60), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_template(out: Path, kind: str = "administration") -> Path:
    """Write an empty workbook of ``kind`` (organisation|administration|object) to ``out``."""
    if kind not in WORKBOOK_KINDS:
        raise ValueError(f"kind must be one of {', '.join(TEMPLATE_KINDS)}")
    workbook_kind = WORKBOOK_KINDS[kind]
    out = Path(out)
    write_workbook(out, kind, {"cover": cover_rows(workbook_kind.label_sv, None)})
    wb = load_workbook(out)
    for sheet in workbook_kind.sheets:
        ws = wb[sheet.name]
        if sheet.key_value:
            _decorate_cover(wb, ws, sheet)
        else:
            _decorate_table(wb, ws, sheet)
    _write_help(wb, workbook_kind)
    wb.active = 0
    wb.save(out)
    log.info("wrote %s template to %s", kind, out)
    return out


# ---------------------------------------------------------------------------- documentation


def _md_cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_sheet(sheet: Sheet) -> list[str]:
    status = "obligatoriskt" if sheet.required else "frivilligt"
    lines = [f"### {sheet.name}", "", f"CSV: `<prefix>.{sheet.slug}.csv` · bladet är {status}."]
    if sheet.key_value:
        lines.append("Bladet har två kolumner, **Fält** och **Värde**, en rad per fält.")
    if sheet.help_sv:
        lines += ["", sheet.help_sv]
    lines += [
        "",
        "| Kolumn | Obligatorisk | Godtagna värden | Förklaring |",
        "|---|---|---|---|",
    ]
    for column in sheet.columns:
        help_text = column.help_sv
        if column.aliases:
            help_text += " (även rubriken " + ", ".join(f"»{a}«" for a in column.aliases) + ")"
        lines.append(
            f"| {_md_cell(column.header)} | {'Ja' if column.required else 'Nej'} | "
            f"{_md_cell(ACCEPTED_VALUES_SV[column.type])} | {_md_cell(help_text)} |"
        )
    return lines + [""]


def input_format_markdown() -> str:
    """The schema-derived part of docs/input-format.md: workbook kinds, sheets and columns."""
    lines = ["## Arbetsböckernas blad", ""]
    lines += ["| Arbetsbok (Typ) | Blad |", "|---|---|"]
    for kind in WORKBOOK_KINDS.values():
        lines.append(f"| {kind.label_sv} | " + ", ".join(s.name for s in kind.sheets) + " |")
    lines += [""]
    seen: set[str] = set()
    for kind in WORKBOOK_KINDS.values():
        lines += [f"## Arbetsbok: {kind.label_sv}", ""]
        for sheet in kind.sheets:
            if sheet.key in seen:
                lines += [f"- {sheet.name}: se ovan.", ""]
                continue
            seen.add(sheet.key)
            lines += _md_sheet(sheet)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def generated_section(document: str) -> str:
    """The text between the generated-section markers of a document ('' when absent)."""
    start, end = document.find(DOC_BEGIN), document.find(DOC_END)
    if start < 0 or end < start:
        return ""
    return document[start + len(DOC_BEGIN) : end].strip("\n") + "\n"


def update_input_format_doc(path: Path) -> bool:
    """Rewrite the generated section of docs/input-format.md; True when it changed."""
    document = path.read_text(encoding="utf-8")
    start, end = document.find(DOC_BEGIN), document.find(DOC_END)
    if start < 0 or end < start:
        raise ValueError(f"{path} lacks the generated-section markers")
    fresh = (
        document[: start + len(DOC_BEGIN)]
        + "\n\n"
        + input_format_markdown()
        + "\n"
        + document[end:]
    )
    if fresh == document:
        return False
    path.write_text(fresh, encoding="utf-8")
    return True
