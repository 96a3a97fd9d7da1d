"""Load source files into the store: one transaction per file, all or nothing (DESIGN §6, §8).

``load_paths`` expands folders, loads organisation workbooks first, then every other file, each in
its own transaction:

- a file that cannot be read or has any issue is *rejected*: the store keeps what it had, and a
  ``Load`` row with its ``LoadError`` rows is recorded in a separate transaction;
- the same file again (same sha256 as its source's current load) is *unchanged*: nothing changes
  but a ``Load`` row records the attempt;
- otherwise it is *accepted*: a newer file for a source (cover Typ + Kod) deletes that source's
  rows and inserts the new ones; organisation rows are upserted by code so ids stay stable.

Loads are serialised (SQLite ``BEGIN IMMEDIATE``, PostgreSQL ``pg_advisory_xact_lock``) so two
loads never interleave; rows go in with bulk ``insert()`` executemany, never per-row flushes.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import datetime as dt
import gc
import hashlib
import json
import logging
import os
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Engine, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from etl import models, vocab
from etl.bulk import (
    Batch,
    commit_without_waiting,
    insert_rows,
    insert_tables,
    make_durable,
    reserve_id_blocks,
)
from etl.db import (  # the store's writer lock lives with the engine; re-exported here
    StoreBusyError,
    repair_indexes,
    write_session,
)
from etl.indexes import (
    DEFER_MIN_SOURCES,
    DeferredIndexes,
)
from etl.issues import ValidationIssue, file_issue
from etl.kpi.mart_update import NOTHING, footprint, remember
from etl.kpi.snapshot import take_snapshot
from etl.load_data import OrgIds, id_counts, read_org_ids, replace_source_rows, source_batches
from etl.outcomes import ACCEPTED, REJECTED, UNCHANGED  # noqa: F401 - named by callers
from etl.pipeline import Plan, Prefetch, plan
from etl.reader import RawWorkbook, SourceReadError
from etl.sandboxed_read import read_source
from etl.schema import ORGANISATION
from etl.sources import (
    SourceFiles,
    expand_paths,
    looks_like_organisation,
    order_for_loading,
    source_of,
)
from etl.statistics import refresh_statistics
from etl.taken import TakenIds
from etl.validate import (
    KnownCodes,
    ParsedWorkbook,
    PreparedWorkbook,
    check,
    count_rows,
    describe_source,
    load_org_codes,
    lookup_taken,
    prepare,
    read_cover,
)

log = logging.getLogger(__name__)

MAX_STORED_ERRORS = 10_000  # load_error rows kept per rejected file (error_count has them all)

Progress = Callable[[int, int, str], None]  # (files done, files in the run, next file's label)


@dataclass
class FileResult:
    path: Path
    source_key: str | None
    outcome: str  # accepted | rejected | unchanged
    issues: list[ValidationIssue] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    load_id: int | None = None
    file_name: str = ""
    seconds: float = 0.0

    @property
    def rows_total(self) -> int:
        return sum(self.counts.values())


@dataclass
class RunResult:
    run_id: str
    files: list[FileResult]
    # Wall-clock seconds of the run's steps: "files", "indexes" (deferred ones built again),
    # "statistics", "snapshot" (only the steps that ran).
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(f.outcome != REJECTED for f in self.files)


class Rejected(Exception):
    def __init__(self, issues: list[ValidationIssue]) -> None:
        super().__init__(f"{len(issues)} issue(s)")
        self.issues = issues


def new_run_id() -> str:
    return f"{dt.datetime.now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def _now() -> dt.datetime:
    """Naive UTC, as every stored time (the audit log, reports): the pages show them in Swedish
    time through etl.formatting.format_datetime, whatever zone the server runs in."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


# --------------------------------------------------------------------------- organisation codes


# The newest accepted organisation load: organisation rows change only with one of those.
# Through the organisation sources' ids: as a join, SQLite walked every load row back from the
# newest looking for one (the organisation loads first, so all of them, once per file).
_ORG_MARK = (
    "SELECT MAX(id) FROM load WHERE outcome = 'accepted' "
    "AND source_id IN (SELECT id FROM source WHERE kind = 'organisation')"
)


class OrgCodes:
    """Organisation codes (for validation) and ids (for inserts), kept across a run's files.

    Reading them cost about as much as the rest of a file's load on a national store. They are
    read again only when an organisation workbook has been accepted since (in this run or by
    another process: the check runs inside each file's locked transaction).
    """

    def __init__(self) -> None:
        self._mark: object = None
        self._cached: tuple[KnownCodes, OrgIds] | None = None

    @property
    def mark(self) -> object:
        """The organisation load the codes were read after (as of the last ``current``)."""
        return self._mark

    def current(self, session: Session) -> tuple[KnownCodes, OrgIds]:
        mark = session.connection().exec_driver_sql(_ORG_MARK).scalar()
        if self._cached is None or mark != self._mark:
            self._cached = (load_org_codes(session), read_org_ids(session.connection()))
            self._mark = mark
        return self._cached


# --------------------------------------------------------------------------- public API


def load_paths(
    engine: Engine,
    paths: Sequence[Path],
    *,
    loaded_by: str | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
    snapshot: bool = True,
    prefetch: bool | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    planned: Plan | None = None,
) -> RunResult:
    """Load every file of ``paths`` (folders expanded), organisation workbooks first.

    When any file was accepted and ``snapshot`` is on, the run ends with one metric snapshot
    (see ``record_snapshot``). ``prefetch``: read and parse the files after the organisation
    workbooks in a worker process while this one writes (etl.pipeline); by default when there
    are enough of them. ``progress`` is told before each file, ``on_file`` after it (its result:
    outcome and rows), for a display of a long run. ``planned``: ``etl.pipeline.plan(paths)``
    made by the caller, whose workers started reading before the caller opened the store (this
    run closes them); ``prefetch`` is then the plan's.
    """
    with _fewer_collections():
        if planned is None:
            planned = plan(paths, prefetch)
        with planned:
            return _load_paths(engine, planned, loaded_by, progress, today, snapshot, on_file)


# A run allocates a few objects per cell and frees them with the file; collecting the young
# generation every 700 allocations (Python's default) walked the run's long-lived state (codes
# known and taken, the organisation) again and again: 15 % of the loader's CPU time (20 municipalities).
LOAD_GC_THRESHOLD = (50_000, 20, 20)


