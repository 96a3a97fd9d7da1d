"""The report's overdue trend (one query for all dates) equals compute_kpis' actions_overdue as
of each date, for every municipality, every administration and all municipalities together."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.queries.viewer import SYSTEM, Viewer
from dashboard.report.gather import gather_report
from etl.db import session_factory
from etl.kpi.compute import compute_kpis
from tests import kpi_data
from tests.kpi_data import AS_OF


@pytest.fixture
def store(engine):
    kpi_data.build_store(engine)
    return session_factory(engine)


def _overdue(session, day: dt.date, viewer: Viewer, scope_type: str, code: str | None) -> int:
    frame = compute_kpis(
        session, day, viewer, scope_types=[scope_type], metrics=["actions_overdue"]
    )
    if code is not None:
        frame = frame[frame["scope_id"] == code]
    return int(sum(frame["value"]))


@pytest.mark.parametrize(
    ("code", "scope_type"),
    [(None, "municipality"), ("1882", "municipality"), ("1861", "municipality"),
     ("1882-SOC", "administration"), ("1882-KLF", "administration")],
)  # fmt: skip
def test_overdue_trend_matches_compute_kpis_at_each_date(store, code, scope_type):
    with store() as s:
        trend = gather_report(s, AS_OF, SYSTEM, scope=code)["overdue_trend"]
        assert len(trend) >= 2 and trend[-1]["date"] == AS_OF.isoformat()
        for point in trend:
            day = dt.date.fromisoformat(point["date"])
            assert point["value"] == _overdue(s, day, SYSTEM, scope_type, code), point
    # The data must make the check mean something: some date has overdue actions.
    assert any(p["value"] > 0 for p in trend) or code == "1882-KLF"


def test_overdue_trend_follows_the_viewer_scope(store):
    ciso = Viewer("ciso", name="c", municipality_codes=frozenset({"1861"}))
    with store() as s:
        trend = gather_report(s, AS_OF, ciso, scope=None)["overdue_trend"]
        for point in trend:
            day = dt.date.fromisoformat(point["date"])
            assert point["value"] == _overdue(s, day, ciso, "municipality", None), point


# Hand-counted from tests/kpi_data.py, one value per trend day: 2025-11-30, 2025-12-31, then each
# month-end of 2026 to 2026-10-31, then the report date 2026-11-28. Open actions and when they
# fall due: AC7 (1882-SOC-IFO) 2026-10-15, AC3 (1882-SOC-AO) 2026-11-20, and on the shared object
# GO-EK (no owner unit; participants 1882 with 1882-KLF, and 1861 without an administration)
# AC6 2026-05-01 and AC5 2026-08-01. A shared action counts once for each participating
# municipality and each participating administration named explicitly (docs/metrics.md).
_NONE = [0] * 13
_SHARED = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2]  # AC6 from 2026-05-31, AC5 from 2026-08-31
_SOC = [0] * 11 + [1, 2]  # AC7 from 2026-10-31, AC3 on 2026-11-28
_1882 = [a + b for a, b in zip(_SHARED, _SOC, strict=True)]
_1861 = _SHARED
_ALL = [a + b for a, b in zip(_1882, _1861, strict=True)]  # the shared actions twice

_CISO_1861 = Viewer("ciso", "c", municipality_codes=frozenset({"1861"}))
HAND_COUNTED = {
    "system": (SYSTEM, {None: _ALL, "1882": _1882, "1861": _1861, "1882-KLF": _SHARED,
                        "1882-SOC": _SOC, "1861-BUF": _NONE}),
    "admin": (Viewer("admin", "a"), {None: _ALL, "1882": _1882, "1861": _1861,
                                     "1882-KLF": _SHARED, "1882-SOC": _SOC, "1861-BUF": _NONE}),
    "ciso 1882": (Viewer("ciso", "c", municipality_codes=frozenset({"1882"})),
                  {None: _1882, "1882": _1882, "1882-KLF": _SHARED, "1882-SOC": _SOC}),
    "ciso 1861": (_CISO_1861, {None: _1861, "1861": _1861, "1861-BUF": _NONE}),
    "committee": (Viewer("committee", "k", municipality_codes=frozenset({"1882"})),
                  {None: _1882, "1882": _1882, "1882-SOC": _SOC}),
    "dpo": (Viewer("dpo", "d", municipality_codes=frozenset({"1882"})), {None: _1882}),
    "protection officer": (Viewer("protection_officer", "p",
                                  municipality_codes=frozenset({"1861"})), {None: _1861}),
    # Roles that see no municipality get an all-zero trend for "all", their administration's own.
    "security officer": (Viewer("security_officer", "s",
                                administration_codes=frozenset({"1882-KLF"})),
                         {None: _NONE, "1882-KLF": _SHARED}),
    "administration head": (Viewer("admin_head", "h",
                                   administration_codes=frozenset({"1882-SOC"})),
                            {None: _NONE, "1882-SOC": _SOC}),
    "manager": (Viewer("manager", "m", unit_codes=frozenset({"1882-KLF-IT"})), {None: _NONE}),
}  # fmt: skip


@pytest.mark.parametrize("who", list(HAND_COUNTED))
def test_overdue_trend_is_the_hand_count_for_each_role_and_scope(store, who):
    viewer, expected = HAND_COUNTED[who]
    with store() as s:
        for code, values in expected.items():
            trend = gather_report(s, AS_OF, viewer, scope=code)["overdue_trend"]
            assert [p["value"] for p in trend] == values, (who, code)
            scope_type = "administration" if code and "-" in code else "municipality"
            if scope_type in viewer.visible_scope_types:
                # ... and what compute_kpis counts, date by date, for the same viewer and scope.
                for point in trend:
                    day = dt.date.fromisoformat(point["date"])
                    assert point["value"] == _overdue(s, day, viewer, scope_type, code), (
                        who,
                        code,
                        point,
                    )


def test_overdue_trend_days_are_the_month_ends_then_the_report_date(store):
    with store() as s:
        trend = gather_report(s, AS_OF, SYSTEM)["overdue_trend"]
    assert [p["date"] for p in trend] == [
        "2025-11-30", "2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30",
        "2026-05-31", "2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31",
        "2026-11-28",
    ]  # fmt: skip


def test_the_country_trend_counts_a_shared_action_once_per_participating_municipality(store):
    """The country's trend (every municipality a viewer who sees everything may see) is summed
    from the (status, due date) index, without joining each owned action to its municipality;
    its sums stay overdue_by_day's. A shared action on an object without participants counts
    for no municipality; one with an administration participant still once per municipality."""
    from sqlalchemy import select

    from etl import models as m
    from etl.kpi.dates import overdue_trend_days
    from etl.kpi.facts import overdue_by_day
    from etl.kpi.scope import build_scope

    with store() as s:
        source = s.scalars(select(m.Source.id)).first()
        lonely = m.GovernanceObject(code="GO-NONE", name="Utan deltagare")
        s.add(lonely)
        s.flush()
        go = s.scalars(select(m.GovernanceObject).where(m.GovernanceObject.code == "GO-EK")).one()
        for code, obj, due in (("AC-NONE", lonely, dt.date(2026, 3, 2)),
                               ("AC-EK", go, dt.date(2026, 1, 31))):  # fmt: skip
            s.add(m.Action(code=code, title=code, governance_object_id=obj.id, due_on=due,
                           status="not_started", source_id=source))  # fmt: skip
        s.commit()
        days = overdue_trend_days(AS_OF)
        for viewer in (SYSTEM, Viewer("admin", "a")):
            trend = gather_report(s, AS_OF, viewer)["overdue_trend"]
            expected = overdue_by_day(
                s, days, build_scope(viewer, ["municipality"]), "municipality"
            )
            assert [p["value"] for p in trend] == expected
            # AC-EK from 2026-02-28 (due on 2026-01-31 is not overdue that day), twice.
            added = [0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
            assert expected == [a + b for a, b in zip(_ALL, added, strict=True)]


def test_the_country_trend_reads_the_status_index_not_the_owners(sqlite_engine):
    """Nationally overdue_by_day read a million actions' rows to join each to its unit,
    administration and municipality (1,4 s on SQLite): for the whole country no statement of
    the trend joins them, and the count of all overdue actions is the (status, due date) index
    alone."""
    from sqlalchemy import event

    from dashboard.report.gather import _overdue_trend

    kpi_data.build_store(sqlite_engine)
    statements: list[tuple[str, tuple]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    everything = {"municipality": None, "administration": None}
    with session_factory(sqlite_engine)() as s:
        event.listen(sqlite_engine, "before_cursor_execute", record)
        try:
            _overdue_trend(s, AS_OF, SYSTEM, everything, {"type": "all", "code": ""})
        finally:
            event.remove(sqlite_engine, "before_cursor_execute", record)
        cursor = s.connection().connection.cursor()
        plans = [
            " | ".join(row[3] for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in statements
            if "due_on" in sql
        ]
    assert plans
    assert not any(" unit " in p or " administration " in p for p in plans), plans
    assert "COVERING INDEX ix_action_status_due" in plans[0], plans
