"""Inläsningar: load-history queries, callbacks and the page in Chromium.

On top of tests/kpi_data.py six loads, newest first:
  L6 rejected, no source (file could not be identified), 1 error        2026-11-21
  L5 rejected, object GO-EK (participants 1882 and 1861), 1 error     2026-11-20
  L4 unchanged, administration 1861-BUF                               2026-11-15
  L3 accepted, administration 1882-KLF, 40 rows                       2026-11-12
  L2 rejected, administration 1882-KLF, 3 errors                      2026-11-10
  L1 accepted, organisation workbook                                  2026-11-01
"""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from sqlalchemy import select

from dashboard import store
from dashboard.queries.loads import (
    format_counts,
    latest_loads,
    latest_rejected_load_id,
    load_errors,
    loads_block,
)
from dashboard.queries.viewer import SYSTEM, Viewer
from etl import models as m
from etl.db import session_factory
from tests.kpi_data import AS_OF, build
from tests.pages import build_app, page_module
from tests.test_page_overview import text_of

FILTERS = {"as_of": AS_OF.isoformat(), "lang": "sv"}
HOSTILE = '<script>alert(1)</script>=HYPERLINK("x")'


def add_loads(session) -> dict[str, int]:
    """Sources and loads of the module docstring; returns load ids by name."""

    def admin(code):
        return session.scalar(select(m.Administration.id).where(m.Administration.code == code))

    go = session.scalar(select(m.GovernanceObject.id).where(m.GovernanceObject.code == "GO-EK"))
    sources = {
        "org": m.Source(key="organisation", kind="organisation"),
        "klf": m.Source(
            key="administration:1882-KLF",
            kind="administration",
            administration_id=admin("1882-KLF"),
        ),
        "buf": m.Source(
            key="administration:1861-BUF",
            kind="administration",
            administration_id=admin("1861-BUF"),
        ),
        "go": m.Source(key="object:GO-EK", kind="object", governance_object_id=go),
    }
    session.add_all(sources.values())
    session.flush()

    def load(name, source, day, outcome, rows=0, counts=None, errors=()):
        item = m.Load(
            run_id=f"run-{name}",
            source_id=sources[source].id if source else None,
            file_name=f"{name}.xlsx",
            sha256=name * 8,
            started_at=dt.datetime.combine(day, dt.time(10, 5)),
            finished_at=dt.datetime.combine(day, dt.time(10, 6)),
            outcome=outcome,
            rows_total=rows,
            counts_json=json.dumps(counts or {}),
            error_count=len(errors),
        )
        session.add(item)
        session.flush()
        for sheet, row, column, value, text in errors:
            session.add(
                m.LoadError(
                    load_id=item.id,
                    sheet=sheet,
                    row=row,
                    column=column,
                    value=value,
                    message_sv=text,
                    message_en=f"EN {text}",
                )
            )
        return item.id

    ids = {
        "L1": load("L1", "org", dt.date(2026, 11, 1), "accepted", 50, {"Kommuner": 2}),
        "L2": load(
            "L2",
            "klf",
            dt.date(2026, 11, 10),
            "rejected",
            0,
            errors=[
                ("Tillgångar", 7, "Personuppgifter", HOSTILE, "Okänt värde"),
                ("Tillgångar", 3, "Ägarenhet", "X", "Enheten finns inte"),
                (None, None, None, None, "Filen saknar bladet Risker"),
            ],
        ),
        "L3": load(
            "L3", "klf", dt.date(2026, 11, 12), "accepted", 40, {"Tillgångar": 30, "Risker": 10}
        ),
        "L4": load("L4", "buf", dt.date(2026, 11, 15), "unchanged", 12),
        "L5": load(
            "L5",
            "go",
            dt.date(2026, 11, 20),
            "rejected",
            0,
            errors=[("Risker", 2, "Sannolikhet", "9", "Utanför skalan 1–4")],
        ),
        "L6": load(
            "L6",
            None,
            dt.date(2026, 11, 21),
            "rejected",
            0,
            errors=[(None, None, None, None, "Okänd filtyp")],
        ),
    }
    return ids


@pytest.fixture
def loads_store(engine):
    with session_factory(engine)() as session, session.begin():
        build(session)
        ids = add_loads(session)
    store.configure(engine)
    yield ids
    store.configure(None)


