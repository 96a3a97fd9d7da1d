"""Inspect an xlsx package before any reader parses it, within bounded time and memory.

An xlsx file is a zip of parts that point at each other: ``[Content_Types].xml`` says what each
part is, ``_rels/.rels`` names the workbook part, the workbook's relationships name its sheets.
A reader (calamine) follows those pointers, and allocates the whole rectangle from A1 to the
last cell it meets; a hostile file can ask it for hundreds of gigabytes. So nothing here trusts
a name, a path or a declared size:

1. the zip directory: no OpenDocument, no encryption, declared sizes and ratio within the
   limits, every part name plain (no ``..``, no backslash, no leading slash) and unique
   (compared as OPC does, ignoring case);
2. the structure, found through the relationships whatever the parts are called and wherever
   they are: every relationship target resolved as OPC does (relative to its source part) and
   refused when it leaves the package; the workbook, its sheets and its shared strings are
   located both that way and the simpler way readers take (``xl/`` + target, or the fixed
   ``xl/workbook.xml`` and ``xl/sharedStrings.xml``), and every part so located is checked;
3. every part streamed once: its real decompressed size counted (a lying directory or a bomb
   stops the read), and every part that is XML or that a reader parses as XML (a sheet renamed
   ``.bin`` included) parsed by the defused streaming parser (``etl.xml_stream``): no DTD, no
   entity declarations, well-formed;
4. each sheet's real extent computed from its parsed ``row`` and ``c`` elements, as calamine
   positions them (``r`` in any quoting or case, rows and cells without ``r`` counted on from
   the previous one): more rows, columns, cells or area than the limits allow is refused as
   soon as it is seen. The ``dimension`` element is not trusted either way: the real extent
   decides. Where every row and cell carries ``r`` (as Excel writes them) the references are
   collected and reduced a batch at a time (``_FastSheetScan``); elsewhere, and for a batch that
   crosses a limit, element by element (``_SheetScan``), so every refusal is the same;
5. the shared-strings table: no more texts than the limit, and no ``uniqueCount`` above the
   texts it really holds (calamine reserves room for what it claims).

Each refusal is a SourceReadError with a Swedish and English message naming the file (and the
sheet where there is one).
"""

from __future__ import annotations

import logging
import re
import string
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import unquote

from etl.read_limits import (
    ReadLimits,
    SourceReadError,
    bomb,
    damaged,
    not_xlsx,
    odd_structure,
    refuse,
    sheet_issue,
    too_big,
    too_many_cells,
)
from etl.xml_stream import XmlBroken, XmlRefused, attribute, local_name, parse_chunks

log = logging.getLogger(__name__)

CHUNK = 1 << 20
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTION_MARK = "EncryptionInfo".encode("utf-16-le")
CONTENT_TYPES = "[Content_Types].xml"
ROOT_RELS = "_rels/.rels"
# The places calamine reads without asking the relationships.
FIXED_WORKBOOK = "xl/workbook.xml"
FIXED_SHARED_STRINGS = "xl/sharedStrings.xml"
FIXED_STYLES = "xl/styles.xml"
SPREADSHEET_MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml",
    "application/vnd.ms-excel.template.macroenabled.main+xml",
)
XML_EXTENSIONS = ("xml", "rels", "vml")
# Relationship types (their last segment) whose target a reader parses as a sheet.
SHEET_TYPES = frozenset({"worksheet", "chartsheet", "dialogsheet", "macrosheet",
                         "xlmacrosheet", "xlintlmacrosheet"})  # fmt: skip
OFFICE_DOCUMENT = "officedocument"
# More entries than Excel ever writes in one relationships or content-types part: a bound on
# what is kept in memory while the structure is read.
MAX_ENTRIES = 100_000
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
# A cell reference as calamine reads it: column letters (any case), then the row number.
_LONG_CELL_REF = re.compile(r"[A-Za-z]+[0-9]+")
_ROW_REF = re.compile(r"[A-Za-z]{0,3}([0-9]{1,7})")  # calamine ignores letters in a row's r
_LONG_ROW_REF = re.compile(r"[A-Za-z]*[0-9]+")
_COUNT = re.compile(r"\+?[0-9]{1,12}")


@dataclass
class Relationship:
    source: str  # the part it belongs to ("" for the package)
    id: str
    kind: str  # last segment of its Type, lower case ("worksheet", "officedocument", …)
    target: str
    external: bool


@dataclass
class SheetExtent:
    """What a sheet part really holds, as far as it was read."""

    rows: int = 0  # the last row number met (1-based)
    columns: int = 0  # the last column number met (1-based)
    cells: int = 0  # cell elements met


