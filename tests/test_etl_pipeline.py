"""A large run reads and parses ahead in a worker process (etl.pipeline) with a serial run's results.

Every test compares the prefetching load with a serial load of the same files: same outcomes,
same issues in the same order with the same file, sheet, row and column, same rows in the store.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from etl import generate, pipeline
from etl import load as load_module
from etl.db import make_engine, migrate
from etl.load import ACCEPTED, REJECTED, load_paths
from etl.sources import expand_sources
from tests.hostile_corpus import shadowing_etl, write_big_admin_csv
from tests.workbooks import TODAY, write_admin, write_object, write_org

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("asset", "asset_owner", "classification", "classification_participant",
          "risk_analysis", "risk", "gap_analysis", "gap_assessment", "action",
          "follow_up_report", "source", "setting", "unit")  # fmt: skip
LOAD_COLUMNS = "source_id, file_name, sha256, outcome, rows_total, counts_json, error_count"
ERROR_COLUMNS = 'load_id, sheet, row, "column", value, message_sv, message_en'


def _data_lines(path: Path) -> list[str]:
    return path.read_text("utf-8-sig").splitlines()[1:]


@pytest.fixture(scope="module")
def delivery(tmp_path_factory) -> Path:
    """The generated sample delivery (one organisation, 22 other sources) with three bad sets.

    - one administration's assets repeat one of their own codes (an issue within the file);
    - another's assets take an asset of an administration loaded before it (the store says so);
    - one set has a binary (NUL) character: it cannot be read at all.
    """
    folder = tmp_path_factory.mktemp("delivery")
    generate.generate(folder, municipalities=4, fmt="csv", today=TODAY)
    assets = sorted(folder.glob("*.tillgangar.csv"))
    first, duplicated, taker = assets[0], assets[3], assets[6]
    lines = _data_lines(duplicated)
    with duplicated.open("a", encoding="utf-8") as fh:
        fh.write(lines[-1] + "\n")
    with taker.open("a", encoding="utf-8") as fh:
        fh.write(_data_lines(first)[0] + "\n")
    prefix = taker.name.rpartition(".tillgangar.csv")[0]
    broken = folder / "zzz-broken.uppgifter.csv"
    shutil.copy(folder / f"{prefix}.uppgifter.csv", broken)
    broken.write_bytes(broken.read_bytes() + b"Kod;\x00\n")
    return folder


def _results(run) -> list[tuple]:
    return [(f.path.name, f.source_key, f.outcome, f.issues, f.counts, f.file_name)
            for f in run.files]  # fmt: skip


def _contents(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        tables = {t: [tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{t}" ORDER BY 1')]
                  for t in TABLES}  # fmt: skip
        tables["load"] = [tuple(r) for r in conn.exec_driver_sql(
            f"SELECT {LOAD_COLUMNS} FROM load ORDER BY id")]  # fmt: skip
        tables["load_error"] = [tuple(r) for r in conn.exec_driver_sql(
            f"SELECT {ERROR_COLUMNS} FROM load_error ORDER BY id")]  # fmt: skip
    return tables


def _fresh(tmp_path: Path, name: str):
    engine = make_engine(f"sqlite:///{tmp_path / name}.db")
    migrate(engine)
    return engine


def _load_both(tmp_path: Path, paths: list[Path], progress_for=None):
    """(results, contents) of a prefetching and of a serial run; ``progress_for(engine)``
    makes each run's progress callback."""
    out = []
    for prefetch in (True, False):
        engine = _fresh(tmp_path, f"prefetch-{prefetch}")
        progress = progress_for(engine) if progress_for else None
        run = load_paths(engine, paths, today=TODAY, snapshot=False, prefetch=prefetch,
                         progress=progress)  # fmt: skip
        out.append((_results(run), _contents(engine)))
        engine.dispose()
    return out


