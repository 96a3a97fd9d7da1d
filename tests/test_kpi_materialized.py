"""The national facts kept at load time give every role exactly the numbers the live queries give.

Store: the generated Sydnärke set (4 municipalities, shared governance objects), loaded with the
snapshot on, as a load does: it keeps the facts as of the load's day and the quarter before. Each
role's numbers are computed twice, once from the kept facts and once with them removed (inside a
transaction that is rolled back), and must be equal: every scope, metric, numerator and
denominator, the funnel and the aging chart. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dashboard.queries.viewer import SYSTEM
from etl import models as m
from etl.kpi import cache as _kpi_cache
from etl.kpi import headline_kept as _headline_kept
from etl.kpi import kept as materialized
from etl.kpi.compute import compute_kpis, funnel, overdue_aging
from etl.kpi.dates import Cutoffs, overdue_trend_days, previous_quarter
from etl.kpi.facts import overdue_by_day_facts
from etl.kpi.scope import build_scope
from etl.kpi.snapshot import take_snapshot
from etl.load import load_paths
from tests.generated_store import BACKENDS, codes, loaded_generated_store, role_viewers

TODAY = dt.date(2026, 11, 28)
DATES = (TODAY, previous_quarter(TODAY))


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    """(engine, sample folder) of a store holding the generated set, loaded with its snapshot."""
    folder = tmp_path_factory.mktemp("kept_facts")
    with loaded_generated_store(request.param, folder, TODAY, fmt="xlsx") as (engine, files):
        yield engine, files


def _filters(engine) -> list[tuple[str | None, str | None]]:
    municipality = codes(engine, m.Municipality)[0]
    administration = next(c for c in codes(engine, m.Administration) if c.startswith(municipality))
    return [(None, None), (municipality, None), (municipality, administration)]


def _numbers(session, as_of, viewer, municipality, administration) -> list[pd.DataFrame]:
    _kpi_cache.clear()
    return [
        compute_kpis(
            session, as_of, viewer, municipality=municipality, administration=administration
        ),
        funnel(session, as_of, viewer, municipality=municipality, administration=administration),
        overdue_aging(
            session, as_of, viewer, municipality=municipality, administration=administration
        ),
    ]


def _same(kept: pd.DataFrame, live: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        kept.reset_index(drop=True), live.reset_index(drop=True), check_dtype=False
    )


def test_the_load_keeps_national_facts_for_its_day_and_the_quarter_before(store):
    engine, _ = store
    with Session(engine) as s:
        rows = s.execute(select(m.KpiFactFrame.as_of, m.KpiFactFrame.kind)).all()
        version = materialized.version_key(_kpi_cache.store_version(s))
        versions = set(s.scalars(select(m.KpiFactFrame.store_version)))
    expected = {(d, k) for d in DATES for k in materialized.FACT_QUERIES}
    expected.add((TODAY, materialized.TREND_KIND))
    assert expected <= set(rows) and len(rows) == len(set(rows))
    # Other modules keep national counts of their own kinds (risk cells, asset gaps) through
    # _write for the load's day, under the same version.
    assert {day for day, kind in set(rows) - expected if kind != _headline_kept.KIND} <= {TODAY}
    assert not {kind for _, kind in set(rows) - expected} & {k for _, k in expected}
    assert versions == {version}


@pytest.mark.parametrize("as_of", DATES)
def test_every_role_gets_the_live_numbers_from_the_kept_facts(store, as_of):
    engine, _ = store
    compared = 0
    with Session(engine) as s:
        # The kept path is really taken: a municipality's facts come from the national rows.
        municipality = _filters(engine)[1][0]
        scope = build_scope(SYSTEM, municipality=municipality)
        assert materialized.scoped_facts(s, "asset", as_of, scope) is not None
        for viewer in role_viewers(engine):
            for municipality, administration in _filters(engine):
                kept = _numbers(s, as_of, viewer, municipality, administration)
                with s.begin_nested():
                    s.execute(delete(m.KpiFactFrame))
                    assert materialized.scoped_facts(s, "asset", as_of, scope) is None
                    live = _numbers(s, as_of, viewer, municipality, administration)
                    s.rollback()
                for kept_frame, live_frame in zip(kept, live, strict=True):
                    _same(kept_frame, live_frame)
                compared += int(not kept[0].empty)
    _kpi_cache.clear()
    assert compared >= 20  # most (viewer, filter) pairs have numbers: the comparison is not empty


def test_scoped_rows_are_the_live_query_rows(store):
    engine, _ = store
    with Session(engine) as s:
        for viewer in role_viewers(engine):
            for municipality, administration in _filters(engine):
                scope = build_scope(viewer, None, municipality, administration)
                queries = {
                    **materialized.FACT_QUERIES,
                    materialized.TREND_KIND: lambda s, cut, scope: overdue_by_day_facts(
                        s, overdue_trend_days(cut.as_of), scope
                    ),
                }
                for kind, query in queries.items():
                    _kpi_cache.clear()
                    kept = materialized.scoped_facts(s, kind, TODAY, scope)
                    live = query(s, Cutoffs(TODAY), scope)
                    keys = (
                        ["unit_id"] if kind == "follow_up" else ["unit_id", "object_id", "shared"]
                    )
                    # (an all-NULL column comes back from SQL as None objects, kept as NaN)
                    _same(
                        kept.sort_values(keys)[live.columns].astype(float),
                        live.sort_values(keys).astype(float),
                    )


def test_a_request_on_another_day_computes_and_keeps_nothing(store):
    engine, _ = store
    day_after = TODAY + dt.timedelta(days=1)
    national = build_scope(SYSTEM)
    with Session(engine) as s:
        kept_before = s.execute(select(m.KpiFactFrame.id, m.KpiFactFrame.as_of)).all()
        _kpi_cache.clear()
        compute_kpis(s, day_after, SYSTEM)
        compute_kpis(s, day_after, SYSTEM, municipality=_filters(engine)[1][0])
    _kpi_cache.clear()
    with Session(engine) as s:
        for kind in materialized.FACT_QUERIES:
            assert materialized.scoped_facts(s, kind, day_after, national) is None
        assert s.execute(select(m.KpiFactFrame.id, m.KpiFactFrame.as_of)).all() == kept_before


def test_kept_dates_are_bounded(store):
    engine, _ = store
    frame = pd.DataFrame({"unit_id": [1], "object_id": [np.nan], "assets": [1]})
    with Session(engine) as s:
        for days in range(10, 10 + materialized.MAX_KEPT_DATES + 3):
            day = TODAY + dt.timedelta(days=days)
            assert materialized.keep_frames(s, day, {"probe": lambda: frame}) == 1
        dates = set(s.scalars(select(m.KpiFactFrame.as_of)))
        kinds = set(s.scalars(select(m.KpiFactFrame.kind)))
        s.rollback()
    assert len(dates) == materialized.MAX_KEPT_DATES
    assert TODAY + dt.timedelta(days=10 + materialized.MAX_KEPT_DATES + 2) in dates
    assert "probe" in kinds and TODAY not in dates  # the oldest written went first


def test_a_later_load_is_not_answered_from_older_facts(store):
    engine, files = store
    scope = build_scope(SYSTEM)
    # An unchanged file changes no number: the facts kept for the version stay readable.
    run = load_paths(engine, [sorted(files.glob("*.xlsx"))[-1]], today=TODAY)
    assert [f.outcome for f in run.files] == ["unchanged"]
    with Session(engine) as s:
        assert materialized.scoped_facts(s, "action", TODAY, scope) is not None
    # A load that changes rows moves the version on: the older facts are no longer read.
    with Session(engine) as s, s.begin():
        s.add(m.Load(run_id="test", file_name="x", sha256="0" * 64, outcome="accepted",
                     started_at=dt.datetime(2026, 11, 28)))  # fmt: skip
    with Session(engine) as s:
        assert materialized.scoped_facts(s, "action", TODAY, scope) is None
    # The next snapshot keeps facts for the new version and drops the old ones.
    take_snapshot(engine, TODAY, "test")
    with Session(engine) as s:
        assert materialized.scoped_facts(s, "action", TODAY, scope) is not None
        assert s.scalar(select(func.count(func.distinct(m.KpiFactFrame.store_version)))) == 1
    _kpi_cache.clear()


def test_frames_round_trip_as_plain_numbers():
    frame = pd.DataFrame(
        {
            "unit_id": [1.0, np.nan, 3.0],
            "object_id": [None, None, None],
            "shared": [False, True, False],
            "assets": np.array([4, 5, 6], dtype="int64"),
            "training": [0.5, np.nan, 0.25],
        }
    )
    back = materialized.decode(materialized.encode(frame))
    assert list(back.columns) == list(frame.columns)
    assert back["object_id"].isna().all() and back["object_id"].dtype == float
    pd.testing.assert_frame_equal(back.drop(columns="object_id"), frame.drop(columns="object_id"))
    with pytest.raises(TypeError, match="name"):
        materialized.encode(pd.DataFrame({"name": ["Askersund"]}))


def test_decoding_reads_the_archive_in_place_and_anything_else_through_numpy():
    frame = pd.DataFrame(
        {
            "unit_id": np.arange(1, 1001, dtype="int64"),
            "object_id": np.where(np.arange(1000) % 3 == 0, np.nan, 7.0),
            "shared": np.arange(1000) % 2 == 0,
            "training": np.linspace(0, 1, 1000),
        }
    )
    payload = materialized.encode(frame)
    assert materialized._stored_arrays(payload) is not None  # what encode writes: the fast path
    pd.testing.assert_frame_equal(materialized.decode(payload), frame)
    # A compressed archive (not written by encode) is still read, by numpy's own reader.
    buffer = io.BytesIO()
    with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
        np.savez_compressed(buffer, **{name: archive[name] for name in archive.files})
    assert materialized._stored_arrays(buffer.getvalue()) is None
    pd.testing.assert_frame_equal(materialized.decode(buffer.getvalue()), frame)
    # An archive holding Python objects is refused, as np.load(allow_pickle=False) refuses it.
    buffer = io.BytesIO()
    np.savez(buffer, __columns__=np.array(["c"]), c0=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError):
        materialized.decode(buffer.getvalue())


def test_kept_columns_give_the_rows_of_a_mask_and_count_their_rows_in_the_cache():
    frame = pd.DataFrame(
        {
            "unit_id": np.arange(1, 7, dtype="int64"),
            "object_id": [np.nan, 2.0, np.nan, 3.0, np.nan, np.nan],
            "assets": np.array([4, 5, 6, 7, 8, 9], dtype="int64"),
        }
    )
    kept = materialized._decode_columns(materialized.encode(frame))
    mask = np.array([True, False, True, True, False, False])
    pd.testing.assert_frame_equal(kept.frame(mask), frame[mask].reset_index(drop=True))
    pd.testing.assert_frame_equal(kept.frame(), frame)
    assert _kpi_cache._rows(kept) == 6  # bounded like a frame of as many rows


def test_a_request_reads_the_store_version_once(store):
    """The cached parts of one compute_kpis call (organisation, facts, kept frames) take the
    version its own cache key was made with, instead of reading it again each."""
    from sqlalchemy import event

    engine, _ = store
    municipality = _filters(engine)[1][0]
    reads = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement == str(_kpi_cache._VERSION_SQL):
            reads.append(statement)

    _kpi_cache.clear()
    event.listen(engine, "before_cursor_execute", count)
    try:
        with Session(engine) as s:
            first = compute_kpis(s, TODAY, SYSTEM, municipality=municipality)
            assert len(reads) == 1
            again = compute_kpis(s, TODAY, SYSTEM, municipality=municipality)  # cached
            assert len(reads) == 2
    finally:
        event.remove(engine, "before_cursor_execute", count)
    _same(again, first)
    _kpi_cache.clear()
    _kpi_cache.enabled = False
    try:
        with Session(engine) as s:
            _same(compute_kpis(s, TODAY, SYSTEM, municipality=municipality), first)
    finally:
        _kpi_cache.enabled = True


def test_compact_columns_round_trip_and_stay_small():
    counts = np.array([0.0, 3.0, np.nan, 250.0])
    packed = materialized.compact(counts)
    assert packed.dtype == np.int16 and packed.tolist() == [0, 3, -1, 250]  # -1 needs a sign
    np.testing.assert_array_equal(materialized.expand(packed), counts)
    shares = np.array([0.5, 1.0, np.nan])
    assert materialized.compact(shares) is shares  # not whole: kept as floats
    np.testing.assert_array_equal(materialized.expand(shares), shares)
    negative = np.array([-2.0, 1.0])
    assert materialized.compact(negative).dtype == np.float64  # -1 would be ambiguous
    assert materialized.compact(np.array([np.nan, np.nan])).tolist() == [-1, -1]
    assert materialized.compact(np.array([0.0, 7.0])).dtype == np.uint8  # nothing missing