@contextlib.contextmanager
def _fewer_collections():
    """Collect garbage less often during a run; the caller's thresholds come back after it."""
    before = gc.get_threshold()
    gc.set_threshold(*LOAD_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _load_paths(engine, planned: Plan, loaded_by, progress, today, snapshot,
                on_file) -> RunResult:  # fmt: skip
    run_id = new_run_id()
    organisations, others, ahead = planned.organisations, planned.others, planned.ahead
    files = organisations + others  # organisation workbooks first: the others use their codes
    codes = OrgCodes()  # organisation codes and ids, read once per organisation load
    taken = TakenIds()  # the ids this run's files own, while it is the store's only writer
    deferred = DeferredIndexes()
    repair_indexes(engine)  # a run killed before it rebuilt what it had deferred
    results = []
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    try:
        for index, source in enumerate(files):
            if index == len(organisations):  # the organisation is in: its codes and matrix hold
                if ahead is not None:
                    ahead.parse_for(_matrix_size(engine, codes))
                if len(others) >= DEFER_MIN_SOURCES:
                    _defer_indexes(engine, deferred)  # nothing deletes units after this
                if _batching(engine, others):
                    _BatchRun(engine, run_id, loaded_by, today, codes, ahead, taken).load(
                        others, _told(progress, index, len(files)), _kept(results, on_file)
                    )
                    break
            if progress:
                progress(index, len(files), source.label)
            results.append(
                _load_source(
                    engine,
                    source,
                    loaded_by=loaded_by,
                    run_id=run_id,
                    today=today,
                    codes=codes,
                    ahead=ahead,
                    taken=taken,
                )
            )
            if on_file:
                on_file(results[-1])
    finally:
        planned.close()
        del taken  # a national run's ids: not kept through the index builds and the snapshot
        _make_durable(engine)  # the files committed without waiting for the disk
        clock = _lap(seconds, "files", clock)
        if deferred.pending:
            _restore_indexes(engine, deferred)
            clock = _lap(seconds, "indexes", clock)
    if progress:
        progress(len(files), len(files), "")
    if any(r.outcome == ACCEPTED for r in results):
        _refresh_statistics(engine)  # before the snapshot: its queries use them
        clock = _lap(seconds, "statistics", clock)
        if snapshot:
            if _holds_much_memory():
                _return_memory(engine)
            record_snapshot(engine, run_id, today)
            _lap(seconds, "snapshot", clock)
    return RunResult(run_id, results, seconds)


# Above this the files step's memory is given back before the KPI step (``_return_memory``): the
# national load holds 600-700 MB there and peaks in that step; 29 municipalities' workbooks hold
# about 250 MB, and giving back cost them 0.24 s (closing the pool, a full collection) for nothing.
RETURN_MEMORY_MIN_BYTES = 400 << 20


def _holds_much_memory() -> bool:
    """Whether this process's resident memory is above ``RETURN_MEMORY_MIN_BYTES``; where it
    cannot be read (not Linux), the peak so far stands for it."""
    least = RETURN_MEMORY_MIN_BYTES
    try:
        with open("/proc/self/statm", encoding="ascii") as stream:
            return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") > least
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:
        return False
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, else kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale > least


def _return_memory(engine: Engine) -> None:
    """Give the files step's memory back before the KPI step, whose peak is a large run's: the
    pooled connections and their page caches (opened again when asked for) and the heap the
    files freed, which glibc keeps otherwise. The national load's peak 867 -> 804 MB."""
    engine.dispose()
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL(None).malloc_trim(0)


def _told(progress: Progress | None, offset: int, total: int) -> Callable[[int, str], None]:
    """``progress`` for the files after the first ``offset`` of the run."""

    def before(index: int, label: str) -> None:
        if progress:
            progress(offset + index, total, label)

    return before


def _kept(results: list[FileResult], on_file: Callable[[FileResult], None] | None):
    """Keep each result and tell ``on_file``."""

    def done(result: FileResult) -> None:
        results.append(result)
        if on_file:
            on_file(result)

    return done


def _matrix_size(engine: Engine, codes: OrgCodes) -> int:
    """The store's risk matrix as the next files will be checked against (etl.pipeline)."""
    with Session(engine) as session:
        return codes.current(session)[0].matrix_size


def _lap(seconds: dict[str, float], step: str, since: float) -> float:
    now = time.perf_counter()
    seconds[step] = round(now - since, 3)
    return now


def _make_durable(engine: Engine) -> None:
    try:
        with engine.begin() as connection:
            make_durable(connection)
    except SQLAlchemyError:
        log.warning("could not wait for the run's commits to reach the disk", exc_info=True)


def _defer_indexes(engine: Engine, deferred: DeferredIndexes) -> None:
    """Drop the indexes of the owners' tables that are empty (etl.indexes); never fatal."""
    try:
        with write_session(engine) as session:
            deferred.drop(session.connection())
    except (StoreBusyError, SQLAlchemyError):
        deferred.forget()  # rolled back: every index and key is still there
        log.warning("could not defer indexes; loading with them", exc_info=True)


def _restore_indexes(engine: Engine, deferred: DeferredIndexes) -> None:
    """Build the indexes the run deferred; if that fails the next run or migrate builds them."""
    try:
        with write_session(engine) as session:
            built = deferred.restore(session.connection())
        log.info("built %d deferred indexes", len(built))
    except (StoreBusyError, SQLAlchemyError):
        log.error("could not build the deferred indexes; the next load builds them",
                  exc_info=True)  # fmt: skip


def _refresh_statistics(engine: Engine) -> None:
    """Planner statistics for what the run wrote; a help, never a reason to fail the run."""
    try:
        with write_session(engine) as session:
            refresh_statistics(session.connection())
    except (StoreBusyError, SQLAlchemyError):
        log.warning("could not refresh planner statistics after the load", exc_info=True)


def record_snapshot(engine: Engine, run_id: str, today: dt.date | None = None) -> int:
    """Keep every metric as of ``today`` in metric_snapshot, once per run.

    A newer file replaces its source's rows, so the snapshots are the history that monthly
    trends read (docs/metrics.md). Once per run, not per file: one snapshot covers every scope.
    """
    return take_snapshot(engine, today or dt.date.today(), run_id)


def load_file(
    engine: Engine,
    path: Path,
    *,
    loaded_by: str | None = None,
    allowed_administrations: set[str] | None = None,
    run_id: str | None = None,
    today: dt.date | None = None,
) -> FileResult:
    """Load one source file (an xlsx, or any file of a CSV set) in one transaction."""
    path = Path(path)  # results name the file given, even when it is not the set's first
    source = SourceFiles(path, source_of(path).members)
    return _load_source(engine, source, loaded_by=loaded_by,
                        allowed_administrations=allowed_administrations, run_id=run_id,
                        today=today)  # fmt: skip


def _load_source(
    engine: Engine,
    source: SourceFiles,
    *,
    loaded_by: str | None = None,
    allowed_administrations: set[str] | None = None,
    run_id: str | None = None,
    today: dt.date | None = None,
    codes: OrgCodes | None = None,
    ahead: Prefetch | None = None,
    taken: TakenIds | None = None,
    read: RawWorkbook | PreparedWorkbook | SourceReadError | None = None,
    started: dt.datetime | None = None,
) -> FileResult:
    run_id = run_id or new_run_id()
    started, clock = started or _now(), time.perf_counter()
    result = _load_file(engine, source, loaded_by, allowed_administrations, run_id, today, started,
                        codes, ahead, taken, read)  # fmt: skip
    if taken is not None and result.outcome != ACCEPTED:  # an accepted file told it already
        taken.wrote(result.load_id)
    result.seconds = time.perf_counter() - clock
    log.info("%s: %s in %.2f s (%s rows)", result.file_name, result.outcome, result.seconds,
             result.rows_total)  # fmt: skip
    return result


def _read(source: SourceFiles, ahead: Prefetch | None) -> RawWorkbook | PreparedWorkbook:
    """The source's cells, or the whole file prepared already by the prefetch worker."""
    if ahead is not None:
        return ahead.take(source)
    return read_source(source.path, members=source.members)


def _prepared(read: RawWorkbook | PreparedWorkbook, source: SourceFiles,
              matrix_size: int) -> PreparedWorkbook:  # fmt: skip
    """``read`` prepared for the store's risk matrix (read again if it was parsed for another)."""
    if isinstance(read, PreparedWorkbook):
        if read.matrix_size == matrix_size:
            return read
        try:
            read = read_source(source.path, members=source.members)
        except SourceReadError as exc:  # changed since the worker read it
            raise Rejected(exc.issues) from None
    return prepare(read, matrix_size)


def _load_file(engine, source, loaded_by, allowed, run_id, today, started, codes, ahead=None,
               taken=None, read=None) -> FileResult:  # fmt: skip
    """``read``: the file read already (or why it could not be), else it is read here."""
    path = source.path
    label = _label(source)
    try:
        raw = _read(source, ahead) if read is None else read
        if isinstance(raw, SourceReadError):
            raise raw
    except SourceReadError as exc:
        return _reject(engine, path, label, None, None, exc.issues, run_id, loaded_by, started)
    cover = raw.cover if isinstance(raw, PreparedWorkbook) else read_cover(raw)
    key = cover.source_key
    if (
        allowed is not None
        and key is not None
        and not (cover.kind == "administration" and cover.code in allowed)
    ):
        issue = file_issue(
            raw.file_name,
            f"Filen gäller {describe_source(key)}, men du får bara läsa in filer för "
            f"{', '.join(sorted(allowed)) or 'inga förvaltningar'}.",
            f"The file is for {describe_source(key)}, but you may only load files for "
            f"{', '.join(sorted(allowed)) or 'no administrations'}.",
        )
        return _reject(engine, path, raw.file_name, key, raw.sha256, [issue], run_id, loaded_by,
                       started)  # fmt: skip
    try:
        with write_session(engine) as session:
            connection = session.connection()
            if taken is not None:  # a run's file: the run ends with make_durable
                commit_without_waiting(connection)
            stored = _source_row(connection, key)
            if stored is not None and stored.sha256 == raw.sha256:  # its current load's
                counts = json.loads(stored.counts_json or "{}")
                load_id = _insert_load(connection, run_id, stored.id, raw.file_name, raw.sha256,
                                       started, UNCHANGED, loaded_by, counts)  # fmt: skip
                return FileResult(path, key, UNCHANGED, [], counts, load_id, raw.file_name)
            org_known, org_ids = (codes or OrgCodes()).current(session)
            prepared = _prepared(raw, source, org_known.matrix_size)
            owned = (taken.lookup(session, prepared.codes) if taken is not None
                     else lookup_taken(session, prepared.codes))  # fmt: skip
            known = dataclasses.replace(org_known, taken=owned)
            parsed, issues = check(prepared, known, today=today)
            if parsed is None:
                raise Rejected(issues)
            counts = count_rows(parsed)
            replacing = stored is not None  # a new source has no rows to delete yet
            before = NOTHING  # the scopes the source's replaced rows counted for (the mart's)
            if stored is None:
                source_id, administration_id = _insert_source(connection, parsed)
            else:
                source_id, administration_id = stored.id, stored.administration_id
            if parsed.kind == "organisation":
                _apply_organisation(session, parsed)
            else:
                if replacing:
                    before = footprint(connection, [source_id])
                replace_source_rows(connection, parsed, source_id, administration_id, org_ids,
                                    known.matrix_size, replacing)  # fmt: skip
            load_id = _insert_load(connection, run_id, source_id, prepared.file_name,
                                   prepared.sha256, started, ACCEPTED, loaded_by, counts)  # fmt: skip
            connection.execute(_SET_CURRENT_LOAD, {"source": source_id, "load": load_id})
    except Rejected as exc:
        return _reject(engine, path, raw.file_name, key, raw.sha256, exc.issues, run_id,
                       loaded_by, started)  # fmt: skip
    except StoreBusyError:
        return FileResult(path, key, REJECTED, [_busy_issue(raw.file_name)], {}, None,
                          raw.file_name)  # fmt: skip
    except SQLAlchemyError as exc:
        log.exception("loading %s failed in the database", path)
        issue = file_issue(
            raw.file_name,
            "Filen kunde inte sparas i databasen; inget har ändrats. Försök igen, och kontakta "
            f"förvaltaren av Infosäk om felet kvarstår ({type(exc).__name__}).",
            f"The file could not be stored; nothing changed. Try again and contact the "
            f"Infosäk administrator if it persists ({type(exc).__name__}).",
        )
        return _reject(engine, path, raw.file_name, key, raw.sha256, [issue], run_id, loaded_by,
                       started)  # fmt: skip
    remember(engine, load_id, prepared.sha256, before)  # committed: the mart's update reads it
    if taken is not None:
        taken.wrote(load_id, parsed)
    return FileResult(path, key, ACCEPTED, [], counts, load_id, raw.file_name)


def _label(source: SourceFiles) -> str:
    """How a file that could not be read is named in its result."""
    return source.label if source.path.exists() else source.path.name


def _busy_issue(file: str) -> ValidationIssue:
    return file_issue(
        file,
        "Databasen är upptagen av en annan inläsning. Vänta en stund och försök igen; inget har "
        "ändrats.",
        "The store is busy with another load. Wait a moment and try again; nothing changed.",
    )


def _reject(engine, path, file_name, key, sha256, issues, run_id, loaded_by, started) -> FileResult:
    """Record a rejected load (its own transaction) and return the result."""
    sha256 = sha256 or _file_sha256(path)
    load_id = None
    try:
        with write_session(engine) as session:
            source = _find_source(session, key)
            load = _add_load(session, run_id, source, file_name, sha256, started, REJECTED,
                             loaded_by, {}, error_count=len(issues))  # fmt: skip
            rows = [
                {"load_id": load.id, "sheet": i.sheet, "row": i.row, "column": i.column,
                 "value": i.value, "message_sv": i.message_sv, "message_en": i.message_en}
                for i in issues[:MAX_STORED_ERRORS]
            ]  # fmt: skip
            if rows:
                session.execute(insert(models.LoadError), rows)
            load_id = load.id
    except StoreBusyError:
        issues = [*issues, _busy_issue(file_name)]
    except SQLAlchemyError:
        log.exception("could not record the rejected load of %s", path)
    return FileResult(path, key, REJECTED, issues, {}, load_id, file_name)


def _file_sha256(path: Path) -> str:

    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return "0" * 64
    return digest.hexdigest()


# --------------------------------------------------------------------------- batches
# A first national load is 1 600 files (12 000 CSV files), and each file's own transaction took
# 20-30 statements: the lock, the source and load rows, the ids, on PostgreSQL two round trips
# per table's COPY, the commit. On a busy machine every round trip waits for both processes to be
# scheduled again. So such a run checks several files one by one, each against the store as the
# files before it left it (every code it knows, and the ids the files before it took, from
# ``TakenIds``), and then writes them in one transaction: one COPY per table for all their rows,
# their load rows (rejected files' too, with their errors) and source rows in the same way.
#
# SQLite gains from the same batches: each file's commit wrote every page it dirtied to the WAL
# again (the same index pages for file after file), most of a file's tables were too small for a
# block of VALUES rows and went row by row through executemany, and SQLite works on a batch
# without the GIL while this thread checks the next one. The national set's writer took about a
# sixth less CPU time so (45-48 s against 54-58 s on a busy machine), with the same rows stored.
#
# The outcome of every file is the one a file-by-file load gives: each file is still checked on
# its own and a rejected file is recorded alone with its located messages. Where a batch cannot
# know that in advance it does not take the file: a file of a source already in the store (it
# replaces rows, or is unchanged), a second file of a source in the same batch, an organisation
# workbook; such a file ends the batch and loads on its own. If anything else wrote meanwhile (the
# newest load or organisation load is not the one the files were checked against), or the
# batch's transaction fails, it is rolled back and its files load one by one, as before.

BATCH_FILES = 50  # files per batch at most
BATCH_ROWS = 30_000  # a batch ends after the file that takes it past these rows
BATCH_MIN_SOURCES = 2  # a run of fewer files after the organisation loads them one by one
_BATCHED_DIALECTS = ("postgresql", "sqlite")

_BATCH_STATE = (
    f"SELECT ({_ORG_MARK}), (SELECT MAX(id) FROM load), "
    "EXISTS (SELECT 1 FROM source WHERE key = ANY(%(keys)s))"
)
# SQLite has no arrays: the keys as an IN list of parameters (a batch has at most BATCH_FILES).
_SQLITE_BATCH_STATE = (
    f"SELECT ({_ORG_MARK}), (SELECT MAX(id) FROM load), "
    "EXISTS (SELECT 1 FROM source WHERE key IN ({marks}))"
)
_SET_CURRENT_LOADS = (
    "UPDATE source SET current_load_id = v.load_id "
    "FROM unnest(%(sources)s::integer[], %(loads)s::integer[]) AS v(source_id, load_id) "
    "WHERE source.id = v.source_id"
)
_LOAD_COLUMNS = ("id", "run_id", "source_id", "file_name", "sha256", "started_at", "finished_at",
                 "outcome", "loaded_by", "rows_total", "counts_json", "error_count")  # fmt: skip
_LOAD_ERROR_COLUMNS = ("load_id", "sheet", "row", "column", "value", "message_sv", "message_en")
_SOURCE_COLUMNS = ("id", "key", "kind", "administration_id", "governance_object_id")


def _batching(engine: Engine, others: Sequence[SourceFiles]) -> bool:
    """Whether the files after the organisation load in batches (several files)."""
    return engine.dialect.name in _BATCHED_DIALECTS and len(others) >= BATCH_MIN_SOURCES


def _batch_state(connection, keys: list[str]) -> tuple[object, int | None, bool]:
    """The newest organisation load and load, and whether any of ``keys`` is a source already."""
    if connection.dialect.name == "postgresql":
        return tuple(connection.exec_driver_sql(_BATCH_STATE, {"keys": keys}).one())  # type: ignore[return-value]
    statement = _SQLITE_BATCH_STATE.format(marks=", ".join("?" * len(keys)))
    return tuple(connection.exec_driver_sql(statement, tuple(keys)).one())  # type: ignore[return-value]


def _set_current_loads(connection, current: list[tuple[int, int]]) -> None:
    """Each (source id, load id) of ``current``: the source's current load."""
    if connection.dialect.name == "postgresql":  # one statement: a round trip for all of them
        connection.exec_driver_sql(_SET_CURRENT_LOADS, {
            "sources": [pair[0] for pair in current], "loads": [pair[1] for pair in current]})  # fmt: skip
        return
    connection.execute(_SET_CURRENT_LOAD, [{"source": source, "load": load}
                                           for source, load in current])  # fmt: skip


def _time_binder(connection) -> Callable[[dt.datetime], object]:
    """A load row's time as SQLAlchemy binds it (SQLite keeps datetimes as text of its own
    format; the batch writes the load rows as plain tuples, bypassing the column's type)."""
    dialect = connection.dialect
    processor = _LOAD.c.started_at.type.dialect_impl(dialect).bind_processor(dialect)
    return processor or (lambda value: value)


class _Stale(Exception):
    """Another process loaded since the batch's files were checked."""


@dataclass
class _Item:
    """One file of a batch: as read, and as checked."""

    source: SourceFiles
    started: dt.datetime
    read: RawWorkbook | PreparedWorkbook | SourceReadError
    key: str | None = None
    kind: str | None = None
    file_name: str = ""
    sha256: str | None = None
    prepared: PreparedWorkbook | None = None
    parsed: ParsedWorkbook | None = None
    counts: dict[str, int] = field(default_factory=dict)
    issues: list[ValidationIssue] = field(default_factory=list)
    seconds: float = 0.0

    @classmethod
    def take(cls, source: SourceFiles, ahead: Prefetch | None) -> _Item:
        started, clock = _now(), time.perf_counter()
        try:
            read: RawWorkbook | PreparedWorkbook | SourceReadError = _read(source, ahead)
        except SourceReadError as exc:
            read = exc
        item = cls(source, started, read)
        if isinstance(read, SourceReadError):
            item.file_name, item.issues = _label(source), read.issues
        else:
            cover = read.cover if isinstance(read, PreparedWorkbook) else read_cover(read)
            item.key, item.kind = cover.source_key, cover.kind
            item.file_name, item.sha256 = read.file_name, read.sha256
        item.seconds = time.perf_counter() - clock
        return item


class _BatchRun:
    """The files after the organisation, in batches (see above); file by file where it must.

    A batch is written by a second thread while this one checks the next batch: the database
    works on one while the loader works on the other (the thread waits for the server, or runs
    SQLite's statements, without holding the GIL). Anything that loads a file on its own waits for the batch in
    flight first, and a batch that falls back to file by file takes every later file with it.
    """

    def __init__(self, engine, run_id, loaded_by, today, codes: OrgCodes,
                 ahead: Prefetch | None, taken: TakenIds) -> None:  # fmt: skip
        self.engine, self.run_id, self.loaded_by, self.today = engine, run_id, loaded_by, today
        self.codes, self.ahead, self.taken = codes, ahead, taken
        self._claimed: set[str] = set()  # source keys in the store or in a batch
        self._in_flight: tuple[list[_Item], Future] | None = None
        self._batched = True  # until a batch falls back

    def load(self, sources: Sequence[SourceFiles], before: Callable[[int, str], object],
             done: Callable[[FileResult], object]) -> None:  # fmt: skip
        """Load ``sources`` in order; ``before(i, label)`` before reading the i-th, ``done`` with
        each result in order."""
        with Session(self.engine) as session:
            self._batched = self.taken.tracking(session)  # else the store had owners' rows
            known, org_ids = self.codes.current(session)
            org_mark = self.codes.mark  # what ``known`` was read after
            self._claimed = set(
                session.connection().exec_driver_sql("SELECT key FROM source").scalars()
            )
        position, carried = 0, None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-batch") as writer:
            try:
                while position < len(sources) and self._batched:
                    batch: list[_Item] = []
                    try:
                        position, carried = self._gather(sources, position, carried, before,
                                                         done, known, batch)  # fmt: skip
                    finally:  # also when interrupted (Ctrl-C): the files checked are loaded
                        self._settle(done)
                        if batch and self._batched:
                            marks = (org_mark, self.taken.mark)
                            future = writer.submit(self._write, batch, org_ids,
                                                   known.matrix_size, marks)  # fmt: skip
                            self._in_flight = (batch, future)
                        else:
                            for item in batch:
                                done(self._alone(item))
            finally:
                self._settle(done)
        for index in range(position, len(sources)):  # file by file from here
            if carried is None:
                before(index, sources[index].label)
            item, carried = carried or _Item.take(sources[index], self.ahead), None
            done(self._alone(item))

    def _gather(self, sources, position, carried, before, done, known,
                batch: list[_Item]) -> tuple[int, _Item | None]:  # fmt: skip
        """Check the next files into ``batch`` (from ``position``, which ``carried`` may hold
        taken already); the position after them, and the file that ended the batch if taken."""
        rows = 0
        while position < len(sources) and len(batch) < BATCH_FILES and rows < BATCH_ROWS:
            if carried is None:
                before(position, sources[position].label)
            item, carried = carried or _Item.take(sources[position], self.ahead), None
            if item.kind == "organisation" or item.key in self._claimed:
                if item.kind == "organisation":  # the codes change: file by file from here
                    self._batched = False
                if batch:  # it ends the batch, and loads on its own after it
                    return position, item
                self._settle(done)
                done(self._alone(item))
                return position + 1, None
            self._check(item, known)
            batch.append(item)
            if item.key is not None:
                self._claimed.add(item.key)
            rows += sum(item.counts.values())
            position += 1
        return position, None

    def _alone(self, item: _Item) -> FileResult:
        return _load_source(self.engine, item.source, loaded_by=self.loaded_by,
                            run_id=self.run_id, today=self.today, codes=self.codes,
                            taken=self.taken, read=item.read, started=item.started)  # fmt: skip

    def _check(self, item: _Item, org_known: KnownCodes) -> None:
        """What ``_load_file`` checks, against the codes known and the ids taken in memory."""
        if isinstance(item.read, SourceReadError):
            return
        clock = time.perf_counter()
        try:
            prepared = _prepared(item.read, item.source, org_known.matrix_size)
        except Rejected as exc:
            item.issues = exc.issues
        else:
            known = dataclasses.replace(org_known, taken=self.taken.from_memory(prepared.codes))
            parsed, issues = check(prepared, known, today=self.today)
            if parsed is None:
                item.issues = issues
            else:
                item.prepared, item.parsed, item.counts = prepared, parsed, count_rows(parsed)
                self.taken.note(parsed)  # the next files see its ids as taken
        item.seconds += time.perf_counter() - clock

    def _write(self, batch: list[_Item], org_ids: OrgIds, matrix_size: int,
               marks: tuple[object, int | None]) -> tuple[list[int], float]:  # fmt: skip
        """In the writer thread: the batch in one transaction; its load ids and seconds."""
        clock = time.perf_counter()
        with write_session(self.engine) as session:
            load_ids = self._insert(session.connection(), batch, org_ids, matrix_size, marks)
        return load_ids, time.perf_counter() - clock

    def _settle(self, done: Callable[[FileResult], object]) -> None:
        """Wait for the batch in flight: its results, or its files loaded one by one."""
        if self._in_flight is None:
            return
        batch, future = self._in_flight
        self._in_flight = None
        try:
            load_ids, seconds = future.result()
        except (_Stale, StoreBusyError, SQLAlchemyError) as exc:
            log.info("a batch of %d files loads file by file (%s)", len(batch), type(exc).__name__)
            self._batched = False
            self.taken.stop()  # what its files (and the next batch's) noted was not written
            for item in batch:
                done(self._alone(item))
            return
        self.taken.wrote_many(load_ids)
        for item, load_id in zip(batch, load_ids, strict=True):
            if item.parsed is not None:
                remember(self.engine, load_id, item.prepared.sha256, NOTHING)  # type: ignore[union-attr]
                result = FileResult(item.source.path, item.key, ACCEPTED, [], item.counts,
                                    load_id, item.file_name)  # fmt: skip
            else:
                result = FileResult(item.source.path, item.key, REJECTED, item.issues, {},
                                    load_id, item.file_name)  # fmt: skip
            result.seconds = item.seconds + seconds / len(batch)
            log.info("%s: %s in %.2f s (%s rows)", result.file_name, result.outcome,
                     result.seconds, result.rows_total)  # fmt: skip
            done(result)

    def _insert(self, connection, batch: list[_Item], org_ids: OrgIds, matrix_size: int,
                marks: tuple[object, int | None]) -> list[int]:  # fmt: skip
        """Every row of the batch (its files' rows, source, load and error rows); the load ids.

        ``marks``: the newest organisation load and load the files were checked after."""
        commit_without_waiting(connection)
        keys = [item.key for item in batch if item.key is not None]
        org_mark, load_mark, exists = _batch_state(connection, keys)
        if (org_mark, load_mark) != marks or exists:
            raise _Stale
        accepted = [item for item in batch if item.parsed is not None]
        wanted: dict[Table, int] = {_SOURCE: len(accepted), _LOAD: len(batch)}
        for item in accepted:
            for table, count in id_counts(item.parsed).items():  # type: ignore[arg-type]
                wanted[table] = wanted.get(table, 0) + count
        ids = reserve_id_blocks(connection, wanted)
        source_ids, load_ids = iter(ids[_SOURCE.name]), ids[_LOAD.name]
        blocks = {name: iter(block) for name, block in ids.items()}
        stored_time = _time_binder(connection)  # once per batch, not per file
        finished = stored_time(_now())
        sources, loads, errors, current = [], [], [], []
        merged: list[Batch] = []
        for item, load_id in zip(batch, load_ids, strict=True):
            parsed = item.parsed
            started = stored_time(item.started)
            if parsed is None:
                sha256 = item.sha256 or _file_sha256(item.source.path)
                loads.append((load_id, self.run_id, None, item.file_name[:500], sha256,
                              started, finished, REJECTED, self.loaded_by, 0, "{}",
                              len(item.issues)))  # fmt: skip
                errors.extend((load_id, i.sheet, i.row, i.column, i.value, i.message_sv,
                               i.message_en) for i in item.issues[:MAX_STORED_ERRORS])  # fmt: skip
                continue
            source_id = next(source_ids)
            administration_id = (org_ids.administrations.get(parsed.code)
                                 if parsed.kind == "administration" else None)  # fmt: skip
            object_id = org_ids.objects.get(parsed.code) if parsed.kind == "object" else None
            sources.append((source_id, parsed.source_key, parsed.kind, administration_id,
                            object_id))  # fmt: skip
            prepared = item.prepared
            loads.append((load_id, self.run_id, source_id, prepared.file_name[:500],  # type: ignore[union-attr]
                          prepared.sha256, started, finished, ACCEPTED, self.loaded_by,  # type: ignore[union-attr]
                          sum(item.counts.values()), json.dumps(item.counts), 0))  # fmt: skip
            current.append((source_id, load_id))
            own = {table.name: [next(blocks[table.name]) for _ in range(count)]
                   for table, count in id_counts(parsed).items()}  # fmt: skip
            tables = source_batches(parsed, source_id, administration_id, org_ids, matrix_size,
                                    own)  # fmt: skip
            if not merged:
                merged = [(table, columns, list(rows)) for table, columns, rows in tables]
            else:
                for (_table, _columns, rows), (_same, _also, more) in zip(merged, tables,
                                                                          strict=True):  # fmt: skip
                    rows.extend(more)
        insert_tables(connection, [
            (_SOURCE, _SOURCE_COLUMNS, sources), (_LOAD, _LOAD_COLUMNS, loads),
            (models.LoadError.__table__, _LOAD_ERROR_COLUMNS, errors), *merged,
        ])  # fmt: skip
        if current:
            _set_current_loads(connection, current)
        return load_ids


# --------------------------------------------------------------------------- lineage rows
# Core statements rather than ORM objects: they run once per file, and for a national delivery
# of 1 600 small files the ORM's flushes and identity map cost more than the statements.


class _SourceRow(NamedTuple):
    id: int
    administration_id: int | None
    sha256: str | None  # of its current load
    counts_json: str | None


# Built once: constructing and compiling these per file cost more than running them.
_SOURCE, _LOAD = models.Source.__table__, models.Load.__table__
_SOURCE_ROW = (
    select(_SOURCE.c.id, _SOURCE.c.administration_id, _LOAD.c.sha256, _LOAD.c.counts_json)
    .select_from(_SOURCE.outerjoin(_LOAD, _LOAD.c.id == _SOURCE.c.current_load_id))
    .where(_SOURCE.c.key == bindparam("key"))
)  # fmt: skip
_ADMINISTRATION_ID = select(models.Administration.id).where(
    models.Administration.code == bindparam("code")
)
_OBJECT_ID = select(models.GovernanceObject.id).where(
    models.GovernanceObject.code == bindparam("code")
)
_INSERT_SOURCE = insert(_SOURCE)
_INSERT_LOAD = insert(_LOAD)
_SET_CURRENT_LOAD = (
    update(_SOURCE)
    .where(_SOURCE.c.id == bindparam("source"))
    .values(current_load_id=bindparam("load"))
)


def _source_row(connection, key: str | None) -> _SourceRow | None:
    """The source ``key`` with its current load's hash and counts; None when it is new."""
    if key is None:
        return None
    row = connection.execute(_SOURCE_ROW, {"key": key}).first()
    return _SourceRow(*row) if row is not None else None


def _insert_source(connection, parsed: ParsedWorkbook) -> tuple[int, int | None]:
    """A new source row for ``parsed`` (its administration or object by code); its id and
    administration id."""
    values: dict[str, object] = {"key": parsed.source_key, "kind": parsed.kind,
                                 "administration_id": None, "governance_object_id": None}  # fmt: skip
    if parsed.kind == "administration":
        values["administration_id"] = connection.execute(
            _ADMINISTRATION_ID, {"code": parsed.code}
        ).scalar()
    elif parsed.kind == "object":
        values["governance_object_id"] = connection.execute(
            _OBJECT_ID, {"code": parsed.code}
        ).scalar()
    result = connection.execute(_INSERT_SOURCE, values)
    return result.inserted_primary_key[0], values["administration_id"]  # type: ignore[return-value]


def _insert_load(connection, run_id, source_id, file_name, sha256, started, outcome, loaded_by,
                 counts) -> int:  # fmt: skip
    """The load row of an accepted or unchanged file; its id."""
    result = connection.execute(_INSERT_LOAD, {
        "run_id": run_id, "source_id": source_id, "file_name": file_name[:500], "sha256": sha256,
        "started_at": started, "finished_at": _now(), "outcome": outcome, "loaded_by": loaded_by,
        "rows_total": sum(counts.values()), "counts_json": json.dumps(counts), "error_count": 0,
    })  # fmt: skip
    return result.inserted_primary_key[0]


def _find_source(session: Session, key: str | None) -> models.Source | None:
    if key is None:
        return None
    return session.scalars(select(models.Source).where(models.Source.key == key)).one_or_none()


def _add_load(session, run_id, source, file_name, sha256, started, outcome, loaded_by, counts,
              error_count: int = 0) -> models.Load:  # fmt: skip
    load = models.Load(
        run_id=run_id, source_id=source.id if source else None, file_name=file_name[:500],
        sha256=sha256, started_at=started, finished_at=_now(), outcome=outcome,
        loaded_by=loaded_by, rows_total=sum(counts.values()), counts_json=json.dumps(counts),
        error_count=error_count,
    )  # fmt: skip
    session.add(load)
    session.flush()
    return load


# --------------------------------------------------------------------------- bulk helpers


def _insert(session: Session, model: type[models.Base], rows: list[dict]) -> None:
    """Bulk insert with Core executemany (no ORM bookkeeping per row).

    On SQLite, RETURNING makes SQLAlchemy batch rows into multi-row VALUES statements
    ("insertmanyvalues") instead of one statement per row.
    """
    if not rows:
        return
    keys = list(dict.fromkeys(k for row in rows[:1000] for k in row))
    if any(len(row) != len(keys) for row in rows):  # e.g. role rows set different node columns
        keys = list(dict.fromkeys(k for row in rows for k in row))
        rows = [{k: row.get(k) for k in keys} for row in rows]
    table = model.__table__
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        pk = next(iter(table.primary_key.columns))
        connection.execute(insert(table).returning(pk), rows)
    elif connection.dialect.name == "postgresql":
        # COPY: executemany sent the national organisation's 33 000 units as as many statements.
        insert_rows(connection, table, keys, [tuple(row.get(k) for k in keys) for row in rows])
    else:
        connection.execute(insert(table), rows)


def _ids(session: Session, model, where=None) -> dict[str, int]:
    query = select(model.code, model.id)
    if where is not None:
        query = query.where(where)
    return dict(session.execute(query).all())


# --------------------------------------------------------------------------- organisation


def _upsert(session: Session, model, rows: list[dict]) -> dict[str, int]:
    """Insert new codes, update existing ones in place (ids stay stable); code -> id."""
    existing = _ids(session, model)
    updates = [{"id": existing[r["code"]], **r} for r in rows if r["code"] in existing]
    if updates:
        session.execute(update(model), updates)
    _insert(session, model, [r for r in rows if r["code"] not in existing])
    return _ids(session, model)


# What still refers to an org entity: (model, foreign-key column, Swedish noun).
REFERENCES = {
    models.Unit: [
        (models.Asset, models.Asset.primary_unit_id, "tillgångar"),
        (models.AssetOwner, models.AssetOwner.unit_id, "tillgångsägare"),
        (models.ClassificationParticipant, models.ClassificationParticipant.unit_id,
         "klassningsdeltagare"),
        (models.Action, models.Action.owner_unit_id, "åtgärder"),
        (models.FollowUpReport, models.FollowUpReport.unit_id, "uppföljningar"),
    ],
    models.Administration: [
        (models.Unit, models.Unit.administration_id, "enheter"),
        (models.GapAnalysis, models.GapAnalysis.administration_id, "nulägesanalyser"),
        (models.Source, models.Source.administration_id, "inlästa förvaltningsfiler"),
    ],
    models.Municipality: [
        (models.Administration, models.Administration.municipality_id, "förvaltningar"),
    ],
    models.GovernanceObject: [
        (models.Asset, models.Asset.governance_object_id, "tillgångar"),
        (models.RiskAnalysis, models.RiskAnalysis.governance_object_id, "riskanalyser"),
        (models.GapAnalysis, models.GapAnalysis.governance_object_id, "nulägesanalyser"),
        (models.Action, models.Action.governance_object_id, "åtgärder"),
        (models.Source, models.Source.governance_object_id, "inlästa objektfiler"),
    ],
    models.Provider: [
        (models.GovernanceObject, models.GovernanceObject.provider_id, "förvaltningsobjekt"),
        (models.Action, models.Action.provider_id, "åtgärder"),
    ],
    models.MaturityArea: [
        (models.GapAssessment, models.GapAssessment.area_id, "bedömningar i nulägesanalyser"),
        (models.Action, models.Action.area_id, "åtgärder"),
    ],
}  # fmt: skip
ORG_ENTITY_SHEETS = [  # deletion order: dependants first
    ("units", models.Unit, "Enheten", "Enhetskod"),
    ("governance_objects", models.GovernanceObject, "Förvaltningsobjektet", "Objektkod"),
    ("administrations", models.Administration, "Förvaltningen", "Förvaltningskod"),
    ("providers", models.Provider, "Leverantören", "Leverantörskod"),
    ("municipalities", models.Municipality, "Kommunen", "Kommunkod"),
    ("areas", models.MaturityArea, "Området", "Områdeskod"),
]


def _delete_disappeared(session: Session, parsed: ParsedWorkbook) -> None:
    """Delete org entities missing from a present sheet, unless data still refers to them."""
    issues = []
    for sheet_key, model, noun, header in ORG_ENTITY_SHEETS:
        if sheet_key not in parsed.present or (sheet_key == "areas" and not parsed.rows("areas")):
            continue  # an absent optional sheet (or empty catalogue) says nothing about them
        keep = {row["code"] for row in parsed.rows(sheet_key)}
        gone = {code: id_ for code, id_ in _ids(session, model).items() if code not in keep}
        if not gone:
            continue
        blocked = set()
        for ref_model, column, ref_noun in REFERENCES[model]:
            counts = session.execute(
                select(column, func.count()).where(column.in_(list(gone.values())))
                .group_by(column)
            ).all()  # fmt: skip
            by_id = dict(counts)
            for code, id_ in gone.items():
                if by_id.get(id_):
                    blocked.add(code)
                    sheet_name = ORGANISATION.sheet(sheet_key).name
                    issues.append(ValidationIssue(
                        parsed.file_name, sheet_name, None, header, code,
                        f"{noun} {code} finns inte längre i filen men används fortfarande av "
                        f"{by_id[id_]} {ref_noun}. Behåll raden, eller läs först in filer där "
                        f"{code} inte längre används.",
                        f"{code} is no longer in the file but {by_id[id_]} rows "
                        f"({ref_model.__tablename__}) still refer to it. Keep the row, or first "
                        f"load files that no longer use {code}.",
                    ))  # fmt: skip
        deletable = [id_ for code, id_ in gone.items() if code not in blocked]
        if deletable and not issues:
            session.execute(delete(model).where(model.id.in_(deletable)))
    if issues:
        raise Rejected(issues)


def _apply_organisation(session: Session, parsed: ParsedWorkbook) -> None:
    # Role assignments and participants are replaced as a whole: nothing refers to them.
    session.execute(delete(models.RoleAssignment))
    if "participants" in parsed.present:
        session.execute(delete(models.GovernanceParticipant))
    municipalities = _upsert(session, models.Municipality, [
        {"code": r["code"], "name": r["name"]} for r in parsed.rows("municipalities")
    ])  # fmt: skip
    administrations = _upsert(session, models.Administration, [
        {"code": r["code"], "name": r["name"], "municipality_id": municipalities[r["municipality"]],
         "is_central": bool(r["is_central"])}
        for r in parsed.rows("administrations")
    ])  # fmt: skip
    units = _upsert(session, models.Unit, [
        {"code": r["code"], "name": r["name"], "administration_id":
         administrations[r["administration"]], "manager_name": r["manager_name"],
         "manager_email": r["manager_email"]}
        for r in parsed.rows("units")
    ])  # fmt: skip
    providers = _upsert(session, models.Provider, [
        {"code": r["code"], "name": r["name"]} for r in parsed.rows("providers")
    ])  # fmt: skip
    objects = _upsert(session, models.GovernanceObject, [
        {"code": r["code"], "name": r["name"], "description": r["description"],
         "provider_id": providers[r["provider"]] if r["provider"] else None}
        for r in parsed.rows("governance_objects")
    ])  # fmt: skip
    if parsed.rows("areas"):  # an empty Områden sheet means "the default catalogue"
        _upsert(session, models.MaturityArea, [
            {"code": r["code"], "name": r["name"],
             "sort_order": r["sort_order"] if r["sort_order"] is not None else i}
            for i, r in enumerate(parsed.rows("areas"), start=1)
        ])  # fmt: skip
    elif not session.scalar(select(func.count()).select_from(models.MaturityArea)):
        _insert(session, models.MaturityArea, [
            {"code": code, "name": name, "sort_order": i}
            for i, (code, name) in enumerate(vocab.DEFAULT_MATURITY_AREAS, start=1)
        ])  # fmt: skip
    for row in parsed.rows("settings"):
        setting = session.get(models.Setting, row["key"])
        if setting is None:
            session.add(models.Setting(key=row["key"], value=str(row["value"])))
        else:
            setting.value = str(row["value"])
    session.flush()
    _delete_disappeared(session, parsed)
    _insert(session, models.GovernanceParticipant, [
        {"governance_object_id": objects[r["governance_object"]],
         "municipality_id": municipalities[r["municipality"]],
         "administration_id": administrations[r["administration"]] if r["administration"]
         else None}
        for r in parsed.rows("participants")
    ])  # fmt: skip
    node_columns = [(municipalities, "municipality_id"), (administrations, "administration_id"),
                    (units, "unit_id"), (objects, "governance_object_id")]  # fmt: skip
    roles = []
    for r in parsed.rows("roles"):
        row = {"person_name": r["person_name"], "email": r["email"], "role": r["role"]}
        for ids, column in node_columns:
            if r["node"] in ids:
                row[column] = ids[r["node"]]
                break
        roles.append(row)
    _insert(session, models.RoleAssignment, roles)


__all__ = [
    "ACCEPTED",
    "REJECTED",
    "UNCHANGED",
    "FileResult",
    "RunResult",
    "expand_paths",
    "load_file",
    "looks_like_organisation",
    "order_for_loading",
    "load_paths",
    "write_session",
]