@dataclass
class PackageReport:
    """What the inspection found: sheet part -> (sheet name, extent)."""

    sheets: dict[str, tuple[str, SheetExtent]] = field(default_factory=dict)
    shared_strings: int = 0


# --------------------------------------------------------------------------- file level


def check_magic(path: Path, file: str) -> None:
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGIC):
        return
    if head == OLE_MAGIC:
        data = path.read_bytes()  # bounded by the size check
        if ENCRYPTION_MARK in data:
            raise refuse(
                file,
                "Filen är lösenordsskyddad (krypterad). Ta bort lösenordet i Excel "
                "(Arkiv → Info → Skydda arbetsbok) och spara igen som .xlsx.",
                "The file is password-protected (encrypted). Remove the password in Excel and "
                "save it again as .xlsx.",
            )
        raise refuse(
            file,
            "Filen är i det gamla Excel-formatet .xls. Öppna den i Excel och spara den som "
            "Excel-arbetsbok (.xlsx).",
            "The file is in the old Excel format .xls. Save it as an Excel workbook (.xlsx).",
        )
    raise refuse(
        file,
        "Filen är ingen Excel-arbetsbok (.xlsx), fast namnet slutar på .xlsx. Spara den från "
        "Excel som Excel-arbetsbok, eller lämna in CSV-filer.",
        "The file is not an Excel workbook (.xlsx) although its name says so. Save it from "
        "Excel as an Excel workbook, or send CSV files.",
    )


def dtd_refused(file: str) -> SourceReadError:
    return refuse(
        file,
        "Filen innehåller XML-deklarationer (DTD) som Excel aldrig skriver; den läses inte in "
        "av säkerhetsskäl.",
        "The file contains XML declarations (DTD) that Excel never writes; refused for safety.",
    )


# --------------------------------------------------------------------------- the zip directory


def _plain_name(name: str) -> bool:
    """A part name as Excel writes it: no backslash, no leading slash, no empty/./.. segment."""
    if "\\" in name or "\0" in name or name.startswith("/"):
        return False
    return all(segment not in ("", ".", "..") for segment in name.split("/"))


def _directory(zf: zipfile.ZipFile, file: str, limits: ReadLimits) -> dict[str, zipfile.ZipInfo]:
    """Part key (name, case folded) -> its entry; refuses what the directory alone gives away."""
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise odd_structure(file, "arkivet har orimligt många delar",
                            "the archive has an unreasonable number of parts")  # fmt: skip
    names = {info.filename for info in infos}
    if "mimetype" in names:
        mimetype = zf.read("mimetype")[:100]
        if b"opendocument" in mimetype:
            raise refuse(
                file,
                "Filen är ett OpenDocument-kalkylark (.ods). Spara den som Excel-arbetsbok (.xlsx).",
                "The file is an OpenDocument spreadsheet (.ods). Save it as an Excel workbook.",
            )
    if any(info.flag_bits & 0x1 for info in infos):
        raise refuse(
            file,
            "Filen är krypterad. Spara den utan lösenord som .xlsx.",
            "The file is encrypted. Save it without a password as .xlsx.",
        )
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos) or 1
    if total > limits.max_uncompressed or total / compressed > limits.max_ratio:
        raise bomb(file)
    parts: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        if name.endswith("/") and info.file_size == 0:
            continue  # a folder entry (a re-zipped workbook): no part
        if not _plain_name(name):
            raise odd_structure(file, f"delnamnet {name[:80]!r} är ogiltigt",
                                f"the part name {name[:80]!r} is not valid")  # fmt: skip
        key = name.casefold()
        if key in parts:
            # Two entries of one name: readers disagree on which one counts.
            raise odd_structure(file, f"delen {name[:80]} finns två gånger",
                                f"the part {name[:80]} is there twice")  # fmt: skip
        parts[key] = info
    if CONTENT_TYPES.casefold() not in parts:
        raise not_xlsx(file)
    return parts


# --------------------------------------------------------------------------- streaming parts


