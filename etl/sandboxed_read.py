"""Read untrusted files in a child process with an address-space and a CPU limit.

The inspection of ``etl.xlsx_package`` refuses every hostile file we know of; this is the wall
behind it. A parser fault we do not know of yet, in Python or in calamine's native code (a
Rust allocation failure aborts the whole process, whatever Python catches), must not take the
CLI or a web worker down. So ``read_bounded`` hands the whole read (inspection included) to a
child process that lives under:

- RLIMIT_AS (``ReadLimits.address_space``, 1 GiB): an allocation beyond it fails in the child;
- RLIMIT_CPU (``ReadLimits.cpu_seconds`` per file, 60 s): the kernel stops a runaway parse;
- a wall-clock wait in the caller (``ReadLimits.wall_seconds``), for a child that hangs.

When the child dies (a signal, a MemoryError, a timeout) the file gets the usual file-level
rejection, in Swedish and English, and the child is replaced. The RawWorkbook comes back
pickled through a pipe.

A child is ``python -m etl.sandboxed_read``: a fresh interpreter (no fork of a threaded server,
no re-import of the caller's main module), started on the first read and kept for the next
ones, so a run of many small files pays for one start (about 0.1 s). A child exits when its
parent goes (its requests' pipe closes). Reads running at the same time (a threaded web server)
use one child each, at most ``MAX_CHILDREN`` at once; a forked process (a gunicorn worker)
starts its own.

The prefetch worker of ``etl.pipeline`` is such a bounded child itself (``enter_child``): it
reads in its own process, and the loader falls back to a bounded read when it dies.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

try:
    import resource
except ImportError:  # Windows: no rlimits; reads run in the caller's process
    resource = None  # type: ignore[assignment]

from etl.read_limits import (
    DEFAULT_LIMITS,
    ReadLimits,
    SourceReadError,
    refuse,
    unreadable_in_bounds,
)
from etl.reader import RawWorkbook, read_source_here, source_label

log = logging.getLogger(__name__)

MAX_CHILDREN = 4  # reads at once per process; each child may use up to its address space
_FRAME = struct.Struct(">Q")
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)  # where ``etl`` is importable from
_in_child = False  # this process is a bounded child: read here


# --------------------------------------------------------------------------- in the child


def enter_child(limits: ReadLimits = DEFAULT_LIMITS) -> None:
    """Make this process a bounded reader: its address space is capped from now on, and
    ``read_bounded`` reads here (the caller bounds its CPU per file with ``bound_cpu``)."""
    global _in_child
    _in_child = True
    if resource is None:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = limits.address_space if hard == resource.RLIM_INFINITY else min(hard,
                                                                          limits.address_space)  # fmt: skip
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def bound_cpu(seconds: int) -> None:
    """Let this process use ``seconds`` more CPU time, then the kernel stops it (SIGXCPU).

    RLIMIT_CPU counts the process's whole life, so a child that reads file after file moves its
    soft limit on before each one; the hard limit stays where it was.

    Only a bounded child (``enter_child``) is bounded: anywhere else, a test process or a server
    calling the worker's code, the limit would outlive the call and the kernel would stop the
    whole process (SIGXCPU, no traceback) once it had used the seconds on other work.
    """
    if resource is None or not _in_child:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(usage.ru_utime + usage.ru_stime) + seconds + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _answer(request: tuple) -> tuple[str, object]:
    path, limits, members = request
    bound_cpu(limits.cpu_seconds)
    try:
        return "ok", read_source_here(path, limits, members)
    except SourceReadError as exc:  # does not survive pickling intact: its issues do
        return "refused", exc.issues
    except MemoryError:
        return "memory", None
    except Exception:  # noqa: BLE001 - told to the caller, which rejects the file
        return "error", traceback.format_exc()


def _read_frame(stream) -> bytes | None:
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        return None
    (size,) = _FRAME.unpack(head)
    return stream.read(size)


def main() -> None:
    """The child's loop: one answer per request, until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the parent decides
    address_space = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_LIMITS.address_space
    enter_child(ReadLimits(address_space=address_space))
    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt answers
    while (frame := _read_frame(requests)) is not None:
        kind, value = _answer(pickle.loads(frame))
        try:
            data = pickle.dumps((kind, value), pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            kind, data = "memory", pickle.dumps(("memory", None))
        answers.write(_FRAME.pack(len(data)) + data)
        answers.flush()
        del value, data
        if kind == "memory":
            return  # the heap may be in any state: the next file gets a fresh child


# --------------------------------------------------------------------------- in the caller


class ChildGone(Exception):
    """The child died, hung or answered nonsense."""


def child_process(module: str, *args: str, **popen) -> subprocess.Popen:
    """``python -P -m module args``: this checkout's ``etl`` first on the child's path, and
    not the working directory, which ``-m`` would otherwise put before it (a folder holding
    another ``etl`` would have run its code on the files)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_ROOT, env.get("PYTHONPATH")]))
    return subprocess.Popen([sys.executable, "-P", "-m", module, *args], env=env, **popen)


class _Child:
    def __init__(self, address_space: int) -> None:
        self.address_space = address_space
        # stderr is dropped: a native crash prints its own report, which the user must not
        # see; the caller logs how the child ended instead.
        self.process = child_process(
            "etl.sandboxed_read", str(address_space),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            close_fds=True,
        )  # fmt: skip

    def ask(self, request: tuple, seconds: float) -> tuple[str, object]:
        data = pickle.dumps(request, pickle.HIGHEST_PROTOCOL)
        try:
            self.process.stdin.write(_FRAME.pack(len(data)) + data)  # type: ignore[union-attr]
            self.process.stdin.flush()  # type: ignore[union-attr]
        except OSError as exc:
            raise ChildGone("the request could not be sent") from exc
        deadline = time.monotonic() + seconds
        fd = self.process.stdout.fileno()  # type: ignore[union-attr]
        (size,) = _FRAME.unpack(self._read(fd, _FRAME.size, deadline))
        try:
            return pickle.loads(self._read(fd, size, deadline))
        except Exception as exc:  # noqa: BLE001 - a torn answer
            raise ChildGone("the answer could not be read") from exc

    @staticmethod
    def _read(fd: int, size: int, deadline: float) -> bytes:
        buffer = bytearray()
        while len(buffer) < size:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise ChildGone("no answer in time")
            chunk = os.read(fd, min(size - len(buffer), 1 << 22))
            if not chunk:
                raise ChildGone("the child ended")
            buffer += chunk
        return bytes(buffer)

    def close(self) -> None:
        """Let the child finish (its requests end); kill it if it does not."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()  # type: ignore[union-attr]
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
        with contextlib.suppress(OSError):
            self.process.stdout.close()  # type: ignore[union-attr]

    def kill(self) -> str:
        """Stop the child; how it ended, for the log."""
        with contextlib.suppress(OSError):
            self.process.kill()
        code = self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]
        if code < 0:
            with contextlib.suppress(ValueError):
                return f"signal {signal.Signals(-code).name}"
        return f"exit code {code}"