def _names(df):
    return [f.removesuffix(".xlsx") for f in df["file_name"]]


def test_latest_loads_newest_first_and_filtered(loads_store):
    with store.read_session() as s:
        assert _names(latest_loads(s, SYSTEM)) == ["L6", "L5", "L4", "L3", "L2", "L1"]
        assert _names(latest_loads(s, SYSTEM, limit=2)) == ["L6", "L5"]
        # A municipality sees its administrations, the objects it takes part in, the org file.
        assert _names(latest_loads(s, SYSTEM, municipality="1882")) == ["L5", "L3", "L2", "L1"]
        assert _names(latest_loads(s, SYSTEM, municipality="1861")) == ["L5", "L4", "L1"]
        assert _names(latest_loads(s, SYSTEM, municipality="1882", administration="1882-KLF")) == [
            "L3",
            "L2",
        ]
        df = latest_loads(s, SYSTEM, administration="1882-KLF")
        assert list(df["source_name"]) == ["Kommunledningsförvaltningen"] * 2


def test_viewer_scope(loads_store):
    officer_soc = Viewer("security_officer", administration_codes=frozenset({"1882-SOC"}))
    officer_klf = Viewer("security_officer", administration_codes=frozenset({"1882-KLF"}))
    ciso = Viewer("ciso", municipality_codes=frozenset({"1882"}))
    manager = Viewer("manager", unit_codes=frozenset({"1861-BUF-GR"}))
    with store.read_session() as s:
        assert _names(latest_loads(s, officer_soc)) == []
        assert _names(latest_loads(s, officer_klf)) == ["L3", "L2"]
        assert _names(latest_loads(s, ciso)) == ["L5", "L3", "L2"]
        assert _names(latest_loads(s, manager)) == ["L4"]
        # A forged request for another administration's errors gets nothing.
        errors, total = load_errors(s, officer_soc, loads_store["L2"])
        assert errors.empty and total == 0
        errors, total = load_errors(s, officer_klf, loads_store["L2"])
        assert total == 3
        committee = Viewer("committee", municipality_codes=frozenset({"1882"}))
        assert load_errors(s, committee, loads_store["L2"])[1] == 0


def test_errors_in_workbook_order_with_language(loads_store):
    with store.read_session() as s:
        errors, total = load_errors(s, SYSTEM, loads_store["L2"])
        assert total == 3
        assert list(errors["message"]) == [
            "Filen saknar bladet Risker",
            "Enheten finns inte",
            "Okänt värde",
        ]
        assert list(errors["row"].fillna(0).astype(int)) == [0, 3, 7]
        english, _ = load_errors(s, SYSTEM, loads_store["L2"], lang="en")
        assert english["message"].iloc[0] == "EN Filen saknar bladet Risker"
        limited, total = load_errors(s, SYSTEM, loads_store["L2"], limit=1)
        assert len(limited) == 1 and total == 3
        assert load_errors(s, SYSTEM, None)[1] == 0
        assert latest_rejected_load_id(s, SYSTEM) == loads_store["L6"]
        assert latest_rejected_load_id(s, SYSTEM, municipality="1861") == loads_store["L5"]
        assert latest_rejected_load_id(s, SYSTEM, administration="1861-BUF") is None


def test_grid_block_sorted_filtered_and_formatted(loads_store):
    with store.read_session() as s:
        block = loads_block(s, SYSTEM, {"startRow": 0, "endRow": 100})
        assert block["rowCount"] == 6
        first = block["rowData"][0]
        assert first["file_name"] == "L6.xlsx" and first["outcome_label"] == "Avvisad"
        # Stored 10:05 UTC, shown in Swedish time (CET in November) like every time in the app.
        assert first["started_at"] == "2026-11-21 11:05"
        l3 = next(r for r in block["rowData"] if r["file_name"] == "L3.xlsx")
        assert l3["counts"] == "Tillgångar 30 · Risker 10"
        assert "counts_json" not in l3
        rejected = loads_block(
            s,
            SYSTEM,
            {
                "startRow": 0,
                "endRow": 100,
                "filterModel": {
                    "outcome_label": {"filterType": "text", "type": "equals", "filter": "Avvisad"}
                },
                "sortModel": [{"colId": "error_count", "sort": "desc"}],
            },
        )
        # Ties on the error count keep the default order, newest first.
        assert [r["file_name"] for r in rejected["rowData"]] == ["L2.xlsx", "L6.xlsx", "L5.xlsx"]
        english = loads_block(
            s, SYSTEM, {"startRow": 0, "endRow": 2}, lang="en", municipality="1861"
        )
        assert english["rowCount"] == 3
        assert [r["outcome_label"] for r in english["rowData"]] == ["Rejected", "Unchanged"]