def test_a_large_run_prefetches_and_a_small_one_does_not(delivery):
    sources = expand_sources([delivery])
    size = pipeline.source_bytes(sources)
    assert size == sum(p.stat().st_size for p in delivery.glob("*.csv"))
    two_cores = (os.cpu_count() or 1) > 1
    assert pipeline.should_prefetch(sources, min_bytes=size) == two_cores
    assert not pipeline.should_prefetch(sources, min_bytes=size + 1)
    # The sample delivery (4 municipalities, about 0.5 MB) is below the default: serial.
    assert size < pipeline.PREFETCH_MIN_BYTES and not pipeline.should_prefetch(sources)


def test_a_run_holding_much_memory_closes_its_pooled_connections_before_the_snapshot(
    tmp_path, delivery, monkeypatch
):
    """The KPI step is a large run's peak memory: a run holding more than
    ``RETURN_MEMORY_MIN_BYTES`` (the national one; here every run) does not keep the files
    step's connections (and their page caches) through it."""
    engine = _fresh(tmp_path, "snapshot")
    monkeypatch.setattr(load_module, "RETURN_MEMORY_MIN_BYTES", 0)
    with engine.connect():  # a connection checked in to the pool before the run
        pass
    assert engine.pool.checkedin() >= 1
    pooled = []
    real = load_module.record_snapshot

    def spy(engine, *args, **kwargs):
        pooled.append(engine.pool.checkedin())
        return real(engine, *args, **kwargs)

    monkeypatch.setattr(load_module, "record_snapshot", spy)
    load_paths(engine, [delivery], today=TODAY)
    assert pooled == [0]


def test_the_same_outcomes_issues_and_rows_as_a_serial_run(tmp_path, delivery):
    (ahead, ahead_rows), (serial, serial_rows) = _load_both(tmp_path, [delivery])
    assert ahead == serial
    assert ahead_rows == serial_rows
    outcomes = [outcome for _, _, outcome, _, _, _ in serial]
    assert outcomes.count(REJECTED) == 3 and outcomes.count(ACCEPTED) == len(outcomes) - 3
    messages = [i.message_en for _, _, _, issues, _, _ in serial for i in issues]
    assert any("already occurs on row" in m for m in messages)  # within the file
    assert any("is already used by" in m for m in messages)  # by the store's other source
    assert any("binary characters (NUL)" in m for m in messages)  # unreadable
    assert len(serial_rows["action"]) > 1000


def test_a_matrix_changed_by_another_load_meanwhile_is_parsed_again(tmp_path, delivery):
    """The worker parsed levels for a 4x4 matrix; another load makes it 3x3 half-way."""
    smaller = tmp_path / "smaller"
    smaller.mkdir()
    for path in delivery.glob("organisation.*.csv"):
        shutil.copy(path, smaller / path.name)
    settings = smaller / "organisation.installningar.csv"
    settings.write_text(settings.read_text("utf-8-sig").replace("riskmatris_storlek;4",
                                                                "riskmatris_storlek;3"), "utf-8")  # fmt: skip
    assert "riskmatris_storlek;3" in settings.read_text("utf-8")

    def progress_for(engine):
        def progress(index: int, total: int, label: str) -> None:
            if index == 8:  # another process's load, between two of this run's files
                assert load_paths(engine, [smaller], today=TODAY, snapshot=False).ok

        return progress

    (ahead, ahead_rows), (serial, serial_rows) = _load_both(tmp_path, [delivery], progress_for)
    assert ahead == serial
    assert ahead_rows == serial_rows
    messages = [i.message_en for _, _, _, issues, _, _ in serial[9:] for i in issues]
    assert any(m.startswith(("The likelihood", "The consequence")) for m in messages)


