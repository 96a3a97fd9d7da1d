"""The committee report: its PDF text carries the numbers of compute_kpis / ``infosak kpi``.

Store: tests/kpi_data.py, as of 2026-11-28 (previous quarter 2026-08-28). Counted by hand there:
9 assets, 5 currently classified (56 %; 6 of 9 = 67 % a quarter earlier → 11 points fewer),
6 overdue actions (2 unit actions + 2 provider actions for each of 2 municipalities), 2 high risks
without action, GDPR 2 of 4, follow-up 3 of 5 units.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dashboard.queries.viewer import Viewer
from dashboard.report.content import build_content, summary_sentences
from dashboard.report.gather import ReportError, gather_report, period_end, period_of
from dashboard.report.pdf import report_pdf
from etl.kpi.compute import compute_kpis
from infosak_cli import app
from tests import kpi_data
from tests.pdf_structure import structure, table_rows

runner = CliRunner()


def pdf_text(pdf: bytes) -> str:
    """The PDF's text in reading order (the structure tree), one line per element."""
    tree = structure(pdf)
    leaves = [n for n in _walk(tree) if n.lines and not n.children]
    return "\n".join(" ".join(n.lines) for n in leaves)


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


@pytest.fixture
def data(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    with Session(sqlite_engine) as session:
        return gather_report(session, kpi_data.AS_OF)


def test_numbers_match_compute_kpis(sqlite_engine, data):
    with Session(sqlite_engine) as session:
        kpis = compute_kpis(session, kpi_data.AS_OF, scope_types=["municipality"])
    by = kpis.groupby("metric")
    assert data["headline"]["assets"]["value"] == by.get_group("assets")["value"].sum() == 9
    assert data["headline"]["classified_current"]["value"] == 5
    assert data["headline"]["actions_overdue"]["value"] == 6
    coverage = data["headline"]["classification_coverage"]
    assert (coverage["numerator"], coverage["denominator"]) == (5, 9)
    assert coverage["previous"] == pytest.approx(6 / 9, abs=1e-6)
    soc = next(a for a in data["administrations"] if a["code"] == "1882-SOC")
    assert soc["metrics"]["classification_coverage"]["value"] == 0.5
    assert soc["metrics"]["actions_overdue"]["value"] == 2


def test_pdf_text_carries_the_same_numbers_as_infosak_kpi(store_url, engine):
    kpi_data.build_store(engine)
    out = runner.invoke(
        app, ["kpi", "--as-of", "2026-11-28", "--format", "json", "--database-url", store_url]
    )
    rows = json.loads(out.stdout)["rows"]
    soc = {r["metric"]: r for r in rows if r["scope_id"] == "1882-SOC"}
    with Session(engine) as session:
        pdf = report_pdf(gather_report(session, kpi_data.AS_OF))
    text = pdf_text(pdf)
    assert "Av 9 informationstillgångar har 5 (56 %) en aktuell klassning, 11 procentenheter" in (
        text.replace("\n", " ")
    )
    assert "färre än förra kvartalet" in text
    flat = text.replace("\n", " ")
    assert "Av 7 öppna åtgärder är 6 försenade, 2 fler än förra kvartalet." in flat
    assert "2 höga risker saknar planerad åtgärd." in flat
    assert "Av 4 tillgångar med personuppgifter finns 2 (50 %) i registerförteckningen." in flat
    assert "3 av 5 enheter (60 %) har lämnat sin uppföljning" in flat
    # The KPI table row of Socialförvaltningen: 4 assets, 50 % classified (−25 points), 2 overdue.
    assert soc["assets"]["value"] == 4 and soc["actions_overdue"]["value"] == 2
    assert round(soc["classification_coverage"]["value"] * 100) == 50
    # The key-figure table, read cell by cell from the PDF's table structure. Administration
    # names recur across municipalities: the row names the municipality too.
    kpi_table = table_rows(structure(pdf).find("Table")[0])
    row = next(r for r in kpi_table if r[0] == "Socialförvaltningen, Askersund")
    assert row[1:5] == ["4 (±0)", "50 % (−25)", "50 % (±0)", "2 (+2)"]
    # Å, ä, ö, the en dash and the minus sign survive the embedded fonts.
    assert "Informationssäkerhet – lägesrapport för alla kommuner" in text
    assert "Organisationskontroll" in text and "Gemensamma förvaltningsobjekt" in text
    assert "Datakällor" in text and "Försenade åtgärder över tid" in text


def test_no_asset_names_risk_texts_or_people(data):
    text = pdf_text(report_pdf(data))
    for secret in ("Tillgång X1", "X1", "R1", "AC1", "Anna", "Eva", "Gus", "IT-enheten"):
        assert secret not in text.split() and f"Tillgång {secret}" not in text
    assert "Tillgång X" not in text


def test_scope_and_period(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    with Session(sqlite_engine) as session:
        data = gather_report(session, period_end("2026-Q3"), scope="1882-SOC", period="2026-Q3")
    assert data["as_of"] == "2026-09-30" and data["period"] == "2026-Q3"
    assert data["municipalities"] == []
    assert [a["code"] for a in data["administrations"]] == ["1882-SOC"]
    # 1882-SOC as of 2026-09-30: X3, X4, X5, X6; current X4 (review 2026-10-01), X5, X6 → 3 of 4.
    assert data["headline"]["assets"]["value"] == 4
    assert data["headline"]["classified_current"]["value"] == 3
    text = pdf_text(report_pdf(data))
    assert "lägesrapport för Socialförvaltningen" in text
    assert "Period 2026-Q3, läget per 30 sep. 2026" in text


def test_period_helpers():
    assert period_end("2026-Q3") == dt.date(2026, 9, 30)
    assert period_end("2024-Q1") == dt.date(2024, 3, 31)
    assert period_of(dt.date(2026, 11, 28)) == "2026-Q4"
    with pytest.raises(ReportError):
        period_end("2026-Q5")


def test_unknown_or_invisible_scope_is_refused(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    committee = Viewer("committee", "nämnd", municipality_codes=frozenset({"1861"}))
    with Session(sqlite_engine) as session:
        with pytest.raises(ReportError):
            gather_report(session, kpi_data.AS_OF, scope="9999")
        with pytest.raises(ReportError):
            gather_report(session, kpi_data.AS_OF, committee, scope="1882")
        data = gather_report(session, kpi_data.AS_OF, committee)
    # The committee of Hallsberg sees Hallsberg only, and no governance-object detail.
    assert [m["code"] for m in data["municipalities"]] == ["1861"]
    assert data["headline"]["assets"]["value"] == 3
    assert data["objects"] == [] and data["objects_visible"] is False


def test_stale_sources_are_flagged(sqlite_engine):
    from etl import models as m

    kpi_data.build_store(sqlite_engine)
    with Session(sqlite_engine) as session, session.begin():
        source = session.query(m.Source).one()
        load = m.Load(
            run_id="r1",
            source_id=source.id,
            file_name="soc.xlsx",
            sha256="0" * 64,
            started_at=dt.datetime(2026, 8, 1, 9, 0),
            finished_at=dt.datetime(2026, 8, 1, 9, 1),
            outcome="accepted",
        )
        session.add(load)
        session.flush()
        source.current_load_id = load.id
    with Session(sqlite_engine) as session:
        data = gather_report(session, kpi_data.AS_OF)
    (src,) = data["lineage"]
    assert src["age_days"] == 119 and src["stale"] is True
    assert any("90 dagar" in s for s in summary_sentences(data))
    content = build_content(data)
    assert content.lineage.rows[0][2:] == [
        "soc.xlsx",
        "2026-08-01",
        "119 dagar",
        "Inaktuell (över 90 dagar)",
    ]


def test_cli_writes_pdf_and_reports_bad_input(store_url, engine, tmp_path):
    kpi_data.build_store(engine)
    out = tmp_path / "rapport.pdf"
    result = runner.invoke(
        app,
        ["report", "--out", str(out), "--period", "2026-Q3", "--database-url", store_url],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert "läget per 30 sep. 2026" in pdf_text(out.read_bytes())
    bad = runner.invoke(
        app, ["report", "--out", str(out), "--scope", "XX", "--database-url", store_url]
    )
    assert bad.exit_code == 2 and "Okänd kommun eller förvaltning" in bad.output
    assert "Traceback" not in bad.output
    both = runner.invoke(
        app,
        [
            "report",
            "--out",
            str(out),
            "--as-of",
            "2026-11-28",
            "--period",
            "2026-Q3",
            "--database-url",
            store_url,
        ],  # fmt: skip
    )
    assert both.exit_code == 2


def test_ciso_report_names_no_municipality_outside_scope(sqlite_engine):
    kpi_data.build_store(sqlite_engine)
    ciso = Viewer("ciso", "Eva", municipality_codes=frozenset({"1882"}))
    with Session(sqlite_engine) as session:
        data = gather_report(session, kpi_data.AS_OF, ciso)
    # GO-EK is shared with Hallsberg: counted, not named.
    assert build_content(data).objects.rows[0][:3] == [
        "Ekonomisystem",
        "Sydnärke IT",
        "Askersund och 1 kommun till",
    ]
    assert "Hallsberg" not in json.dumps(data, ensure_ascii=False)
    assert "Hallsberg" not in pdf_text(report_pdf(data))
