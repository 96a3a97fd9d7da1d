"""The report's funnel, summed from the rows the report reads anyway, is the overview's funnel
(funnel_stages) for every role and scope, from the mart and computed on demand."""

from __future__ import annotations

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session

from dashboard.queries.overview import funnel_stages
from dashboard.queries.viewer import SYSTEM, Viewer
from dashboard.report.gather import ReportError, gather_report
from etl import models as m
from etl.kpi.snapshot import refresh_mart
from tests import kpi_data
from tests.kpi_data import AS_OF

VIEWERS = [
    SYSTEM,
    Viewer("admin", "a"),
    Viewer("ciso", "c", municipality_codes=frozenset({"1882"})),
    Viewer("ciso", "c2", municipality_codes=frozenset({"1882", "1861"})),
    Viewer("committee", "k", municipality_codes=frozenset({"1882"})),
    Viewer("dpo", "d", municipality_codes=frozenset({"1861"})),
    Viewer("security_officer", "s", administration_codes=frozenset({"1882-KLF"})),
    Viewer("admin_head", "h", administration_codes=frozenset({"1882-SOC"})),
    Viewer("manager", "m", unit_codes=frozenset({"1882-KLF-IT"})),
]
SCOPES = [None, "1882", "1861", "1882-SOC", "1882-KLF"]


@pytest.fixture
def store(engine):
    kpi_data.build_store(engine)
    assert refresh_mart(engine, AS_OF)
    return engine


def _filters(scope: str | None) -> dict:
    if scope and "-" in scope:
        return {"municipality": scope.split("-")[0], "administration": scope}
    return {"municipality": scope, "administration": None}


def _overview_funnel(db, viewer, scope) -> list[dict]:
    frame = funnel_stages(db, AS_OF, viewer, **_filters(scope))
    return [
        {"stage": r.stage, "label": r.label_sv, "count": int(r.count)}
        for r in frame.itertuples(index=False)
    ]


def _compare(db) -> int:
    compared = 0
    for viewer in VIEWERS:
        for scope in SCOPES:
            try:
                funnel = gather_report(db, AS_OF, viewer, scope=scope)["funnel"]
            except ReportError:
                continue  # a scope the viewer may not see
            assert funnel == _overview_funnel(db, viewer, scope), (viewer.role, scope)
            compared += 1
    return compared


def test_the_report_funnel_is_the_overviews_from_the_mart_and_on_demand(store):
    with Session(store) as s:
        assert _compare(s) > len(VIEWERS)
        assert any(stage["count"] > 0 for stage in gather_report(s, AS_OF, SYSTEM)["funnel"][1:])
        s.execute(delete(m.KpiMartDate))
        assert _compare(s) > len(VIEWERS)
        s.rollback()


def test_the_countrys_report_reads_the_mart_once_per_scope_type_and_date(store):
    """The municipalities', administrations' and objects' rows as of the report date and the
    quarter before: six reads of the mart, the funnel's metrics among the first (the funnel
    read them a seventh time)."""
    from sqlalchemy import event

    reads: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("SELECT kpi_mart.scope_id"):
            reads.append(statement)

    with Session(store) as s:
        event.listen(store, "before_cursor_execute", record)
        try:
            gather_report(s, AS_OF, SYSTEM)
        finally:
            event.remove(store, "before_cursor_execute", record)
    assert len(reads) == 6, reads
