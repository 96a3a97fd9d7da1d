"""Read and parse the next files in a second process while the loader writes this one.

A national delivery spent about half of its load reading CSV files and parsing their cells, and
the other half writing; both were done one after the other on one core. ``Prefetch`` hands the
pure half (``read_source`` and ``etl.validate.prepare``: nothing that reads the store) to worker
processes, one per core the writer leaves spare (``prefetch_workers``), a few files ahead of the
writer (as many as fit in the pipe between them); the sources are dealt out to them in turn.
They start with the run and read the files right away; they parse them once the organisation
workbooks are in and the risk matrix is known. The first worker reads the organisation workbooks
before anything else and sends their cells unparsed: the loader parses and loads them first.
Everything that depends on the store (codes known and taken, which change as files load in
order) is still checked by the writer inside each file's transaction, so results and messages
are the same as a serial load's.

The worker parses levels for the risk matrix the store had when the prefetch started; the loader
checks it again in each file's transaction and reads and parses a file once more when it changed
(another process loaded an organisation workbook meanwhile).

The worker is ``python -m etl.pipeline``, talking pickles over its stdin and stdout: a fresh
interpreter that never runs the caller's own script (multiprocessing's spawn imports the main
module again, and a script without a ``__main__`` guard would start a second load), safe under
a threaded server, and gone by itself when the loader dies (its answers' pipe breaks). Only for
large runs (``PREFETCH_MIN_BYTES``): starting it takes about half a second. If the worker
fails in any way the loader reads that file itself, and every later one once the worker is gone,
so a failure looks exactly like it would in a serial load.

The worker reads untrusted files, so it runs under the same bounds as the reading child of
``etl.sandboxed_read`` (an address-space limit, and a CPU limit per file) and reads in its own
process; if a file brings it down, the loader reads that file and the rest through the bounded
reader, which rejects the file cleanly.
"""

from __future__ import annotations

import array
import contextlib
import gc
import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
import traceback
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
    import termios
except ImportError:  # Windows
    fcntl = termios = None  # type: ignore[assignment]

from etl.read_limits import DEFAULT_LIMITS
from etl.reader import RawWorkbook, SourceReadError
from etl.sandboxed_read import bound_cpu, child_process, enter_child, read_source
from etl.sources import SourceFiles, expand_sources, split_organisations
from etl.validate import PreparedWorkbook, prepare

log = logging.getLogger(__name__)

# Smaller runs load serially: the worker's start (about 0.5 s) costs more than reading ahead
# saves. Measured: Sydnärke's 23 workbooks (0.5 MB) took 0.27 s serially and 0.58 s with the
# worker; 120 administrations' CSV sets (22 MB) and the country's (250 MB) gain from it.
PREFETCH_MIN_BYTES = 8 << 20
STOP_SECONDS = 10.0  # how long closing waits for the worker to finish its file
# The worker keeps one file's rows at a time: collecting young objects every 700 allocations
# (Python's default) only re-walked rows that were about to be freed anyway.
WORKER_GC_THRESHOLD = (50_000, 20, 20)
# The answers' pipe: how far the worker may get ahead of the writer (it waits while the pipe is
# full), about five average national files; Linux's default 64 kB would hold it up at every file.
PIPE_BYTES = 1 << 20
WORKERS_ENV = "INFOSAK_READ_AHEAD_WORKERS"
MAX_WORKERS = 4  # workers reading ahead at most (each may use up to its address space)
# Before the risk matrix is known a worker reads files without parsing them, up to this many
# (or this many bytes of files): the organisation's load takes about a second and a half with
# the loader's start, in which one worker reads 30-50 of the 29 municipalities' workbooks.
# Several workers share these bounds, so a second worker holds no more in all (a national run
# stays within its memory).
READ_UNPARSED_FILES = 64
READ_UNPARSED_BYTES = 64 << 20

Outcome = tuple[
    str, object
]  # ("prepared", PreparedWorkbook) | ("read", RawWorkbook) | ("unreadable", issues) | ("error", text)


