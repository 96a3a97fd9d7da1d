"""One problem found in an input file, located as precisely as the owner needs to fix it.

Every check of the reader and the validator reports a ``ValidationIssue``: file, sheet, Excel row
number, column header and the offending value, with a message in Swedish (what users read) and in
English (for logs and English-speaking administrators).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_VALUE_CHARS = 200
ELLIPSIS = "…"


def truncate(text: str | None, limit: int = MAX_VALUE_CHARS) -> str | None:
    """``text`` cut to ``limit`` characters (with an ellipsis), so one huge cell stays readable."""
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


def show_value(value: object) -> str | None:
    """A raw cell value as a person would recognise it (None for an empty cell)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if text.strip() else None


@dataclass(frozen=True)
class ValidationIssue:
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message_sv: str
    message_en: str

    def __post_init__(self) -> None:
        # Frozen: truncation has to go through object.__setattr__.
        object.__setattr__(self, "value", truncate(self.value))

    def message(self, lang: str = "sv") -> str:
        return self.message_en if lang == "en" else self.message_sv

    def location(self, lang: str = "sv") -> str:
        """ "Tillgångar, rad 5, kolumn Namn" (only the parts that are known)."""
        words = ("sheet", "row", "column") if lang == "en" else ("blad", "rad", "kolumn")
        parts = []
        if self.sheet:
            parts.append(f"{words[0]} {self.sheet}")
        if self.row is not None:
            parts.append(f"{words[1]} {self.row}")
        if self.column:
            parts.append(f"{words[2]} {self.column}")
        return ", ".join(parts)

    def describe(self, lang: str = "sv") -> str:
        """One line: location, value and message."""
        where = self.location(lang)
        value = f" «{self.value}»" if self.value is not None else ""
        head = f"{where}{value}: " if where or value else ""
        return f"{head}{self.message(lang)}"


def file_issue(file: str, message_sv: str, message_en: str) -> ValidationIssue:
    """An issue about the file as a whole (wrong type, too large, …)."""
    return ValidationIssue(file, None, None, None, None, message_sv, message_en)
