"""Frozen reports: unchanged by later data changes, visible by scope, comparable side by side."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json

from pypdf import PdfReader
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dashboard.queries.report_snapshots import freeze_report, get_snapshot, list_snapshots
from dashboard.queries.viewer import SYSTEM, Viewer
from dashboard.report.content import compare_rows
from dashboard.report.gather import gather_report
from dashboard.report.pdf import report_pdf
from etl import models as m
from etl.kpi.mart import forget as forget_kpi_mart
from etl.models_report import ReportSnapshot
from infosak_cli import app
from tests import kpi_data
from tests.test_auth_support import add_account, auth_app, csrf_header, login, reset_store

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
    # the KPI mart (keyed by the load history) is told.
    with Session(engine) as session, session.begin():
        session.execute(delete(m.Asset).where(m.Asset.code.in_(["X1", "X2"])))
    forget_kpi_mart(engine)
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


CISO = Viewer("ciso", "Eva", municipality_codes=frozenset({"1882"}))
CISO_1861 = Viewer("ciso", "Fia", municipality_codes=frozenset({"1861"}))
COMMITTEE = Viewer("committee", "n", municipality_codes=frozenset({"1882"}))
DPO = Viewer("dpo", "Ina", municipality_codes=frozenset({"1882"}))
OFFICER = Viewer("security_officer", "s", administration_codes=frozenset({"1882-SOC"}))
ADMIN = Viewer("admin", "root")


def _freeze(engine, viewer: Viewer, scope: str | None) -> int:
    with Session(engine) as session:
        data = gather_report(session, kpi_data.AS_OF, viewer, scope=scope)
    return freeze_report(engine, data, viewer.name, viewer=viewer)


def _ids(engine, viewer: Viewer) -> list[int]:
    with Session(engine) as session:
        return list(list_snapshots(session, viewer)["id"])


def test_visibility_by_scope_and_maker(sqlite_engine):
    """The system's snapshots (the command line's) hold everything: only for viewers who see
    everything. A CISO's snapshot of Askersund goes to who may see all it holds: the CISO and
    Askersund's DPO, not the committee (no shared-object rows in its own report), not
    Hallsberg's CISO."""
    kpi_data.build_store(sqlite_engine)
    system = [_freeze(sqlite_engine, SYSTEM, scope) for scope in (None, "1882", "1861")]
    eva = _freeze(sqlite_engine, CISO, "1882")
    eva_all = _freeze(sqlite_engine, CISO, None)  # every municipality Eva sees: Askersund
    assert _ids(sqlite_engine, SYSTEM) == sorted([*system, eva, eva_all], reverse=True)
    assert _ids(sqlite_engine, ADMIN) == sorted([*system, eva, eva_all], reverse=True)
    assert _ids(sqlite_engine, CISO) == [eva_all, eva]
    assert _ids(sqlite_engine, DPO) == [eva_all, eva]
    assert _ids(sqlite_engine, COMMITTEE) == []
    assert _ids(sqlite_engine, CISO_1861) == []
    assert _ids(sqlite_engine, OFFICER) == []
    with Session(sqlite_engine) as session:
        assert get_snapshot(session, CISO, system[1]) is None
        assert get_snapshot(session, COMMITTEE, eva) is None
        assert get_snapshot(session, CISO, eva)["data"]["scope"]["name"] == "Askersund"


def _soc_takes_part_in_the_shared_object(engine) -> None:
    """1882-SOC joins GO-EK, so that a CISO's report of 1882-SOC has shared-object numbers."""
    with Session(engine) as s, s.begin():
        ids = {c: i for c, i in s.execute(select(m.Administration.code, m.Administration.id))}
        mun = s.scalar(select(m.Municipality.id).where(m.Municipality.code == "1882"))
        obj = s.scalar(select(m.GovernanceObject.id))
        s.add(
            m.GovernanceParticipant(
                governance_object_id=obj, municipality_id=mun, administration_id=ids["1882-SOC"]
            )
        )
    forget_kpi_mart(engine)


