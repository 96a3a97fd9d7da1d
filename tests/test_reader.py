"""The reader: xlsx and CSV sets to raw cells, forgiving headers, refusing hostile files."""

import datetime as dt
import time
import zipfile

import pytest
from openpyxl import Workbook

from etl.reader import ReadLimits, SourceReadError
from etl.sandboxed_read import read_source
from tests.workbooks import admin_rows, write_admin, write_admin_csv


def test_xlsx_sheets_rows_and_headers(tmp_path):
    raw = read_source(write_admin(tmp_path))
    assets = raw.sheets["assets"]
    assert raw.file_name == "1882-SOC.xlsx"
    assert assets.header_row == 1
    assert [r.number for r in assets.rows] == [2, 3, 4]
    assert assets.value(assets.rows[0], "owners") == "1882-SOC-IFO, 1882-SOC-HT"
    assert raw.sheets["classifications"].value(
        raw.sheets["classifications"].rows[0], "classified_on"
    ) == dt.date(2026, 1, 15)


def _assets_sheet(path, header, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "Uppgifter"
    ws.append(["Fält", "Värde"])
    ws.append(["Typ", "Förvaltning"])
    ws.append(["Kod", "1882-SOC"])
    ws2 = wb.create_sheet(" tillgångar ")  # sheet names matched forgivingly too
    ws2.append(header)
    for row in rows:
        ws2.append(row)
    wb.create_sheet("Hjälp").append(["Hjälptext"])
    wb.save(path)
    return path


def test_headers_forgiving_extra_columns_ignored_empty_rows_skipped(tmp_path):
    path = _assets_sheet(
        tmp_path / "a.xlsx",
        [" TILLGÅNGS ID ", "namn", "Okänd kolumn", "typ av bärare"],
        [["T1", "Ett", "x", "Pärm"], [None, None, None, None], ["T2", "Två", "y", "Pärm"]],
    )
    raw = read_source(path)
    assets = raw.sheets["assets"]
    assert assets.columns == {"code": 0, "name": 1, "carrier_type": 3}
    assert [(r.number, assets.value(r, "code")) for r in assets.rows] == [(2, "T1"), (4, "T2")]
    assert raw.ignored_sheets == ["Hjälp"]


def test_merged_cells_and_hidden_rows_read_as_values(tmp_path):
    path = _assets_sheet(
        tmp_path / "m.xlsx",
        ["Tillgångs-ID", "Namn", "Ägande enheter"],
        [["T1", "Ett", "U1"], ["T2", "Två", None], ["T3", "Tre", "U3"]],
    )
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb[" tillgångar "]
    ws.merge_cells("C2:C3")
    ws.row_dimensions[4].hidden = True
    wb.save(path)
    assets = read_source(path).sheets["assets"]
    assert [assets.value(r, "owners") for r in assets.rows] == ["U1", "U1", "U3"]


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8", ";"), ("utf-8-sig", ","),
                                                     ("cp1252", ";"), ("cp1252", ",")])  # fmt: skip
def test_csv_set_reads_like_the_workbook(tmp_path, encoding, delimiter):
    xlsx = read_source(write_admin(tmp_path))
    csv_raw = read_source(write_admin_csv(tmp_path / "csv", encoding=encoding, delimiter=delimiter))
    assert csv_raw.file_name == "1882-SOC.*.csv"
    assert set(csv_raw.sheets) == set(xlsx.sheets)
    for key, sheet in xlsx.sheets.items():
        other = csv_raw.sheets[key]
        assert [r.number for r in other.rows] == [r.number for r in sheet.rows]
        assert other.columns == sheet.columns
    names = [csv_raw.sheets["assets"].value(r, "name") for r in csv_raw.sheets["assets"].rows]
    assert names == ["Journalsystem", "Schemaplanering", "Pärm med avtal"]


def test_csv_with_an_unknown_name_is_refused(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(SourceReadError) as err:
        read_source(path)
    assert "<prefix>.<blad>.csv" in err.value.issues[0].message_sv


# --------------------------------------------------------------------------- hostile files


def _refused(path, limits=ReadLimits()) -> str:
    with pytest.raises(SourceReadError) as err:
        read_source(path, limits)
    return err.value.issues[0].message_sv


def test_png_renamed_xlsx_is_refused(tmp_path):
    path = tmp_path / "bild.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    assert "ingen Excel-arbetsbok" in _refused(path)


def test_text_renamed_xlsx_is_refused(tmp_path):
    path = tmp_path / "text.xlsx"
    path.write_text("Tillgångs-ID;Namn\nT1;Ett\n", encoding="utf-8")
    assert "ingen Excel-arbetsbok" in _refused(path)


def test_old_xls_and_encrypted_files_are_refused(tmp_path):
    xls = tmp_path / "gammal.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert ".xls" in _refused(xls)
    encrypted = tmp_path / "krypterad.xlsx"
    encrypted.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptionInfo".encode("utf-16-le")
    )
    assert "lösenordsskyddad" in _refused(encrypted)


def test_ods_and_foreign_zip_are_refused(tmp_path):
    ods = tmp_path / "kalkyl.xlsx"
    with zipfile.ZipFile(ods, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<x/>")
    assert ".ods" in _refused(ods)
    other = tmp_path / "arkiv.xlsx"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("readme.txt", "hej")
    assert "zip-arkiv men ingen Excel-arbetsbok" in _refused(other)


def test_zip_bomb_is_refused_quickly(tmp_path):
    path = write_admin(tmp_path)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/media/filler.bin", b"\0" * (300 * 1024 * 1024))  # 300 MB of zeros
    started = time.perf_counter()
    assert "zip-bomb" in _refused(bomb)
    assert time.perf_counter() - started < 5


def test_xml_with_a_dtd_is_refused(tmp_path):
    path = write_admin(tmp_path)
    evil = tmp_path / "entity.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(evil, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/workbook.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + data
            dst.writestr(item, data)
    assert "DTD" in _refused(evil)


def test_too_large_files_and_sheets_are_refused(tmp_path):
    path = write_admin(tmp_path)
    assert "för stor" in _refused(path, ReadLimits(max_bytes=1000))
    assert "Bladet är för stort" in _refused(path, ReadLimits(max_rows=1))
    wide = tmp_path / "wide.xlsx"
    rows = admin_rows()
    wb = Workbook()
    wb.active.title = "Tillgångar"
    wb.active.cell(row=1, column=250, value="x")
    wb.save(wide)
    assert "Bladet är för stort" in _refused(wide)
    del rows


def test_a_sparse_sheet_claiming_a_million_rows_is_refused(tmp_path):
    path = tmp_path / "sparse.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Tillgångar"
    ws["A1"] = "Tillgångs-ID"
    ws["A1000000"] = "T1"
    wb.save(path)
    assert "Bladet är för stort" in _refused(path)