def test_format_counts():
    assert format_counts('{"assets": 3, "risks": 0}') == "Tillgångar 3 · Risker 0"
    assert format_counts('{"risk_analyses": 2}', "en") == "risk analyses 2"
    assert format_counts('{"Okänt blad": 1}') == "Okänt blad 1"
    assert format_counts("not json") == ""
    assert format_counts(None) == ""
    assert format_counts("[1, 2]") == ""


def test_callbacks(sqlite_engine):
    with session_factory(sqlite_engine)() as session, session.begin():
        build(session)
        ids = add_loads(session)
    build_app(sqlite_engine)
    loads = page_module("/inlasningar")

    try:
        response = loads.load_rows(
            {"startRow": 0, "endRow": 100}, {**FILTERS, "municipality": "1882"}
        )
        assert response["rowCount"] == 4
        # Nothing picked: the newest rejected load of the selection is shown.
        panel = loads.show_errors(None, {**FILTERS, "municipality": "1882"})
        assert "L5.xlsx" in text_of(panel) and "Utanför skalan 1–4" in text_of(panel)
        panel = loads.show_errors([{"load_id": ids["L2"]}], FILTERS)
        text = text_of(panel)
        assert "Visar 3 av 3 fel." in text
        # Cell values are text, never markup: the hostile value is a plain string child.
        assert HOSTILE in text
        panel = loads.show_errors([{"load_id": ids["L3"]}], FILTERS)
        assert "Inläsningen har inga fel." in text_of(panel)
        panel = loads.show_errors([{"load_id": "999999"}], {**FILTERS, "lang": "en"})
        assert "Pick a load" in text_of(panel)
        panel = loads.show_errors([{"load_id": "junk"}], {**FILTERS, "administration": "1861-BUF"})
        assert "Ingen fil har avvisats." in text_of(panel)
    finally:
        store.configure(None)


def test_empty_store(sqlite_engine):
    build_app(sqlite_engine)
    loads = page_module("/inlasningar")

    try:
        assert "infosak load" in text_of(loads.layout())
        assert loads.load_rows({"startRow": 0, "endRow": 10}, FILTERS)["rowCount"] == 0
        assert "Ingen fil har avvisats." in text_of(loads.show_errors(None, FILTERS))
    finally:
        store.configure(None)


def test_page_in_browser(dash_duo, sqlite_engine):
    with session_factory(sqlite_engine)() as session, session.begin():
        build(session)
        add_loads(session)
    app = build_app(sqlite_engine)
    dash_duo.start_server(app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/inlasningar?datum={AS_OF.isoformat()}")
    rows = "#inlasningar-grid .ag-center-cols-container .ag-row"
    dash_duo.wait_for_element(rows, timeout=15)
    dash_duo.wait_for_contains_text("#inlasningar-grid", "L6.xlsx", timeout=15)
    assert len(dash_duo.find_elements(rows)) == 6
    dash_duo.wait_for_contains_text("#inlasningar-errors", "Okänd filtyp", timeout=15)
    dash_duo.select_dcc_dropdown("#app-filter-municipality", value="Hallsberg (1861)")
    dash_duo.wait_for_contains_text("#inlasningar-errors", "Utanför skalan", timeout=15)
    # The grid asks the server again: three loads concern Hallsberg.
    deadline = time.time() + 15
    while time.time() < deadline and len(dash_duo.find_elements(rows)) != 3:
        time.sleep(0.25)
    assert len(dash_duo.find_elements(rows)) == 3
    # Clicking a row shows that load's errors.
    dash_duo.find_element("#inlasningar-grid .ag-row[row-index='0'] .ag-cell").click()
    dash_duo.wait_for_contains_text("#inlasningar-errors", "L5.xlsx", timeout=15)
    assert dash_duo.get_logs() == []
    store.configure(None)