def source_bytes(sources: Sequence[SourceFiles]) -> int:
    """The size of every file of ``sources`` (a file gone meanwhile counts 0: the load says so)."""
    total = 0
    for source in sources:
        for path in source.members[1] if source.members else [source.path]:
            with contextlib.suppress(OSError):
                total += path.stat().st_size
    return total


def should_prefetch(sources: Sequence[SourceFiles], min_bytes: int = PREFETCH_MIN_BYTES) -> bool:
    """Whether a run of ``sources`` is worth a worker process (enough to read, a second core)."""
    return (os.cpu_count() or 1) > 1 and bool(sys.executable) and source_bytes(sources) >= min_bytes


def read_and_prepare(source: SourceFiles, matrix_size: int) -> Outcome:
    """In the worker: the prepared file, or the issues saying why it cannot be read."""
    return _prepared(_read_here(source), matrix_size)


def _read_here(source: SourceFiles) -> RawWorkbook | Outcome:
    """In the worker: the file's cells, or the outcome saying why they could not be read.

    The issues come back as a value: SourceReadError does not survive pickling intact.
    """
    try:
        return read_source(source.path, members=source.members)
    except SourceReadError as exc:
        return "unreadable", exc.issues


def _prepared(read: RawWorkbook | Outcome, matrix_size: int) -> Outcome:
    if isinstance(read, tuple):  # unreadable, or failed
        return read
    prepared = prepare(read, matrix_size)
    _share_repeated_texts(prepared)
    return "prepared", prepared


def _share_repeated_texts(prepared: PreparedWorkbook) -> None:
    """One str object per distinct text of a column (unit codes, risk ids, e-mail addresses).

    Pickle writes an object it has seen once and refers to it after, so the loader unpickles
    each distinct text once: about half the bytes, and a quarter less of the loader's time
    unpickling, for a little of the worker's.
    """
    for sheet in prepared.sheets.values():
        if sheet is None:
            continue
        for index, column in enumerate(sheet.columns):
            kinds = set(map(type, column))
            if not kinds & _TEXTS or not kinds <= _SHAREABLE:
                continue  # no text, or values a dict would take for each other (True and 1)
            # Texts and None only (most columns): shared in one pass at C speed.
            seen: dict[object, object] = {}
            sheet.columns[index] = list(map(seen.setdefault, column, column))


_TEXTS = frozenset({str})
_SHAREABLE = frozenset({str, type(None)})


