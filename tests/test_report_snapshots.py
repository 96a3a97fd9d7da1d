"""Frozen reports: unchanged by later data changes, visible by scope, comparable side by side."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dashboard.queries.report_snapshots import freeze_report, get_snapshot, list_snapshots
from dashboard.queries.viewer import SYSTEM, Viewer
from dashboard.report.content import compare_rows
from dashboard.report.gather import gather_report
from dashboard.report.pdf import report_pdf
from etl import models as m
from etl.cli import app
from etl.kpi import cache as kpi_cache
from etl.kpi.kept import forget as forget_kept_facts
from tests import kpi_data

runner = CliRunner()


def _text(pdf: bytes) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(
        "\u00a0", " "
    )


def test_frozen_report_survives_a_later_data_change(engine):
    kpi_data.build_store(engine)
    with Session(engine) as session:
        data = gather_report(session, kpi_data.AS_OF, period="2026-Q4")
    snapshot_id = freeze_report(engine, data, created_by="Eva", pdf=report_pdf(data))
    # A later load replaces the rows: here two assets disappear. The edit bypasses the ETL, so
    # the KPI cache and the facts kept in the store (keyed by the load history) are told.
    with Session(engine) as session, session.begin():
        session.execute(delete(m.Asset).where(m.Asset.code.in_(["X1", "X2"])))
    kpi_cache.clear()
    forget_kept_facts(engine)
    with Session(engine) as session:
        live = gather_report(session, kpi_data.AS_OF)
        frozen = get_snapshot(session, SYSTEM, snapshot_id)
    assert live["headline"]["assets"]["value"] == 7
    assert frozen["data"] == data
    assert frozen["data"]["headline"]["assets"]["value"] == 9
    assert frozen["created_by"] == "Eva" and frozen["as_of"] == kpi_data.AS_OF
    # Re-rendered from the stored numbers: still 9 assets.
    assert "Av 9 informationstillgångar har 5 (56 %)" in _text(report_pdf(frozen["data"]))
    assert frozen["pdf"].startswith(b"%PDF")


def test_visibility_by_scope(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    with Session(sqlite_engine) as session:
        whole = gather_report(session, kpi_data.AS_OF)
        askersund = gather_report(session, kpi_data.AS_OF, scope="1882")
        hallsberg = gather_report(session, kpi_data.AS_OF, scope="1861")
    ids = [freeze_report(sqlite_engine, d, "x") for d in (whole, askersund, hallsberg)]
    committee = Viewer("committee", "n", municipality_codes=frozenset({"1882"}))
    officer = Viewer("security_officer", "s", administration_codes=frozenset({"1882-SOC"}))
    with Session(sqlite_engine) as session:
        assert list(list_snapshots(session, SYSTEM)["id"]) == sorted(ids, reverse=True)
        assert list(list_snapshots(session, committee)["id"]) == [ids[1]]
        assert list_snapshots(session, officer).empty
        assert get_snapshot(session, committee, ids[2]) is None
        assert get_snapshot(session, committee, ids[0]) is None
        assert get_snapshot(session, committee, ids[1])["data"]["scope"]["name"] == "Askersund"


def test_compare_two_periods(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    with Session(sqlite_engine) as session:
        q3 = gather_report(session, dt.date(2026, 9, 30), period="2026-Q3")
        now = gather_report(session, kpi_data.AS_OF)
    rows = {r[0]: r[1:] for r in compare_rows(q3, now)}
    # Overdue actions: 4 on 2026-09-30 (AC6, AC5 for 2 municipalities each) → 6.
    assert rows["Försenade åtgärder"] == ["4", "6", "+2"]
    assert rows["Informationstillgångar"] == ["9", "9", "±0"]


def test_cli_freeze_list_and_render(store_url, engine, tmp_path):
    kpi_data.build_store(engine)
    result = runner.invoke(
        app, ["report", "--freeze", "--period", "2026-Q3", "--database-url", store_url]
    )
    assert result.exit_code == 0, result.output
    assert "2026-Q3 är fryst" in result.output
    with Session(engine) as session:
        snapshot_id = session.scalar(select(m.Base.metadata.tables["report_snapshot"].c.id))
    listed = runner.invoke(app, ["report", "--list", "--database-url", store_url])
    assert f"{snapshot_id}\t2026-Q3\tAlla kommuner\t2026-09-30" in listed.output
    out = tmp_path / "fryst.pdf"
    again = runner.invoke(
        app,
        ["report", "--snapshot", str(snapshot_id), "--out", str(out), "--database-url", store_url],
    )
    assert again.exit_code == 0, again.output
    assert "läget per 30 sep. 2026" in _text(out.read_bytes())
    missing = runner.invoke(
        app, ["report", "--snapshot", "999", "--out", str(out), "--database-url", store_url]
    )
    assert missing.exit_code == 1 and "ingen fryst rapport" in missing.output
