"""Säkerhetsskydd through every list, export, report and reminder (DESIGN §5), on SQLite and
PostgreSQL: a viewer of every role reads everything the dashboard and the reminders can hand out
about Askersund; only the protection officer's reading names the protected asset X11 or links to
it (tests/protected_data.py). Counts still include it.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dashboard.export import ExportColumn, export_query
from dashboard.export_workbook import build_scope_workbook
from dashboard.queries.actions import action_grid_select, actions_block, actions_export_select
from dashboard.queries.coverage import asset_gap_select, shared_owner_gap_select
from dashboard.queries.governance import object_actions, party_summary
from dashboard.queries.my_unit import hidden_unit_actions, reviews_due, unit_actions, unit_assets
from dashboard.queries.risks import high_risks_without_action, risk_list_select
from dashboard.queries.viewer import SYSTEM, Viewer
from dashboard.report.gather import gather_report
from etl import models as m
from etl.kpi.compute import compute_kpis
from etl.kpi.mart import forget as forget_kpi_mart
from etl.reminders import build_digests, digest_html, digest_text
from infosak_cli import app as cli
from tests import kpi_data
from tests.protected_data import PROTECTED, add_protected_asset
from tests.xlsx_table import sheet_table

AS_OF = kpi_data.AS_OF
GRID = {"startRow": 0, "endRow": 500, "sortModel": [], "filterModel": {}}
ASKERSUND = frozenset({"1882"})
SOC = frozenset({"1882-SOC"})
VIEWERS = {
    "admin": Viewer("admin", "root"),
    "ciso": Viewer("ciso", "Eva", municipality_codes=ASKERSUND),
    "security_officer": Viewer("security_officer", "So", administration_codes=SOC),
    "admin_head": Viewer("admin_head", "Head", administration_codes=SOC),
    "manager": Viewer("manager", "Bo", unit_codes=frozenset({"1882-SOC-IFO", "1882-KLF-IT"})),
    "committee": Viewer("committee", "KS", municipality_codes=ASKERSUND),
    "dpo": Viewer("dpo", "Ina", municipality_codes=ASKERSUND),
    "protection_officer": Viewer("protection_officer", "Jon", municipality_codes=ASKERSUND),
}


@pytest.fixture
def store(engine):
    kpi_data.build_store(engine)
    add_protected_asset(engine)  # bypasses the ETL: the KPI mart is told
    forget_kpi_mart(engine)
    yield engine


def _rows(session, query) -> str:
    return json.dumps(
        [list(r) for r in session.execute(query).all()], default=str, ensure_ascii=False
    )


def _workbook_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content))
    return json.dumps(
        [[ws.title, *ws.iter_rows(values_only=True)] for ws in book.worksheets],
        default=str,
        ensure_ascii=False,
    )


def readings(session: Session, viewer: Viewer) -> dict[str, str]:
    """Everything the viewer can get about Askersund, as text, per list or export."""
    units = ("1882-SOC-IFO", "1882-KLF-IT")
    object_ids = list(session.scalars(select(m.GovernanceObject.id)))
    grid = actions_block(session, viewer, GRID, AS_OF)
    export = actions_export_select(AS_OF, viewer, GRID)
    columns = [ExportColumn(c.key, c.key) for c in export.selected_columns]
    out = {
        "actions grid": json.dumps(grid, default=str, ensure_ascii=False),
        "actions export": _workbook_text(export_query(session, export, columns, sheet_title="x")[0]),
        "risk list": _rows(session, risk_list_select(AS_OF, viewer)),
        "high risks": high_risks_without_action(session, AS_OF, viewer)[0].to_json(force_ascii=False),
        "asset gaps": _rows(session, asset_gap_select(AS_OF, viewer)),
        "shared owners": _rows(session, shared_owner_gap_select(AS_OF, viewer)),
        "object actions": object_actions(session, AS_OF, object_ids, viewer).to_json(force_ascii=False),
        "scope workbook": _workbook_text(build_scope_workbook(session, viewer, AS_OF)),
        "report": json.dumps(gather_report(session, AS_OF, viewer, scope="1882")
                             if viewer.role not in ("security_officer", "admin_head", "manager")
                             else gather_report(session, AS_OF, viewer, scope="1882-SOC")
                             if viewer.role != "manager" else {}, ensure_ascii=False),
    }  # fmt: skip
    for unit in units:
        assets = unit_assets(session, AS_OF, unit, viewer)[0]
        out[f"Min enhet {unit} assets"] = assets.to_json(force_ascii=False, default_handler=str)
        out[f"Min enhet {unit} reviews"] = reviews_due(assets, AS_OF).to_json(
            force_ascii=False, default_handler=str
        )
        out[f"Min enhet {unit} actions"] = unit_actions(session, AS_OF, unit, viewer)[0].to_json(
            force_ascii=False, default_handler=str
        )
    return out


def _named(text: str) -> list[str]:
    return [p for p in PROTECTED if re.search(p, text)]


@pytest.mark.parametrize("role", sorted(set(VIEWERS) - {"protection_officer"}))
def test_no_list_or_export_names_a_protected_asset(store, role):
    with Session(store) as session:
        found = {name: _named(text) for name, text in readings(session, VIEWERS[role]).items()}
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_protection_officer_gets_them(store):
    """Control: the same readings name X11, its risk and both actions for the protection
    officer, so the test above would see a leak."""
    with Session(store) as session:
        found = readings(session, VIEWERS["protection_officer"])
    assert "AC11" in found["actions grid"] and "AC12" in found["actions grid"]
    assert "AC11" in found["actions export"] and "Pia Skydd" in found["actions export"]
    assert "AC11" in found["Min enhet 1882-SOC-IFO actions"]
    assert "Skyddat larmsystem" in found["Min enhet 1882-SOC-IFO assets"]
    assert "Intrång i larmcentral" in found["risk list"]
    assert "R11" in found["risk list"]  # (it has actions: not among the high risks without)
    assert "X11" in found["asset gaps"] and "X11" in found["shared owners"]
    assert "AC12" in found["object actions"]
    assert all(p in found["scope workbook"] for p in ("X11", "R11", "AC11", "AC12"))


def test_counts_still_include_them(store):
    """Counts may include protected assets, unnamed: the CISO's numbers count X11 and AC11."""
    with Session(store) as session:
        kpis = compute_kpis(session, AS_OF, VIEWERS["ciso"], scope_types=["unit"])
        objects = list(session.scalars(select(m.GovernanceObject.id)))
        summary = party_summary(session, AS_OF, objects, SYSTEM)
    row = kpis[(kpis["scope_id"] == "1882-SOC-IFO") & (kpis["metric"] == "assets")]
    assert int(row["value"].iloc[0]) == 4  # X3, X4, X5 and X11
    overdue = kpis[(kpis["scope_id"] == "1882-SOC-IFO") & (kpis["metric"] == "actions_overdue")]
    assert int(overdue["value"].iloc[0]) == 2  # AC7 and AC11
    assert not summary.empty
    # Min enhet says how many it leaves out.
    with Session(store) as session:
        assert hidden_unit_actions(session, "1882-SOC-IFO", VIEWERS["ciso"]) == 1
        assert hidden_unit_actions(session, "1882-SOC-IFO", VIEWERS["protection_officer"]) == 0
        assert hidden_unit_actions(session, "1882-SOC-IFO", VIEWERS["committee"]) == 0
        assert unit_assets(session, AS_OF, "1882-SOC-IFO", VIEWERS["ciso"])[2] == 1


