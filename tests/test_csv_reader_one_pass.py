"""The CSV reader's one-pass path: same records, limits, hash and errors as record by record."""

from __future__ import annotations

import pytest

from etl.reader import ReadLimits, SourceReadError, _read_csv_grid, _sha256, read_csv_set
from etl.workbook_writer import write_csv_set
from tests.workbooks import admin_rows


def _csv(tmp_path, text: str):
    path = tmp_path / "1882-SOC.tillgangar.csv"
    path.write_text(text, "utf-8")
    return path


def _grid(path, limits=ReadLimits()):
    return _read_csv_grid(path, "1882-SOC.*.csv", limits)


def test_blank_records_become_empty_rows(tmp_path):
    path = _csv(tmp_path, "Kod;Namn\r\nA1; x \r\n\r\n ; \r\nA2;\r\n")
    assert _grid(path) == [["Kod", "Namn"], ["A1", " x "], [], [], ["A2", ""]]


@pytest.mark.parametrize(("records", "refused"), [(4, False), (5, True)])
def test_the_row_limit_counts_the_header_as_before(tmp_path, records, refused):
    # Record by record the reader refused the record after max_rows + 1 (the header included).
    path = _csv(tmp_path, "".join(f"A{i};x\n" for i in range(records)))
    if refused:
        with pytest.raises(SourceReadError, match="too large"):
            _grid(path, ReadLimits(max_rows=3))
    else:
        assert len(_grid(path, ReadLimits(max_rows=3))) == records


def test_the_column_limit_applies_to_every_record(tmp_path):
    path = _csv(tmp_path, "a;b\n1;2;3;4\n")
    assert len(_grid(path, ReadLimits(max_columns=4))) == 2
    with pytest.raises(SourceReadError, match="too large"):
        _grid(path, ReadLimits(max_columns=3))


def test_a_broken_quote_names_the_line_its_record_starts_on(tmp_path):
    path = _csv(tmp_path, 'Kod;Namn\nA1;"multi\nline"\nA2;"never closed\nA3;x\n')
    with pytest.raises(SourceReadError) as caught:
        _grid(path)
    assert "från rad 4" in caught.value.issues[0].message_sv


def test_the_set_hash_is_the_hash_of_its_files(tmp_path):
    paths = write_csv_set(tmp_path, "1882-SOC", "administration", admin_rows())
    raw = read_csv_set(paths[0])
    assert len(raw.paths) > 1
    assert raw.sha256 == _sha256(raw.paths)
