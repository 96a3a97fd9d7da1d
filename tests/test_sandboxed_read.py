"""The bounded reading process (etl.sandboxed_read): whatever kills the reader, native abort,
CPU limit, hang or Python MemoryError, the caller gets the file's clean rejection and goes on.

No crash is faked: each is a real file that a real limit stops. A workbook within every limit of
the inspection (200 000 rows, 20 columns from A1: the 4 million cells allowed) makes calamine
allocate about 100 MB for its grid; under a 128 MB address space that allocation fails and Rust
aborts the reading process, exactly as the hostile files did to the whole CLI before.
"""

from __future__ import annotations

import logging
import os
import zipfile

import pytest

from etl import sandboxed_read
from etl.reader import ReadLimits, SourceReadError
from etl.sandboxed_read import read_source
from tests.fresh_interpreter import json_printed_by
from tests.hostile_corpus import rewrite_zip, shadowing_etl, sheet_part
from tests.workbooks import write_admin, write_admin_csv

BOUNDS = "inom gränserna för minne och tid"
SMALL_ADDRESS_SPACE = 128 * 1024 * 1024


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """A valid administration workbook whose Tillgångar sheet reaches T200000: inside every
    limit of the inspection, and about 100 MB of grid for calamine."""
    directory = tmp_path_factory.mktemp("wide")
    cell = b'<row r="200000"><c r="T200000"><v>1</v></c></row>'
    return rewrite_zip(write_admin(directory / "base"), directory / "vid.xlsx", {
        sheet_part("Tillgångar"): lambda b: b.replace(b"</sheetData>", cell + b"</sheetData>"),
    })  # fmt: skip


@pytest.fixture(scope="module")
def dense(tmp_path_factory):
    """A valid workbook with 150 000 asset rows of 11 cells (several seconds of CPU to read),
    streamed straight into the zip."""
    directory = tmp_path_factory.mktemp("dense")
    base = write_admin(directory / "base")
    part = sheet_part("Tillgångar")
    path = directory / "tat.xlsx"
    row = (b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>1882-SOC-T%d</t></is></c>'
           + b"".join(b'<c r="%s%%d"><v>%%d</v></c>' % bytes([c]) for c in b"BCDEFGHIJK")
           + b"</row>")  # fmt: skip
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != part:
                dst.writestr(info.filename, data)
                continue
            head, _, rest = data.partition(b"<sheetData>")
            header = rest.split(b"</row>")[0] + b"</row>"
            with dst.open(part, "w") as out:
                out.write(head + b"<sheetData>" + header)
                for start in range(2, 150_002, 10_000):
                    out.write(b"".join(row % ((n,) * 23) for n in range(start, start + 10_000)))
                out.write(b"</sheetData>" + rest.split(b"</sheetData>")[1])
    return path


def _refusal(path, limits) -> str:
    with pytest.raises(SourceReadError) as refused:
        read_source(path, limits)
    [issue] = refused.value.issues
    assert issue.file == path.name
    assert BOUNDS in issue.message_sv and "memory and time limits" in issue.message_en
    return issue.message_sv


def _still_reads(tmp_path) -> None:
    """The caller is alive and the next file reads normally (in a fresh child)."""
    raw = read_source(write_admin(tmp_path / "next"))
    assert len(raw.sheets["assets"].rows) == 3


def test_a_native_abort_in_the_reader_is_a_clean_rejection(wide, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="etl.sandboxed_read")
    _refusal(wide, ReadLimits(address_space=SMALL_ADDRESS_SPACE))
    assert "SIGABRT" in caplog.text  # calamine's failed allocation aborted the child
    _still_reads(tmp_path)


def test_the_same_file_reads_with_the_default_bounds(wide):
    """The file above is valid: only the small address space made its read fail."""
    raw = read_source(wide)
    assert raw.sheets["assets"].rows[-1].number == 200_000


def test_a_runaway_read_is_stopped_by_the_cpu_limit(dense, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="etl.sandboxed_read")
    _refusal(dense, ReadLimits(cpu_seconds=1))
    assert "SIGXCPU" in caplog.text or "SIGKILL" in caplog.text
    _still_reads(tmp_path)


def test_a_read_that_does_not_answer_in_time_is_stopped(wide, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="etl.sandboxed_read")
    _refusal(wide, ReadLimits(wall_seconds=0.3))
    assert "no answer in time" in caplog.text
    _still_reads(tmp_path)


def test_a_memory_error_in_python_is_a_clean_rejection(tmp_path, caplog):
    """A CSV set goes through the same bounded child: 40 MB of asset rows do not fit in a 128 MB
    address space once decoded and split (Python raises MemoryError there)."""
    caplog.set_level(logging.WARNING, logger="etl.sandboxed_read")
    first = write_admin_csv(tmp_path / "csv")
    line = "1882-SOC-T{:07d};Tillgång;Procapita;IT-system;1882-SOC-IFO;;Nej;\n"
    with first.open("a", encoding="utf-8") as out:
        for start in range(0, 600_000, 50_000):
            out.write("".join(line.format(n) for n in range(start, start + 50_000)))
    with pytest.raises(SourceReadError) as refused:
        read_source(first, ReadLimits(address_space=SMALL_ADDRESS_SPACE, max_rows=1_000_000))
    [issue] = refused.value.issues
    assert issue.file == "1882-SOC.*.csv" and BOUNDS in issue.message_sv
    assert "memory" in caplog.text or "SIGABRT" in caplog.text or "SIGSEGV" in caplog.text
    _still_reads(tmp_path)


def test_one_child_reads_file_after_file(tmp_path):
    """A run of many files pays for one process start, not one per file."""
    path = write_admin(tmp_path)
    sandboxed_read.close_children()  # earlier tests in this process may have left children idle
    read_source(path)
    pool = sandboxed_read._current_pool()
    [child] = [c for c in pool.idle if c.address_space == ReadLimits().address_space]
    pid = child.process.pid
    for _ in range(3):
        read_source(path)
    assert [c.process.pid for c in pool.idle] == [pid]
    assert pid != os.getpid()


def test_a_working_folder_holding_another_etl_does_not_run_its_code(tmp_path, monkeypatch):
    path = write_admin(tmp_path / "book")
    marker = tmp_path / "ran"
    monkeypatch.chdir(shadowing_etl(tmp_path / "elsewhere", marker))
    sandboxed_read.close_children()  # a child started by an earlier test would not show it
    raw = read_source(path)
    assert len(raw.sheets["assets"].rows) == 3
    assert not marker.exists()


def test_the_cpu_limit_bounds_a_bounded_child_and_no_other_process():
    """``bound_cpu`` sets the soft CPU limit in a process that entered the bounded-child mode,
    and leaves any other process alone: a test process or server that runs the worker's code
    would otherwise be stopped by SIGXCPU once it had used the seconds on other work."""
    import resource

    before = resource.getrlimit(resource.RLIMIT_CPU)
    sandboxed_read.bound_cpu(5)
    assert resource.getrlimit(resource.RLIMIT_CPU) == before

    script = (
        "import json, resource\n"
        "from etl import sandboxed_read\n"
        "sandboxed_read.enter_child()\n"
        "used = resource.getrusage(resource.RUSAGE_SELF)\n"
        "sandboxed_read.bound_cpu(5)\n"
        "print(json.dumps([resource.getrlimit(resource.RLIMIT_CPU)[0],\n"
        "                  int(used.ru_utime + used.ru_stime)]))\n"
    )
    soft, used = json_printed_by(script)
    assert used + 6 <= soft <= used + 7
