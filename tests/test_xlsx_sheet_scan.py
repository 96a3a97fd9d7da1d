"""The sheet scan of the package inspection (etl.xlsx_package): the batched scan of sheets
whose rows and cells all carry ``r`` finds the extent, and refuses with the message, that the
element-by-element scan does; sheets without ``r`` are read again by that exact scan.

The hostile corpus (tests/test_hostile_files.py) loads whole workbooks; these tests feed sheet
parts straight to the scans, with limits small enough to count by hand.
"""

import zipfile

import pytest

from etl import xlsx_package
from etl.read_limits import ReadLimits, SourceReadError
from etl.xml_stream import parse_chunks
from tests.workbooks import write_admin

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SMALL = ReadLimits(max_rows=100, max_columns=10, max_cells=300)


def sheet(body: bytes) -> bytes:
    return (
        b'<?xml version="1.0"?><worksheet '
        + NS
        + b"><sheetData>"
        + body
        + b"</sheetData></worksheet>"
    )


def exact(data: bytes, limits: ReadLimits = SMALL):
    scan = xlsx_package._SheetScan("f.xlsx", "Blad", limits)
    parse_chunks([data], scan.start, scan.end)
    return scan.extent


def fast(data: bytes, limits: ReadLimits = SMALL):
    scan = xlsx_package._FastSheetScan("f.xlsx", "Blad", limits)
    parse_chunks([data], scan.start)
    scan.flush()
    return scan.extent


def refusal(scan, data: bytes) -> str:
    with pytest.raises(SourceReadError) as caught:
        scan(data)
    return caught.value.issues[0].message_sv


def rows(count: int, columns: str = "ABC", first: int = 1) -> bytes:
    out = []
    for number in range(first, first + count):
        cells = "".join(f'<c r="{letter}{number}"><v>1</v></c>' for letter in columns)
        out.append(f'<row r="{number}">{cells}</row>')
    return "".join(out).encode()


PLAIN = [
    rows(5),
    rows(3, "ab"),  # lower case, as calamine reads it
    b'<row r="7"><c r="J007"><v>1</v></c></row>',  # leading zeros
    b'<row r="B4"><c r="A4"><v>1</v></c></row>',  # letters in a row's r: calamine ignores them
    b"<x:row xmlns:x='http://schemas.openxmlformats.org/spreadsheetml/2006/main' r='3'>"
    b"<x:c r='C3'><x:v>1</x:v></x:c></x:row>",  # prefixed, single-quoted
    b'<row r="2"></row><row r="9"/>',  # rows without cells
    b'<row r="1"><c r="&#66;5"><v>1</v></c></row>',  # a character reference: B5
]


@pytest.mark.parametrize("body", PLAIN)
def test_fast_scan_finds_the_extent_of_the_exact_scan(body):
    assert fast(sheet(body)) == exact(sheet(body))


def test_fast_scan_counts_cells_rows_and_columns_by_hand():
    extent = fast(sheet(rows(4, "ABD") + b'<row r="6"><c r="b6"><v>1</v></c></row>'))
    assert (extent.rows, extent.columns, extent.cells) == (6, 4, 13)


def test_fast_scan_over_several_batches(monkeypatch):
    monkeypatch.setattr(xlsx_package, "BATCH", 7)  # 20 rows of 3 cells: 9 batches
    data = sheet(rows(20) + b'<row r="21"><c r="F21"><v>1</v></c></row>')
    extent = fast(data)
    assert (extent.rows, extent.columns, extent.cells) == (21, 6, 61)
    assert extent == exact(data)


@pytest.mark.parametrize(
    "body",
    [
        rows(101, "A"),  # one row too many (the 101st)
        b'<row r="1"><c r="K1"><v>1</v></c></row>',  # column 11 of 10
        rows(3) + b'<row r="40"><c r="J40"><v>1</v></c></row>',  # 40 x 10 = 400 cells from A1
        b'<row r="1"><c r="XFD1048576"><v>1</v></c></row>',
        b'<row r="1"><c r="AAAA1"><v>1</v></c></row>',  # longer than Excel's longest
        b'<row r="1"><c r="1A"><v>1</v></c></row>',  # not a reference
        b'<row r="1"><c r="A1&#10;B2"><v>1</v></c></row>',  # a newline: not two references
        b'<row r="x"><c r="A1"><v>1</v></c></row>',
    ],
)
def test_fast_scan_refuses_with_the_message_of_the_exact_scan(body, monkeypatch):
    monkeypatch.setattr(xlsx_package, "BATCH", 4)  # the limit is crossed inside a batch
    assert refusal(fast, sheet(body)) == refusal(exact, sheet(body))