def test_a_cisos_snapshot_of_an_administration_is_not_its_security_officers(engine):
    """Frozen by the CISO for 1882-SOC with shared-object numbers: its security officer, whose
    own report of 1882-SOC leaves them out, can neither list nor fetch it; the CISO can."""
    kpi_data.build_store(engine)
    _soc_takes_part_in_the_shared_object(engine)
    with Session(engine) as session:
        own = gather_report(session, kpi_data.AS_OF, OFFICER, scope="1882-SOC")
    snapshot_id = _freeze(engine, CISO, "1882-SOC")
    with Session(engine) as session:
        frozen = get_snapshot(session, CISO, snapshot_id)
        assert [o["code"] for o in frozen["data"]["objects"]] == ["GO-EK"]
        assert own["objects"] == []  # what the officer's own report shows
        assert list_snapshots(session, OFFICER).empty
        assert get_snapshot(session, OFFICER, snapshot_id) is None
        assert get_snapshot(session, OFFICER, str(snapshot_id)) is None
        assert list(list_snapshots(session, CISO)["id"]) == [snapshot_id]
    # The officer's own snapshot of the same scope (if an officer could freeze) would be theirs.
    mine = freeze_report(engine, own, "s", viewer=OFFICER)
    with Session(engine) as session:
        assert list(list_snapshots(session, OFFICER)["id"]) == [mine]
        assert {*list_snapshots(session, CISO)["id"]} == {snapshot_id, mine}


def test_snapshots_frozen_before_their_content_was_recorded_go_to_admins_only(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    snapshot_id = _freeze(sqlite_engine, CISO, "1882")
    with Session(sqlite_engine) as session, session.begin():
        session.execute(
            update(ReportSnapshot).values(content_types=None, audience=None, made_for_role=None)
        )
    assert _ids(sqlite_engine, CISO) == []
    assert _ids(sqlite_engine, ADMIN) == [snapshot_id]


def test_a_forged_download_by_id_gets_nothing(sqlite_engine, monkeypatch):
    """The officer forges the frozen-report download with the CISO's snapshot id: no file. The
    CISO's same request gets the PDF (the forgery is well-formed)."""
    kpi_data.build_store(sqlite_engine)
    _soc_takes_part_in_the_shared_object(sqlite_engine)
    snapshot_id = _freeze(sqlite_engine, CISO, "1882-SOC")
    add_account(sqlite_engine, "eva", "ciso", ["1882"])
    add_account(sqlite_engine, "so", "security_officer", ["1882-SOC"])
    application = auth_app(sqlite_engine, monkeypatch)
    try:
        answers = {}
        for name in ("so", "eva"):
            client = application.server.test_client()
            assert login(client, name).status_code == 302
            client.get("/_dash-layout")
            item = {"index": snapshot_id, "type": "rapport-frozen-item"}
            body = {
                "output": "rapport-frozen-download.data",
                "outputs": {"id": "rapport-frozen-download", "property": "data"},
                "inputs": [[{"id": item, "property": "n_clicks", "value": 1}]],
                "state": [{"id": "app-filters", "property": "data", "value": {"lang": "sv"}}],
                "changedPropIds": [json.dumps(item, separators=(",", ":")) + ".n_clicks"],
            }
            answers[name] = client.post(
                "/_dash-update-component",
                data=json.dumps(body),
                content_type="application/json",
                headers=csrf_header(client),
            )
        refused = answers["so"]
        assert refused.status_code in (200, 204)
        assert refused.status_code == 204 or not refused.get_json().get("response")
        assert b"%PDF" not in refused.get_data() and b"content" not in refused.get_data()
        pdf = answers["eva"].get_json()["response"]["rapport-frozen-download"]["data"]
        assert pdf["filename"].endswith(f"fryst-{snapshot_id}.pdf")
        assert base64.b64decode(pdf["content"]).startswith(b"%PDF")
    finally:
        reset_store()


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