class _Reading:
    """Streams parts of one package, counting what really comes out of the zip."""

    def __init__(self, zf: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], file: str,
                 limits: ReadLimits) -> None:  # fmt: skip
        self.zf, self.parts, self.file, self.limits = zf, parts, file, limits
        self.total = 0
        self.done: set[str] = set()

    def info(self, name: str) -> zipfile.ZipInfo | None:
        return self.parts.get(name.casefold())

    def chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        self.done.add(info.filename.casefold())
        size = 0
        with self.zf.open(info) as member:
            while chunk := member.read(CHUNK):
                size += len(chunk)
                self.total += len(chunk)
                # Sizes in the zip directory can lie: count what really comes out.
                if size > info.file_size + CHUNK or self.total > self.limits.max_uncompressed:
                    raise bomb(self.file)
                yield chunk

    def drain(self, info: zipfile.ZipInfo) -> None:
        for _ in self.chunks(info):
            pass

    def parse(self, info: zipfile.ZipInfo, start=None, end=None, chunks=None) -> None:
        """Parse one XML part with the defused parser; a broken or hostile one refuses the file.

        A handler may stop the parse by raising; what it raises goes to the caller. ``chunks``:
        the part's bytes when the caller has read them already (counted then)."""
        try:
            parse_chunks(self.chunks(info) if chunks is None else chunks, start, end)
        except XmlRefused:
            raise dtd_refused(self.file) from None
        except XmlBroken as exc:
            log.info("part %s of %s is not well-formed XML: %s", info.filename, self.file, exc)
            raise refuse(
                self.file,
                f"Filen är skadad (delen {info.filename[:80]} är ingen giltig XML) och går inte "
                "att öppna. Spara om den från Excel som .xlsx.",
                f"The file is damaged (the part {info.filename[:80]} is not valid XML) and "
                "cannot be opened. Save it again from Excel as .xlsx.",
            ) from None


# --------------------------------------------------------------------------- structure


def _too_many(file: str, part: str) -> SourceReadError:
    return odd_structure(file, f"delen {part[:80]} har orimligt många poster",
                         f"the part {part[:80]} has an unreasonable number of entries")  # fmt: skip


def _content_types(reading: _Reading) -> tuple[dict[str, str], dict[str, str]]:
    """(extension -> content type, part key -> content type), both lower case."""
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    info = reading.info(CONTENT_TYPES)

    def start(name: str, attrs: list[str]) -> None:
        kind = local_name(name)
        if kind not in ("Default", "Override"):
            return
        if len(defaults) + len(overrides) > MAX_ENTRIES:
            raise _too_many(reading.file, CONTENT_TYPES)
        content_type = (attribute(attrs, "ContentType") or "").split(";")[0].strip().lower()
        if kind == "Default":
            defaults[(attribute(attrs, "Extension") or "").lower()] = content_type
        else:
            part = unquote(attribute(attrs, "PartName") or "").lstrip("/").casefold()
            overrides[part] = content_type

    reading.parse(info, start)
    return defaults, overrides


def _rels_part(source: str) -> str:
    """The relationships part of ``source`` ("" is the package itself)."""
    folder, _, name = source.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def _source_of(rels_part: str) -> str | None:
    """The part a relationships part belongs to ("" for the package); None if not one."""
    folder, _, name = rels_part.rpartition("/")
    parent, _, rels_folder = folder.rpartition("/")
    if rels_folder.casefold() != "_rels" or not name.casefold().endswith(".rels"):
        return None
    source = name[: -len(".rels")]
    return f"{parent}/{source}" if parent else source


def _relationships(reading: _Reading, info: zipfile.ZipInfo, source: str) -> list[Relationship]:
    found: list[Relationship] = []

    def start(name: str, attrs: list[str]) -> None:
        if local_name(name) != "Relationship":
            return
        if len(found) > MAX_ENTRIES:
            raise _too_many(reading.file, info.filename)
        kind = (attribute(attrs, "Type") or "").rstrip("/").rpartition("/")[2].lower()
        mode = (attribute(attrs, "TargetMode") or "Internal").strip().casefold()
        found.append(Relationship(source, attribute(attrs, "Id") or "", kind,
                                  attribute(attrs, "Target") or "", mode == "external"))  # fmt: skip

    reading.parse(info, start)
    return found


def resolve(source: str, target: str) -> str | None:
    """The part a relationship target names, as OPC resolves it: relative to the folder of its
    source part, or from the package root when it starts with "/". None when the target is an
    absolute URI (``file:…``, ``http:…``, ``//host``) or climbs above the root (``../../etc``).
    """
    target = unquote(target.strip())
    if not target or _SCHEME.match(target) or target.startswith("//") or "\\" in target:
        return None
    base = [] if target.startswith("/") else source.split("/")[:-1]
    segments = list(base)
    for segment in target.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not segments:
                return None
            segments.pop()
        else:
            segments.append(segment)
    return "/".join(segments) or None


def _reader_spellings(source: str, target: str) -> set[str]:
    """Every part a reader may take ``target`` for: OPC's answer, and the shortcut of readers
    that put ``xl/`` before a workbook's targets or drop a leading slash."""
    found = {resolve(source, target)}
    plain = unquote(target.strip()).lstrip("/")
    found.update({plain, f"xl/{plain}"})
    return {name for name in found if name}


