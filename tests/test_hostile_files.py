"""Hostile and odd files (issue 7.1): each accepted with the right values or rejected clearly,
within 30 s and 300 MB, leaving the store as it was.

Each load runs in a child process under an address-space cap (RLIMIT_AS, 1,5 GB) so a runaway
file cannot take the test machine down. Its wall time is measured from the parent, its memory
from inside: the child reports its VmHWM, the high-water mark of its own address space since exec,
which must stay under 300 MB, and the largest peak RSS of its own children (the bounded reading
processes of etl.sandboxed_read, an upper bound that includes the pages of the loader they were
forked from), which must too. ``os.wait4``'s ru_maxrss is printed beside them only as an upper
bound: Linux carries the forking pytest process's high-water mark into it (several hundred MB late
in a full run), so it says nothing about the load.

The structure variants (references in any quoting or case, moved and renamed sheet parts,
relationships leaving the package, duplicate parts, lying counts) are also loaded through the
real ``infosak load`` command line, one process each, and shown to abort a reader that is not
protected (calamine asks for 512 GiB or what a count claims, and Rust aborts the process).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from etl import models
from etl.db import make_engine, migrate
from etl.load import load_paths
from tests.hostile_corpus import ACCEPTED, CASES, REJECTED, STRUCTURE_CASES, Case
from tests.workbooks import TODAY, write_org

ROOT = Path(__file__).resolve().parent.parent
ADDRESS_SPACE_CAP = 1536 * 1024 * 1024  # 1,5 GB: a runaway child dies instead of the machine
MAX_RSS_MB = 300
MAX_SECONDS = 30
LOG_TABLES = {"load", "load_error"}  # a rejection is recorded here, and nowhere else


@pytest.fixture(scope="module")
def org_store(tmp_path_factory) -> Path:
    """A SQLite store holding the organisation of tests.workbooks (copied for every case)."""
    directory = tmp_path_factory.mktemp("org-store")
    path = directory / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    run = load_paths(engine, [write_org(directory)], today=TODAY, snapshot=False)
    assert run.ok
    engine.dispose()
    return path


def table_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in inspect(conn).get_table_names()
        }


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))


def load_measured(url: str, path: Path, tmp_path: Path):
    """(results, seconds, peak RSS upper bound in MB, the load's own peak in MB (its reading
    children included), stderr) of loading ``path`` in a capped child process."""
    out, err = tmp_path / "child.out", tmp_path / "child.err"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    started = time.perf_counter()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.hostile_corpus", url, str(path)],
            cwd=ROOT, stdout=stdout, stderr=stderr, env=env, preexec_fn=_cap_memory,
        )  # fmt: skip
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            child.returncode = 0  # reaped by wait4; keep Popen from waiting again
    seconds = time.perf_counter() - started
    stderr_text = err.read_text(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, stderr_text[-3000:]
    report = json.loads(out.read_text())
    own_kb = max(report["peak_rss_kb"], report["children_peak_rss_kb"])
    peak_mb = max(usage.ru_maxrss, own_kb) / 1024
    return report["files"], seconds, peak_mb, own_kb / 1024, stderr_text


def _assert_rejected(case: Case, results: list[dict]) -> None:
    assert [r["outcome"] for r in results] == [REJECTED]
    issues = results[0]["issues"]
    matching = [i for i in issues if case.message in i[4]]
    assert matching, f"no issue says «{case.message}»: {issues}"
    file, sheet, row, column, message = matching[0]
    assert file and file != "", message
    if case.sheet is not None:
        assert (sheet, row, column) == (case.sheet, case.row, case.column), matching[0]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file(case: Case, org_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    shutil.copy(org_store, store)
    url = f"sqlite:///{store}"
    engine = make_engine(url)
    before = table_counts(engine)
    (tmp_path / "in").mkdir()
    path = case.build(tmp_path / "in")

    results, seconds, rss_mb, own_mb, stderr = load_measured(url, path, tmp_path)

    print(
        f"{case.name}: {case.outcome}, {seconds:.1f} s, peak RSS {own_mb:.0f} MB (≤ {rss_mb:.0f})"
    )
    assert seconds <= MAX_SECONDS, f"{seconds:.1f} s"
    assert own_mb <= MAX_RSS_MB, f"{own_mb:.0f} MB"
    assert "Traceback" not in stderr
    after = table_counts(engine)
    if case.outcome == REJECTED:
        _assert_rejected(case, results)
        assert {k: v for k, v in after.items() if k not in LOG_TABLES} == {
            k: v for k, v in before.items() if k not in LOG_TABLES
        }
        assert after["load"] == before["load"] + 1
        with Session(engine) as s:
            outcome = s.scalar(select(models.Load.outcome).order_by(models.Load.id.desc()))
            errors = s.scalar(select(func.count()).select_from(models.LoadError))
        assert outcome == REJECTED
        assert errors == after["load_error"] >= 1
    else:
        assert [r["outcome"] for r in results] == [ACCEPTED], results
        case.check(engine)
        assert after["asset"] == 3
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    engine.dispose()


def test_the_corpus_is_large_and_mixed() -> None:
    assert len(CASES) >= 25
    assert {c.outcome for c in CASES} == {ACCEPTED, REJECTED}
    assert len({c.name for c in CASES}) == len(CASES)


def test_the_cli_reports_hostile_files_in_swedish_without_a_traceback(org_store, tmp_path):
    """``infosak load`` over a folder of hostile files: one line per file, exit code 1."""
    store = tmp_path / "store.db"
    shutil.copy(org_store, store)
    folder = tmp_path / "in"
    folder.mkdir()
    chosen = {"zip_bomb", "password_protected", "million_rows", "billion_laughs", "old_xls"}
    for case in CASES:
        if case.name in chosen:
            (tmp_path / case.name).mkdir()
            built = case.build(tmp_path / case.name)
            shutil.move(built, folder / built.name)
    child = subprocess.run(
        [sys.executable, "-c", "from infosak_cli import main; main()", "load", "--database-url",
         f"sqlite:///{store}", str(folder)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    output = child.stdout + child.stderr
    assert child.returncode == 1, output
    assert "Traceback" not in output
    assert "0 av 5 filer inlästa eller oförändrade, 5 avvisade." in output
    for phrase in ("zip-bomb", "lösenordsskyddad", "Bladet är för stort", "DTD", ".xls"):
        assert phrase in output, phrase


TEXT_CASES = ("emoji_and_rtl", "sql_and_html_text", "csv_mixed_encodings", "csv_utf16_tabs",
              "megabyte_description", "csv_nul_bytes", "sql_in_cover_code")  # fmt: skip


@pytest.mark.parametrize("name", TEXT_CASES)
def test_text_cases_on_both_back_ends(name, engine, tmp_path):
    """Odd text reaches PostgreSQL as it reaches SQLite (stored literally, or refused by name)."""
    case = next(c for c in CASES if c.name == name)
    assert load_paths(engine, [write_org(tmp_path)], today=TODAY, snapshot=False).ok
    before = table_counts(engine)
    (tmp_path / "in").mkdir()
    run = load_paths(engine, [case.build(tmp_path / "in")], today=TODAY, snapshot=False)
    [result] = run.files
    assert result.outcome == case.outcome, [i.describe() for i in result.issues]
    if case.outcome == ACCEPTED:
        case.check(engine)
    else:
        assert any(case.message in i.message_sv for i in result.issues)
        after = table_counts(engine)
        assert {k: v for k, v in after.items() if k not in LOG_TABLES} == {
            k: v for k, v in before.items() if k not in LOG_TABLES
        }


def _structure_case(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


@pytest.mark.parametrize("name", STRUCTURE_CASES)
def test_infosak_load_refuses_each_structure_variant(name, org_store, tmp_path):
    """``infosak load FILE``, the real command line in its own process: exit code 1, the file's
    clear rejection, no traceback, within 30 s and 300 MB (its reading children included), and
    the store as it was (but for the load log)."""
    case = _structure_case(name)
    store = tmp_path / "store.db"
    shutil.copy(org_store, store)
    engine = make_engine(f"sqlite:///{store}")
    before = table_counts(engine)
    (tmp_path / "in").mkdir()
    path = case.build(tmp_path / "in")
    report = tmp_path / "memory.json"
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-m", "tests.hostile_corpus", "--cli", str(report), "load",
         "--database-url", f"sqlite:///{store}", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, preexec_fn=_cap_memory,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    output = child.stdout + child.stderr
    memory = json.loads(report.read_text())
    own_mb, readers_mb = memory["peak_rss_kb"] / 1024, memory["children_peak_rss_kb"] / 1024
    print(f"{name}: exit {child.returncode}, {seconds:.1f} s, peak RSS {own_mb:.0f} MB "
          f"(reading processes ≤ {readers_mb:.0f} MB)")  # fmt: skip
    assert child.returncode == (0 if case.outcome == ACCEPTED else 1), output[-3000:]
    assert "Traceback" not in output
    assert seconds <= MAX_SECONDS, f"{seconds:.1f} s"
    assert own_mb <= MAX_RSS_MB and readers_mb <= MAX_RSS_MB, (own_mb, readers_mb)
    after = table_counts(engine)
    engine.dispose()
    if case.outcome == ACCEPTED:
        assert "1 av 1 filer inlästa" in output, output
        return
    flat = " ".join(output.split())  # the console wraps long lines
    assert path.name in flat and " ".join(case.message.split()) in flat, output
    assert "0 av 1 filer inlästa eller oförändrade, 1 avvisade." in flat, output
    assert {k: v for k, v in after.items() if k not in LOG_TABLES} == {
        k: v for k, v in before.items() if k not in LOG_TABLES
    }


# calamine, asked for a sheet of these files with nothing in front of it, aborts the process.
ABORTING = ("single_quoted_refs", "lower_case_refs", "moved_sheet_part", "renamed_bin_sheet_part",
            "sheet_part_outside_xl", "huge_unique_count")  # fmt: skip
UNPROTECTED_READ = """
import sys, python_calamine
book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
book.get_sheet_by_name("Tillgångar").to_python()
"""


@pytest.mark.parametrize("name", ABORTING)
def test_the_structure_variants_abort_an_unprotected_reader(name, tmp_path):
    """The threat is real: read without the inspection and the bounded process, the file kills
    the reading process (SIGABRT from Rust's failed allocation), in a throwaway process here."""
    path = _structure_case(name).build(tmp_path)
    child = subprocess.run([sys.executable, "-c", UNPROTECTED_READ, str(path)], cwd=ROOT,
                           capture_output=True, text=True, timeout=120,
                           preexec_fn=_cap_memory)  # fmt: skip
    assert child.returncode == -signal.SIGABRT, (child.returncode, child.stderr[-2000:])
    assert "memory allocation of" in child.stderr
