"""Read and parse the next files in a second process while the loader writes this one.

A national delivery spent about half of its load reading CSV files and parsing their cells, and
the other half writing; both were done one after the other on one core. ``Prefetch`` hands the
pure half (``read_source`` and ``etl.validate.prepare``: nothing that reads the store) to worker
processes, one per core the writer leaves spare (``prefetch_workers``), a few files ahead of the
writer (as many as fit in the pipe between them); the sources are dealt out to them in turn.
They start with the run and are told what to read once the organisation workbooks are in.
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

import contextlib
import gc
import logging
import os
import pickle
import signal
import subprocess
import sys
import traceback
from collections import deque
from collections.abc import Sequence
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from etl.read_limits import DEFAULT_LIMITS
from etl.reader import RawWorkbook, SourceReadError
from etl.sandboxed_read import bound_cpu, enter_child, read_source
from etl.sources import SourceFiles
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
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)  # where ``etl`` is importable from
# The answers' pipe: how far the worker may get ahead of the writer (it waits while the pipe is
# full), about five average national files; Linux's default 64 kB would hold it up at every file.
PIPE_BYTES = 1 << 20
MAX_WORKERS = 4  # workers reading ahead at most (each may use up to its address space)

Outcome = tuple[
    str, object
]  # ("prepared", PreparedWorkbook) | ("unreadable", issues) | ("error", text)


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
    """In the worker: the prepared file, or the issues saying why it cannot be read.

    The issues come back as a value: SourceReadError does not survive pickling intact.
    """
    try:
        raw = read_source(source.path, members=source.members)
    except SourceReadError as exc:
        return "unreadable", exc.issues
    prepared = prepare(raw, matrix_size)
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
            seen: dict[str, str] = {}
            sheet.columns[index] = [
                seen.setdefault(v, v) if type(v) is str else v for v in column
            ]  # fmt: skip


def _widen_pipe(stream) -> None:
    """Let the worker write a few files' answers before the loader reads them (Linux only)."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if set_size is not None:
        with contextlib.suppress(OSError):  # more than /proc/sys/fs/pipe-max-size allows
            fcntl.fcntl(stream.fileno(), set_size, PIPE_BYTES)


def prefetch_workers() -> int:
    """How many workers read ahead: one per core the writer leaves spare, at least one."""
    return max(1, min(MAX_WORKERS, (os.cpu_count() or 1) - 1))


class _Worker:
    """One ``python -m etl.pipeline`` process and the sources it was asked for, in order."""

    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT,
                                                          env.get("PYTHONPATH")]))  # fmt: skip
        self.asked: deque[SourceFiles] = deque()  # sent, answer not taken yet
        self.process = subprocess.Popen(
            [sys.executable, "-m", "etl.pipeline"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, env=env,
        )  # fmt: skip
        _widen_pipe(self.process.stdout)

    def ask(self, sources: Sequence[SourceFiles], matrix_size: int) -> None:
        """Send every source in one request, then nothing more: asking file by file woke the
        worker (and on a busy machine let it take the writer's core) once per file."""
        try:
            pickle.dump((list(sources), matrix_size), self.process.stdin)  # type: ignore[arg-type]
            self.process.stdin.close()  # type: ignore[union-attr]
        except OSError:  # the worker is gone already
            self.close()
            raise
        self.asked.extend(sources)

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

    The workers start first (``Prefetch(workers)``: each imports the parsing code, about half a
    second, while the loader loads the organisation workbooks) and are told what to read once
    the risk matrix that the files are parsed for is known (``ask``). With several workers the
    sources are dealt out in turn, the first to the first worker, the second to the second, and
    so on, so that the files the writer needs next are read at the same time.
    """

    def __init__(self, workers: int) -> None:
        self._workers: list[_Worker] = []
        try:
            for _ in range(max(1, workers)):
                self._workers.append(_Worker())
        except OSError:  # no interpreter to start: read here
            log.warning("could not start the workers reading ahead", exc_info=True)
            self.close()

    def ask(self, sources: Sequence[SourceFiles], matrix_size: int) -> None:
        """Deal ``sources`` out to the workers (once), to be parsed for ``matrix_size``."""
        count = min(len(self._workers), len(sources))
        idle, self._workers = self._workers[count:], self._workers[:count]
        for worker in idle:  # more workers than sources
            worker.close()
        try:
            for index, worker in enumerate(self._workers):
                worker.ask(sources[index::count], matrix_size)
        except OSError:  # a worker gone already: read here
            log.warning("could not ask the workers reading ahead", exc_info=True)
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
        if kind == "prepared":
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


def _serve(requests, answers) -> None:
    """The worker's loop: one answer per source asked for, in order."""
    sources, matrix_size = pickle.load(requests)
    for source in sources:
        bound_cpu(DEFAULT_LIMITS.cpu_seconds)  # each file gets its own CPU time
        try:
            data = pickle.dumps(read_and_prepare(source, matrix_size), pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - told to the loader, which reads the file itself
            data = pickle.dumps(("error", traceback.format_exc()))
        answers.write(data)  # waits while the pipe is full: the writer is behind
        answers.flush()
        del data


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
