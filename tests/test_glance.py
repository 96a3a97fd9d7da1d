"""The CISO's glance on Översikt: maturity, coverage and overdue actions per administration and
per shared object, counted by hand on tests/kpi_data.py (as of 2026-11-28).

1882-KLF: X1 current and analysed, X2 expired (2022 + 36 months) and its analysis too old:
50 % / 50 %; overdue: none of its own (AC1 due 2026-12-31), the provider's AC5 and AC6 of GO-EK,
in which it takes part by name: 2. 1882-SOC: X5 and X6 current of X3–X6, X5 and X6 analysed:
50 % / 50 %; AC7 and AC3 overdue: 2. GO-EK: X1 and X5 current and analysed: 100 % / 100 %;
AC5 and AC6 overdue: 2.
"""

from __future__ import annotations

import pytest
from flask import Flask, g
from sqlalchemy.orm import Session

from dashboard import store
from dashboard.queries.overview import glance_rows
from dashboard.queries.viewer import Viewer
from tests.kpi_data import AS_OF, build_store
from tests.pages import build_app, page_module

CISO = Viewer("ciso", name="eva", municipality_codes=frozenset({"1882"}))
OFFICER = Viewer("security_officer", name="so", administration_codes=frozenset({"1882-KLF"}))
MANAGER = Viewer("manager", name="bo", unit_codes=frozenset({"1882-SOC-IFO"}))


def by_code(frame) -> dict[str, dict]:
    return {
        row["code"]: {
            "type": row["scope_type"],
            "classified": row["classification_coverage"],
            "analysed": row["risk_analysis_coverage"],
            "overdue": row["actions_overdue"],
        }
        for row in frame.to_dict("records")
    }


def test_ciso_sees_administrations_and_objects(sqlite_engine):
    build_store(sqlite_engine)
    with Session(sqlite_engine) as session:
        rows = by_code(glance_rows(session, AS_OF, CISO))
    assert rows == {
        "1882-KLF": {"type": "administration", "classified": 0.5, "analysed": 0.5, "overdue": 2},
        "1882-SOC": {"type": "administration", "classified": 0.5, "analysed": 0.5, "overdue": 2},
        "GO-EK": {"type": "governance_object", "classified": 1.0, "analysed": 1.0, "overdue": 2},
    }


@pytest.mark.parametrize(
    ("viewer", "codes"),
    [(OFFICER, ["1882-KLF", "GO-EK"]), (MANAGER, [])],
)
def test_other_roles_see_their_part(sqlite_engine, viewer, codes):
    build_store(sqlite_engine)
    with Session(sqlite_engine) as session:
        assert list(glance_rows(session, AS_OF, viewer)["code"]) == codes


def test_glance_table_on_the_overview(sqlite_engine):
    build_store(sqlite_engine)
    build_app(sqlite_engine)
    overview = page_module("/")
    try:
        with Flask(__name__).test_request_context() as context:
            context.app.config["INFOSAK_AUTH"] = True
            g.infosak_viewer = CISO
            table = overview.update_glance({"as_of": AS_OF.isoformat(), "lang": "sv"})
    finally:
        store.configure(None)
    body = table.children.children[2].children
    cells = {row.children[0].children: [c.children for c in row.children[1:]] for row in body}
    # Columns: self-assessed and evidence maturity, classified, risk-analysed, overdue.
    assert cells["Kommunledningsförvaltningen"][2:] == ["50\u00a0%", "50\u00a0%", "2"]
    assert cells["Ekonomisystem (objekt)"][2:] == ["100\u00a0%", "100\u00a0%", "2"]


def test_too_many_administrations_ask_for_a_municipality(sqlite_engine, monkeypatch):
    from dashboard.queries import overview as overview_queries

    build_store(sqlite_engine)
    monkeypatch.setattr(overview_queries, "MAX_GLANCE_ADMINISTRATIONS", 2)
    with Session(sqlite_engine) as session:
        assert glance_rows(session, AS_OF, Viewer("admin", name="root")) is None
        # Askersund alone has two: shown.
        assert len(glance_rows(session, AS_OF, CISO)) == 3