def test_refusal_names_the_extent_where_the_limit_was_crossed(monkeypatch):
    # 9 rows of A..J fill 90 cells; row 31 reaches 31 x 10 = 310 > 300 cells. The batch of
    # 1 000 references holds all of it, and still the message names 31 rows, as the exact
    # scan does, not the extent at the end of the batch (row 40).
    body = rows(9, "ABCDEFGHIJ") + b'<row r="31"><c r="A31"/></row><row r="40"><c r="A40"/></row>'
    message = refusal(fast, sheet(body))
    assert "31 rader och 10 kolumner" in message


def test_cells_over_the_limit_inside_the_extent_are_refused():
    limits = ReadLimits(max_rows=100, max_columns=10, max_cells=5)
    body = b'<row r="1"><c r="A1"/><c r="A1"/><c r="A1"/><c r="A1"/><c r="A1"/><c r="A1"/></row>'
    assert refusal(lambda d: fast(d, limits), sheet(body)) == refusal(
        lambda d: exact(d, limits), sheet(body)
    )


@pytest.mark.parametrize(
    "body",
    [
        b'<row r="5"><c r="A5"/></row><row><c r="A6"/></row>',  # a row without r
        b'<row r="5"><c r="A5"/><c/></row>',  # a cell without r
    ],
)
def test_fast_scan_hands_sheets_without_r_to_the_exact_scan(body):
    with pytest.raises(xlsx_package._NeedsExactScan):
        fast(sheet(body))


def _inspect(path, limits):
    with zipfile.ZipFile(path) as zf:
        return xlsx_package.inspect_package(zf, path.name, limits)


def _without_r(path, target):
    """The workbook with its first sheet's rows written without r (read twice by the scans)."""
    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                data = data.replace(b'<row r="1" ', b"<row ").replace(b'<row r="1">', b"<row>")
            dst.writestr(info.filename, data)
    return target


def test_sheet_read_twice_counts_once_against_the_unpacked_size(tmp_path):
    path = _without_r(write_admin(tmp_path), tmp_path / "utan-r.xlsx")
    with zipfile.ZipFile(path) as zf:
        unpacked = sum(info.file_size for info in zf.infolist())
    assert b"<row>" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    # Exactly what the package unpacks to: accepted once, refused if the sheet counted twice.
    report = _inspect(path, ReadLimits(max_uncompressed=unpacked))
    assert report.sheets["xl/worksheets/sheet1.xml"][1].rows >= 1
    with pytest.raises(SourceReadError):
        _inspect(path, ReadLimits(max_uncompressed=unpacked - 1))


def test_inspection_finds_the_same_extents_with_and_without_r(tmp_path):
    path = write_admin(tmp_path)
    plain = _inspect(path, ReadLimits())
    again = _inspect(_without_r(path, tmp_path / "utan-r.xlsx"), ReadLimits())
    assert plain.sheets == again.sheets


def strings(data: bytes, limits: ReadLimits = SMALL):
    scan = xlsx_package._SharedStringsScan("f.xlsx", limits)
    parse_chunks([data], scan.start)
    scan.check()
    return scan.count, scan.claimed


def test_shared_strings_counted_with_and_without_a_prefix():
    plain = b'<sst uniqueCount="3"><si><t>a</t></si><si><r><t>b</t></r></si><si><t/></si></sst>'
    prefixed = (
        b"<x:sst xmlns:x='urn:x' uniqueCount='3'><x:si><x:t>a</x:t></x:si>"
        b"<x:si><x:r><x:t>b</x:t></x:r></x:si><x:si/></x:sst>"
    )
    assert strings(plain) == (3, "3")
    assert strings(prefixed) == (3, "3")


def test_shared_strings_claiming_more_than_they_hold_are_refused_with_a_prefix():
    data = b"<x:sst xmlns:x='urn:x' uniqueCount='4000000000'><x:si><x:t>a</x:t></x:si></x:sst>"
    with pytest.raises(SourceReadError) as caught:
        strings(data)
    assert "uppger 4000000000 texter men innehåller 1" in caught.value.issues[0].message_sv


def test_a_long_reference_is_refused_where_it_stands():
    # Refused at once, as the exact scan does, before the parse reaches the broken end of the
    # part; not kept, however long, until the end of its batch.
    data = sheet(b'<row r="1"><c r="A1' + b"-" * 5000 + b'"/>')[: -len("</sheetData></worksheet>")]
    assert "cellreferensen 'A1-----" in refusal(fast, data)
    assert refusal(fast, data) == refusal(exact, data)