def _outside(file: str, rel: Relationship) -> SourceReadError:
    return odd_structure(
        file,
        f"relationen {rel.id[:40]} i {_rels_part(rel.source) if rel.source else ROOT_RELS} "
        f"pekar utanför filen ({rel.target[:80]})",
        f"the relationship {rel.id[:40]} points outside the file ({rel.target[:80]})",
    )


def _workbook_sheets(reading: _Reading, info: zipfile.ZipInfo) -> list[tuple[str, list[str]]]:
    """(sheet name, relationship ids) of each ``sheet`` element of a workbook part."""
    sheets: list[tuple[str, list[str]]] = []

    def start(name: str, attrs: list[str]) -> None:
        if local_name(name) != "sheet":
            return
        if len(sheets) > MAX_ENTRIES:
            raise _too_many(reading.file, info.filename)
        # r:id, relationships:id or any other prefix: calamine takes two, OPC any.
        ids = [attrs[i + 1] for i in range(0, len(attrs), 2) if attrs[i].endswith(":id")]
        sheets.append((attribute(attrs, "name") or "", ids))

    reading.parse(info, start)
    return sheets


# --------------------------------------------------------------------------- sheets


_DIGITS = "0123456789"
_COLUMN_CACHE: dict[str, int] = {}


def _column_number(letters: str) -> int:
    number = _COLUMN_CACHE.get(letters)
    if number is None:
        number = 0
        for letter in letters.upper():
            number = number * 26 + ord(letter) - 64
        if len(_COLUMN_CACHE) < 4096:
            _COLUMN_CACHE[letters] = number
    return number


def _cell_position(ref: str) -> tuple[int, int] | None:
    """(row, column), 1-based, of a cell reference in any case; None when it is malformed.

    A reference longer than Excel's largest (XFD1048576) counts as far beyond every limit.
    """
    letters = ref.rstrip(_DIGITS)
    digits = ref[len(letters) :]
    if 0 < len(letters) <= 3 and 0 < len(digits) <= 7 and letters.isascii() and letters.isalpha():
        return int(digits), _column_number(letters)
    return (1 << 40, 1 << 40) if _LONG_CELL_REF.fullmatch(ref) else None


def _row_number(ref: str) -> int | None:
    match = _ROW_REF.fullmatch(ref)
    if match is None:
        return 1 << 40 if _LONG_ROW_REF.fullmatch(ref) else None
    return int(match[1])


class _SheetScan:
    """The real extent of one sheet part, from its parsed row and c elements.

    Positions follow calamine: a row's ``r`` sets the row, a row without one is the one after
    the previous row; a cell's ``r`` sets row and column, a cell without one is the next column
    of the current row. (Self-closing elements count too, where calamine skips them: the extent
    found is never smaller than calamine's.) Reading stops at the first limit exceeded.
    """

    def __init__(self, file: str, sheet: str, limits: ReadLimits) -> None:
        self.file, self.sheet, self.limits = file, sheet, limits
        self.extent = SheetExtent()
        self.row = 1
        self.column = 1

    def _invalid(self, ref: str) -> SourceReadError:
        return sheet_issue(
            self.file,
            self.sheet,
            f"Bladet {self.sheet} är skadat: cellreferensen {ref[:20]!r} är ogiltig. Spara om "
            "filen från Excel som .xlsx.",
            f"The sheet {self.sheet} is damaged: the cell reference {ref[:20]!r} is not valid. "
            "Save the file again from Excel as .xlsx.",
        )

    def _reach(self, row: int, column: int) -> None:
        extent, limits = self.extent, self.limits
        if row > extent.rows or column > extent.columns:
            extent.rows, extent.columns = max(extent.rows, row), max(extent.columns, column)
            if extent.rows > limits.max_rows or extent.columns > limits.max_columns:
                raise too_big(self.file, self.sheet, limits)
            if extent.rows * extent.columns > limits.max_cells:
                raise too_many_cells(self.file, self.sheet, extent.rows, extent.columns, limits)

    def start(self, name: str, attrs: list[str]) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            # Exactly "r", as calamine: a prefixed one is not read. Excel writes it first.
            ref = attrs[1] if attrs and attrs[0] == "r" else attribute(attrs, "r")
            if ref is None:
                row, column = self.row, self.column
            else:
                position = _cell_position(ref)
                if position is None:
                    raise self._invalid(ref)
                row, column = position
            self.column = column + 1
            extent = self.extent
            extent.cells += 1
            if extent.cells > self.limits.max_cells:
                raise too_many_cells(self.file, self.sheet, extent.rows, extent.columns,
                                     self.limits)  # fmt: skip
            if row > extent.rows or column > extent.columns:
                self._reach(row, column)
        elif name == "row":
            ref = attribute(attrs, "r")
            if ref is not None:
                number = _row_number(ref)
                if number is None:
                    raise self._invalid(ref)
                self.row = number
            self.column = 1
            self._reach(self.row, 0)

    def end(self, name: str) -> None:
        if name == "row" or name.endswith(":row"):
            self.row += 1
            self.column = 1


