"""Metric snapshots: the history behind every trend, kept across data replacements (DESIGN §4).

A snapshot stores every metric of every scope as of a date. Loads replace an owner's rows, so the
snapshots are the only memory of earlier numbers; they are never deleted here.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from etl.bulk import insert_snapshot
from etl.db import StoreBusyError, write_session
from etl.kpi import mart, mart_update
from etl.kpi.compute import SHARED_SOURCES, compute_kpis, facts_by_day
from etl.kpi.dates import last_month_ends
from etl.kpi.viewer import (
    SYSTEM,
    Viewer,
    administration_scope_condition,
    governance_object_scope_condition,
    municipality_scope_condition,
    unit_scope_condition,
)
from etl.models import Administration, GovernanceObject, MetricSnapshot, Municipality, Unit

log = logging.getLogger(__name__)

RECONSTRUCTED_RUN_ID = "reconstructed"

_SCOPE_TABLES = {
    "municipality": (Municipality, municipality_scope_condition),
    "administration": (Administration, administration_scope_condition),
    "unit": (Unit, unit_scope_condition),
    "governance_object": (GovernanceObject, governance_object_scope_condition),
}


class _Frames(Mapping):
    """The mart's compute_kpis rows by date for mart.build, each worked out when it is asked
    for: from its thread (``ahead``) if computed there at the store version the session sees
    then, else computed here. mart.build asks once per date, date after date as it writes them,
    so a date's rows are written while the later dates still compute; only their count is kept."""

    def __init__(self, session, days: list[dt.date], ahead: _Ahead | None,
                 known: _KnownFacts) -> None:  # fmt: skip
        self._session, self._days = session, sorted(days)
        self.rows: dict[dt.date, int] = {}  # each date's rows, once asked for
        self._ahead, self._known, self._version = ahead, known, None

    def _check_version(self) -> None:
        """Read the store version on the first frame asked for: within mart.build, after it
        read the version it tags (on SQLite after its first write, so no load commits between)."""
        if self._version is None:
            self._version = mart.store_version(self._session)
            if self._version != self._known.version:
                # A load committed since the shared facts were read: nothing computed from them
                # may be kept, so every date is computed again here.
                self._ahead, self._known = None, _KnownFacts.none()

    def __getitem__(self, day: dt.date) -> pd.DataFrame:
        if day not in self._days:
            raise KeyError(day)
        self._check_version()
        frame = self._ahead.take(day, self._version) if self._ahead else None
        if frame is None:
            frame = compute_kpis(self._session, day, SYSTEM, known_facts=self._known.of(day))
        # Not kept: mart.build asks once per date and writes it, and the national frames held
        # until the end of the build were a seventh of the step's peak memory.
        self.rows[day] = len(frame)
        return frame

    def __iter__(self):
        return iter(self._days)

    def __len__(self) -> int:
        return len(self._days)


class _KnownFacts:
    """Fact frames read once for all of the mart's dates (compute.facts_by_day: one pass over
    the assets, one over the actions and one over the risks instead of one each per date) and
    the store version they were read at. The date threads start before they are read and wait
    for them when their compute_kpis reaches them. The asset facts are read on a connection of
    their own while the caller reads the others, so both cores work on them."""

    SOURCES = SHARED_SOURCES
    # Read beside the caller (about half of the reading on a national store).
    ASIDE = ("asset",)

    def __init__(self, by_day: dict | None, version: str | None, days=()) -> None:
        self.by_day, self.version = by_day or {}, version
        self._days = set(days) | set(self.by_day)
        self._ready = threading.Event()
        if by_day is not None:
            self._ready.set()

    @classmethod
    def pending(cls, days: list[dt.date]) -> _KnownFacts:
        return cls(None, None, days)

    @classmethod
    def read(cls, session, days: list[dt.date]) -> _KnownFacts:
        known = cls.pending(days)
        known.fill(session)
        return known

    @classmethod
    def none(cls) -> _KnownFacts:
        return cls({}, None)

    def fill(self, session) -> None:
        try:
            self.version = mart.store_version(session)
            days = sorted(self._days)
            engine = session.get_bind()
            aside = self.ASIDE if _own_connections(engine) else ()
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpi-facts") as pool:
                future = pool.submit(self._read_alone, engine, days, aside) if aside else None
                here = [source for source in self.SOURCES if source not in aside]
                by_day = facts_by_day(session, days, here)
                beside = _kept_at(future, self.version, "the shared facts") if future else None
            if aside:
                if beside is None:  # read again here, at the version of the others
                    beside = facts_by_day(session, days, aside)
                for day, frames in by_day.items():
                    frames.update(beside[day])
            self.by_day = by_day
        finally:
            self._ready.set()  # a failure leaves by_day empty: a waiting thread's frame fails

    @staticmethod
    def _read_alone(engine: Engine, days: list[dt.date], sources) -> tuple[str, dict, str]:
        with Session(engine) as session:
            before = mart.store_version(session)
            read = facts_by_day(session, days, sources)
            return before, read, mart.store_version(session)

    def wait(self) -> None:
        self._ready.wait()

    def of(self, day: dt.date) -> Mapping | None:
        return _FactsOf(self, day) if day in self._days else None


