"""The Risker and Åtgärder pages' counts kept per part of the country (etl.kpi.page_aggregates)
give every role exactly what counting on demand gives.

Hand-counted store: tests/kpi_data.py with the säkerhetsskydd asset X11 of
tests/protected_data.py and one more risk of it, R12 (3 × 4, accept, no action), so the country
holds 11 risks as of 2026-11-28: R1–R9 and R11, R12. Three are of säkerhetsskydd assets (R6 of
X7 in Hallsberg, R11 and R12 of X11 in Askersund). High (score ≥ 9 on a 4 × 4 matrix) without
a live action: R3 (16), R4 (12, only a cancelled action) and R12 (12, protected). Actions
not completed at the month-ends Nov 2025–Oct 2026: 7 open (AC1, AC3, AC7, AC11, AC12 of
Askersund's units, the provider actions AC5 and AC6 of GO-EK, counted once for the country),
AC9 (done 2026-12-05) at every month-end, AC8 (done 2026-06-10) up to May, AC4 (done
2026-03-01) up to February.

Each call is made with the kept counts and again inside a transaction that removes the KPI
mart's dates (so nothing kept may be read) and is rolled back.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dashboard.queries.actions import kept_parts, open_actions_by_month
from dashboard.queries.risks import (
    hidden_protected_count,
    high_risks_without_action,
    risk_counts,
)
from dashboard.queries.viewer import SYSTEM, Viewer
from etl import models as m
from etl.kpi import mart, page_aggregates
from etl.kpi.snapshot import refresh_mart
from tests import kpi_data
from tests.protected_data import add_protected_asset

AS_OF = kpi_data.AS_OF
BOTH = frozenset({"1882", "1861"})
VIEWERS = [
    SYSTEM,
    Viewer("admin", "a"),
    Viewer("ciso", "c", municipality_codes=frozenset({"1882"})),
    Viewer("ciso", "c2", municipality_codes=BOTH),
    Viewer("committee", "k", municipality_codes=BOTH),
    Viewer("dpo", "d", municipality_codes=frozenset({"1882"})),
    Viewer("protection_officer", "p", municipality_codes=BOTH),
    Viewer("security_officer", "s", administration_codes=frozenset({"1882-KLF"})),
]
FILTERS = [(None, None), ("1882", None), ("1861", None), ("1882", "1882-KLF"), ("9999", None)]
MONTHS = [dt.date(2025, 11, 1) + pd.DateOffset(months=i) for i in range(12)]
COUNTRY_OPEN = [10, 10, 10, 10, 9, 9, 9, 8, 8, 8, 8, 8]


def add_unhandled_protected_risk(engine) -> None:
    with Session(engine) as s, s.begin():
        analysis = s.scalars(select(m.RiskAnalysis).where(m.RiskAnalysis.code == "RA-X11")).one()
        s.add(
            m.Risk(
                code="R12",
                risk_analysis_id=analysis.id,
                description="Obehörig i larmcentral",
                likelihood=3,
                consequence=4,
                treatment="accept",
                source_id=analysis.source_id,
            )
        )


@pytest.fixture
def store(engine):
    kpi_data.build_store(engine)
    add_protected_asset(engine)
    add_unhandled_protected_risk(engine)
    assert refresh_mart(engine, AS_OF)
    return engine


def _calls(session, viewer: Viewer, as_of: dt.date, municipality, administration) -> dict:
    where = {"municipality": municipality, "administration": administration}
    high, total = high_risks_without_action(session, as_of, viewer, **where)
    return {
        "counts": risk_counts(session, as_of, viewer, **where)
        .sort_values(["likelihood", "consequence", "treatment"])
        .reset_index(drop=True),
        "high": high,
        "high_total": total,
        "hidden": hidden_protected_count(session, as_of, viewer, **where),
        "open": open_actions_by_month(session, as_of, viewer, **where),
    }


def _both_ways(session, viewer, as_of, municipality, administration) -> tuple[dict, dict]:
    kept = _calls(session, viewer, as_of, municipality, administration)
    with session.begin_nested():
        session.execute(delete(m.KpiMartDate))
        computed = _calls(session, viewer, as_of, municipality, administration)
        session.rollback()
    return kept, computed


def _assert_same(kept: dict, computed: dict, label) -> None:
    for name in kept:
        if isinstance(kept[name], pd.DataFrame):
            pd.testing.assert_frame_equal(kept[name], computed[name], obj=f"{label} {name}")
        else:
            assert kept[name] == computed[name], (label, name)


@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2026, 6, 30)])
def test_kept_page_counts_equal_counting_on_demand_for_every_role(store, as_of):
    assert as_of in mart.mart_dates(AS_OF)
    with Session(store) as s:
        for viewer in VIEWERS:
            for municipality, administration in FILTERS:
                kept, computed = _both_ways(s, viewer, as_of, municipality, administration)
                _assert_same(kept, computed, (viewer.role, viewer.municipality_codes,
                                              municipality, administration))  # fmt: skip


def test_the_country_view_sums_the_kept_parts_as_counted_by_hand(store):
    admin = Viewer("admin", "a")
    officer = Viewer("protection_officer", "p", municipality_codes=BOTH)
    with Session(store) as s:
        # Read from the kept rows: all parts for the country, and the parts of a CISO's two
        # municipalities; an administration is counted on demand.
        assert kept_parts(s, AS_OF, admin, None, None) == (None, None)
        assert kept_parts(s, AS_OF, officer, None, None) is not None
        assert kept_parts(s, AS_OF, admin, None, "1882-KLF") is None
        assert kept_parts(s, dt.date(2026, 11, 27), admin, None, None) is None  # not held
        country = _calls(s, admin, AS_OF, None, None)
        assert int(country["counts"]["count"].sum()) == 11
        assert country["hidden"] == 3
        assert list(country["high"]["code"]) == ["R3", "R4"] and country["high_total"] == 2
        assert list(country["open"]["value"]) == COUNTRY_OPEN
        assert [pd.Timestamp(d) for d in country["open"]["month"]] == MONTHS
        seen = _calls(s, officer, AS_OF, None, None)
        assert list(seen["high"]["code"]) == ["R3", "R12", "R4"] and seen["high_total"] == 3
        assert seen["hidden"] == 0
        committee = _calls(s, Viewer("committee", "k", municipality_codes=BOTH), AS_OF, None, None)
        assert committee["high"].empty and committee["high_total"] == 0
        assert committee["hidden"] == 3
        # Askersund: its own open actions and GO-EK's provider actions.
        askersund = _calls(s, admin, AS_OF, "1882", None)
        assert list(askersund["open"]["value"])[-1] == 7


def test_the_kept_rows_are_one_per_part_and_shared_rows_are_kept_once(store):
    with Session(store) as s:
        rows = s.execute(
            select(m.PageAggregate.part_type, m.PageAggregate.part_id, m.PageAggregate.count)
            .where(
                m.PageAggregate.as_of == AS_OF,
                m.PageAggregate.aggregate == "open_actions",
                m.PageAggregate.month == dt.date(2026, 10, 1),
            )
            .order_by(m.PageAggregate.part_type, m.PageAggregate.part_id)
        ).all()
    assert rows == [("governance_object", "GO-EK", 2), ("municipality", "1861", 1),
                    ("municipality", "1882", 5)]  # fmt: skip


def test_reading_the_pages_counts_writes_nothing(store):
    with store.connect() as conn:
        before = conn.execute(select(m.PageAggregate.__table__)).all()
    with Session(store) as s:
        _calls(s, Viewer("admin", "a"), AS_OF, None, None)
        _calls(s, Viewer("admin", "a"), dt.date(2026, 11, 27), None, None)
    with store.connect() as conn:
        assert conn.execute(select(m.PageAggregate.__table__)).all() == before


def test_a_store_edited_outside_the_etl_is_counted_on_demand_once_forgotten(store):
    """The kept rows follow the mart: forgetting the mart forgets them."""
    mart.forget(store)
    with Session(store) as s:
        assert s.scalar(select(m.PageAggregate.id).limit(1)) is None
        assert not mart.holds_pages(s, AS_OF)
        assert int(_calls(s, SYSTEM, AS_OF, None, None)["counts"]["count"].sum()) == 11
    assert page_aggregates.HIGH_RISK_LIST_LIMIT == 50


def test_a_short_high_risk_list_takes_the_first_rows_of_all_parts(store):
    """R3 (16) of Askersund first, then R12 and R4 (both 12, by code) for those who may see
    R12; the picks of Askersund and Hallsberg ordered together."""
    officer = Viewer("protection_officer", "p", municipality_codes=BOTH)
    expected = {("admin", 1): ["R3"], ("admin", 2): ["R3", "R4"],
                ("protection_officer", 2): ["R3", "R12"]}  # fmt: skip
    with Session(store) as s:
        for (role, limit), codes in expected.items():
            viewer = officer if role == "protection_officer" else Viewer("admin", "a")
            kept, total = high_risks_without_action(s, AS_OF, viewer, limit=limit)
            with s.begin_nested():
                s.execute(delete(m.KpiMartDate))
                computed, computed_total = high_risks_without_action(s, AS_OF, viewer, limit=limit)
                s.rollback()
            assert list(kept["code"]) == codes
            pd.testing.assert_frame_equal(kept, computed)
            assert total == computed_total