class _NeedsExactScan(Exception):
    """A row or cell without ``r``: its position depends on the ends of rows before it."""


# Refs of one batch joined by newlines, each as ``_cell_position`` and ``_row_number`` take the
# usual ones (the replay gives every other one its exact treatment and message).
_CELL_REFS = re.compile(r"(?:[A-Za-z]{1,3}[0-9]{1,7}\n)*")
_ROW_REFS = re.compile(r"(?:[A-Za-z]{0,3}[0-9]{1,7}\n)*")
_ONLY_DIGITS = str.maketrans("", "", string.ascii_letters)
_ONLY_LETTERS = str.maketrans("", "", string.digits)
BATCH = 1 << 16
# XFD1048576: a longer reference is never plain, and is refused at once (as the exact scan
# does) rather than kept, however long, until the end of its batch.
LONGEST_REF = 10


class _FastSheetScan:
    """The extent ``_SheetScan`` finds, for a sheet whose rows and cells all carry ``r``.

    Excel writes ``r`` on every row and cell, and then a position never depends on the order
    of the elements: the extent is the largest row and column of all references. So the
    handler only collects the references (one call per element, no end handler, which halves
    the calls into Python), and each batch of them is reduced at C speed: one regular
    expression checks that every reference is plain, ``str.translate`` splits rows from
    columns, ``max`` takes the largest. A batch that would cross a limit, or holds a
    reference that is not plain, is replayed element by element through ``_SheetScan`` from
    the state before it, so the refusal is the very one (and the message) of the exact scan.
    A row or cell without ``r`` raises ``_NeedsExactScan``: the part is then read again by
    ``_SheetScan`` alone.
    """

    def __init__(self, file: str, sheet: str, limits: ReadLimits) -> None:
        self.exact = _SheetScan(file, sheet, limits)
        self.extent = self.exact.extent
        self.limits = limits
        self.cells: list[str] = []  # cell references of the batch, in order
        self.rows: list[tuple[int, str]] = []  # (cells before it in the batch, row reference)

    def start(self, name: str, attrs: list[str]) -> None:
        if ":" in name:
            name = name.rpartition(":")[2]
        if name == "c":
            ref = attrs[1] if attrs and attrs[0] == "r" else attribute(attrs, "r")
            if ref is None:
                raise _NeedsExactScan
            cells = self.cells
            cells.append(ref)
            if len(cells) >= BATCH or len(ref) > LONGEST_REF:
                self.flush()
        elif name == "row":
            ref = attrs[1] if attrs and attrs[0] == "r" else attribute(attrs, "r")
            if ref is None:
                raise _NeedsExactScan
            self.rows.append((len(self.cells), ref))
            if len(self.rows) >= BATCH or len(ref) > LONGEST_REF:
                self.flush()

    def flush(self) -> None:
        cells, rows = self.cells, self.rows
        self.cells, self.rows = [], []
        extent, limits = self.extent, self.limits
        top_row, top_column, count = extent.rows, extent.columns, extent.cells + len(cells)
        plain = True
        if cells:
            joined = "\n".join(cells) + "\n"
            # A reference holding a newline (``&#10;``) would split in two: counted, refused.
            plain = joined.count("\n") == len(cells) and _CELL_REFS.fullmatch(joined) is not None
            if plain:
                top_row = max(top_row, max(map(int, joined.translate(_ONLY_DIGITS).split())))
                letters = set(joined.translate(_ONLY_LETTERS).split())
                top_column = max(top_column, max(map(_column_number, letters)))
        if plain and rows:
            joined = "\n".join(ref for _, ref in rows) + "\n"
            plain = joined.count("\n") == len(rows) and _ROW_REFS.fullmatch(joined) is not None
            if plain:
                top_row = max(top_row, max(map(int, joined.translate(_ONLY_DIGITS).split())))
        # The extent only grows: within the limits at the end of the batch is within them
        # at every element of it, where the exact scan would have checked.
        if (
            plain
            and top_row <= limits.max_rows
            and top_column <= limits.max_columns
            and top_row * top_column <= limits.max_cells
            and count <= limits.max_cells
        ):
            extent.rows, extent.columns, extent.cells = top_row, top_column, count
            return
        self._replay(cells, rows)

    def _replay(self, cells: list[str], rows: list[tuple[int, str]]) -> None:
        """The batch through the exact scan, in document order (it raises the refusal)."""
        exact, marks = self.exact, iter(rows)
        mark = next(marks, None)
        for index, ref in enumerate(cells):
            while mark is not None and mark[0] <= index:
                exact.start("row", ["r", mark[1]])
                mark = next(marks, None)
            exact.start("c", ["r", ref])
        while mark is not None:
            exact.start("row", ["r", mark[1]])
            mark = next(marks, None)