class _FactsOf(Mapping):
    """compute_kpis's ``known_facts`` for one date, waiting for them on first use."""

    def __init__(self, known: _KnownFacts, day: dt.date) -> None:
        self._known, self._day = known, day

    def __contains__(self, source) -> bool:
        return source in _KnownFacts.SOURCES

    def __getitem__(self, source: str) -> pd.DataFrame:
        self._known.wait()
        frames = self._known.by_day.get(self._day)
        if frames is None:
            raise LookupError(f"the shared facts as of {self._day} were not read")
        return frames[source]

    def __iter__(self):
        return iter(_KnownFacts.SOURCES)

    def __len__(self) -> int:
        return len(_KnownFacts.SOURCES)


class _Ahead:
    """compute_kpis as of the mart's dates, each in a thread on a connection of its own, while
    the caller reads the shared facts and then writes each date's rows (their time is mostly the
    database's, which lets other threads run), and the pages' counts (``count``). A result
    counts only when the store's version was the caller's before and after it; otherwise the
    caller works it out itself."""

    def __init__(self, engine: Engine, days: list[dt.date], known: _KnownFacts | None = None,
                 *, later: tuple[dt.date, ...] = ()) -> None:  # fmt: skip
        """Starts computing each of ``days`` but those ``later`` (see ``start``)."""
        self._engine, self._known = engine, known or _KnownFacts.none()
        # One more worker than dates: the counting starts without waiting for a date.
        self._pool = ThreadPoolExecutor(max_workers=len(days) + 1,
                                        thread_name_prefix="kpi-date")  # fmt: skip
        self._futures: dict[dt.date, Future] = {}
        for day in days:
            if day not in later:
                self.start(day)

    def start(self, day: dt.date) -> None:
        """Start computing ``day`` (one of the dates given) in its thread, if not yet started."""
        if day not in self._futures:
            self._futures[day] = self._pool.submit(_compute_alone, self._engine, day,
                                                   self._known, self._known.of(day))  # fmt: skip

    def take(self, day: dt.date, version: str) -> pd.DataFrame | None:
        """``day``'s rows if computed at ``version``, handed over once (not held here after)."""
        future = self._futures.pop(day, None)
        return None if future is None else _kept_at(future, version, f"the KPIs as of {day}")

    def count(self, days: list[dt.date]) -> Callable[[str], mart.KeptCounts | None]:
        """Start counting the coverage gaps and page counts of ``days`` on a connection of its
        own, beside the dates' computations and the mart's writes (counted after the writes,
        they were the step's last 9 s nationally); the callable returns them if counted at its
        version."""
        future = self._pool.submit(_count_alone, self._engine, days)
        return lambda version: _kept_at(future, version, "the pages' counts")

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _own_connections(engine: Engine) -> bool:
    """Whether a thread's connection sees the caller's store (not in-memory SQLite)."""
    return engine.dialect.name != "sqlite" or engine.url.database not in (None, "", ":memory:")


def _kept_at(future, version: str, what: str):
    """The result of a thread's (before, result, after) if the store was at ``version`` before
    and after it; None otherwise or if it failed (the caller then works it out itself, where
    errors surface)."""
    try:
        before, result, after = future.result()
    except Exception:  # noqa: BLE001 - done again by the caller
        log.warning("%s in a thread failed", what, exc_info=True)
        return None
    return result if before == after == version else None


def _count_alone(engine: Engine, days: list[dt.date]) -> tuple[str, mart.KeptCounts, str]:
    with Session(engine) as session:
        before = mart.store_version(session)
        counted = mart.KeptCounts.count(session.connection(), days)
        return before, counted, mart.store_version(session)


def _compute_alone(engine: Engine, day: dt.date, known: _KnownFacts,
                   given: dict | None) -> tuple[str | None, pd.DataFrame, str]:  # fmt: skip
    with Session(engine) as session:
        before = mart.store_version(session)
        frame = compute_kpis(session, day, SYSTEM, known_facts=given)
        # Facts read by the caller count only at the version they were read at.
        known.wait()
        return before if given is None or known.version == before else None, frame, \
            mart.store_version(session)  # fmt: skip


def take_snapshot(
    engine: Engine, as_of: dt.date, run_id: str | None = None, *, build_mart: bool = True
) -> int:
    """Store every metric of every scope as of ``as_of``; rows written. With ``build_mart`` the
    mart is brought up to date (for the touched scopes if it can: etl.kpi.mart_update, else
    whole) and the snapshot copied from it."""
    taken_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    written = _snapshot_updating_mart(engine, as_of, taken_at, run_id) if build_mart else None
    if written is None:
        written = _snapshot_building_mart(engine, as_of, taken_at, run_id, build_mart)
    log.info("snapshot as of %s: %d rows (run %s)", as_of, written, run_id)
    return written


