"""After a load the mart's dates are computed in threads while the caller reads the shared facts
and writes each date's rows as soon as it is ready, with the rows a computation one date after
the other gives."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl.kpi import mart, snapshot
from etl.kpi.compute import compute_kpis
from etl.kpi.snapshot import take_snapshot
from etl.models import MetricSnapshot
from tests import kpi_data


def test_the_dates_are_computed_in_threads_with_the_same_rows(engine, monkeypatch):
    kpi_data.build_store(engine)
    calls: list[tuple[dt.date, str]] = []
    real = snapshot.compute_kpis

    def spy(session, day, *args, **kwargs):
        calls.append((day, threading.current_thread().name))
        return real(session, day, *args, **kwargs)

    monkeypatch.setattr(snapshot, "compute_kpis", spy)
    take_snapshot(engine, kpi_data.AS_OF, "run-1")
    days = mart.mart_dates(kpi_data.AS_OF)
    assert len(days) == 4
    assert sorted(d for d, name in calls if name.startswith("kpi-date")) == days
    assert [d for d, name in calls if not name.startswith("kpi-date")] == []

    with Session(engine) as session:
        assert all(mart.holds(session, day) for day in days)
        kept = {day: compute_kpis(session, day) for day in days}  # read from the mart
    mart.forget(engine)
    with Session(engine) as session:
        assert not any(mart.holds(session, day) for day in days)
        for day in days:  # computed on demand, one date after the other
            pd.testing.assert_frame_equal(kept[day], compute_kpis(session, day))


def _assert_kept(frame, expected: pd.DataFrame, kept: bool) -> None:
    """A thread's frame is the caller's own computation when kept, and None when not."""
    if kept:
        pd.testing.assert_frame_equal(frame, expected)
    else:
        assert frame is None


def test_a_date_computed_on_another_store_version_is_not_used(engine):
    kpi_data.build_store(engine)
    day = dt.date(2026, 9, 30)
    with Session(engine) as session:
        version = mart.store_version(session)
        expected = compute_kpis(session, day)
    for asked_at, kept in ((version, True), (version + " and a load since", False)):
        ahead = snapshot._Ahead(engine, [day])
        try:
            frame = ahead.take(day, asked_at)
            assert ahead.take(dt.date(2026, 6, 30), version) is None  # not asked for
            assert ahead.take(day, version) is None  # handed over once, not held
        finally:
            ahead.close()
        _assert_kept(frame, expected, kept)


def test_an_in_memory_store_computes_every_date_in_the_callers_thread(monkeypatch):
    """Each connection to an in-memory SQLite database is a database of its own."""
    from etl.db import make_engine, migrate

    engine = make_engine("sqlite://")
    migrate(engine)
    kpi_data.build_store(engine)
    names: list[str] = []
    real = snapshot.compute_kpis

    def spy(session, day, *args, **kwargs):
        names.append(threading.current_thread().name)
        return real(session, day, *args, **kwargs)

    monkeypatch.setattr(snapshot, "compute_kpis", spy)
    take_snapshot(engine, kpi_data.AS_OF, "run-1")
    assert len(names) == 4 and not any(n.startswith("kpi-date") for n in names)


def test_a_date_computed_from_facts_of_another_store_version_is_not_used(engine):
    """The action and risk facts are read once by the caller for every date: a thread's frame
    built from them counts only if they were read at the version the thread saw."""
    kpi_data.build_store(engine)
    day = dt.date(2026, 9, 30)
    with Session(engine) as session:
        known = snapshot._KnownFacts.read(session, [day])
        version = mart.store_version(session)
        expected = compute_kpis(session, day)
    stale = snapshot._KnownFacts(known.by_day, version + " and a load since")
    for facts, kept in ((known, True), (stale, False)):
        ahead = snapshot._Ahead(engine, [day], facts)
        try:
            frame = ahead.take(day, version)
        finally:
            ahead.close()
        _assert_kept(frame, expected, kept)


def test_the_asset_facts_are_read_beside_the_callers_action_and_risk_facts(engine, monkeypatch):
    kpi_data.build_store(engine)
    reads: list[tuple[str, tuple]] = []
    real = snapshot.facts_by_day

    def spy(session, days, sources):
        reads.append((threading.current_thread().name, tuple(sources)))
        return real(session, days, sources)

    monkeypatch.setattr(snapshot, "facts_by_day", spy)
    day = dt.date(2026, 9, 30)
    with Session(engine) as session:
        known = snapshot._KnownFacts.read(session, [day])
        expected = real(session, [day])[day]
    assert sorted(reads) == [
        ("MainThread", ("action", "risk")),
        ("kpi-facts_0", ("asset",)),
    ]
    assert sorted(known.by_day[day]) == sorted(expected)
    for source, frame in expected.items():
        pd.testing.assert_frame_equal(known.by_day[day][source], frame)


def test_asset_facts_read_beside_at_another_store_version_are_read_again(engine, monkeypatch):
    kpi_data.build_store(engine)
    day = dt.date(2026, 9, 30)

    def elsewhere(engine, days, sources):
        return "a load since", {d: {s: None for s in sources} for d in days}, "a load since"

    monkeypatch.setattr(snapshot._KnownFacts, "_read_alone", staticmethod(elsewhere))
    with Session(engine) as session:
        known = snapshot._KnownFacts.read(session, [day])
        expected = snapshot.facts_by_day(session, [day])[day]["asset"]
    pd.testing.assert_frame_equal(known.by_day[day]["asset"], expected)


def _kept_rows(engine) -> dict[str, list[tuple]]:
    """The page counts and coverage gaps kept beside the mart, every column but the id."""
    with engine.connect() as conn:
        return {
            table: sorted(
                map(tuple, conn.exec_driver_sql(f"SELECT * FROM {table}").all()),
                key=lambda row: repr(row[1:]),
            )  # fmt: skip
            for table in ("page_aggregate", "coverage_gap")
        }


def test_the_page_counts_are_counted_in_a_thread_with_the_rows_counted_in_the_transaction(
    engine, monkeypatch
):
    kpi_data.build_store(engine)
    threads: list[str] = []
    real = mart.KeptCounts.count

    def spy(connection, dates):
        threads.append(threading.current_thread().name)
        return real(connection, dates)

    monkeypatch.setattr(mart.KeptCounts, "count", staticmethod(spy))
    take_snapshot(engine, kpi_data.AS_OF, "run-1")
    assert len(threads) == 1 and threads[0].startswith("kpi-date")
    counted_aside = {t: [r[1:] for r in rows] for t, rows in _kept_rows(engine).items()}
    assert counted_aside["page_aggregate"] and counted_aside["coverage_gap"]

    mart.forget(engine)
    with Session(engine) as session, session.begin():  # counted in the writing transaction
        frames = {day: compute_kpis(session, day) for day in mart.mart_dates(kpi_data.AS_OF)}
        mart.build(session, frames)
    assert {t: [r[1:] for r in rows] for t, rows in _kept_rows(engine).items()} == counted_aside


def test_page_counts_counted_on_another_store_version_are_not_used(engine):
    kpi_data.build_store(engine)
    days = mart.mart_dates(kpi_data.AS_OF)
    ahead = snapshot._Ahead(engine, [])
    try:
        with Session(engine) as session:
            version = mart.store_version(session)
            counts = ahead.count(days)
            with engine.connect() as conn:
                expected = mart.KeptCounts.count(conn, days)
        assert counts(version) == expected
        assert counts(version + " and a load since") is None
    finally:
        ahead.close()


def test_the_first_dates_rows_are_written_while_the_load_day_computes(engine, monkeypatch):
    """The load's day (the last date) waits in its thread until the first date's rows are
    written: before, every date was computed before the first row was written."""
    kpi_data.build_store(engine)
    days = mart.mart_dates(kpi_data.AS_OF)
    first_written = threading.Event()
    seen: list[bool] = []
    real_compute, real_insert = snapshot.compute_kpis, mart.insert_frame

    def compute(session, day, *args, **kwargs):
        if day == kpi_data.AS_OF:
            seen.append(first_written.wait(timeout=20))
        return real_compute(session, day, *args, **kwargs)

    def insert(connection, day, frame):
        written = real_insert(connection, day, frame)
        if day == days[0]:
            first_written.set()
        return written

    monkeypatch.setattr(snapshot, "compute_kpis", compute)
    monkeypatch.setattr(mart, "insert_frame", insert)
    assert take_snapshot(engine, kpi_data.AS_OF, "run-1") > 0
    assert seen == [True]
    with Session(engine) as session:
        assert all(mart.holds(session, day) for day in days)


def test_the_snapshot_is_copied_while_the_page_counts_are_counted(engine, monkeypatch):
    """The counting in its thread waits until the day's snapshot is copied from the mart:
    before, the snapshot was copied only after the counts were written."""
    from etl.kpi import mart_update

    kpi_data.build_store(engine)
    copied = threading.Event()
    seen: list[bool] = []
    real_count, real_copy = mart.KeptCounts.count, mart_update.snapshot_from_mart

    def count(connection, dates):
        seen.append(copied.wait(timeout=20))
        return real_count(connection, dates)

    def copy(*args, **kwargs):
        written = real_copy(*args, **kwargs)
        copied.set()
        return written

    monkeypatch.setattr(mart.KeptCounts, "count", staticmethod(count))
    monkeypatch.setattr(mart_update, "snapshot_from_mart", copy)
    rows = take_snapshot(engine, kpi_data.AS_OF, "run-1")
    assert seen == [True]
    with Session(engine) as session:
        expected = compute_kpis(session, kpi_data.AS_OF)
        stored = session.execute(
            select(func.count()).where(MetricSnapshot.run_id == "run-1")
        ).scalar()
    assert rows == stored == len(expected)


def test_frames_from_facts_of_another_store_version_are_computed_by_the_caller(engine, monkeypatch):
    kpi_data.build_store(engine)
    day = dt.date(2026, 9, 30)
    with Session(engine) as session:
        known = snapshot._KnownFacts.read(session, [day])
        expected = compute_kpis(session, day)
    stale = snapshot._KnownFacts(known.by_day, known.version + " and a load since")
    ahead = snapshot._Ahead(engine, [day], stale)
    names: list[str] = []
    real = snapshot.compute_kpis

    def spy(session, when, *args, **kwargs):
        names.append(threading.current_thread().name)
        return real(session, when, *args, **kwargs)

    try:
        ahead._futures[day].result()  # the thread's computation is done, not taken
        monkeypatch.setattr(snapshot, "compute_kpis", spy)
        with Session(engine) as session:
            frames = snapshot._Frames(session, [day], ahead, stale)
            pd.testing.assert_frame_equal(frames[day], expected)
    finally:
        ahead.close()
    assert names == [threading.current_thread().name]