class _SharedStringsScan:
    """Texts really held by a shared-strings part, and what its root claims."""

    def __init__(self, file: str, limits: ReadLimits) -> None:
        self.file, self.limits = file, limits
        self.count = 0
        self.claimed: str | None = None

    def start(self, name: str, attrs: list[str]) -> None:
        # Called for every element (si, t, r, rPr, …): compared as written first, the local
        # name taken only when there is a prefix.
        if name == "si" or (":" in name and local_name(name) == "si"):
            self.count += 1
            if self.count > self.limits.max_shared_strings:
                raise too_many_strings(self.file, self.limits)
        elif self.claimed is None and (name == "sst" or local_name(name) == "sst"):
            self.claimed = attribute(attrs, "uniqueCount")

    def check(self) -> None:
        """calamine reserves room for ``uniqueCount`` texts before reading one: a claim above
        what the part holds is refused (``count``, which readers ignore, is left alone)."""
        if self.claimed is None:
            return
        claim = self.claimed.strip()
        if _COUNT.fullmatch(claim) and int(claim) <= self.count:
            return
        if not re.fullmatch(r"\+?[0-9]+", claim):
            return  # not a number: calamine refuses it itself, without reserving anything
        raise odd_structure(
            self.file,
            f"tabellen med texter uppger {claim[:20]} texter men innehåller {self.count}",
            f"the shared-strings table claims {claim[:20]} texts but holds {self.count}",
        )


def too_many_strings(file: str, limits: ReadLimits) -> SourceReadError:
    most = f"{limits.max_shared_strings:,}"
    return refuse(
        file,
        f"Filen innehåller för många olika texter (högst {most.replace(',', chr(0xA0))}). Dela "
        "upp filen.",
        f"The file holds too many distinct texts (at most {most}). Split the file.",
    )


# --------------------------------------------------------------------------- the whole package


def _extension(name: str) -> str:
    base = name.rpartition("/")[2]
    return base.rpartition(".")[2].casefold() if "." in base else ""


def _content_type(name: str, defaults: dict[str, str], overrides: dict[str, str]) -> str:
    return overrides.get(name.casefold()) or defaults.get(_extension(name), "")


def _is_xml(name: str, defaults: dict[str, str], overrides: dict[str, str]) -> bool:
    return _extension(name) in XML_EXTENSIONS or _content_type(name, defaults, overrides).endswith(
        "xml"
    )


# --------------------------------------------------------------------------- plain sheets
#
# A sheet part as Excel (and openpyxl) writes it is one UTF-8 document of elements and text
# only: no DTD, no comments, no CDATA, no processing instruction after the XML declaration.
# In such a document, once expat has found it well-formed, every "<" starts a tag (it cannot
# stand in text or in an attribute value), so the tags can be counted in the bytes. When every
# row and cell tag is written ``<row r="…"`` and ``<c r="…"`` with a plain reference, those
# references are all the scans would see, in the same places; expat then parses the part with
# no Python call per element (its well-formedness and the DTD refusal only). Anything else, and
# any part beyond the limits, is scanned again element by element from the same bytes, so every
# refusal and its message are those of ``_FastSheetScan`` and ``_SheetScan``.