def _snapshot_building_mart(engine: Engine, as_of: dt.date, taken_at: dt.datetime,
                            run_id: str | None, build_mart: bool) -> int:  # fmt: skip
    """The snapshot after building the mart whole (or without the mart); rows written."""
    if not build_mart:
        with Session(engine) as session, session.begin():
            frame = compute_kpis(session, as_of, SYSTEM)
            return insert_snapshot(session.connection(), frame, as_of, taken_at, run_id)
    days = mart.mart_dates(as_of)
    known = _KnownFacts.pending(days)
    # The load's day last: the other dates' rows are written while it computes.
    ahead = _Ahead(engine, days, known, later=(as_of,)) if _own_connections(engine) else None
    try:
        with Session(engine) as session, session.begin():
            known.fill(session)
            # Not sooner: the facts are what every date waits for, and a thread more slowed them.
            if ahead is not None:
                ahead.start(as_of)
            counts = ahead.count(days) if ahead else None
            frames = _Frames(session, days, ahead, known)
            copied = []

            def copy_snapshot(day: dt.date) -> None:
                # As soon as the day's mart rows are in, while the pages' counts are counted
                # elsewhere: in one statement, not bound again row by row.
                if day == as_of:
                    mart_update.snapshot_from_mart(session.connection(), as_of, taken_at, run_id)
                    copied.append(day)

            mart.build(session, frames, counts, copy_snapshot)
            if not copied:  # a store without the mart
                return insert_snapshot(session.connection(), frames[as_of], as_of, taken_at,
                                       run_id)  # fmt: skip
            # The driver does not always count an INSERT … SELECT's rows.
            return frames.rows[as_of]
    finally:
        if ahead is not None:
            ahead.close()


def refresh_mart(engine: Engine, as_of: dt.date) -> int | None:
    """Build the KPI mart for ``as_of`` and its other dates unless it holds ``as_of`` at the
    current version; the rows written, or None. The pages ask for today, and a load builds its
    own day: a daily ``infosak mart`` keeps the mart on today. Under the writer lock, so no load
    commits between the computation and its tag."""
    with write_session(engine) as session:
        if not mart.present(session) or mart.holds(session, as_of):
            return None
        days = mart.mart_dates(as_of)
        known = _KnownFacts.read(session, days)
        frames = {
            day: compute_kpis(session, day, SYSTEM, known_facts=known.of(day)) for day in days
        }
        return mart.build(session, frames)


class _Declined(Exception):
    """The mart cannot be updated scope by scope: roll back and build it whole."""


def _snapshot_updating_mart(engine: Engine, as_of: dt.date, taken_at: dt.datetime,
                            run_id: str | None) -> int | None:  # fmt: skip
    """The snapshot after an update of the mart's touched scopes, under the writer lock; None
    when it was not possible."""
    try:
        with write_session(engine) as session:
            touched = mart_update.update(session, as_of)
            if touched is None:
                raise _Declined
            scopes = None if touched.whole_snapshot else touched.scopes
            return mart_update.snapshot_from_mart(session.connection(), as_of, taken_at, run_id,
                                                  scopes)  # fmt: skip
    except (_Declined, StoreBusyError):
        return None


def backfill_snapshots(engine: Engine, months: int, as_of: dt.date) -> int:
    """Snapshots as of the last ``months`` month-ends, *reconstructed* from today's data (run_id
    "reconstructed"), not what the store held then: the demo's trends."""
    return sum(
        take_snapshot(engine, month_end, RECONSTRUCTED_RUN_ID, build_mart=False)
        for month_end in last_month_ends(as_of, months)
    )


def _may_see(session, viewer: Viewer, scope_type: str, scope_id: str) -> bool:
    if viewer.sees_all:
        return True
    if scope_type not in viewer.visible_scope_types or scope_type not in _SCOPE_TABLES:
        return False
    table, condition_of = _SCOPE_TABLES[scope_type]
    stmt = select(table.id).where(table.code == scope_id)
    condition = condition_of(viewer)
    if condition is not None:
        stmt = stmt.where(condition)
    return session.execute(stmt.limit(1)).first() is not None


def metric_trend(
    session, metric: str, scope_type: str, scope_id: str, viewer: Viewer = SYSTEM
) -> pd.DataFrame:
    """Columns month (first day of the month), value: the last snapshot of each month."""
    empty = pd.DataFrame({"month": pd.Series(dtype=object), "value": pd.Series(dtype=object)})
    if not _may_see(session, viewer, scope_type, scope_id):
        return empty
    rows = session.execute(
        select(MetricSnapshot.as_of, MetricSnapshot.value)
        .where(
            MetricSnapshot.metric == metric,
            MetricSnapshot.scope_type == scope_type,
            MetricSnapshot.scope_id == scope_id,
        )
        .order_by(MetricSnapshot.as_of, MetricSnapshot.taken_at, MetricSnapshot.id)
    ).all()
    if not rows:
        return empty
    frame = pd.DataFrame(rows, columns=["as_of", "value"])
    frame["month"] = [d.replace(day=1) for d in frame["as_of"]]
    last = frame.groupby("month", sort=True).tail(1).sort_values("month")
    values = [None if pd.isna(v) else float(v) for v in last["value"]]
    return pd.DataFrame({"month": last["month"].tolist(), "value": values})
