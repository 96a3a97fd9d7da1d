"""Read an input workbook (.xlsx) or a CSV set into raw cells, refusing hostile files first.

``read_source_here(path)`` returns a ``RawWorkbook``: the sheets the schema knows, each with its header
names, the schema column each header matched, and its non-empty rows with their Excel row numbers.
Nothing is interpreted here beyond locating cells; ``etl.validate`` parses and checks the values.

Two defences, one inside the other (DESIGN §8, docs/security.md):

- before a byte is parsed, the file is inspected within bounded time and memory: size, file type,
  and for a workbook the whole package (``etl.xlsx_package``: zip bombs, part names, the
  relationships, every XML part through a defused parser, each sheet's real extent);
- ``etl.sandboxed_read.read_source`` (what loaders call) does the inspection and the read in a
  child process with an address-space and CPU limit, so that whatever slips past the inspection, in Python or in
  calamine's native code, ends as a clear rejection of that file instead of taking the CLI or a
  web worker down. ``read_source_here`` is the same read in this process, for that child.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import count
from pathlib import Path
from typing import NamedTuple

import python_calamine

from etl import vocab, xlsx_package
from etl.read_limits import DEFAULT_LIMITS, ReadLimits, SourceReadError, refuse, too_big
from etl.schema import ALL_SHEETS, Column, Sheet

log = logging.getLogger(__name__)

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIX = ".csv"
CHUNK = 1 << 20
HEADER_SEARCH_ROWS = 10  # a title row or two above the headers is tolerated


class RawRow(NamedTuple):
    # A named tuple rather than a frozen dataclass: a national set has two million rows.
    number: int  # 1-based, as Excel shows it (for CSV: the record number, header = 1)
    values: tuple[object, ...]  # aligned with RawSheet.headers


@dataclass
class RawSheet:
    name: str  # as written in the file
    schema: Sheet
    headers: list[str]
    header_row: int
    rows: list[RawRow]
    # schema column key -> index into the row values; absent when the header is missing
    columns: dict[str, int] = field(default_factory=dict)

    # Pickled (from the reading child process) with its schema sheet by key, and given back the
    # very object of etl.schema: caches keyed by the sheet, and a few bytes less per file.
    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["schema"] = self.schema.key
        return state

    def __setstate__(self, state: dict) -> None:
        state["schema"] = SHEETS_BY_KEY[state["schema"]]
        self.__dict__.update(state)

    def value(self, row: RawRow, key: str) -> object:
        index = self.columns.get(key)
        if index is None or index >= len(row.values):
            return None
        return row.values[index]


@dataclass
class RawWorkbook:
    file_name: str  # what the owner recognises: the xlsx name or "<prefix>.*.csv"
    paths: list[Path]
    sha256: str
    sheets: dict[str, RawSheet]  # by schema sheet key
    ignored_sheets: list[str] = field(default_factory=list)  # names the schema does not know
    duplicate_sheets: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- name matching


def fold(text: object) -> str:
    """How headers and sheet names are compared: case, spaces and punctuation do not matter."""
    if type(text) is str:
        return _fold_text(text)
    return "".join(ch for ch in vocab.normalise(text) if ch.isalnum())


@lru_cache(maxsize=8192)
def _fold_text(text: str) -> str:
    # Headers, sheet names and cover labels repeat in every file of a delivery: fold each once.
    return "".join(ch for ch in vocab.normalise(text) if ch.isalnum())


def _sheet_lookup() -> dict[str, Sheet]:
    lookup: dict[str, Sheet] = {}
    for sheet in ALL_SHEETS:
        for name in (sheet.name, sheet.slug, sheet.key):
            lookup.setdefault(fold(name), sheet)
    return lookup


SHEETS_BY_NAME = _sheet_lookup()
SHEETS_BY_SLUG = {sheet.slug: sheet for sheet in ALL_SHEETS}
SHEETS_BY_KEY = {sheet.key: sheet for sheet in ALL_SHEETS}


# id(sheet) -> (sheet, folded name -> column); the sheet is kept so its id stays its own.
_WANTED: dict[int, tuple[Sheet, dict[str, Column]]] = {}


def _wanted(sheet: Sheet) -> dict[str, Column]:
    """Folded header, key and alias -> column, built once per schema sheet."""
    cached = _WANTED.get(id(sheet))
    if cached is not None and cached[0] is sheet:
        return cached[1]
    wanted: dict[str, Column] = {}
    for column in sheet.columns:
        for name in (column.header, column.key, *column.aliases):
            wanted.setdefault(fold(name), column)
    _WANTED[id(sheet)] = (sheet, wanted)
    return wanted


def match_columns(sheet: Sheet, headers: Sequence[object]) -> dict[str, int]:
    """Schema column key -> header index, forgiving case, spaces, punctuation and aliases."""
    wanted = _wanted(sheet)
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = wanted.get(fold(header)) if header is not None else None
        if column is not None and column.key not in found:
            found[column.key] = index
    return found


# --------------------------------------------------------------------------- table extraction


def _row_is_empty(values: Iterable[object]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _find_header(sheet: Sheet, grid: list[list[object]]) -> int:
    """Index of the header row: the first of the top rows that names a schema column."""
    first_non_empty = None
    for index, values in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if _row_is_empty(values):
            continue
        if first_non_empty is None:
            first_non_empty = index
        if match_columns(sheet, values):
            return index
    return first_non_empty if first_non_empty is not None else 0


def _key_value_rows(grid: list[list[object]], first_row_number: int) -> list[RawRow]:
    rows = []
    for index, values in enumerate(grid):
        if _row_is_empty(values):
            continue
        label = fold(values[0]) if values else ""
        if label in ("falt", "fält", "field") and not rows:
            continue  # the "Fält | Värde" header
        rows.append(
            RawRow(first_row_number + index, tuple(values[:2]) + (None,) * (2 - len(values)))
        )
    return rows


def build_sheet(
    name: str, sheet: Sheet, grid: list[list[object]], first_row_number: int
) -> RawSheet:
    """A RawSheet from a grid of cell values whose first row is Excel row ``first_row_number``.

    A blank row must have only None cells (or none at all), as both readers make it; other
    blank cells may be None or blank text.
    """
    if sheet.key_value:
        return RawSheet(
            name,
            sheet,
            ["Fält", "Värde"],
            first_row_number,
            _key_value_rows(grid, first_row_number),
            {"field": 0, "value": 1},
        )
    if not grid:
        return RawSheet(name, sheet, [], first_row_number, [], {})
    header_index = _find_header(sheet, grid)
    headers = ["" if h is None else str(h).strip() for h in grid[header_index]]
    width = len(headers)
    body = grid[header_index + 1 :]
    if width and set(map(len, body)) <= {0, width}:
        # Every row as wide as the headers or blank (a CSV file, and most sheets): the same
        # rows as the loop below, without its slicing and padding per row.
        start = first_row_number + header_index + 1
        none = (None,) * width
        return RawSheet(name, sheet, headers, first_row_number + header_index,
                        [RawRow(number, cells) for number, cells
                         in zip(count(start), map(tuple, body)) if cells and cells != none],
                        match_columns(sheet, headers))  # fmt: skip
    rows = []
    padding = [(None,) * (width - n) for n in range(width + 1)]
    for offset, values in enumerate(body, start=header_index + 1):
        n = len(values)
        cells = tuple(values[:width]) if n >= width else tuple(values) + padding[n]
        if cells.count(None) == width:  # a blank row is all None (see above)
            continue
        if n > width and _row_is_empty(cells):  # text only beyond the headed columns
            continue
        rows.append(RawRow(first_row_number + offset, cells))
    return RawSheet(
        name, sheet, headers, first_row_number + header_index, rows, match_columns(sheet, headers)
    )


# --------------------------------------------------------------------------- hashing


def _sha256(paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if len(paths) > 1:
            digest.update(path.name.encode() + b"\0")
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- refusals

_refuse = refuse


def _check_size(paths: Sequence[Path], file: str, limits: ReadLimits) -> None:
    total = sum(p.stat().st_size for p in paths)
    if total > limits.max_bytes:
        mb = limits.max_bytes // (1024 * 1024)
        size = f"{total / 1024 / 1024:.1f}"
        raise _refuse(
            file,
            f"Filen är för stor ({size.replace('.', ',')} MB; högst {mb} MB). "
            "Dela upp den i flera filer.",
            f"The file is too large ({size} MB; at most {mb} MB). Split it.",
        )


def inspect_xlsx(path: Path, file: str, limits: ReadLimits = DEFAULT_LIMITS) -> None:
    """Raise SourceReadError unless ``path`` is a plain, reasonably sized xlsx workbook."""
    _check_size([path], file, limits)
    xlsx_package.inspect_xlsx(path, file, limits)


# --------------------------------------------------------------------------- xlsx


def _fill_merged(grid: list[list[object]], merged: Iterable, origin: tuple[int, int]) -> None:
    """Give every cell of a merged range the value of its top-left cell (what a person sees)."""
    r0, c0 = origin
    for (top, left), (bottom, right) in merged or ():
        top, left, bottom, right = top - r0, left - c0, bottom - r0, right - c0
        if not (0 <= top < len(grid) and 0 <= left < len(grid[top])):
            continue
        value = grid[top][left]
        for r in range(top, min(bottom, len(grid) - 1) + 1):
            row = grid[r]
            for c in range(left, min(right, len(row) - 1) + 1):
                row[c] = value


def read_xlsx(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> RawWorkbook:
    file = path.name
    inspect_xlsx(path, file, limits)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError:
        raise _refuse(
            file,
            "Filen är lösenordsskyddad. Spara den utan lösenord som .xlsx.",
            "The file is password-protected. Save it without a password as .xlsx.",
        ) from None
    except Exception:  # noqa: BLE001 - calamine raises several error types for broken files
        log.info("calamine could not open %s", path, exc_info=True)
        raise _refuse(
            file,
            "Filen är skadad och går inte att öppna. Spara om den från Excel som .xlsx.",
            "The file is damaged and cannot be opened. Save it again from Excel as .xlsx.",
        ) from None
    result = RawWorkbook(file, [path], _sha256([path]), {})
    with workbook:
        for meta in workbook.sheets_metadata:
            if str(meta.typ) != str(python_calamine.SheetTypeEnum.WorkSheet):
                continue
            schema = SHEETS_BY_NAME.get(fold(meta.name))
            if schema is None:
                result.ignored_sheets.append(meta.name)
                continue
            if schema.key in result.sheets:
                result.duplicate_sheets.append(meta.name)
                continue
            try:
                sheet = workbook.get_sheet_by_name(meta.name)
                if sheet.height > limits.max_rows or (sheet.width > limits.max_columns):
                    raise too_big(file, meta.name, limits)
                # Blank text (empty or only spaces) is an empty cell, as in a CSV file.
                grid = [[None if type(v) is str and not v.strip() else v for v in row]
                        for row in sheet.to_python(skip_empty_area=False)]  # fmt: skip
                merged = sheet.merged_cell_ranges
            except SourceReadError:
                raise
            except Exception:  # noqa: BLE001
                log.info("calamine could not read sheet %s of %s", meta.name, path, exc_info=True)
                raise _refuse(
                    file,
                    f"Bladet {meta.name} är skadat och går inte att läsa.",
                    f"The sheet {meta.name} is damaged and cannot be read.",
                ) from None
            # to_python(skip_empty_area=False) starts at A1, as the merged ranges do.
            _fill_merged(grid, merged, (0, 0))
            result.sheets[schema.key] = build_sheet(meta.name, schema, grid, 1)
    return result


# --------------------------------------------------------------------------- CSV


def list_folder(folder: Path) -> list[tuple[str, bool]]:
    """(name, is a file) of every entry of ``folder``: one listing ([] when unreadable)."""
    try:
        with os.scandir(folder) as entries:
            listing = []
            for entry in entries:
                try:
                    listing.append((entry.name, entry.is_file()))
                except OSError:
                    listing.append((entry.name, False))
            return listing
    except OSError:
        return []


def csv_sets_in(
    folder: Path, listing: list[tuple[str, bool]] | None = None
) -> dict[str, list[Path]]:
    """Every CSV set of ``folder``: prefix -> its files, sorted; one listing of the folder.

    A national delivery can be one flat folder of 12 000 files: listing it once per file would
    take most of an hour, so callers that see many files group them with this once
    (``listing``: ``list_folder(folder)`` when the caller has it already).
    """
    sets: dict[str, list[Path]] = {}
    for name, is_file in list_folder(folder) if listing is None else listing:
        if not is_file or len(name) <= len(CSV_SUFFIX):
            continue
        if not name.casefold().endswith(CSV_SUFFIX):
            continue
        prefix, _, slug = name[: -len(CSV_SUFFIX)].rpartition(".")
        if prefix and slug.casefold() in SHEETS_BY_SLUG:
            sets.setdefault(prefix, []).append(Path(folder, name))
    for members in sets.values():
        members.sort(key=lambda p: p.name)
    return sets


def csv_set_members(
    path: Path, sets: dict[str, list[Path]] | None = None
) -> tuple[str, list[Path]] | None:
    """(prefix, files) of the CSV set ``path`` belongs to; None when its name has no known slug.

    ``sets`` is ``csv_sets_in(path.parent)`` when the caller already listed the folder.
    """
    prefix, _, slug = path.stem.rpartition(".")
    if not prefix or slug.casefold() not in SHEETS_BY_SLUG:
        return None
    if sets is None:
        sets = csv_sets_in(path.parent)
    return prefix, list(sets.get(prefix, []))


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode text" (tab-separated UTF-16)


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def decode_csv(data: bytes) -> str:
    """UTF-16 with a BOM; else UTF-8 (with or without BOM); else line by line.

    A file edited by several people can mix encodings: each line is UTF-8 when it decodes as such,
    otherwise Windows-1252 (Excel's Swedish default), so å ä ö survive in both kinds of line.
    """
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    data = data.removeprefix(b"\xef\xbb\xbf")
    return "".join(_decode_line(line) for line in data.splitlines(keepends=True))


def sniff_delimiter(text: str) -> str:
    """``;`` or ``,`` (or tab), whichever the header line uses most; ``;`` when undecided."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ";"


def _nul_line(text: str) -> int:
    return text.count("\n", 0, text.index("\0")) + 1


def _read_csv_grid(
    path: Path, file: str, limits: ReadLimits, data: bytes | None = None
) -> list[list[object]]:
    """The records of one CSV file (``data``: its bytes, when the caller has read them)."""
    text = decode_csv(path.read_bytes() if data is None else data)
    if "\0" in text:  # binary data, or UTF-16 without a BOM: nothing a person typed
        line = _nul_line(text)
        raise _refuse(
            file,
            f"CSV-filen {path.name} innehåller binära tecken (NUL) på rad {line}. Spara den "
            "från Excel som CSV (UTF-8).",
            f"The CSV file {path.name} contains binary characters (NUL) on line {line}. Save it "
            "from Excel as CSV (UTF-8).",
        )
    # strict: a quote that is never closed is an error, not a field swallowing the rest of the file
    delimiter = sniff_delimiter(text)
    try:  # the usual case in one C-level pass; the checks of the loop below afterwards
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        records = None  # read again record by record, to say where the broken one starts
    if records is not None:
        # The file is at most limits.max_bytes, so reading it whole first is bounded too.
        if len(records) > limits.max_rows + 1 or (
            records and max(map(len, records)) > limits.max_columns
        ):
            raise too_big(file, path.name, limits)
        # A blank record becomes an empty row; other blank cells stay "" (parsed as empty).
        # One join and strip per record instead of a strip per cell.
        return [r if "".join(r).strip() else [] for r in records]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    grid: list[list[object]] = []
    started = 1  # the line where the record being read began
    try:
        for record in reader:
            if len(grid) > limits.max_rows or len(record) > limits.max_columns:
                raise too_big(file, path.name, limits)
            # A blank record becomes an empty row; other blank cells stay "" (parsed as empty).
            # One join and strip per record instead of a strip per cell.
            grid.append(record if "".join(record).strip() else [])
            started = reader.line_num + 1
    except csv.Error as exc:
        log.info("unreadable CSV %s: %s", path, exc)
        if "field larger than field limit" in str(exc):
            limit = f"{csv.field_size_limit():,}"
            raise _refuse(
                file,
                f"CSV-filen {path.name} har ett orimligt långt värde på rad {started} (mer än "
                f"{limit.replace(',', ' ')} tecken). Korta texten.",
                f"The CSV file {path.name} has an unreasonably long value on line {started} "
                f"(more than {limit} characters). Shorten it.",
            ) from None
        raise _refuse(
            file,
            f'CSV-filen {path.name} går inte att läsa från rad {started}: ett citattecken (") '
            "öppnas men stängs aldrig, eller står mitt i ett värde. Kontrollera citattecknen på "
            "den raden.",
            f'The CSV file {path.name} cannot be read from line {started}: a quote (") is '
            f"opened but never closed, or stands inside a value ({exc}).",
        ) from None
    return grid


def read_csv_set(
    path: Path,
    limits: ReadLimits = DEFAULT_LIMITS,
    members: tuple[str, list[Path]] | None = None,
) -> RawWorkbook:
    """The CSV set of ``path``; ``members`` is its ``csv_set_members`` when already known."""
    members = members or csv_set_members(path)
    if members is None:
        slugs = ", ".join(sorted(SHEETS_BY_SLUG))
        raise _refuse(
            path.name,
            f"CSV-filens namn ska vara <prefix>.<blad>.csv, t.ex. 1882-SOC.tillgangar.csv, där "
            f"bladet är ett av: {slugs}.",
            f"A CSV file must be named <prefix>.<sheet>.csv, e.g. 1882-SOC.tillgangar.csv, with "
            f"the sheet one of: {slugs}.",
        )
    prefix, paths = members
    file = f"{prefix}.*.csv"
    _check_size(paths, file, limits)
    result = RawWorkbook(file, paths, "", {})
    digest = hashlib.sha256()  # as _sha256(paths), from the bytes read for parsing
    for member in paths:
        data = member.read_bytes()  # bounded by the size check
        if len(paths) > 1:
            digest.update(member.name.encode() + b"\0")
        digest.update(data)
        schema = SHEETS_BY_SLUG[member.stem.rpartition(".")[2].casefold()]
        if schema.key in result.sheets:
            result.duplicate_sheets.append(member.name)
            continue
        grid = _read_csv_grid(member, file, limits, data)
        result.sheets[schema.key] = build_sheet(schema.name, schema, grid, 1)
    result.sha256 = digest.hexdigest()
    return result


# --------------------------------------------------------------------------- entry point


def source_label(path: Path) -> str:
    """The name a file is known by in messages (a CSV set by its prefix)."""
    if path.suffix.casefold() == CSV_SUFFIX and (members := csv_set_members(path)):
        return f"{members[0]}.*.csv"
    return path.name


def read_source_here(
    path: Path,
    limits: ReadLimits = DEFAULT_LIMITS,
    members: tuple[str, list[Path]] | None = None,
) -> RawWorkbook:
    """``read_source`` in this process: only where a fault cannot take anything else down."""
    path = Path(path)
    if not path.is_file():
        raise _refuse(path.name, "Filen finns inte.", "The file does not exist.")
    suffix = path.suffix.casefold()
    if suffix == CSV_SUFFIX:
        return read_csv_set(path, limits, members)
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, limits)
    raise _refuse(
        path.name,
        f"Filtypen {suffix or '(ingen)'} kan inte läsas in. Lämna in en Excel-arbetsbok (.xlsx) "
        "eller CSV-filer.",
        f"File type {suffix or '(none)'} cannot be loaded. Send an Excel workbook (.xlsx) or CSV.",
    )
