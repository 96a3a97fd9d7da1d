"""A control character in a cell is refused at load, located, in xlsx and CSV alike.

Such a character (``\\x01`` in an asset name) is invisible, and XML cannot hold it: stored, it
broke every report workbook of its scope (openpyxl's IllegalCharacterError). The rule
(etl.parsing): no cell may hold a C0 control but tab, line feed and carriage return, nor DEL or a
C1 control; a code (and each code of a list) holds no tab or line break either. The issue quotes
the value with the character written out, so the error report itself can be written.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import zipfile

import pytest
from openpyxl import load_workbook

from etl.columns import _parse_cell_by_cell, parse_column
from etl.load import load_paths
from etl.parsing import CellError, parse_cell
from etl.report import write_issue_report
from etl.schema import ALL_SHEETS, ColumnType
from tests.store_dump import store_dump
from tests.test_auth_support import forge_body, login
from tests.test_upload import app, data_url, upload  # noqa: F401 - app is a fixture
from tests.workbooks import TODAY, admin_rows, write_admin, write_admin_csv, write_org

MARK = "PLACEHOLDERCELL"


def load(engine, *paths):
    return load_paths(engine, list(paths), today=TODAY)


def with_raw_cell(path, xml_text: str):
    """The workbook at ``path`` with the cell holding MARK rewritten as ``xml_text`` in its XML.

    openpyxl refuses to write a control character, so the workbook is written with a marker
    and the marker replaced in the sheet's XML: ``_x0001_`` is how Excel itself stores U+0001.
    """
    patched = path.with_name("patched-" + path.name)
    with (
        zipfile.ZipFile(path) as source,
        zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        replaced = 0
        for info in source.infolist():
            data = source.read(info)
            replaced += data.count(MARK.encode())
            out.writestr(info, data.replace(MARK.encode(), xml_text.encode()))
    assert replaced == 1
    patched.replace(path)
    return path


@pytest.fixture
def loaded(engine, tmp_path):
    result = load(engine, write_org(tmp_path / "org"), write_admin(tmp_path / "v1"))
    assert [f.outcome for f in result.files] == ["accepted", "accepted"]
    return store_dump(engine)


def located(file):
    return [(i.file, i.sheet, i.row, i.column, i.value) for i in file.issues]


# --------------------------------------------------------------------------- end to end


def test_control_character_in_xlsx_is_refused(engine, tmp_path, loaded):
    rows = admin_rows()
    rows["assets"][1]["name"] = f"Schema{MARK}planering"
    path = with_raw_cell(write_admin(tmp_path, rows), "_x0001_")
    [file] = load(engine, path).files
    assert file.outcome == "rejected"
    assert located(file) == [("1882-SOC.xlsx", "Tillgångar", 3, "Namn", "Schema\\x01planering")]
    assert file.issues[0].message_sv == (
        "Texten innehåller ett osynligt styrtecken (U+0001), som inte kan sparas eller visas i "
        "rapporter. Ta bort tecknet, t.ex. genom att skriva in värdet på nytt."
    )
    assert "control character (U+0001)" in file.issues[0].message_en
    assert store_dump(engine) == loaded
    # The error report (what the upload page offers for download) can be written and read.
    report = write_issue_report(file.issues, tmp_path / "felrapport.xlsx")
    values = [r[4] for r in load_workbook(report).active.iter_rows(min_row=2, values_only=True)]
    assert values == ["Schema\\x01planering"]


# Windows-1252 has no C1 controls (its 0x80–0x9F are printable): DEL stands in there.
@pytest.mark.parametrize(("encoding", "delimiter", "char"), [("utf-8", ";", "\x85"),
                                                             ("cp1252", ",", "\x7f")])  # fmt: skip
def test_control_character_in_csv_is_refused(engine, tmp_path, loaded, encoding, delimiter, char):
    rows = admin_rows()
    rows["actions"][0]["responsible"] = "Erik\x1bLund"  # ESC
    rows["risks"][1]["description"] = f"Drift{char}stopp"
    asset_file = write_admin_csv(tmp_path / "csv", rows, encoding=encoding, delimiter=delimiter)
    [file] = load(engine, asset_file.parent).files
    assert file.outcome == "rejected"
    assert located(file) == [
        ("1882-SOC.*.csv", "Risker", 3, "Beskrivning", f"Drift\\x{ord(char):02x}stopp"),
        ("1882-SOC.*.csv", "Åtgärder", 2, "Ansvarig", "Erik\\x1bLund"),
    ]
    assert f"(U+{ord(char):04X}" in file.issues[0].message_sv
    assert "(U+001B)" in file.issues[1].message_sv
    assert store_dump(engine) == loaded


def test_tab_and_line_breaks_stay_allowed_in_free_text(engine, tmp_path, loaded):
    rows = admin_rows()
    rows["risks"][0]["description"] = "Obehörig åtkomst:\n\t– via delade konton\r\n– via VPN"
    [file] = load(engine, write_admin(tmp_path, rows)).files
    assert (file.outcome, file.issues) == ("accepted", [])


def test_a_code_holds_no_tab(engine, tmp_path, loaded):
    rows = admin_rows()
    rows["assets"][2]["code"] = "1882-SOC-\tT003"
    rows["assets"][1]["owners"] = "1882-SOC-IFO, 1882-SOC-\tHT"
    [file] = load(engine, write_admin(tmp_path, rows)).files
    assert [(i.sheet, i.row, i.column) for i in file.issues] == [
        ("Tillgångar", 3, "Ägande enheter"), ("Tillgångar", 4, "Tillgångs-ID")]  # fmt: skip
    assert all("U+0009 tabb" in i.message_sv for i in file.issues)
    assert store_dump(engine) == loaded


def test_control_character_on_the_cover_is_refused(engine, tmp_path, loaded):
    rows = admin_rows()
    rows["cover"][0]["prepared_by"] = f"Olle{MARK}Strand"
    path = with_raw_cell(write_admin(tmp_path, rows), "_x0007_")  # BEL
    [file] = load(engine, path).files
    assert located(file) == [("1882-SOC.xlsx", "Uppgifter", 4, "Upprättad av", "Olle\\x07Strand")]
    assert store_dump(engine) == loaded


def test_upload_with_a_control_character_is_refused_and_its_report_downloads(
    app,  # noqa: F811
    sqlite_engine,
    tmp_path,
):
    rows = admin_rows()
    rows["assets"][0]["name"] = f"Journal{MARK}system"
    path = with_raw_cell(write_admin(tmp_path, rows), "_x0001_")
    before = store_dump(sqlite_engine)
    client = app.server.test_client()
    login(client, "so")
    answer = upload(client, app, {"1882-SOC.xlsx": data_url(path)})
    text = json.dumps(answer["upload-result"], ensure_ascii=False)
    assert "Avvisad" in text and "styrtecken (U+0001)" in text
    assert store_dump(sqlite_engine) == before
    body = forge_body(app, "upload-report-download",
                      {"upload-report-button.n_clicks": 1,
                       "upload-report-store.data": answer["upload-report-store"]["data"]})  # fmt: skip
    response = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json",
        headers={"X-CSRFToken": client.get_cookie("_csrf_token").value},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    download = response.json["response"]["upload-report-download"]["data"]
    sheet = load_workbook(io.BytesIO(base64.b64decode(download["content"]))).active
    assert "Journal\\x01system" in [r[4] for r in sheet.iter_rows(min_row=2, values_only=True)]


# --------------------------------------------------------------------------- the parsers


@pytest.mark.parametrize("char", [*map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20),
                                             *range(0x7F, 0xA0)])])  # fmt: skip
@pytest.mark.parametrize("column_type", list(ColumnType))
def test_every_control_character_is_refused_in_every_type(char, column_type):
    with pytest.raises(CellError, match=f"U\\+{ord(char):04X}"):
        parse_cell(column_type, f"2026{char}-03-01")


@pytest.mark.parametrize("char", ["\t", "\n", "\r", "\xa0", "\u2013", "é"])
def test_layout_and_ordinary_characters_are_text(char):
    assert parse_cell(ColumnType.TEXT, f"a{char}b") == f"a{char}b"


CELLS = ["Vanlig text", "Ser\x01ver", "  \x1f ", "a\tb", "1882-SOC\tX", "x\x7fy", "\x85",
         "1882-SOC-IFO;1882-SOC-\tHT", "1882-SOC-IFO\n1882-SOC-HT", None, 1882.0, "Ja\x02",
         "2026-03-01\x0b", "Klar", "3 Allvarlig\x9f"]  # fmt: skip
COLUMNS = {(c.type, c.required): c for s in ALL_SHEETS for c in s.columns}


@pytest.mark.parametrize("column", list(COLUMNS.values()), ids=lambda c: f"{c.type}-{c.required}")
def test_column_parsing_refuses_them_as_cell_parsing_does(column):
    """The column-at-a-time shortcuts (etl.columns) give what parsing cell by cell gives."""
    for start in range(len(CELLS)):
        cells = list(itertools.islice(itertools.cycle(CELLS), start, start + len(CELLS)))
        outcomes = []
        for function in (parse_column, _parse_cell_by_cell):
            problems = []
            values = function(cells, column, 60, 4, problems)
            outcomes.append(repr((values, sorted((p.index, repr(p.value), p.message_sv)
                                                 for p in problems))))  # fmt: skip
        assert outcomes[0] == outcomes[1]
        assert "\x01" not in outcomes[0] and "\x85" not in outcomes[0]