# --------------------------------------------------------------------------- plain sheet parts
# A sheet part as Excel and openpyxl write it is scanned in its bytes (``_plain_extent``), with
# expat checking it without a Python call per element; any other part is left to the scans.

EXCEL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'


def excel_sheet(body: bytes, declaration: bytes = EXCEL) -> bytes:
    return declaration + sheet(body)[len(b'<?xml version="1.0"?>') :]


def plain(data: bytes, limits: ReadLimits = SMALL):
    return xlsx_package._plain_extent(data, limits)


@pytest.mark.parametrize(
    "data",
    [
        excel_sheet(rows(5)),
        excel_sheet(rows(3, "ab")),
        excel_sheet(b'<row r="7"><c r="J007" t="s"><v>1</v></c></row>'),
        excel_sheet(b'<row r="2"></row><row r="9"/>'),
        excel_sheet(rows(4, "ABD") + b'<row r="6"><c r="b6"><v>1</v></c></row>'),
        sheet(rows(2)),  # a declaration without encoding
        sheet(rows(2))[len(b'<?xml version="1.0"?>') :],  # none at all (openpyxl)
        excel_sheet(
            b'<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve">a &lt;c r="Z99"'
            b" &#229;</t></is></c></row>"
        ),  # a cell's text that reads like a tag
    ],
)
def test_plain_sheet_part_has_the_extent_of_the_exact_scan(data):
    assert plain(data) is not None
    assert plain(data) == exact(data)


@pytest.mark.parametrize(
    "data",
    [
        excel_sheet(rows(2) + b'<!-- <c r="Z99"/> -->'),  # a comment
        excel_sheet(
            rows(2) + b'<row r="3"><c r="A3"><is><t><![CDATA[<c r="Z99">]]></t></is></c></row>'
        ),
        excel_sheet(rows(2) + b"<?pi <c r='Z99'?>"),  # a processing instruction
        excel_sheet(rows(2), EXCEL + b"<!DOCTYPE worksheet []>"),  # a document type declaration
        excel_sheet(b'<row r="1"><c r="A1"/><v<c r="Z99"/></row>'),  # "<" inside a tag's name
        excel_sheet(rows(2), b'<?xml version="1.0" encoding="UTF-16"?>'),
        excel_sheet(rows(2), b'\xef\xbb\xbf<?xml version="1.0"?>'),  # a byte order mark
        excel_sheet(b'<row r="1"><c r="A1"/><x:c xmlns:x="urn:x" r="Z99"/></row>'),  # prefixed
        excel_sheet(b"<row r='1'><c r='A1'/></row>"),  # single quotes
        excel_sheet(b'<row r="1"><c t="s" r="A1"/></row>'),  # r not first
        excel_sheet(b'<row r="1"><c r="&#66;5"/></row>'),  # a character reference
        excel_sheet(b'<row r="1"><c r="A1"/><c/></row>'),  # a cell without r
        excel_sheet(b'<row><c r="A1"/></row>'),  # a row without r
        excel_sheet(b'<row r="B4"><c r="A4"/></row>'),  # letters in a row's r
        excel_sheet(b'<row r="1"><c r="A1x"/></row>'),  # not a reference
        excel_sheet(b'<row r="1"><c r="A1"></row>'),  # not well-formed
        excel_sheet(b'<row r="1"><c r="K1"/></row>'),  # beyond the limits: refused by the scans
        excel_sheet(rows(101, "A")),
        excel_sheet(rows(3) + b'<row r="40"><c r="J40"/></row>'),
    ],
)
def test_other_sheet_parts_are_left_to_the_element_scans(data):
    assert plain(data) is None


def test_plain_sheet_part_counts_every_cell_against_the_limit():
    limits = ReadLimits(max_rows=100, max_columns=10, max_cells=5)
    body = b'<row r="1">' + b'<c r="A1"/>' * 6 + b"</row>"
    assert plain(excel_sheet(body), limits) is None
    assert plain(excel_sheet(body), ReadLimits(max_rows=100, max_columns=10, max_cells=6)) == (
        xlsx_package.SheetExtent(rows=1, columns=1, cells=6)
    )


def test_inspection_of_a_written_workbook_scans_its_sheets_in_their_bytes(tmp_path, monkeypatch):
    path = write_admin(tmp_path)
    element_scans = _inspect(path, ReadLimits())
    found = []

    def counted(data, limits, plain_extent=xlsx_package._plain_extent):
        found.append(plain_extent(data, limits))
        return found[-1]

    monkeypatch.setattr(xlsx_package, "_plain_extent", counted)
    assert _inspect(path, ReadLimits()).sheets == element_scans.sheets
    assert found and all(extent is not None for extent in found)