def _children(parent: int, marker: str) -> list[int]:
    """Process ids whose parent is ``parent`` and whose command line has ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        if ppid == parent and marker in command:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_worker_that_dies_leaves_the_rest_to_the_loader(tmp_path, delivery, monkeypatch):
    monkeypatch.setenv(pipeline.WORKERS_ENV, "1")  # one worker, whatever else runs
    killed = []

    def progress_for(engine):
        def progress(index: int, total: int, label: str) -> None:
            # Before the first file the loader has not sent the risk matrix yet, so the worker
            # cannot have finished: later, a quiet machine let it answer every file and exit
            # before the kill (the answers it wrote before dying are still taken from the pipe).
            if index == 0:
                for pid in _children(os.getpid(), "etl.pipeline"):
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)

        return progress

    (ahead, ahead_rows), (serial, serial_rows) = _load_both(tmp_path, [delivery], progress_for)
    assert len(killed) == 1  # only the prefetching run has a worker
    assert ahead == serial
    assert ahead_rows == serial_rows


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_the_worker_ends_with_a_killed_loader(tmp_path, monkeypatch):
    """Killed while the worker waits to hand over a big file: the worker does not outlive it."""
    monkeypatch.setenv(pipeline.WORKERS_ENV, "1")  # inherited by the loader's process
    big = [write_big_admin_csv(tmp_path / f"big{i}", 10_000).parent for i in range(4)]
    url = f"sqlite:///{tmp_path / 'killed.db'}"
    migrate(make_engine(url))
    script = ("import sys, time; from pathlib import Path; from etl.db import make_engine; "
              "from etl.load import load_paths; from tests.workbooks import TODAY; "
              "load_paths(make_engine(sys.argv[1]), [Path(p) for p in sys.argv[2:]], "
              "today=TODAY, prefetch=True, "
              "progress=lambda i, n, _: time.sleep(3600) if i == 1 else None)")  # fmt: skip
    loader = subprocess.Popen([sys.executable, "-c", script, url, *map(str, big)], cwd=ROOT)
    try:
        workers: list[int] = []
        for _ in range(600):
            workers = _children(loader.pid, "etl.pipeline")
            if workers or loader.poll() is not None:
                break
            time.sleep(0.1)
        assert len(workers) == 1
    finally:
        loader.kill()
        loader.wait()
    for _ in range(600):
        if not _alive(workers[0]):
            break
        time.sleep(0.1)
    assert not _alive(workers[0])


def test_workbooks_too(tmp_path):
    """xlsx files are read in the worker the same way (calamine there, the sheet guards too)."""
    folder = tmp_path / "workbooks"
    folder.mkdir()
    paths = [write_org(folder), write_admin(folder), write_object(folder)]
    broken = folder / "broken.xlsx"
    broken.write_bytes(b"not a workbook at all")
    (ahead, ahead_rows), (serial, serial_rows) = _load_both(tmp_path, [*paths, broken])
    assert ahead == serial
    assert ahead_rows == serial_rows
    assert [outcome for _, _, outcome, _, _, _ in serial].count(ACCEPTED) == 3


def test_two_workers_read_in_turn_with_the_same_outcomes(tmp_path, delivery, monkeypatch):
    """Where cores are spare, several workers read ahead; the run is still the serial one's."""
    started = []
    real_read = pipeline._Worker.read

    def counted(worker, sources, raw=(), workers=1):
        started.append([s.label for s in sources])
        return real_read(worker, sources, raw, workers)

    monkeypatch.setenv(pipeline.WORKERS_ENV, "2")
    monkeypatch.setattr(pipeline._Worker, "read", counted)
    (ahead, ahead_rows), (serial, serial_rows) = _load_both(tmp_path, [delivery])
    assert len(started) == 2 and started[0] and started[1]
    assert not set(started[0]) & set(started[1])  # each source read by one worker
    assert ahead == serial
    assert ahead_rows == serial_rows


