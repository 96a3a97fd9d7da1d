"""Täckning's gap counts kept beside the KPI mart (etl/kpi/coverage_gaps.py): the page shows the
same from them as computed on demand, and they follow loads.

Hand-counted store: tests/kpi_data.py as of 2026-11-28, with X8 (Hallsberg 1861, Förskola; no
classification, risk analysis within 36 months) made säkerhetsskydd as well as X7 (no gap).
Hallsberg's assets X7, X8, X9:
  any: X8, X9 → 2; classification: X8 → 1; expired: 0; risk analysis: X9 (exactly 36 months
  old) → 1; register: 0; shared owners who did not take part: X9's three owners → 3.
Without säkerhetsskydd assets (everyone but the protection officer) X8 drops out: 1/0/0/1/0/3.
The country (tests/test_page_coverage.py's hand count 6/4/2/4/2, owners 4) without X8:
5/3/2/4/2, owners 4.
"""

from __future__ import annotations

import datetime as dt
import json

import flask
import plotly.utils
import pytest
from sqlalchemy import select, update

from dashboard import output_cache, store
from dashboard.queries.viewer import Viewer
from etl import models as m
from etl.kpi import coverage_gaps, mart
from etl.kpi.snapshot import refresh_mart
from tests.generated_store import BACKENDS, loaded_generated_store
from tests.kpi_data import AS_OF, build_store
from tests.pages import build_app, page_module
from tests.test_kpi_mart_update import TODAY, csv_rows, set_cell, upload

ADMIN = Viewer("admin", name="anna")
CISO_1861 = Viewer("ciso", name="bo", municipality_codes=frozenset({"1861"}))
CISO_1882 = Viewer("ciso", name="cia", municipality_codes=frozenset({"1882"}))
COMMITTEE = Viewer("committee", name="dan", municipality_codes=frozenset({"1882"}))
PROTECTION = Viewer("protection_officer", name="eva", municipality_codes=frozenset({"1861"}))
VIEWERS = (ADMIN, CISO_1861, CISO_1882, COMMITTEE, PROTECTION)
FILTER_SETS = (
    {},
    {"municipality": "1861"},
    {"municipality": "1882"},
    {"administration": "1861-BUF"},
)
# Blocks of every size the grid asks for, and small ones that end inside the walk's groups.
BLOCKS = (
    {"startRow": 0, "endRow": 100},
    {"startRow": 0, "endRow": 2},
    {"startRow": 2, "endRow": 4},
    {"startRow": 5, "endRow": 7},
    {"startRow": 50, "endRow": 60},
)
GAPS = ("any", "classification", "expired", "risk_analysis", "register")


@pytest.fixture
def hand_counted(engine):
    build_store(engine)
    with engine.begin() as conn:
        conn.execute(update(m.Asset).where(m.Asset.code == "X8").values(security_protection=True))
    assert refresh_mart(engine, AS_OF)
    app = build_app(engine)
    app.server.config["INFOSAK_AUTH"] = True  # the viewer is the one set on each request
    yield engine, app.server
    output_cache.clear()
    store.configure(None)


def _json(value) -> str:
    return json.dumps(value, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True)


def page_outputs(server: flask.Flask) -> dict:
    """Every output of Täckning's summary and grids for every viewer and filter set."""
    page = page_module("/tackning")
    outputs = {}
    for viewer in VIEWERS:
        for where in FILTER_SETS:
            filters = {"as_of": AS_OF.isoformat(), "lang": "sv", **where}
            with server.test_request_context("/"):
                flask.g.infosak_viewer = viewer
                output_cache.clear()
                key = (viewer.role, viewer.name, tuple(where.items()))
                outputs[(*key, "summary")] = _json(page.update_summary(filters))
                for block in BLOCKS:
                    for gap in GAPS:
                        rows = page.gap_rows(block, filters, gap)
                        outputs[(*key, "gaps", gap, block["startRow"], block["endRow"])] = _json(
                            rows
                        )
                    outputs[(*key, "owners", block["startRow"])] = _json(
                        page.owner_rows(block, filters)
                    )
    return outputs


def stored(engine, codes, protected: bool) -> dict[str, int] | None:
    with engine.connect() as conn:
        return coverage_gaps.stored_counts(conn, AS_OF, codes, protected=protected)


