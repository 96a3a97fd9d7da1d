"""After a load the mart's other dates are computed in threads beside the load's day, with the
rows a computation one date after the other gives."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
from sqlalchemy.orm import Session

from etl.kpi import mart, snapshot
from etl.kpi.compute import compute_kpis
from etl.kpi.snapshot import take_snapshot
from tests import kpi_data


def test_the_other_dates_are_computed_in_threads_with_the_same_rows(engine, monkeypatch):
    kpi_data.build_store(engine)
    calls: list[tuple[dt.date, str]] = []
    real = snapshot.compute_kpis

    def spy(session, day, *args, **kwargs):
        calls.append((day, threading.current_thread().name))
        return real(session, day, *args, **kwargs)

    monkeypatch.setattr(snapshot, "compute_kpis", spy)
    take_snapshot(engine, kpi_data.AS_OF, "run-1")
    days = mart.mart_dates(kpi_data.AS_OF)
    others = sorted(d for d in days if d != kpi_data.AS_OF)
    assert len(others) == 3
    assert sorted(d for d, name in calls if name.startswith("kpi-date")) == others
    assert [d for d, name in calls if not name.startswith("kpi-date")] == [kpi_data.AS_OF]

    with Session(engine) as session:
        assert all(mart.holds(session, day) for day in days)
        kept = {day: compute_kpis(session, day) for day in days}  # read from the mart
    mart.forget(engine)
    with Session(engine) as session:
        assert not any(mart.holds(session, day) for day in days)
        for day in days:  # computed on demand, one date after the other
            pd.testing.assert_frame_equal(kept[day], compute_kpis(session, day))


def test_a_date_computed_on_another_store_version_is_not_used(engine):
    kpi_data.build_store(engine)
    day = dt.date(2026, 9, 30)
    ahead = snapshot._Ahead(engine, [day])
    try:
        with Session(engine) as session:
            version = mart.store_version(session)
            expected = compute_kpis(session, day)
        pd.testing.assert_frame_equal(ahead.frame(day, version), expected)
        assert ahead.frame(day, version + " and a load since") is None
        assert ahead.frame(dt.date(2026, 6, 30), version) is None  # not asked for
    finally:
        ahead.close()


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
            frame = ahead.frame(day, version)
        finally:
            ahead.close()
        if kept:
            pd.testing.assert_frame_equal(frame, expected)
        else:
            assert frame is None