def test_one_worker_per_spare_core(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert pipeline.prefetch_workers(others=1.5) == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert pipeline.prefetch_workers(others=0.0) == 3
    assert pipeline.prefetch_workers(others=8.0) == 3
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert pipeline.prefetch_workers(others=0.0) == pipeline.MAX_WORKERS
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert pipeline.prefetch_workers(others=0.0) == 1


def test_a_second_worker_on_two_cores_when_one_is_idle(monkeypatch):
    """On two cores the writer waits for a lone worker much of a run of workbooks: a second
    worker takes that time, but only when the machine has a core to spare."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert pipeline.prefetch_workers(others=0) == 2
    assert pipeline.prefetch_workers(others=0.2) == 2
    assert pipeline.prefetch_workers(others=1) == 1
    assert pipeline.prefetch_workers(others=1.2) == 1
    # CSV sets wait for the writer, not the worker: a second one would only take its core.
    assert pipeline.prefetch_workers(others=0.2, workbooks=False) == 1


def test_the_second_worker_is_decided_on_what_runs_now(monkeypatch, tmp_path):
    """The one-minute load average trails: a script that has just read files for a minute
    leaves it near 1 on a machine where nothing else runs. The tasks runnable now decide."""
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.5, 0.9, 0.4), raising=False)
    loadavg = tmp_path / "loadavg"
    monkeypatch.setattr(pipeline, "PROC_LOADAVG", str(loadavg))
    loadavg.write_text("1.50 0.90 0.40 1/209 15539\n")  # this process alone runs
    assert pipeline._other_tasks() == 0
    assert pipeline.prefetch_workers() == 2
    loadavg.write_text("0.10 0.05 0.01 3/209 15539\n")  # two others want the cores
    assert pipeline.prefetch_workers() == 1
    loadavg.unlink()  # no /proc: the load average
    assert pipeline._other_tasks() == 1.5
    assert pipeline.prefetch_workers() == 1


def test_shared_texts_keep_every_value(tmp_path):
    """Sharing repeated texts before pickling changes no value, and leaves columns alone where
    a dict would take one value for another (True for 1, 1.0 for 1)."""
    from etl.validate import ParsedSheet, PreparedWorkbook, read_cover

    texts = ["a" + str(i % 3) for i in range(9)] + [None]
    mixed = [True, 1, 1.0, "1", None]
    sheet = ParsedSheet(list(range(10)), [list(texts), [1, True] * 5, list(texts)])
    other = ParsedSheet(list(range(5)), [list(mixed)])
    cover = read_cover(pipeline.RawWorkbook("f.xlsx", [], "", {}))
    prepared = PreparedWorkbook("f.xlsx", "", cover, 5, sheets={"a": sheet, "b": other,
                                                                "c": None})  # fmt: skip
    pipeline._share_repeated_texts(prepared)
    assert sheet.columns[0] == texts and sheet.columns[2] == texts
    assert sheet.columns[0][0] is sheet.columns[0][3]  # one object per distinct text
    assert [type(v) for v in sheet.columns[1]] == [int, bool] * 5
    assert [type(v) for v in other.columns[0]] == [bool, int, float, str, type(None)]


@pytest.mark.skipif(sys.platform != "linux", reason="asks the pipe what is unread (Linux)")
def test_a_waiting_loader_gets_the_file_read_and_parses_it_itself():
    """The worker parses a file only when the loader has answers left to take; a loader that
    waits (nothing unread in the pipe) gets the cells and parses them with that time."""
    import pickle

    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb") as loader, os.fdopen(write_end, "wb") as answers:
        raw = pipeline.RawWorkbook("f.xlsx", [], "", {})
        pipeline._answer(answers, raw, 5)  # the loader took everything: it waits
        pipeline._answer(answers, raw, 5)  # the first answer is still unread
        assert pickle.load(loader)[0] == "read"
        assert pickle.load(loader)[0] == "prepared"
        # An unreadable file's issues go as they are either way.
        pipeline._answer(answers, ("unreadable", []), 5)
        assert pickle.load(loader) == ("unreadable", [])


def test_the_workers_read_while_the_organisation_workbook_loads(tmp_path, monkeypatch):
    """The workers start and are given the other files before the organisation loads (they read
    them meanwhile); they are told the risk matrix it set once it is in."""
    events: list[str] = []
    real_init, real_read = pipeline._Worker.__init__, pipeline._Worker.read
    real_parse_for = pipeline._Worker.parse_for
    real_load_source = load_module._load_source

    def init(worker):
        events.append("worker started")
        real_init(worker)

    def read(worker, sources, raw=(), workers=1):
        events.append(f"reading {len(raw)} + {len(sources)}")
        real_read(worker, sources, raw, workers)

    def parse_for(worker, matrix_size):
        events.append(f"parsing at matrix {matrix_size}")
        real_parse_for(worker, matrix_size)

    def load_source(engine, source, **kwargs):
        events.append(f"loaded {source.path.name}")
        return real_load_source(engine, source, **kwargs)

    monkeypatch.setattr(pipeline._Worker, "__init__", init)
    monkeypatch.setattr(pipeline._Worker, "read", read)
    monkeypatch.setattr(pipeline._Worker, "parse_for", parse_for)
    monkeypatch.setattr(load_module, "_load_source", load_source)
    monkeypatch.setenv(pipeline.WORKERS_ENV, "1")
    paths = [write_org(tmp_path), write_admin(tmp_path), write_object(tmp_path)]
    engine = _fresh(tmp_path, "order")
    run = load_paths(engine, paths, today=TODAY, snapshot=False, prefetch=True)
    engine.dispose()
    assert [f.outcome for f in run.files] == [ACCEPTED] * 3
    assert events[:4] == ["worker started", "reading 1 + 2", f"loaded {paths[0].name}",
                          "parsing at matrix 4"]  # fmt: skip


def test_the_worker_reads_the_organisation_workbook_too(tmp_path, monkeypatch):
    """With workers reading ahead, no bounded reading process is started for the organisation
    workbook (a second interpreter on the way to the first file): the first worker reads it and
    sends its cells, which the loader parses and loads as in a serial run."""
    from etl import sandboxed_read

    monkeypatch.setenv(pipeline.WORKERS_ENV, "2")
    paths = [write_org(tmp_path), write_admin(tmp_path), write_object(tmp_path)]
    sandboxed_read.close_children()
    engine = _fresh(tmp_path, "org-in-worker")
    run = load_paths(engine, paths, today=TODAY, snapshot=False, prefetch=True)
    engine.dispose()
    assert [f.outcome for f in run.files] == [ACCEPTED] * 3
    assert sandboxed_read._current_pool().idle == []  # no reading process was started


def test_a_plan_made_before_the_store_is_opened_loads_the_same(tmp_path, delivery):
    """``infosak load`` plans (its workers reading) before it opens the store: the same
    outcomes, issues and rows as a run that plans itself, and the plan's workers end with it."""
    planned = pipeline.plan([delivery], prefetch=True)
    assert planned.ahead is not None
    processes = [worker.process for worker in planned.ahead._workers]
    engine = _fresh(tmp_path, "planned")
    run = load_paths(engine, [delivery], today=TODAY, snapshot=False, planned=planned)
    planned_rows = _contents(engine)
    engine.dispose()
    assert all(p.returncode == 0 for p in processes)
    serial = _fresh(tmp_path, "serial_plan")
    alone = load_paths(serial, [delivery], today=TODAY, snapshot=False, prefetch=False)
    serial_rows = _contents(serial)
    serial.dispose()
    assert _results(run) == _results(alone)
    assert planned_rows == serial_rows


@pytest.mark.parametrize(("workers", "held"), [(1, 2), (2, 1)])
def test_a_worker_holds_a_bounded_number_of_files_before_the_matrix_is_known(tmp_path,
                                                                          monkeypatch, workers,
                                                                          held):  # fmt: skip
    """Until the risk matrix comes the worker reads ahead but parses nothing, and stops reading
    after ``READ_UNPARSED_FILES`` (shared among the workers, so two hold no more than one);
    told the matrix, it answers every file in order."""
    import io
    import pickle

    paths = [write_admin(tmp_path), write_object(tmp_path)]
    sources = [pipeline.SourceFiles(path, None) for path in paths * 3]
    monkeypatch.setattr(pipeline, "READ_UNPARSED_FILES", 2)
    reads: list[str] = []
    real_read = pipeline._read_here
    monkeypatch.setattr(pipeline, "_read_here",
                        lambda source: reads.append(source.path.name) or real_read(source))  # fmt: skip
    monkeypatch.setattr(pipeline, "bound_cpu", lambda seconds: None)
    told = threading.Event()

    class Requests(io.RawIOBase):
        """The sources, then (once ``told``) the matrix size, as the loader sends them."""

        def __init__(self):
            self.chunks = [pickle.dumps(([], sources, workers)), None]

        def readable(self):
            return True

        def readinto(self, buffer):
            if not self.chunks:
                return 0
            if self.chunks[0] is None:
                told.wait()
                self.chunks[0] = pickle.dumps(4)
            chunk = self.chunks.pop(0)
            buffer[: len(chunk)] = chunk
            return len(chunk)

    answers = io.BytesIO()
    serving = threading.Thread(
        target=pipeline._serve, args=(io.BufferedReader(Requests()), answers)
    )
    serving.start()
    deadline = time.monotonic() + 60
    while len(reads) < held and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert len(reads) == held and answers.getvalue() == b""  # read, not parsed, no further
    told.set()
    serving.join(60)
    answers.seek(0)
    kinds = [pickle.load(answers)[0] for _ in sources]
    assert kinds == ["prepared"] * len(sources) and len(reads) == len(sources)


def test_workers_never_asked_end_when_closed():
    ahead = pipeline.Prefetch(2)
    processes = [worker.process for worker in ahead._workers]
    assert len(processes) == 2
    ahead.close()
    assert [p.returncode for p in processes] == [0, 0]


def test_the_operator_sets_the_number_of_workers(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setenv(pipeline.WORKERS_ENV, "1")
    assert pipeline.prefetch_workers(others=0.0) == 1
    monkeypatch.setenv(pipeline.WORKERS_ENV, "3")
    assert pipeline.prefetch_workers(others=8.0) == 3
    monkeypatch.setenv(pipeline.WORKERS_ENV, "99")
    assert pipeline.prefetch_workers(others=0.0) == pipeline.MAX_WORKERS
    monkeypatch.setenv(pipeline.WORKERS_ENV, "no")  # not a number: chosen by cores and other tasks
    assert pipeline.prefetch_workers(others=0.0) == 2


def test_a_run_of_csv_sets_reads_ahead_with_one_worker_on_two_idle_cores(monkeypatch, delivery):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(pipeline, "_other_tasks", lambda: 0)
    with pipeline.plan([delivery], prefetch=True) as planned:
        assert planned.ahead is not None and len(planned.ahead._workers) == 1


def test_a_worker_started_in_a_folder_holding_another_etl_runs_this_one(tmp_path, delivery,
                                                                        monkeypatch):  # fmt: skip
    marker = tmp_path / "ran"
    engine = _fresh(tmp_path, "elsewhere")
    monkeypatch.chdir(shadowing_etl(tmp_path / "elsewhere", marker))
    with pipeline.plan([delivery], prefetch=True, workers=1) as planned:
        [worker] = planned.ahead._workers
        planned.close()  # the worker has imported its module by the time it ends
        assert worker.process.returncode is not None
    assert not marker.exists()
    run = load_paths(engine, [delivery], today=TODAY, snapshot=False, prefetch=True)
    assert [f.outcome for f in run.files].count(ACCEPTED) == len(run.files) - 3  # as serially
    assert not marker.exists()