def _widen_pipe(stream) -> None:
    """Let the worker write a few files' answers before the loader reads them (Linux only)."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if set_size is not None:
        with contextlib.suppress(OSError):  # more than /proc/sys/fs/pipe-max-size allows
            fcntl.fcntl(stream.fileno(), set_size, PIPE_BYTES)


def prefetch_workers(others: float | None = None, workbooks: bool = True) -> int:
    """How many workers read ahead: one per core the writer leaves spare, at least one; and a
    second on a two-core machine when the run reads ``workbooks`` and less than a core's worth
    of other work wants the cores (``others``: by default ``_other_tasks()``).

    A run of workbooks waits for its lone worker (29 municipalities': the worker inspects,
    reads and parses for about 6.5 s of CPU time, and the writer spent 2 of its 7 s of files
    waiting for it), so on two cores a second worker takes the time the writer leaves; on a
    busy machine it would only take the writer's core (measured at load 7-9: the files 27 -> 30
    s). A run of CSV sets waits for the writer, not its worker: a second worker there took the
    writer's core (the national set's files 38 -> 43 s) and added its memory.
    ``INFOSAK_READ_AHEAD_WORKERS`` sets the number instead (an operator who knows the machine;
    tests that count the workers).
    """
    chosen = os.environ.get(WORKERS_ENV, "").strip()
    if chosen.isdigit() and int(chosen) > 0:
        return min(MAX_WORKERS, int(chosen))
    cores = os.cpu_count() or 1
    workers = max(1, min(MAX_WORKERS, cores - 1))
    if workers == 1 and cores >= 2 and workbooks:
        if others is None:
            others = _other_tasks()
        if others is not None and others < cores - 1:
            workers = 2
    return workers


PROC_LOADAVG = "/proc/loadavg"


def _other_tasks() -> float | None:
    """The tasks besides this process that want a core now: Linux's count of runnable tasks
    (the fourth field of /proc/loadavg, this process included); elsewhere the one-minute load
    average. Not the load average on Linux: it trails the last minute, and whoever started this
    run (a script that has just read files, a benchmark) keeps it near 1 on an idle machine."""
    try:
        with open(PROC_LOADAVG, encoding="ascii") as stream:
            runnable = int(stream.read().split()[3].partition("/")[0])
        return max(0, runnable - 1)
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):  # Windows
        return None


class _Worker:
    """One ``python -m etl.pipeline`` process and the sources it was asked for, in order."""

    def __init__(self) -> None:
        self.asked: deque[SourceFiles] = deque()  # sent, answer not taken yet
        self.process = child_process("etl.pipeline", stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)  # fmt: skip
        _widen_pipe(self.process.stdout)

    def read(self, sources: Sequence[SourceFiles], raw: Sequence[SourceFiles] = (),
             workers: int = 1) -> None:  # fmt: skip
        """Send every source in one request (asking file by file woke the worker, and on a busy
        machine let it take the writer's core, once per file); it starts reading them, ``raw``
        first (read, not parsed). ``workers``: how many share the bounds on files held."""
        try:
            request = (list(raw), list(sources), workers)
            pickle.dump(request, self.process.stdin)  # type: ignore[arg-type]
            self.process.stdin.flush()  # type: ignore[union-attr]
        except OSError:  # the worker is gone already
            self.close()
            raise
        self.asked.extend(raw)
        self.asked.extend(sources)

    def parse_for(self, matrix_size: int) -> None:
        """Tell the worker the risk matrix to parse for, then nothing more."""
        try:
            pickle.dump(matrix_size, self.process.stdin)  # type: ignore[arg-type]
            self.process.stdin.close()  # type: ignore[union-attr]
        except OSError:
            self.close()
            raise

    def close(self) -> None:
        """Stop the worker (the file it is working on is dropped)."""
        self.asked.clear()
        # A worker not asked yet ends at the end of its requests; one at work stops at its next
        # write, when its answers' pipe is closed (a broken pipe).
        with contextlib.suppress(OSError):
            self.process.stdin.close()  # type: ignore[union-attr]
        self.process.stdout.close()  # type: ignore[union-attr]
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Prefetch:
    """Sources read and prepared ahead in worker processes, in the order they will load.

    The workers start first (``Prefetch(workers)``), are given the sources to read (``read``:
    they read them while the loader starts and loads the organisation workbooks) and are told
    the risk matrix that the files are parsed for once it is known (``parse_for``). With several
    workers the sources are dealt out in turn, the first to the first worker, the second to the
    second, and so on, so that the files the writer needs next are read at the same time.
    """

    def __init__(self, workers: int) -> None:
        self._workers: list[_Worker] = []
        try:
            for _ in range(max(1, workers)):
                self._workers.append(_Worker())
        except OSError:  # no interpreter to start: read here
            log.warning("could not start the workers reading ahead", exc_info=True)
            self.close()

    def read(self, sources: Sequence[SourceFiles], raw: Sequence[SourceFiles] = ()) -> None:
        """Deal ``sources`` out to the workers (once), who start reading them; the first worker
        reads ``raw`` (the organisation workbooks) before them, and sends their cells unparsed
        (they set the risk matrix the others are parsed for)."""
        count = max(1, min(len(self._workers), len(sources)))
        idle, self._workers = self._workers[count:], self._workers[:count]
        for worker in idle:  # more workers than sources
            worker.close()
        try:
            for index, worker in enumerate(self._workers):
                worker.read(sources[index::count], raw if index == 0 else (), count)
        except OSError:  # a worker gone already: read here
            log.warning("could not ask the workers reading ahead", exc_info=True)
            self.close()

    def parse_for(self, matrix_size: int) -> None:
        """Let the workers parse what they read for the risk matrix ``matrix_size``."""
        try:
            for worker in self._workers:
                worker.parse_for(matrix_size)
        except OSError:
            log.warning("could not tell the workers reading ahead the risk matrix", exc_info=True)
            self.close()

    def _worker_for(self, source: SourceFiles) -> _Worker | None:
        for worker in self._workers:
            if worker.asked and worker.asked[0] is source:
                return worker
        return None

    def take(self, source: SourceFiles) -> RawWorkbook | PreparedWorkbook:
        """``source`` prepared by a worker, or read here when the workers could not.

        Raises SourceReadError when the file cannot be read, as ``read_source`` does.
        """
        worker = self._worker_for(source)
        if worker is None:  # workers gone, or not asked
            return read_source(source.path, members=source.members)
        worker.asked.popleft()
        try:  # a file's answer, unpickled here: a reading thread fought this one for the GIL
            answer = pickle.load(worker.process.stdout)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - the worker died (mid-answer, or before it)
            self._give_up()
            return read_source(source.path, members=source.members)
        kind, value = answer
        if kind in ("prepared", "read"):
            return value  # type: ignore[return-value]
        if kind == "unreadable":
            raise SourceReadError(value)  # type: ignore[arg-type]
        # Anything else the worker hit: read here, so it surfaces as in a serial load.
        log.warning("preparing %s in the worker failed; reading it here:\n%s", source.label, value)
        return read_source(source.path, members=source.members)

    def _give_up(self) -> None:
        log.warning("a worker reading ahead stopped; reading the remaining files here")
        self.close()

    def close(self) -> None:
        """Stop every worker (the files they are working on are dropped)."""
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.close()

    def __enter__(self) -> Prefetch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _MatrixSize:
    """The risk matrix the loader sends once the organisation is in, awaited in a thread so
    that the worker reads files meanwhile. ``None`` when the loader closed without one."""

    def __init__(self, requests) -> None:
        self._requests = requests
        self._size: int | None = None
        self._told = threading.Event()
        threading.Thread(target=self._await, name="matrix-size", daemon=True).start()

    def _await(self) -> None:
        with contextlib.suppress(Exception):  # closed (EOF), or the loader is gone
            self._size = pickle.load(self._requests)
        self._told.set()

    @property
    def known(self) -> bool:
        return self._told.is_set()

    def wait(self) -> int:
        self._told.wait()
        if self._size is None:
            raise EOFError("the loader closed before the risk matrix was known")
        return self._size


def _serve(requests, answers) -> None:
    """The worker's loop: one answer per source asked for, in order.

    The sources come first and are read while the loader loads the organisation; each is
    parsed once the risk matrix is known. Until then at most ``READ_UNPARSED_FILES`` files (and
    ``READ_UNPARSED_BYTES`` of them), shared among the ``workers``, are held read but not
    parsed."""
    raw, sources, workers = pickle.load(requests)
    most_files = max(1, READ_UNPARSED_FILES // workers)
    most_bytes = READ_UNPARSED_BYTES // workers
    for source in raw:  # the organisation workbooks: the loader parses them itself, at once
        bound_cpu(DEFAULT_LIMITS.cpu_seconds)
        try:
            read = _read_here(source)
            outcome = ("read", read) if isinstance(read, RawWorkbook) else read
            data = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - told to the loader, which reads the file itself
            data = pickle.dumps(("error", traceback.format_exc()))
        answers.write(data)
        answers.flush()
    matrix = _MatrixSize(requests)
    unparsed: deque[tuple[RawWorkbook | Outcome, int]] = deque()
    held = 0
    for source in sources:
        bound_cpu(DEFAULT_LIMITS.cpu_seconds)  # each file gets its own CPU time
        size = source_bytes([source])
        try:
            read = _read_here(source)
        except Exception:  # noqa: BLE001 - told to the loader, which reads the file itself
            read = ("error", traceback.format_exc())
        unparsed.append((read, size))
        held += size
        while unparsed and (matrix.known or len(unparsed) >= most_files
                            or held >= most_bytes):  # fmt: skip
            read, size = unparsed.popleft()
            held -= size
            _answer(answers, read, matrix.wait())
    while unparsed:
        _answer(answers, unparsed.popleft()[0], matrix.wait())


def _answer(answers, read: RawWorkbook | Outcome, matrix_size: int) -> None:
    """Parse one file read for ``matrix_size`` and send the loader its outcome; or send it read
    but not parsed when the loader is waiting for it (``_loader_waiting``): the loader parses
    it then, with the time it would have spent waiting, while this worker reads the next file.
    (A run of workbooks with one worker: the loader waited for it 9-12 of its 27-35 s of files
    at load 7-9, and parsing is about a seventh of the worker's work.)"""
    bound_cpu(DEFAULT_LIMITS.cpu_seconds)
    try:
        if isinstance(read, RawWorkbook) and _loader_waiting(answers):
            outcome: Outcome = ("read", read)
        else:
            outcome = _prepared(read, matrix_size)
        data = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - told to the loader, which reads the file itself
        data = pickle.dumps(("error", traceback.format_exc()))
    answers.write(data)  # waits while the pipe is full: the writer is behind
    answers.flush()
    del data


def _loader_waiting(answers) -> bool:
    """Whether the loader has taken every answer sent (nothing left unread in the pipe), so it
    waits for the next one. False where the pipe cannot tell (not Linux): parsed here then."""
    if fcntl is None or not hasattr(termios, "FIONREAD"):
        return False
    unread = array.array("i", [0])
    try:
        fcntl.ioctl(answers.fileno(), termios.FIONREAD, unread)
    except OSError:
        return False
    return unread[0] == 0


@dataclass
class Plan:
    """A run's sources in loading order: the organisation workbooks, then the others, which the
    workers (``ahead``, when the run is large enough) are reading already."""

    organisations: list[SourceFiles]
    others: list[SourceFiles]
    ahead: Prefetch | None = None

    def close(self) -> None:
        if self.ahead is not None:
            self.ahead.close()

    def __enter__(self) -> Plan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def plan(paths: Sequence[Path], prefetch: bool | None = None, workers: int | None = None) -> Plan:
    """The sources of ``paths`` (folders expanded), organisation workbooks first, and the workers
    started reading the others when ``prefetch`` (by default when the run is large enough).

    Light to import (no SQLAlchemy, no pandas): ``infosak load`` plans before it imports the
    store and the KPI code, so the workers read while it does (about a second of CPU time)."""
    organisations, others = split_organisations(expand_sources(paths))
    if prefetch is None:
        prefetch = should_prefetch(others)
    ahead = None
    if prefetch and others:
        if workers is None:
            workers = prefetch_workers(workbooks=any(s.members is None for s in others))
        ahead = Prefetch(workers)
        # The organisation workbooks too: read in the worker already started, not in a bounded
        # reading process started for them (a second interpreter's start, about 0.3 s, on the
        # loader's way to the first file).
        ahead.read(others, organisations)
    return Plan(organisations, others, ahead)


def main() -> None:
    # Ctrl-C reaches the whole process group: the loader stops the worker by closing the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.set_threshold(*WORKER_GC_THRESHOLD)
    enter_child(DEFAULT_LIMITS)  # bounded like the reading child: reads happen here
    # Answers get the real stdout to themselves; anything else printing goes to stderr.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    with contextlib.suppress(OSError, EOFError):  # the loader is gone (a broken pipe)
        _serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
