"""Min enhet's to-do list (dashboard.queries.my_unit.unit_todo) on the hand-countable store
(tests/kpi_data.py, as of 2026-11-28, follow-up period 2026-Q3): each list counted by hand, and
each list's length equal to the unit's number from compute_kpis (one truth)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from dashboard.queries.my_unit import unit_todo
from dashboard.queries.viewer import SYSTEM, Viewer
from etl import models as m
from etl.kpi.compute import compute_kpis
from tests.kpi_data import AS_OF, build_store

D = dt.date
UNITS = ("1882-KLF-IT", "1882-SOC-IFO", "1882-SOC-AO", "1861-BUF-GR", "1861-BUF-FS")


def unit_numbers(session, unit_code: str) -> dict[str, int]:
    """What the unit's cards say each list holds, from compute_kpis."""
    rows = compute_kpis(
        session,
        AS_OF,
        SYSTEM,
        scope_types=["unit"],
        metrics=[
            "classification_coverage",
            "risk_analysis_coverage",
            "reviews_due_90d",
            "actions_overdue",
            "follow_up_rate",
        ],
    )
    rows = rows[rows["scope_id"] == unit_code].set_index("metric")

    def missing(metric):
        return int(rows["denominator"][metric]) - int(rows["numerator"][metric])

    return {
        "unclassified": missing("classification_coverage"),
        "unanalysed": missing("risk_analysis_coverage"),
        "reviews_due": int(rows["value"]["reviews_due_90d"]),
        "overdue": int(rows["value"]["actions_overdue"]),
        "follow_up": missing("follow_up_rate"),
    }


@pytest.fixture
def session(sqlite_engine):
    build_store(sqlite_engine)
    with Session(sqlite_engine) as s:
        yield s


@pytest.mark.parametrize("unit_code", UNITS)
def test_each_list_is_as_long_as_its_number(session, unit_code):
    todo = unit_todo(session, AS_OF, unit_code, SYSTEM)
    listed = {
        kind: todo.count(kind) for kind in ("unclassified", "unanalysed", "reviews_due", "overdue")
    }
    listed["follow_up"] = 0 if todo.follow_up is None else 1
    assert listed == unit_numbers(session, unit_code)


def test_hand_counted_lists(session):
    ifo = unit_todo(session, AS_OF, "1882-SOC-IFO", SYSTEM)
    # X3 never classified; X4's latest classification (2024) was due for review 2026-10-01.
    assert ifo.unclassified.values.tolist() == [
        ["X3", "Tillgång X3", "missing", None],
        ["X4", "Tillgång X4", "expired", D(2026, 10, 1)],
    ]
    assert list(ifo.unanalysed["asset_code"]) == ["X3", "X4"]
    assert ifo.overdue[["code", "due_on", "days_overdue"]].values.tolist() == [
        ["AC7", D(2026, 10, 15), 44]
    ]
    assert ifo.follow_up is None  # its 2026-Q3 report is in
    ao = unit_todo(session, AS_OF, "1882-SOC-AO", SYSTEM)
    # X6: classified 2023-12-15 without a review date, so due 36 months later.
    assert ao.reviews_due.values.tolist() == [["X6", "Tillgång X6", "due", D(2026, 12, 15)]]
    assert ao.follow_up == {"period": "2026-Q3", "period_end": D(2026, 9, 30)}
    fs = unit_todo(session, AS_OF, "1861-BUF-FS", SYSTEM)
    # X9's analysis of 2023-11-28 is exactly 36 months old: no longer counted.
    assert fs.unanalysed.values.tolist() == [["X9", "Tillgång X9", "lapsed", D(2023, 11, 28)]]
    it = unit_todo(session, AS_OF, "1882-KLF-IT", SYSTEM)
    # AC1 is due 2026-12-31: 33 days ahead, not within 30.
    assert it.due_soon.empty and it.overdue.empty


def test_due_soon_from_today_to_thirty_days(session):
    unit_id = session.query(m.Unit.id).filter(m.Unit.code == "1882-SOC-IFO").scalar()
    source_id = session.query(m.Source.id).scalar()
    for code, due, status in (
        ("S0", AS_OF, "not_started"),
        ("S30", AS_OF + dt.timedelta(days=30), "in_progress"),
        ("S31", AS_OF + dt.timedelta(days=31), "not_started"),
        ("SD", AS_OF, "done"),
    ):
        session.add(
            m.Action(
                code=code,
                title=code,
                owner_unit_id=unit_id,
                due_on=due,
                status=status,
                source_id=source_id,
            )
        )
    session.flush()
    todo = unit_todo(session, AS_OF, "1882-SOC-IFO", SYSTEM)
    assert list(todo.due_soon["code"]) == ["S0", "S30"]
    assert list(todo.overdue["code"]) == ["AC7"]


def test_protected_assets_count_but_are_not_listed(session):
    unit_id = session.query(m.Unit.id).filter(m.Unit.code == "1882-SOC-IFO").scalar()
    source_id = session.query(m.Source.id).scalar()
    asset = m.Asset(
        code="P1",
        name="Skyddad",
        carrier_type="it_system",
        primary_unit_id=unit_id,
        personal_data="no",
        security_protection=True,
        source_id=source_id,
    )
    session.add(asset)
    session.flush()
    session.add(m.AssetOwner(asset_id=asset.id, unit_id=unit_id, is_primary=True))
    session.flush()
    manager = Viewer("manager", unit_codes=frozenset({"1882-SOC-IFO"}))
    todo = unit_todo(session, AS_OF, "1882-SOC-IFO", manager)
    assert "P1" not in set(todo.unclassified["asset_code"])
    assert todo.hidden["unclassified"] == 1
    assert todo.count("unclassified") == unit_numbers(session, "1882-SOC-IFO")["unclassified"] == 3
    officer = Viewer("protection_officer", municipality_codes=frozenset({"1882"}))
    assert "P1" in set(
        unit_todo(session, AS_OF, "1882-SOC-IFO", officer).unclassified["asset_code"]
    )


def test_others_get_nothing(session):
    committee = Viewer("committee", municipality_codes=frozenset({"1882"}))
    other = Viewer("manager", unit_codes=frozenset({"1882-KLF-IT"}))
    for viewer in (committee, other):
        todo = unit_todo(session, AS_OF, "1882-SOC-IFO", viewer)
        assert todo.unclassified.empty and todo.overdue.empty and todo.follow_up is None