PLAIN_SHEET_BYTES = 32 << 20  # larger sheet parts are streamed, not held whole
_WS = rb"[ \t\r\n]"
_XML_DECLARATION = re.compile(
    rb"<\?xml" + _WS + rb"+version=(?:\"1\.0\"|'1\.0')"
    rb"(?:" + _WS + rb"+encoding=(?:\"[Uu][Tt][Ff]-8\"|'[Uu][Tt][Ff]-8'))?"
    rb"(?:" + _WS + rb"+standalone=(?:\"(?:yes|no)\"|'(?:yes|no)'))?" + _WS + rb"*\?>" + _WS + rb"*"
)
# The start tags other than the usual ones of a sheet's cells (their names): "<" not followed
# by "/" (an end tag), a plain cell's or row's start or an inline text's or value's element.
# A "<?" or "<!" (a processing instruction, a comment, CDATA, a DTD) is such a tag too: its name
# starts with "?" or "!".
_OTHER_TAGS = re.compile(rb'<(?!/|c r="|row r="|is>|t>|v>)([^ \t\r\n/>]*)')
# Every ``<c r="`` and ``<row r="``: with the plain reference, or an empty one when what follows
# is not plain (one pass that both collects the references and proves there is no other kind).
_CELL_TAG = re.compile(rb'<c r="(?:([A-Za-z]{1,3}[0-9]{1,7})"(?=[ \t\r\n/>]))?')
_ROW_TAG = re.compile(rb'<row r="(?:([0-9]{1,7})"(?=[ \t\r\n/>]))?')
_BYTES_DIGITS = b"0123456789"
_BYTES_LETTERS = string.ascii_letters.encode()


def _plain_extent(data: bytes, limits: ReadLimits) -> SheetExtent | None:
    """The extent of a plain sheet part (see above) within the limits; None for any other."""
    start = 0
    if data.startswith(b"<?"):
        declaration = _XML_DECLARATION.match(data)
        if declaration is None:
            return None
        start = declaration.end()
    # No BOM, no leading text: the document is UTF-8 (or expat refuses it below).
    if data[start : start + 1] != b"<":
        return None
    # No "<?" or "<!" after the declaration, and no other tag is a cell or a row, with or
    # without a prefix. (A "<" inside a name is no tag of a well-formed document: refused too.)
    for name in set(_OTHER_TAGS.findall(data, start)):
        if name[:1] in (b"?", b"!") or b"<" in name:
            return None
        if name.rpartition(b":")[2] in (b"c", b"row"):
            return None
    # Every tag that starts like a plain cell or row is one.
    cells = _CELL_TAG.findall(data)
    rows = _ROW_TAG.findall(data)
    if b"" in cells or b"" in rows:
        return None
    top_row = top_column = 0
    if cells:
        joined = b"\n".join(cells)
        top_row = max(map(int, joined.translate(None, _BYTES_LETTERS).split()))
        letters = set(joined.translate(None, _BYTES_DIGITS).decode("ascii").split())
        top_column = max(map(_column_number, letters))
    if rows:
        top_row = max(top_row, max(map(int, rows)))
    if (
        top_row > limits.max_rows
        or top_column > limits.max_columns
        or top_row * top_column > limits.max_cells
        or len(cells) > limits.max_cells
    ):
        return None
    try:
        parse_chunks([data])  # well-formed (no DTD: there is no "<!")
    except (XmlBroken, *XmlRefused):
        return None
    return SheetExtent(rows=top_row, columns=top_column, cells=len(cells))


def _scan_sheet(reading: _Reading, info: zipfile.ZipInfo, sheet: str) -> SheetExtent:
    """The real extent of a sheet part: found in its bytes where it is plain (see above), else
    by ``_FastSheetScan`` where every row and cell has its ``r`` (as Excel writes them), else
    by ``_SheetScan`` from the start. The part is counted once against the unpacked size."""
    counted = reading.total
    chunks = partial(reading.chunks, info)
    held_whole = info.file_size <= PLAIN_SHEET_BYTES
    if held_whole:
        held: list[bytes] = []
        stopped: SourceReadError | None = None
        try:
            for chunk in reading.chunks(info):
                held.append(chunk)
        except SourceReadError as exc:  # a bomb: raised where the streaming scans meet it
            stopped = exc
        if stopped is None:
            extent = _plain_extent(b"".join(held), reading.limits)
            if extent is not None:
                return extent

        def again() -> Iterator[bytes]:
            yield from held
            if stopped is not None:
                raise stopped

        chunks = again
    fast = _FastSheetScan(reading.file, sheet, reading.limits)
    try:
        reading.parse(info, fast.start, chunks=chunks())
        fast.flush()
        return fast.extent
    except _NeedsExactScan:
        pass
    if not held_whole:
        reading.total = counted  # streamed again: counted by the read below
    exact = _SheetScan(reading.file, sheet, reading.limits)
    reading.parse(info, exact.start, exact.end, chunks=chunks())
    return exact.extent


