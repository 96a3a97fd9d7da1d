"""The committee report for more municipalities than the pages list with their administrations
(the country's report): municipality rows only, totals that reconcile, workbooks summed per
municipality, a frozen copy that renders again; and the report's errors in the page language.

The limit (dashboard.queries.org.MUNICIPALITIES_WITH_ADMINISTRATIONS, 12) is set to 1 here, so
that tests/kpi_data.py's two municipalities are "more than the limit" and every number stays
hand-countable. Hand count as of 2026-11-28 (see tests/test_report_totals.py): overdue actions
Askersund 4 (1882-KLF 2 + 1882-SOC 2), Hallsberg 2 (the shared object GO-EK's AC5 and AC6),
so the report's total is 6 and its table has exactly the rows Askersund and Hallsberg.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dashboard.queries import org
from dashboard.queries.report_snapshots import freeze_report, get_snapshot
from dashboard.queries.viewer import SYSTEM
from dashboard.report.content import SUMMED_METRICS, build_content, kpi_rows
from dashboard.report.gather import ReportError, gather_report, period_end, resolve_scope
from dashboard.report.pdf import report_pdf
from etl import models as m
from infosak_cli import app
from tests import kpi_data
from tests.kpi_data import AS_OF

COLUMN = {"assets": 1, "actions_overdue": 4, "risks_high_without_action": 5}


@pytest.fixture
def engine(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    return sqlite_engine


@pytest.fixture
def country(monkeypatch):
    """Two municipalities are more than the pages list with administrations."""
    monkeypatch.setattr(org, "MUNICIPALITIES_WITH_ADMINISTRATIONS", 1)


def _gather(engine, **kwargs) -> dict:
    with Session(engine) as session:
        return gather_report(session, AS_OF, SYSTEM, **kwargs)


def _number(text: str) -> int:
    """ "4 (+2)" → 4: the shown count without its change."""
    return int(text.split(" (")[0].replace("\u00a0", "").replace(" ", "").replace("−", "-"))


def test_the_country_report_gathers_municipalities_only(engine, country):
    data = _gather(engine)
    assert data["administrations"] == []
    assert data["administrations_listed"] is False
    assert [e["name"] for e in data["municipalities"]] == ["Askersund", "Hallsberg"]
    assert {r["scope_type"] for r in data["organisation"]} == {"municipality"}


def test_within_the_limit_the_report_still_lists_administrations(engine):
    data = _gather(engine)
    assert "administrations_listed" not in data
    assert sorted(a["code"] for a in data["administrations"]) == [
        "1861-BUF",
        "1882-KLF",
        "1882-SOC",
    ]


def test_a_chosen_municipality_lists_its_administrations_beyond_the_limit(engine, country):
    data = _gather(engine, scope="1882")
    assert sorted(a["code"] for a in data["administrations"]) == ["1882-KLF", "1882-SOC"]
    assert "administrations_listed" not in data


def test_the_country_table_has_municipality_rows_that_add_up_to_the_total(engine, country):
    data = _gather(engine)
    assert [kind for kind, _ in kpi_rows(data)] == ["municipality", "municipality"]
    content = build_content(data)
    table = content.kpi_table
    assert table.headers[0] == "Kommun"
    assert [row[0] for row in table.rows] == ["Askersund", "Hallsberg"]
    overdue = [_number(row[COLUMN["actions_overdue"]]) for row in table.rows]
    assert overdue == [4, 2]  # hand count (module doc)
    assert data["headline"]["actions_overdue"]["value"] == 6
    for metric in SUMMED_METRICS:
        shown = sum(_number(row[COLUMN[metric]]) for row in table.rows)
        assert shown == data["headline"][metric]["value"], metric
    assert "varje kommuns förvaltningar står i kommunens egen rapport" in table.note
    english = build_content(data, "en").kpi_table
    assert english.headers[0] == "Municipality"
    assert "each municipality's administrations are listed" in english.note


def test_no_municipality_is_called_shared_without_its_administrations(engine, country):
    content = build_content(_gather(engine))
    names = [row[0] for row in content.kpi_table.rows]
    assert "Gemensamma förvaltningsobjekt" not in names


def test_the_country_maturity_compares_municipalities(engine, country):
    data = _gather(engine)
    content = build_content(data)
    assert [name for name, _, _ in content.maturity] == ["Askersund", "Hallsberg"]
    assert content.maturity_heading == "Mognad per kommun (0–5)"
    askersund = data["municipalities"][0]["metrics"]
    assert content.maturity[0][1] == askersund["maturity_self"]["value"]
    assert content.maturity[0][2] == askersund["maturity_evidence"]["value"]


def _load_workbook(session, administration: str, loaded: dt.datetime, name: str) -> None:
    adm = session.scalars(select(m.Administration).where(m.Administration.code == administration))
    source = m.Source(key=f"administration:{administration}", kind="administration")
    source.administration_id = adm.one().id
    session.add(source)
    session.flush()
    load = m.Load(
        run_id=name,
        source_id=source.id,
        file_name=name,
        sha256="0" * 64,
        started_at=loaded,
        finished_at=loaded,
        outcome="accepted",
        rows_total=10,
    )
    session.add(load)
    session.flush()
    source.current_load_id = load.id


@pytest.fixture
def workbooks(engine):
    """Askersund's two workbooks (one loaded 180 days before the report date) and Hallsberg's."""
    with Session(engine) as session, session.begin():
        _load_workbook(session, "1882-KLF", dt.datetime(2026, 11, 1, 8), "klf.xlsx")
        _load_workbook(session, "1882-SOC", dt.datetime(2026, 6, 1, 8), "soc.xlsx")
        _load_workbook(session, "1861-BUF", dt.datetime(2026, 11, 20, 8), "buf.xlsx")
    return engine


def test_the_country_report_sums_the_workbooks_per_municipality(workbooks, country):
    data = _gather(workbooks)
    summed = {s["name"]: s for s in data["lineage"] if s["kind"] == "administrations"}
    assert list(summed) == ["Askersund", "Hallsberg"]  # by name, not by code (1882, 1861)
    assert {name: s["files"] for name, s in summed.items()} == {"Askersund": 2, "Hallsberg": 1}
    assert summed["Askersund"]["loaded_at"] == "2026-06-01T08:00"  # the oldest
    assert summed["Askersund"]["stale_files"] == 1 and summed["Hallsberg"]["stale_files"] == 0
    assert not [s for s in data["lineage"] if s["kind"] == "administration"]
    content = build_content(data)
    rows = {row[0]: row for row in content.lineage.rows}
    assert rows["Askersund"][2] == "2 arbetsböcker"
    assert rows["Askersund"][5] == "1 inaktuell (över 90 dagar)"
    assert rows["Hallsberg"][2] == "1 arbetsbok"
    assert content.summary[-1].startswith("1 källa har inte lästs in")


def test_within_the_limit_each_workbook_is_its_own_row(workbooks):
    files = sorted(s["file_name"] for s in _gather(workbooks)["lineage"])
    assert files == ["buf.xlsx", "klf.xlsx", "soc.xlsx"]


def test_a_frozen_country_report_renders_again(engine, country):
    data = _gather(engine)
    pdf = report_pdf(data)
    snapshot_id = freeze_report(engine, data, "test", pdf=pdf)
    with Session(engine) as session:
        frozen = get_snapshot(session, SYSTEM, snapshot_id)
    assert frozen["data"]["administrations_listed"] is False
    assert build_content(frozen["data"]) == build_content(data)
    assert report_pdf(frozen["data"]).startswith(b"%PDF")


def test_report_errors_speak_the_page_language(engine):
    with pytest.raises(ReportError, match="Invalid period: '2026-Q5'"):
        period_end("2026-Q5", "en")
    with pytest.raises(ReportError, match="Ogiltig period: '2026-Q5'"):
        period_end("2026-Q5")
    unknown = "Unknown municipality or administration: 'XX'"
    with Session(engine) as session, pytest.raises(ReportError, match=unknown):
        resolve_scope(session, SYSTEM, "XX", "en")
    with pytest.raises(ReportError, match="Unknown municipality"):
        _gather(engine, scope="XX", lang="en")


def test_the_report_command_speaks_the_language_asked_for(engine, tmp_path):
    url = str(engine.url)
    out = tmp_path / "report.pdf"
    runner = CliRunner()
    bad = runner.invoke(
        app,
        ["report", "--out", str(out), "--period", "2026-Q9", "--lang", "en", "--database-url", url],
    )
    assert bad.exit_code == 2 and "Invalid period: '2026-Q9'" in bad.output
    unknown = runner.invoke(
        app, ["report", "--out", str(out), "--scope", "XX", "--lang", "en", "--database-url", url]
    )
    assert unknown.exit_code == 2 and "Unknown municipality or administration" in unknown.output
    other = runner.invoke(app, ["report", "--out", str(out), "--lang", "de", "--database-url", url])
    assert other.exit_code == 2 and "sv or en" in other.output
    good = runner.invoke(
        app,
        [
            "report",
            "--out",
            str(out),
            "--as-of",
            "2026-11-28",
            "--lang",
            "en",
            "--database-url",
            url,
        ],
    )
    assert good.exit_code == 0, good.output
    assert out.read_bytes().startswith(b"%PDF")
    assert "Traceback" not in bad.output + unknown.output + other.output
