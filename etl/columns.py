"""Parse a sheet one column at a time, with the converter chosen once per column.

A national delivery has tens of millions of cells. Parsing cell by cell through a generic
dispatcher (type lookup, memo key, bound-method calls per cell) cost more than reading the files;
here each column is one tight loop: plain text is stripped in place, and every other type parses
each distinct raw value once (dates, levels and vocabularies repeat a lot).

The outcome per cell is exactly ``etl.parsing.parse_cell`` (which refuses control characters)
plus the checks every stored value needs (required, length); problems come back with their row
index so the validator can report them in the file's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat

from etl.parsing import (
    CODE_CONTROL_CHARACTERS,
    CONTROL_CHARACTERS,
    CellError,
    control_error,
    is_empty,
    parse_cell,
    visible,
)
from etl.schema import Column, ColumnType

PLAIN_TEXT = (ColumnType.TEXT, ColumnType.CODE)
_MISSING = object()
_FAILED = object()  # a cell with a problem, until the end of parse_column


@dataclass(frozen=True)
class CellProblem:
    index: int  # position of the row in the sheet's rows
    value: object  # what the owner wrote, as shown in the message
    message_sv: str
    message_en: str


def _missing(column: Column) -> tuple[str, str]:
    return (
        f"Värde saknas i kolumnen {column.header}. Den måste fyllas i ({column.help_sv.lower()}).",
        f"{column.header} is empty. It is required ({column.help_en.lower()}).",
    )


def _too_long(limit: int) -> tuple[str, str]:
    return (
        f"Texten är för lång (högst {limit:,} tecken). Korta den.".replace(",", "\u00a0"),
        f"The text is too long (at most {limit} characters). Shorten it.",
    )


def _shown(raw: object) -> object:
    """A raw cell as a message may quote it: control characters written out (etl.parsing)."""
    return visible(raw) if type(raw) is str else raw


def _controls(column: Column):
    """The control characters a value of ``column`` may not hold (codes: no tab or line break)."""
    return CODE_CONTROL_CHARACTERS if column.type is ColumnType.CODE else CONTROL_CHARACTERS


# Outcomes of parse_cell per (type, matrix size): a pure function of the raw value, so shared by
# every file of a run (dates and levels repeat across files far more than within one).
_MEMOS: dict[tuple[ColumnType, int], dict[object, object]] = {}
MEMO_LIMIT = 200_000  # distinct raw values kept per type before the memo starts afresh


def _converter(column: Column, matrix_size: int):
    """raw -> value or CellError (returned, not raised), remembering each distinct raw value."""
    column_type = column.type
    memo = _MEMOS.setdefault((column_type, matrix_size), {})
    if len(memo) > MEMO_LIMIT:
        memo.clear()

    def convert(raw: object) -> object:
        key = raw if type(raw) is str else (type(raw), raw)
        try:
            outcome = memo.get(key, _MISSING)
        except TypeError:  # unhashable: parse directly
            outcome, key = _MISSING, None
        if outcome is _MISSING:
            try:
                outcome = parse_cell(column_type, raw, matrix_size=matrix_size)
            except CellError as exc:
                outcome = exc
            if key is not None:
                memo[key] = outcome
        return outcome

    return convert


def _parse_cell_by_cell(
    raw_values: Sequence[object],
    column: Column,
    limit: int | None,
    matrix_size: int,
    problems: list[CellProblem],
) -> list[object]:
    """``parse_column`` one cell at a time (code lists, and cells no memo can hold)."""
    column_type = column.type
    plain = column_type in PLAIN_TEXT
    is_list = column_type is ColumnType.CODE_LIST
    convert = None if plain or is_list else _converter(column, matrix_size)
    controls = _controls(column)
    required = column.required
    # A code list's text parsed once per column (a CSV file's owners and participants repeat:
    # 11 500 distinct texts in 62 000 cells of 300 national sets); each cell gets its own list.
    lists: dict[str, object] = {}
    out: list[object] = []
    append = out.append
    for index, raw in enumerate(raw_values):
        if raw is None:
            value = None
        elif is_list and type(raw) is str:
            parsed = lists.get(raw, _MISSING)
            if parsed is _MISSING:
                try:
                    parsed = parse_cell(column_type, raw)
                except CellError as exc:
                    parsed = exc
                lists[raw] = parsed
            if isinstance(parsed, CellError):
                problems.append(CellProblem(index, _shown(raw), parsed.message_sv,
                                            parsed.message_en))  # fmt: skip
                append(None)
                continue
            value = None if parsed is None else list(parsed)  # type: ignore[call-overload]
        elif plain and type(raw) is str:
            value = raw.strip() or None
            found = None if value is None or value.isprintable() else controls.search(value)
            if found is not None:
                error = control_error(found[0])
                problems.append(CellProblem(index, _shown(raw), error.message_sv,
                                            error.message_en))  # fmt: skip
                append(None)
                continue
        elif convert is None:  # plain text from a number or date cell, or a code list
            try:
                value = parse_cell(column_type, raw)
            except CellError as exc:
                problems.append(CellProblem(index, _shown(raw), exc.message_sv, exc.message_en))
                append(None)
                continue
        else:
            value = convert(raw)
            if type(value) is CellError:
                problems.append(CellProblem(index, _shown(raw), value.message_sv,
                                            value.message_en))  # fmt: skip
                append(None)
                continue
        if value is None:
            if required and is_empty(raw):
                problems.append(CellProblem(index, None, *_missing(column)))
            append(None)
            continue
        if type(value) is str:
            if limit is not None and len(value) > limit:
                problems.append(CellProblem(index, raw, *_too_long(limit)))
                append(None)
                continue
        elif is_list and limit is not None and any(len(code) > limit for code in value):  # type: ignore[attr-defined]
            problems.append(CellProblem(index, raw, *_too_long(limit)))
            append(None)
            continue
        append(value)
    return out


_TEXT_OR_NONE = frozenset((str, type(None)))
# Every cell of the column is text (as in a CSV file): the first passes map a str method over the
# whole column in C. Measured on 10 000 cells: stripping 1.6 -> 1.0 ms, memo look-ups 0.19 ->
# 0.11 ms; the same passes in pandas (Series.str.strip, Series.map) took 6.4 and 4.4 ms, as the
# columns of one file are too short to repay building a Series.
_ONLY_TEXT = frozenset((str,))


def _texts(values: list[object]) -> list[str]:
    """The str values of a parsed column (a text column's: all but the blanks, found in C)."""
    if _TEXT_OR_NONE.issuperset(map(type, values)):
        return list(filter(None, values))  # type: ignore[arg-type]  # no "": blanks are None
    return [v for v in values if type(v) is str]


def parse_column(
    raw_values: Sequence[object],
    column: Column,
    limit: int | None,
    matrix_size: int,
    problems: list[CellProblem],
) -> list[object]:
    """The parsed values of one column; every problem is appended to ``problems``.

    ``limit``: the longest text the store column holds (None: no limit); for a code list it
    applies to each code. At most one problem per cell, checked in this order: the text holds a
    control character or the value cannot be read, a required value is missing, the text is too
    long.

    Done in passes over the whole column (list comprehensions, C-level joins and maxima) rather
    than one Python loop body per cell; the rare cells with a problem are then found one by one.
    """
    column_type = column.type
    if column_type is ColumnType.CODE_LIST:
        return _parse_cell_by_cell(raw_values, column, limit, matrix_size, problems)
    if column_type in PLAIN_TEXT:
        if _ONLY_TEXT.issuperset(map(type, raw_values)):  # a CSV column: str.strip mapped in C
            out = [value or None for value in map(str.strip, raw_values)]
        else:
            out = [raw.strip() or None if type(raw) is str else raw for raw in raw_values]
        # A CSV column is text and blanks only: one C-level pass over the types says so.
        others = [] if _TEXT_OR_NONE.issuperset(map(type, out)) else out
        for index in [i for i, v in enumerate(others) if v is not None and type(v) is not str]:
            try:  # a number or date cell in a text column: its text
                out[index] = parse_cell(column_type, out[index])
            except CellError as exc:
                problems.append(CellProblem(index, _shown(raw_values[index]), exc.message_sv,
                                            exc.message_en))  # fmt: skip
                out[index] = _FAILED
        texts = _texts(out)
        controls = _controls(column)
        # One C-level pass over the column's text: a printable text holds no control character
        # (isprintable is twice as fast as the search); the cells that are not printable (tabs,
        # line breaks, no-break spaces, control characters) are then searched one by one.
        if texts and not "".join(texts).isprintable():
            for index in [i for i, v in enumerate(out)
                          if type(v) is str and not v.isprintable() and controls.search(v)]:  # fmt: skip
                error = control_error(controls.search(out[index])[0])  # type: ignore[index, arg-type]
                problems.append(CellProblem(index, _shown(raw_values[index]), error.message_sv,
                                            error.message_en))  # fmt: skip
                out[index] = _FAILED
    else:
        convert = _converter(column, matrix_size)
        memo = _MEMOS[(column_type, matrix_size)]
        try:
            if _ONLY_TEXT.issuperset(map(type, raw_values)):  # a CSV column: dict.get mapped in C
                out = list(map(memo.get, raw_values, repeat(_MISSING)))
            else:
                out = [memo.get(raw if type(raw) is str else (type(raw), raw), _MISSING)
                       for raw in raw_values]  # fmt: skip
        except TypeError:  # an unhashable cell value: one by one
            return _parse_cell_by_cell(raw_values, column, limit, matrix_size, problems)
        if _MISSING in out:  # values no file of the run had yet
            for index in [i for i, v in enumerate(out) if v is _MISSING]:
                out[index] = convert(raw_values[index])
        failed = out if CellError in set(map(type, out)) else []
        for index in [i for i, v in enumerate(failed) if type(v) is CellError]:
            error = out[index]
            problems.append(CellProblem(index, _shown(raw_values[index]), error.message_sv,  # type: ignore[attr-defined]
                                        error.message_en))  # type: ignore[attr-defined]  # fmt: skip
            out[index] = _FAILED
    if column.required and None in out:
        for index in [i for i, v in enumerate(out) if v is None]:
            if is_empty(raw_values[index]):
                problems.append(CellProblem(index, None, *_missing(column)))
    texts = _texts(out)
    if limit is not None and texts and max(map(len, texts)) > limit:
        for index in [i for i, v in enumerate(out) if type(v) is str and len(v) > limit]:
            problems.append(CellProblem(index, raw_values[index], *_too_long(limit)))
            out[index] = _FAILED
    if _FAILED in out:  # a cell with a problem parses as empty
        out = [None if v is _FAILED else v for v in out]
    return out