def inspect_package(zf: zipfile.ZipFile, file: str, limits: ReadLimits) -> PackageReport:
    """Every check of the module docstring on an open zip; raises SourceReadError."""
    parts = _directory(zf, file, limits)
    reading = _Reading(zf, parts, file, limits)
    defaults, overrides = _content_types(reading)

    # Every relationships part: targets must stay inside the package.
    rels: dict[str, list[Relationship]] = {}  # source part key -> its relationships
    for info in parts.values():
        source = _source_of(info.filename)
        if source is None:
            continue
        found = _relationships(reading, info, source)
        for rel in found:
            if not rel.external and resolve(rel.source, rel.target) is None:
                raise _outside(file, rel)
        rels[source.casefold()] = found

    # The workbook: where the package says, and where readers look without asking.
    workbooks: list[str] = []
    for rel in rels.get("", []):
        if rel.kind == OFFICE_DOCUMENT:
            target = resolve("", rel.target)
            if rel.external or target is None:
                raise _outside(file, rel)
            if reading.info(target) is None:
                raise damaged(file)
            if _content_type(target, defaults, overrides) not in SPREADSHEET_MAIN_TYPES:
                raise not_xlsx(file)
            workbooks.append(reading.info(target).filename)
    if not workbooks:
        raise not_xlsx(file)
    if (fixed := reading.info(FIXED_WORKBOOK)) and fixed.filename not in workbooks:
        workbooks.append(fixed.filename)

    sheet_parts: dict[str, str] = {}  # part key -> sheet name (for messages)
    strings_parts: set[str] = {FIXED_SHARED_STRINGS.casefold()}
    read_as_xml: set[str] = {FIXED_STYLES.casefold()}
    for workbook in workbooks:
        info = reading.info(workbook)
        read_as_xml.add(info.filename.casefold())
        by_id = {rel.id: rel for rel in rels.get(workbook.casefold(), [])}
        named = _workbook_sheets(reading, info)
        wanted: dict[str, str] = {}  # relationship id -> sheet name
        for sheet_name, ids in named:
            for rel_id in ids:
                wanted.setdefault(rel_id, sheet_name)
        for rel in by_id.values():
            if rel.kind in SHEET_TYPES:
                wanted.setdefault(rel.id, rel.target)
        for rel_id, sheet_name in wanted.items():
            rel = by_id.get(rel_id)
            if rel is None:
                continue  # calamine refuses a sheet without its relationship by itself
            if rel.external:
                raise _outside(file, rel)
            found = [reading.info(n) for n in _reader_spellings(workbook, rel.target)]
            found = [i for i in found if i is not None]
            if not found:
                raise odd_structure(file, f"bladet {sheet_name[:80]} saknas i filen",
                                    f"the sheet {sheet_name[:80]} is missing")  # fmt: skip
            for part in found:
                sheet_parts.setdefault(part.filename.casefold(), sheet_name)
        for rel in by_id.values():
            if rel.kind in ("sharedstrings", "styles"):
                if rel.external:
                    raise _outside(file, rel)
                spellings = {n.casefold() for n in _reader_spellings(workbook, rel.target)}
                (strings_parts if rel.kind == "sharedstrings" else read_as_xml).update(spellings)

    report = PackageReport()
    for key, info in parts.items():
        is_sheet, is_strings = key in sheet_parts, key in strings_parts
        if key in reading.done and not (is_sheet or is_strings):
            continue  # the content types, relationships and workbooks, parsed above
        if is_sheet or is_strings:
            # Read as a reader would take it: as a sheet, as shared strings, or (when a hostile
            # package points both ways at one part) as both.
            scan = _SheetScan(file, sheet_parts.get(key, info.filename), limits)
            strings = _SharedStringsScan(file, limits)
            if is_sheet and is_strings:

                def both(name: str, attrs: list[str], scan=scan, strings=strings) -> None:
                    scan.start(name, attrs)
                    strings.start(name, attrs)

                reading.parse(info, both, scan.end)
            elif is_sheet:
                scan.extent = _scan_sheet(reading, info, scan.sheet)
            else:
                reading.parse(info, strings.start)
            if is_sheet:
                report.sheets[info.filename] = (scan.sheet, scan.extent)
            if is_strings:
                strings.check()
                report.shared_strings += strings.count
        elif key in read_as_xml or _is_xml(info.filename, defaults, overrides):
            reading.parse(info)
        else:
            reading.drain(info)  # not XML (an image, a macro project): its real size only
    return report


ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, OSError,
              EOFError, RuntimeError)  # fmt: skip


def inspect_xlsx(path: Path, file: str, limits: ReadLimits) -> PackageReport:
    """Raise SourceReadError unless ``path`` is a plain, reasonably sized xlsx workbook."""
    check_magic(path, file)
    try:
        with zipfile.ZipFile(path) as zf:
            return inspect_package(zf, file, limits)
    except ZIP_ERRORS:
        log.info("unreadable zip %s", path, exc_info=True)
        raise damaged(file) from None
