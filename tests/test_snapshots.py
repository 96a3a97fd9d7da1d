"""Snapshots keep the numbers when the data behind them is replaced; trends read them back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select

from dashboard.queries.viewer import Viewer
from etl import models as m
from etl.db import session_factory
from etl.kpi.compute import compute_kpis
from etl.kpi.snapshot import backfill_snapshots, metric_trend, take_snapshot
from tests import kpi_data


def _delete_owners_data(engine):
    with session_factory(engine)() as s, s.begin():
        for model in (
            m.Action,
            m.Risk,
            m.RiskAnalysis,
            m.ClassificationParticipant,
            m.Classification,
            m.AssetOwner,
            m.Asset,
            m.FollowUpReport,
            m.GapAssessment,
            m.GapAnalysis,
        ):
            s.execute(delete(model))


def test_snapshot_survives_deleting_the_data(engine):
    kpi_data.build_store(engine)
    with session_factory(engine)() as s:
        expected_rows = len(compute_kpis(s, kpi_data.AS_OF))
    written = take_snapshot(engine, kpi_data.AS_OF, run_id="run-1")
    assert written == expected_rows
    _delete_owners_data(engine)
    with session_factory(engine)() as s:
        assert s.execute(select(func.count()).select_from(m.Asset)).scalar() == 0
        trend = metric_trend(s, "assets", "municipality", "1882")
        coverage = metric_trend(s, "classification_coverage", "administration", "1882-SOC")
        none_rate = metric_trend(s, "actions_on_time_rate", "unit", "1882-KLF-IT")
        run_ids = set(s.scalars(select(m.MetricSnapshot.run_id)))
    assert trend.to_dict("records") == [{"month": dt.date(2026, 11, 1), "value": 6.0}]
    assert coverage["value"].tolist() == [0.5]
    assert none_rate["value"].tolist() == [None]
    assert run_ids == {"run-1"}


def test_trend_keeps_the_last_snapshot_of_each_month(engine):
    kpi_data.build_store(engine)
    take_snapshot(engine, dt.date(2026, 10, 5))
    take_snapshot(engine, dt.date(2026, 10, 31))
    take_snapshot(engine, dt.date(2026, 11, 28))
    _delete_owners_data(engine)
    take_snapshot(engine, dt.date(2026, 11, 10))  # earlier in the month: not the month's last
    with session_factory(engine)() as s:
        trend = metric_trend(s, "assets", "unit", "1861-BUF-FS")
    assert trend["month"].tolist() == [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    assert trend["value"].tolist() == [2.0, 2.0]


def test_backfill_writes_one_snapshot_per_month_end(engine):
    kpi_data.build_store(engine)
    with session_factory(engine)() as s:
        per_snapshot = len(compute_kpis(s, kpi_data.AS_OF))
    assert backfill_snapshots(engine, 3, kpi_data.AS_OF) == 3 * per_snapshot
    with session_factory(engine)() as s:
        dates = sorted(set(s.scalars(select(m.MetricSnapshot.as_of))))
        runs = set(s.scalars(select(m.MetricSnapshot.run_id)))
        trend = metric_trend(s, "classified_current", "unit", "1882-KLF-IT")
    assert dates == [dt.date(2026, 8, 31), dt.date(2026, 9, 30), dt.date(2026, 10, 31)]
    assert runs == {"reconstructed"}
    assert trend["month"].tolist() == [
        dt.date(2026, 8, 1),
        dt.date(2026, 9, 1),
        dt.date(2026, 10, 1),
    ]
    assert trend["value"].tolist() == [1.0, 1.0, 1.0]


def test_trend_respects_the_viewer(engine):
    kpi_data.build_store(engine)
    take_snapshot(engine, kpi_data.AS_OF)
    own = Viewer("manager", unit_codes=frozenset({"1882-SOC-IFO"}))
    with session_factory(engine)() as s:
        assert metric_trend(s, "assets", "unit", "1882-SOC-IFO", own)["value"].tolist() == [3.0]
        assert metric_trend(s, "assets", "unit", "1882-KLF-IT", own).empty
        assert metric_trend(s, "assets", "administration", "1882-SOC", own).empty
        committee = Viewer("committee", municipality_codes=frozenset({"1861"}))
        assert metric_trend(s, "assets", "municipality", "1861", committee)["value"].tolist() == [
            3.0
        ]
        assert metric_trend(s, "assets", "municipality", "1882", committee).empty