class _Pool:
    """Idle children of this process, reused across reads."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.idle: list[_Child] = []
        self.slots = threading.BoundedSemaphore(MAX_CHILDREN)

    def take(self, address_space: int) -> _Child:
        with self.lock:
            for ended in [c for c in self.idle if c.process.poll() is not None]:
                self.idle.remove(ended)
                ended.kill()  # ended while idle: reap it
            for child in reversed(self.idle):
                if child.address_space == address_space:
                    self.idle.remove(child)
                    return child
        return _Child(address_space)

    def give_back(self, child: _Child) -> None:
        with self.lock:
            if len(self.idle) < MAX_CHILDREN:
                self.idle.append(child)
                return
        child.close()

    def close(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for child in idle:
            child.close()


_pool: _Pool | None = None
_pool_lock = threading.Lock()


def _current_pool() -> _Pool:
    """This process's pool (a forked process must not share its parent's children)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = _Pool()
        return _pool


@atexit.register
def close_children() -> None:
    """Stop the idle children (they would also stop by themselves when this process ends)."""
    if _pool is not None and _pool.pid == os.getpid():
        _pool.close()


def _label(path: Path, members: tuple[str, list[Path]] | None) -> str:
    return f"{members[0]}.*.csv" if members else source_label(path)


def read_bounded(
    path: Path, limits: ReadLimits = DEFAULT_LIMITS, members: tuple[str, list[Path]] | None = None
):
    """``read_source_here(path, limits, members)`` in a bounded child process (see above)."""
    if _in_child or resource is None:
        return read_source_here(path, limits, members)
    pool = _current_pool()
    with pool.slots:
        try:
            child = pool.take(limits.address_space)
        except OSError:
            log.error("could not start a reading process", exc_info=True)
            raise refuse(
                _label(path, members),
                "Filen kunde inte läsas: läsaren gick inte att starta. Försök igen senare.",
                "The file could not be read: the reader could not be started. Try again later.",
            ) from None
        try:
            kind, value = child.ask((Path(path), limits, members), limits.wall_seconds)
        except ChildGone as exc:
            ended = child.kill()
            log.warning("reading %s stopped (%s, %s): refused", path, exc, ended)
            raise unreadable_in_bounds(_label(path, members)) from None
        if kind == "memory":
            child.kill()
        else:
            pool.give_back(child)
    if kind == "ok":
        return value
    if kind == "refused":
        raise SourceReadError(value)  # type: ignore[arg-type]
    if kind == "memory":
        log.warning("reading %s ran out of memory in its bounded process: refused", path)
        raise unreadable_in_bounds(_label(path, members))
    log.error("reading %s failed in its bounded process:\n%s", path, value)
    raise refuse(
        _label(path, members),
        "Filen kunde inte läsas: läsaren stötte på ett fel. Spara om den från Excel och försök "
        "igen; kvarstår felet, kontakta förvaltaren av Infosäk.",
        "The file could not be read: the reader hit an error. Save it again and retry; if the "
        "error stays, contact the administrator.",
    )


if __name__ == "__main__":
    main()


def read_source(
    path: Path,
    limits: ReadLimits = DEFAULT_LIMITS,
    members: tuple[str, list[Path]] | None = None,
) -> RawWorkbook:
    """Read ``path`` (.xlsx, or one file of a CSV set) into a RawWorkbook, in a child process
    bounded by ``limits`` (see the module docstring).

    ``members``: the CSV set's ``csv_set_members``, when the caller has listed the folder.

    Raises SourceReadError with a user-facing issue when the file cannot or must not be read,
    including when the reading process dies or runs out of time.
    """
    return read_bounded(Path(path), limits, members)
