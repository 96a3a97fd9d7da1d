"""Pure functions that turn one raw cell into a Python value, one per ``ColumnType``.

A parser returns ``None`` for an empty cell and raises ``CellError`` (Swedish and English message)
for a value it cannot read. Owners write the same thing in many ways, so every parser forgives
leading/trailing spaces and case, and accepts numbers where labels are expected and vice versa.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable

from etl import vocab
from etl.schema import KIND_BY_LABEL, ColumnType

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's leap-year bug included)
MAX_EXCEL_SERIAL = 2_958_465  # 9999-12-31

SWEDISH_MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4, "apr": 4,
    "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augusti": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

STATUS_SYNONYMS = {
    "ej startad": "not_started",
    "inte påbörjad": "not_started",
    "ej påbörjat": "not_started",
    "pågående": "in_progress",
    "påbörjad": "in_progress",
    "färdig": "done",
    "slutförd": "done",
    "avbruten": "cancelled",
    "avbrutet": "cancelled",
    "struken": "cancelled",
}
CARRIER_SYNONYMS = {
    "it system": "it_system",
    "system": "it_system",
    "it": "it_system",
    "moln": "cloud_service",
    "molntjanst": "cloud_service",
    "parm": "binder",
    "pärmar": "binder",
    "dokumentskap": "document_cabinet",
    "skåp": "document_cabinet",
    "arkivskåp": "document_cabinet",
    "övrigt": "other",
}


class CellError(ValueError):
    """A cell that cannot be read; carries the message in Swedish and English."""

    def __init__(self, message_sv: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_sv = message_sv
        self.message_en = message_en


# --------------------------------------------------------------------------- control characters

# Characters no stored text may hold: the C0 controls but tab, line feed and carriage return
# (U+0000–U+001F), DEL (U+007F) and the C1 controls (U+0080–U+009F). They are invisible, XML
# (and so every xlsx export and report) cannot hold most of them, PostgreSQL cannot hold NUL, and
# a C1 character in a cell is a decoding slip, never something a person meant to type. Tab and
# line breaks are ordinary layout in free text.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# A code is one line of visible characters: no tab or line break inside it either.
CODE_CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {0x00: "NUL", 0x09: "tabb", 0x0A: "radbrytning", 0x0D: "radbrytning",
                  0x7F: "DEL"}  # fmt: skip
_CONTROL_NAMES_EN = {0x00: "NUL", 0x09: "tab", 0x0A: "line break", 0x0D: "line break",
                     0x7F: "DEL"}  # fmt: skip


def visible(text: str) -> str:
    """``text`` with each forbidden control character written out ("a\x01b" → "a\\x01b"), so a
    message or report can show where it was without carrying it along."""
    return CONTROL_CHARACTERS.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def control_error(char: str) -> CellError:
    """The message for a cell holding the control character ``char``."""
    number = ord(char)
    name_sv = f"U+{number:04X}" + (f" {_CONTROL_NAMES[number]}" if number in _CONTROL_NAMES else "")
    name_en = f"U+{number:04X}" + (
        f" {_CONTROL_NAMES_EN[number]}" if number in _CONTROL_NAMES_EN else ""
    )
    if number in (0x09, 0x0A, 0x0D):
        return CellError(
            f"Koden innehåller ett styrtecken ({name_sv}). En kod skrivs på en rad utan tabb; "
            "ta bort tecknet.",
            f"The code contains a control character ({name_en}). A code is one line without "
            "tabs; remove the character.",
        )
    return CellError(
        f"Texten innehåller ett osynligt styrtecken ({name_sv}), som inte kan sparas eller visas "
        "i rapporter. Ta bort tecknet, t.ex. genom att skriva in värdet på nytt.",
        f"The text contains an invisible control character ({name_en}), which cannot be stored "
        "or shown in reports. Remove it, e.g. by typing the value again.",
    )


def check_controls(text: str, pattern: re.Pattern[str] = CONTROL_CHARACTERS) -> None:
    """Raise CellError when ``text`` holds a character of ``pattern`` (a control character)."""
    if text.isprintable():  # no control character at all (in C, faster than the search)
        return
    found = pattern.search(text)
    if found is not None:
        raise control_error(found[0])


def is_empty(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and not raw.strip()


def _is_number(raw: object) -> bool:
    return isinstance(raw, int | float) and not isinstance(raw, bool)


def _number_text(raw: object) -> str:
    """A number cell as its plain text (1882.0 → "1882")."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _to_float(text: str) -> float | None:
    """A decimal number written the Swedish or the English way ("1 234,5", "85.5")."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------- text and codes


def parse_text(raw: object) -> str | None:
    if is_empty(raw):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if _is_number(raw):
        return _number_text(raw)
    return str(raw).strip()


def parse_code(raw: object) -> str | None:
    """An identifier: trimmed, case kept; a numeric cell 1882.0 reads as "1882"."""
    return parse_text(raw)


def parse_code_list(raw: object) -> list[str] | None:
    """Codes separated by comma, semicolon or line break; duplicates dropped, order kept."""
    text = parse_text(raw)
    if text is None:
        return None
    codes = [part.strip() for part in re.split(r"[,;\n\r]+", text)]
    if not text.isprintable():  # line breaks separate codes; a tab inside one is an error
        for code in codes:
            check_controls(code, CODE_CONTROL_CHARACTERS)
    unique = list(dict.fromkeys(c for c in codes if c))
    return unique or None


# --------------------------------------------------------------------------- dates


def _date_error(raw: object) -> CellError:
    return CellError(
        f"Datumet «{raw}» går inte att tolka. Skriv det som ÅÅÅÅ-MM-DD, t.ex. 2026-03-01.",
        f"The date «{raw}» cannot be read. Write it as YYYY-MM-DD, e.g. 2026-03-01.",
    )


def _make_date(year: int, month: int, day: int, raw: object) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(
            f"Datumet «{raw}» finns inte i kalendern (kontrollera dag och månad).",
            f"The date «{raw}» does not exist (check day and month).",
        ) from None


def _from_serial(number: float, raw: object) -> dt.date:
    if not 1 <= number <= MAX_EXCEL_SERIAL:
        raise _date_error(raw)
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def _from_digits(digits: str, raw: object) -> dt.date:
    if len(digits) == 8:  # 20260301
        return _make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]), raw)
    if len(digits) <= 7:  # an Excel serial number that came through as text
        return _from_serial(int(digits), raw)
    raise _date_error(raw)


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_SLASHED = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_WORDS = re.compile(r"(\d{1,2})\s*([a-zåäö]+)\.?\s+(\d{4})")


def parse_date(raw: object) -> dt.date | None:
    """Excel date cells, Excel serials, 2026-03-01, 1/3/2026 (day first), 1 mars 2026, 20260301."""
    if is_empty(raw):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if _is_number(raw):
        if not float(raw).is_integer():
            return _from_serial(float(raw), raw)  # a date cell with a time of day
        number = int(raw)
        if 19000101 <= number <= 99991231:
            return _from_digits(str(number), raw)
        return _from_serial(number, raw)
    text = str(raw).strip().casefold()
    if text.isdigit():
        return _from_digits(text, raw)
    if m := _ISO.fullmatch(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _SLASHED.fullmatch(text):
        return _make_date(int(m[3]), int(m[2]), int(m[1]), raw)
    if (m := _WORDS.fullmatch(text)) and m[2] in SWEDISH_MONTHS:
        return _make_date(int(m[3]), SWEDISH_MONTHS[m[2]], int(m[1]), raw)
    raise _date_error(raw)


# --------------------------------------------------------------------------- yes/no, numbers


def parse_bool(raw: object) -> bool | None:
    if is_empty(raw):
        return None
    if _is_number(raw) and float(raw) in (0.0, 1.0):
        return bool(raw)
    value = vocab.parse_bool(raw)
    if value is None:
        raise CellError(
            f"«{raw}» är inte Ja eller Nej. Skriv Ja eller Nej.",
            f"«{raw}» is not yes or no. Write Ja (yes) or Nej (no).",
        )
    return value


def parse_int(raw: object) -> int | None:
    if is_empty(raw):
        return None
    value = float(raw) if _is_number(raw) else _to_float(str(raw))
    if value is None or not value.is_integer():
        raise CellError(
            f"«{raw}» är inte ett heltal. Skriv ett heltal, t.ex. 3.",
            f"«{raw}» is not a whole number. Write a whole number, e.g. 3.",
        )
    return int(value)


def parse_percent(raw: object) -> float | None:
    """0–100. A number cell ≤ 1 is a fraction from a percent-formatted cell (0.85 → 85)."""
    if is_empty(raw):
        return None
    if _is_number(raw):
        value = float(raw)
        if 0 <= value <= 1:
            value *= 100
    else:
        value = _to_float(str(raw).strip().removesuffix("%").strip())
        if value is None:
            raise CellError(
                f"«{raw}» är inte en procentsats. Skriv ett tal 0–100, t.ex. 85 eller 85,5.",
                f"«{raw}» is not a percentage. Write a number 0–100, e.g. 85 or 85.5.",
            )
    if not 0 <= value <= 100:
        raise CellError(
            f"Procentsatsen «{raw}» ligger utanför 0–100.",
            f"The percentage «{raw}» is outside 0–100.",
        )
    return round(value, 6)  # 0.85 * 100 is 85.00000000000001


_PERIOD_YEAR_FIRST = re.compile(r"(\d{4})\s*[-/ ]?\s*([qkh])\s*([1-4])")
_PERIOD_PART_FIRST = re.compile(r"([qkh])\s*([1-4])\s*[-/ ]?\s*(\d{4})")


def parse_period(raw: object) -> str | None:
    """A quarter or half year: "2026-Q3", "2026 Q3", "Q3 2026", "2026-K3" → "2026-Q3"."""
    if is_empty(raw):
        return None
    text = str(raw).strip().casefold()
    if m := _PERIOD_YEAR_FIRST.fullmatch(text):
        year, part, number = m[1], m[2], int(m[3])
    elif m := _PERIOD_PART_FIRST.fullmatch(text):
        part, number, year = m[1], int(m[2]), m[3]
    else:
        part, number, year = "", 0, ""
    if part in ("q", "k"):
        return f"{year}-Q{number}"
    if part == "h" and number in (1, 2):
        return f"{year}-H{number}"
    raise CellError(
        f"Perioden «{raw}» går inte att tolka. Skriv kvartalet som 2026-Q3.",
        f"The period «{raw}» cannot be read. Write the quarter as 2026-Q3.",
    )


# --------------------------------------------------------------------------- levels


def _level(
    raw: object, labels: dict[int, str], what_sv: tuple[str, str], what_en: str
) -> int | None:
    """``what_sv`` is the Swedish noun (definite, indefinite): ("Nivån", "nivå")."""
    if is_empty(raw):
        return None
    text = raw if _is_number(raw) else str(raw).strip().replace(",", ".")
    level = vocab.parse_level(text, labels)
    if level is not None:
        return level
    low, high = min(labels), max(labels)
    choices = ", ".join(f"{n} {label}" for n, label in labels.items())
    number = float(raw) if _is_number(raw) else _to_float(str(raw))
    if number is not None:
        raise CellError(
            f"{what_sv[0]} {_number_text(number)} ligger utanför skalan {low}–{high}.",
            f"{what_en} {_number_text(number)} is outside the scale {low}–{high}.",
        )
    raise CellError(
        f"«{raw}» är ingen giltig {what_sv[1]}. Skriv {low}–{high} eller en etikett: {choices}.",
        f"«{raw}» is not a valid {what_en.lower()}. Write {low}–{high} or a label: {choices}.",
    )


def parse_class_level(raw: object) -> int | None:
    return _level(raw, vocab.CLASSIFICATION_LEVELS, ("Nivån", "nivå"), "The level")


def parse_maturity_level(raw: object) -> int | None:
    return _level(raw, vocab.MATURITY_LEVELS, ("Mognadsnivån", "mognadsnivå"), "The maturity level")


def _scale(labels: dict[int, str], matrix_size: int) -> dict[int, str]:
    """Numbers 1..matrix_size; the Swedish labels exist for the default 4-step scale."""
    return {n: labels.get(n, str(n)) for n in range(1, matrix_size + 1)}


def parse_likelihood(raw: object, matrix_size: int = vocab.DEFAULT_MATRIX_SIZE) -> int | None:
    labels = _scale(vocab.LIKELIHOOD_LEVELS, matrix_size)
    return _level(raw, labels, ("Sannolikheten", "sannolikhet"), "The likelihood")


def parse_consequence(raw: object, matrix_size: int = vocab.DEFAULT_MATRIX_SIZE) -> int | None:
    labels = _scale(vocab.CONSEQUENCE_LEVELS, matrix_size)
    return _level(raw, labels, ("Konsekvensen", "konsekvens"), "The consequence")


# --------------------------------------------------------------------------- vocabularies


def _choice(
    raw: object,
    vocabulary: dict[str, str],
    synonyms: dict[str, str] | None,
    what_sv: str,
    what_en: str,
) -> str | None:
    if is_empty(raw):
        return None
    code = vocab.parse_choice(raw, vocabulary, synonyms)
    if code is not None:
        return code
    choices = ", ".join(vocabulary.values())
    raise CellError(
        f"«{raw}» är ingen giltig {what_sv}. Välj en av: {choices}.",
        f"«{raw}» is not a valid {what_en}. Choose one of: {choices}.",
    )


def parse_treatment(raw: object) -> str | None:
    return _choice(raw, vocab.TREATMENTS, vocab.TREATMENT_SYNONYMS, "hantering", "treatment")


def parse_action_status(raw: object) -> str | None:
    return _choice(raw, vocab.ACTION_STATUSES, STATUS_SYNONYMS, "status", "status")


def parse_carrier_type(raw: object) -> str | None:
    return _choice(raw, vocab.CARRIER_TYPES, CARRIER_SYNONYMS, "typ av bärare", "carrier type")


def parse_personal_data(raw: object) -> str | None:
    return _choice(
        raw,
        vocab.PERSONAL_DATA,
        vocab.PERSONAL_DATA_SYNONYMS,
        "personuppgiftsmarkering",
        "personal-data value",
    )


def parse_role(raw: object) -> str | None:
    return _choice(raw, vocab.ROLES, vocab.ROLE_SYNONYMS, "roll", "role")


def parse_workbook_kind(raw: object) -> str | None:
    if is_empty(raw):
        return None
    kind = KIND_BY_LABEL.get(vocab.normalise(raw))
    if kind is None:
        raise CellError(
            f"«{raw}» är ingen filtyp. Skriv Organisation, Förvaltning eller Förvaltningsobjekt.",
            f"«{raw}» is not a workbook kind. Write Organisation, Förvaltning or "
            "Förvaltningsobjekt.",
        )
    return kind


PARSERS: dict[ColumnType, Callable[[object], object]] = {
    ColumnType.TEXT: parse_text,
    ColumnType.CODE: parse_code,
    ColumnType.CODE_LIST: parse_code_list,
    ColumnType.DATE: parse_date,
    ColumnType.BOOL: parse_bool,
    ColumnType.CLASS_LEVEL: parse_class_level,
    ColumnType.MATURITY_LEVEL: parse_maturity_level,
    ColumnType.LIKELIHOOD: parse_likelihood,
    ColumnType.CONSEQUENCE: parse_consequence,
    ColumnType.TREATMENT: parse_treatment,
    ColumnType.ACTION_STATUS: parse_action_status,
    ColumnType.CARRIER_TYPE: parse_carrier_type,
    ColumnType.PERSONAL_DATA: parse_personal_data,
    ColumnType.ROLE: parse_role,
    ColumnType.WORKBOOK_KIND: parse_workbook_kind,
    ColumnType.PERCENT: parse_percent,
    ColumnType.PERIOD: parse_period,
    ColumnType.INT: parse_int,
}


def parse_cell(column_type: ColumnType, raw: object, *, matrix_size: int = 4) -> object:
    """The value of ``raw`` for ``column_type``; None when empty; raises CellError.

    Text holding a control character is refused whatever the column's type, before it is read:
    no value, and no message quoting it, ever carries one (the ends are trimmed first, as for
    every value).
    """
    if type(raw) is str:
        check_controls(raw.strip(),
                       CODE_CONTROL_CHARACTERS if column_type is ColumnType.CODE
                       else CONTROL_CHARACTERS)  # fmt: skip
    if column_type is ColumnType.LIKELIHOOD:
        return parse_likelihood(raw, matrix_size)
    if column_type is ColumnType.CONSEQUENCE:
        return parse_consequence(raw, matrix_size)
    return PARSERS[column_type](raw)
