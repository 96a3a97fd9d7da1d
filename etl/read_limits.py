"""How much an input file may ask of the reader, and the messages that refuse one.

Shared by the package inspection (``etl.xlsx_package``), the readers (``etl.reader``) and the
child process that runs them (``etl.sandboxed_read``), so that a limit and its wording are
written once.
"""

from __future__ import annotations

from dataclasses import dataclass

from etl.issues import ValidationIssue, file_issue


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int = 50 * 1024 * 1024
    max_uncompressed: int = 500 * 1024 * 1024
    max_ratio: float = 200.0
    max_rows: int = 200_000
    max_columns: int = 200
    # The rectangle from A1 to a sheet's last cell: calamine and the grid allocate all of it, so
    # two cells far apart (A1 and GR200000) cost as much as 40 million filled ones.
    max_cells: int = 4_000_000
    # Texts in the shared-strings table (calamine keeps every one, and reserves what it claims).
    max_shared_strings: int = 4_000_000
    # The child process that reads an untrusted file: its address space (RLIMIT_AS), its CPU
    # time per file (RLIMIT_CPU), and how long the caller waits for its answer at most.
    address_space: int = 1024 * 1024 * 1024
    cpu_seconds: int = 60
    wall_seconds: float = 300.0


DEFAULT_LIMITS = ReadLimits()


class SourceReadError(Exception):
    """The file cannot be read at all; ``issues`` says why (usually one file-level issue)."""

    def __init__(self, issues: list[ValidationIssue]) -> None:
        super().__init__("; ".join(i.message_en for i in issues))
        self.issues = issues


def refuse(file: str, sv: str, en: str) -> SourceReadError:
    return SourceReadError([file_issue(file, sv, en)])


def damaged(file: str) -> SourceReadError:
    return refuse(
        file,
        "Filen är skadad och går inte att öppna. Spara om den från Excel som .xlsx.",
        "The file is damaged and cannot be opened. Save it again from Excel as .xlsx.",
    )


def not_xlsx(file: str) -> SourceReadError:
    return refuse(
        file,
        "Filen är ett zip-arkiv men ingen Excel-arbetsbok (.xlsx). Spara den från Excel som "
        "Excel-arbetsbok.",
        "The file is a zip archive but not an Excel workbook (.xlsx). Save it from Excel as an "
        "Excel workbook.",
    )


def bomb(file: str) -> SourceReadError:
    return refuse(
        file,
        "Filen packas upp till orimligt mycket data (misstänkt zip-bomb) och läses inte in.",
        "The file unpacks to an unreasonable amount of data (suspected zip bomb); refused.",
    )


def odd_structure(file: str, sv: str, en: str) -> SourceReadError:
    """A package that Excel never writes: a reader could be led to other parts than checked."""
    return refuse(
        file,
        f"Filen är inte uppbyggd som en arbetsbok från Excel ({sv}) och läses inte in av "
        "säkerhetsskäl. Spara om den från Excel som .xlsx.",
        f"The file is not built like a workbook saved by Excel ({en}); refused for safety. "
        "Save it again from Excel as .xlsx.",
    )


def sheet_issue(file: str, sheet: str, sv: str, en: str) -> SourceReadError:
    return SourceReadError([ValidationIssue(file, sheet, None, None, None, sv, en)])


def too_big(file: str, sheet: str, limits: ReadLimits) -> SourceReadError:
    return sheet_issue(
        file,
        sheet,
        f"Bladet är för stort (högst {_sv_number(limits.max_rows)} rader och "
        f"{limits.max_columns} kolumner). Dela upp filen.",
        f"The sheet is too large (at most {limits.max_rows:,} rows and "
        f"{limits.max_columns} columns). Split the file.",
    )


def _sv_number(number: int) -> str:
    """4 000 000, with no-break spaces, as Swedish writes thousands."""
    return f"{number:,}".replace(",", "\u00a0")


def too_many_cells(file: str, sheet: str, rows: int, columns: int, limits: ReadLimits):
    return sheet_issue(
        file,
        sheet,
        f"Bladet är för stort: det sträcker sig över {_sv_number(rows)} rader och {columns} "
        f"kolumner, alltså fler än {_sv_number(limits.max_cells)} celler från A1. Ta bort "
        "innehåll längst ner eller längst till höger, eller dela upp filen.",
        f"The sheet is too large: it spans {rows:,} rows and {columns} columns, more than "
        f"{limits.max_cells:,} cells from A1. Remove content far down or far right, or split "
        "the file.",
    )


def unreadable_in_bounds(file: str) -> SourceReadError:
    """The reading child process died or ran out of time: the file asked for too much."""
    return refuse(
        file,
        "Filen kunde inte läsas inom gränserna för minne och tid (den är skadad eller gjord för "
        "att slå ut läsaren) och läses inte in. Spara om den från Excel som .xlsx, eller dela "
        "upp den.",
        "The file could not be read within the memory and time limits (it is damaged or made to "
        "bring the reader down) and was not loaded. Save it again from Excel as .xlsx, or "
        "split it.",
    )