def test_the_page_shows_the_same_from_the_stored_counts_as_on_demand(hand_counted):
    engine, server = hand_counted
    with engine.connect() as conn:
        assert mart.holds(conn, AS_OF)
    hallsberg = {"any": 2, "classification": 1, "expired": 0, "risk_analysis": 1, "register": 0}
    assert stored(engine, ["1861"], True) == {**hallsberg, "shared_owner": 3}
    assert stored(engine, ["1861"], False) == {
        **hallsberg, "any": 1, "classification": 0, "shared_owner": 3,
    }  # fmt: skip
    assert stored(engine, None, False) == {
        "any": 5, "classification": 3, "expired": 2, "risk_analysis": 4, "register": 2,
        "shared_owner": 4,
    }  # fmt: skip
    from_store = page_outputs(server)

    mart.forget(engine)  # every count and list computed on demand
    assert stored(engine, ["1861"], True) is None
    on_demand = page_outputs(server)
    differing = [key for key in on_demand if from_store[key] != on_demand[key]]
    assert not differing, differing[:5]

    # The hand counts on the page, and säkerhetsskydd kept: X8 is listed for the protection
    # officer only.
    def labels(key):
        return [o["label"] for o in json.loads(on_demand[key])[1]]

    assert labels(("protection_officer", "eva", (), "summary"))[:2] == [
        "saknar något (2)",
        "saknar aktuell klassning (1)",
    ]
    assert labels(("ciso", "bo", (), "summary"))[:2] == [
        "saknar något (1)",
        "saknar aktuell klassning (0)",
    ]
    assert labels(("admin", "anna", (), "summary"))[0] == "saknar något (5)"
    assert labels(("committee", "dan", (), "summary"))[0] == "saknar något (0)"

    def codes(key):
        return [r["asset_code"] for r in json.loads(on_demand[key])["rowData"]]

    assert codes(("protection_officer", "eva", (), "gaps", "any", 0, 100)) == ["X8", "X9"]
    assert codes(("ciso", "bo", (), "gaps", "any", 0, 100)) == ["X9"]
    assert "X8" not in codes(("admin", "anna", (), "gaps", "any", 0, 100))
    assert codes(("committee", "dan", (), "gaps", "any", 0, 100)) == []


def test_the_country_list_reads_its_blocks_in_the_default_order(hand_counted):
    """The walk over (administration, unit) names gives the rows and count of the full sort:
    every block of two rows, in order, makes up the whole list."""
    engine, server = hand_counted
    page = page_module("/tackning")
    filters = {"as_of": AS_OF.isoformat(), "lang": "sv"}
    with server.test_request_context("/"):
        flask.g.infosak_viewer = ADMIN
        whole = page.gap_rows({"startRow": 0, "endRow": 100}, filters, "any")
        pieces = []
        for start in range(0, 6, 2):
            output_cache.clear()
            block = page.gap_rows({"startRow": start, "endRow": start + 2}, filters, "any")
            assert block["rowCount"] == 5
            pieces += block["rowData"]
    assert [r["asset_code"] for r in whole["rowData"]] == [r["asset_code"] for r in pieces]
    assert [(r["administration_name"], r["unit_name"]) for r in pieces] == sorted(
        (r["administration_name"], r["unit_name"]) for r in pieces
    )


# --------------------------------------------------------------------------- loads


@pytest.fixture(params=BACKENDS)
def generated(request, tmp_path):
    with loaded_generated_store(request.param, tmp_path, TODAY) as (engine, files):
        yield engine, files


def gap_rows(engine) -> dict[tuple[dt.date, str, str], tuple[int, int, int]]:
    """(as of, municipality, gap) -> (row id, rows_all, rows_unprotected)."""
    t = m.CoverageGap
    with engine.connect() as conn:
        found = conn.execute(
            select(t.as_of, t.municipality_code, t.gap, t.id, t.rows_all, t.rows_unprotected)
        ).all()
    return {tuple(r[:3]): tuple(r[3:]) for r in found}


def recounted(engine) -> dict[tuple[dt.date, str, str], tuple[int, int]]:
    """What a full build would store for the mart's dates."""
    with engine.connect() as conn:
        dates = conn.execute(select(m.KpiMartDate.as_of)).scalars().all()
        rows = [row for day in dates for row in coverage_gaps._rows(conn, day, None)]
    return {(dt.date.fromisoformat(str(r[0])[:10]), r[1], r[2]): (r[3], r[4]) for r in rows}


def test_a_load_of_one_administration_recounts_its_municipality_only(generated):
    engine, files = generated
    before = gap_rows(engine)
    assert {k[0] for k in before} == set(mart.mart_dates(TODAY))
    assert {v[1:] for v in before.values()} != {(0, 0)}
    # 1814-BUF's first asset without personal data gets personal data without a register reference: one more
    # "register" (and, if it had no other gap, "any") gap in 1814 on every date.
    assets = files / "1814-BUF.tillgangar.csv"
    header, *lines = csv_rows(assets)
    first = next(r for r in lines if r[header.index("Personuppgifter")] == "Nej")
    set_cell(assets, first[0], "Personuppgifter", "Ja")
    set_cell(assets, first[0], "Registerförteckning", "")
    upload(engine, assets)
    after = gap_rows(engine)
    assert {k: v[1:] for k, v in after.items()} == recounted(engine)
    moved = {k for k in after if before[k][0] != after[k][0]}
    assert moved and {k[1] for k in moved} == {"1814"}
    for day in mart.mart_dates(TODAY):
        key = (day, "1814", "register")
        assert after[key][1] == before[key][1] + 1


def test_an_unchanged_reload_changes_no_stored_count(generated):
    engine, files = generated
    before = gap_rows(engine)
    upload_again = files / "1882-SOC.tillgangar.csv"
    from etl.load import load_paths

    result = load_paths(engine, [upload_again], today=TODAY)
    assert [f.outcome for f in result.files] == ["unchanged"]
    assert gap_rows(engine) == before