def _sheet_codes(book, title: str) -> list[str]:
    if title not in book.sheetnames:
        return []
    return [r[0] for r in sheet_table(book[title])[1]]


def test_the_pages_and_the_workbook_hold_the_same_rows(store):
    """One scope rule for the pages and the report workbook (it listed actions of other
    municipalities' units in a visible shared object, and risks of their assets): per role, the
    workbook's actions are the actions grid's and its risks the risk list's."""
    fia = Viewer("ciso", "Fia", municipality_codes=frozenset({"1861"}))
    for viewer in [*VIEWERS.values(), fia, SYSTEM]:
        with Session(store) as session:
            grid = session.scalars(
                action_grid_select(AS_OF, viewer).with_only_columns(m.Action.code)
            ).all()
            risks = session.scalars(
                risk_list_select(AS_OF, viewer).with_only_columns(m.Risk.code)
            ).all()
            book = load_workbook(io.BytesIO(build_scope_workbook(session, viewer, AS_OF)))
        assert sorted(_sheet_codes(book, "Åtgärder")) == sorted(grid), viewer.role
        assert sorted(_sheet_codes(book, "Risker")) == sorted(risks), viewer.role
    # Hallsberg's CISO sees GO-EK, but neither AC12 (an action of Askersund's unit in it) nor
    # R1 (a risk of Askersund's asset X1 in it).
    with Session(store) as session:
        book = load_workbook(io.BytesIO(build_scope_workbook(session, fia, AS_OF)))
    assert "AC12" not in _sheet_codes(book, "Åtgärder") and "AC5" in _sheet_codes(book, "Åtgärder")
    assert "R1" not in _sheet_codes(book, "Risker") and "R8" in _sheet_codes(book, "Risker")


def test_reminders_count_protected_actions_unnamed(store):
    """Pia is responsible for AC11 (overdue) and AC12 (due soon), both on X11's risk; Bo manages
    X11's unit. Nobody's digest names X11, its risk or the actions; Pia's counts them."""
    with Session(store) as session:
        digests = build_digests(session, AS_OF)
    texts = {d.name: digest_text(d, AS_OF) + digest_html(d, AS_OF) for d in digests}
    # Pia's own name greets her; nothing else of X11 may appear.
    hits = {n: [p for p in _named(t) if p != "Pia Skydd"] for n, t in texts.items()}
    assert {name: found for name, found in hits.items() if found} == {}
    pia = next(d for d in digests if d.email == "pia@ex.se")
    assert pia.overdue == [] and pia.due_soon == [] and pia.protected_actions == 2
    assert "2 åtgärd(er) med säkerhetsskydd" in texts[pia.name]
    url = store.url.render_as_string(hide_password=False)
    dry = CliRunner().invoke(cli, ["remind", "--as-of", AS_OF.isoformat(), "--dry-run",
                                   "--database-url", url])  # fmt: skip
    assert dry.exit_code == 0, dry.output
    assert "Pia Skydd <pia@ex.se>: 0 försenade åtgärder, 0 inom 14 dagar, 0 klassningar att se " \
        "över, 2 åtgärder med säkerhetsskydd" in dry.output  # fmt: skip
    assert _named(dry.output.replace("Pia Skydd", "")) == []
