"""Trend history survives replacement: every load run that accepts a file leaves one snapshot."""

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl.kpi.snapshot import metric_trend
from etl.load import load_paths
from etl.models import Asset, MetricSnapshot
from tests.workbooks import admin_rows, write_admin, write_org

TODAY = dt.date(2026, 11, 28)


def _snapshot_runs(engine) -> list[str]:
    with Session(engine) as s:
        query = (
            select(MetricSnapshot.run_id)
            .group_by(MetricSnapshot.run_id)
            .order_by(func.min(MetricSnapshot.id))
        )
        return list(s.scalars(query))


def _asset_count_trend(engine) -> list[tuple[dt.date, float]]:
    with Session(engine) as s:
        trend = metric_trend(s, "assets", "administration", "1882-SOC")
    return [(row.month, row.value) for row in trend.itertuples()]


def test_each_accepting_run_takes_one_snapshot_and_unchanged_runs_none(engine, tmp_path):
    admin_file = write_admin(tmp_path)
    first = load_paths(engine, [write_org(tmp_path / "org"), admin_file], today=TODAY)
    assert first.ok
    assert _snapshot_runs(engine) == [first.run_id]

    again = load_paths(engine, [admin_file], today=TODAY)
    assert [f.outcome for f in again.files] == ["unchanged"]
    assert _snapshot_runs(engine) == [first.run_id]


def test_trend_keeps_the_old_value_after_a_newer_file_replaces_the_rows(engine, tmp_path):
    load_paths(engine, [write_org(tmp_path / "org"), write_admin(tmp_path)], today=TODAY)
    with Session(engine) as s:
        assets_before = s.scalar(select(func.count()).select_from(Asset))
    assert _asset_count_trend(engine) == [(dt.date(2026, 11, 1), assets_before)]

    rows = admin_rows()
    rows["assets"] = rows["assets"][:1]
    kept = {rows["assets"][0]["code"]}
    rows["classifications"] = [r for r in rows["classifications"] if r["asset"] in kept]
    analyses = [r for r in rows["risk_analyses"] if r.get("asset") in kept]
    rows["risk_analyses"] = analyses
    risk_codes = {
        r["code"] for r in rows["risks"] if r["analysis"] in {a["code"] for a in analyses}
    }
    rows["risks"] = [r for r in rows["risks"] if r["code"] in risk_codes]
    rows["actions"] = [r for r in rows["actions"] if not r.get("risk") or r["risk"] in risk_codes]
    next_month = dt.date(2026, 12, 3)
    result = load_paths(engine, [write_admin(tmp_path / "v2", rows)], today=next_month)
    assert result.ok, [i.message_sv for f in result.files for i in f.issues]

    assert _asset_count_trend(engine) == [
        (dt.date(2026, 11, 1), assets_before),
        (dt.date(2026, 12, 1), 1),
    ]
