"""The load keeps the Risker and Åtgärder pages' counts per part of the country: a full load
writes them with the KPI mart, a load of one file rewrites only the parts it touched and leaves
them what a full build would hold, and a reload of an unchanged file changes no row.

Store: the generated Sydnärke set (4 municipalities) loaded as a load does, on SQLite and
PostgreSQL (tests/generated_store.py); the files edited as in tests/test_kpi_mart_update.py.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from dashboard.queries.actions import open_actions_by_month
from dashboard.queries.risks import (
    hidden_protected_count,
    high_risks_without_action,
    risk_counts,
)
from dashboard.queries.viewer import Viewer
from etl import models as m
from etl.kpi import mart, page_aggregates
from etl.load import load_paths
from tests.generated_store import BACKENDS, codes, loaded_generated_store, role_viewers
from tests.test_kpi_mart_update import csv_rows, set_cell, upload

TODAY = dt.date(2026, 11, 28)
_FIELDS = ("as_of", "aggregate", "part_type", "part_id", "likelihood", "consequence",
           "treatment", "protected", "month", "risk_id", "count")  # fmt: skip


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with loaded_generated_store(request.param, tmp_path, TODAY) as (engine, files):
        yield engine, files


def kept_rows(engine) -> dict[tuple, int]:
    """The kept rows (without their id) -> their row id."""
    t = m.PageAggregate
    with engine.connect() as conn:
        found = conn.execute(select(t.id, *(getattr(t, f) for f in _FIELDS))).all()
    return {tuple(r[1:]): r[0] for r in found}


def rebuilt(engine, today: dt.date = TODAY) -> set[tuple]:
    """What a full build holds: every part written again, inside a transaction rolled back."""
    t = m.PageAggregate
    with engine.connect() as conn:
        transaction = conn.begin()
        conn.execute(delete(t))
        page_aggregates.write(conn, mart.mart_dates(today))
        rows = {tuple(r) for r in conn.execute(select(*(getattr(t, f) for f in _FIELDS)))}
        transaction.rollback()
    return rows


def assert_full_build(engine, today: dt.date = TODAY) -> None:
    kept = kept_rows(engine)
    assert len(kept) == len(set(kept))
    assert set(kept) == rebuilt(engine, today)
    with Session(engine) as s:
        assert all(mart.holds_pages(s, day) for day in mart.mart_dates(today))


def test_a_load_keeps_every_part_for_the_marts_dates(store):
    engine, _ = store
    kept = kept_rows(engine)
    assert {k[0] for k in kept} == set(mart.mart_dates(TODAY))
    assert {k[1] for k in kept} == {
        "risks",
        "high_risks",
        "high_risk_pick",
        "open_actions",
        "action_list",
        "action_list_built",
        "overdue_trend",
        "overdue_trend_built",
    }
    municipalities = {k[3] for k in kept if k[2] == "municipality"}
    assert municipalities == set(codes(engine, m.Municipality))
    # The action list's counts sum to the store's actions that have a part (an owner unit, or
    # a governance object for a provider action).
    with engine.connect() as conn:
        owned = conn.execute(
            select(func.count()).where(
                or_(m.Action.owner_unit_id.is_not(None), m.Action.governance_object_id.is_not(None))
            )
        ).scalar()
        assert page_aggregates.action_list_total(conn, TODAY, protected=True) == owned
    assert_full_build(engine)


def page_counts(s, viewer: Viewer, municipality: str | None) -> tuple:
    where = {"municipality": municipality, "administration": None}
    high, total = high_risks_without_action(s, TODAY, viewer, **where)
    counts = risk_counts(s, TODAY, viewer, **where)
    counts = counts.sort_values(["likelihood", "consequence", "treatment"]).reset_index(drop=True)
    hidden = hidden_protected_count(s, TODAY, viewer, **where)
    return counts, high, total, hidden, open_actions_by_month(s, TODAY, viewer, **where)


def test_every_role_gets_the_same_page_counts_from_the_kept_parts(store):
    engine, _ = store
    first, second = codes(engine, m.Municipality)[:2]
    two = Viewer("ciso", "c2", municipality_codes=frozenset({first, second}))
    with Session(engine) as s:
        for viewer in [*role_viewers(engine), two]:
            for municipality in (None, first, second):
                kept = page_counts(s, viewer, municipality)
                with s.begin_nested():
                    s.execute(delete(m.KpiMartDate))
                    computed = page_counts(s, viewer, municipality)
                    s.rollback()
                for a, b in zip(kept, computed, strict=True):
                    if isinstance(a, pd.DataFrame):
                        pd.testing.assert_frame_equal(a, b)
                    else:
                        assert a == b, (viewer, municipality)


def test_one_administration_file_rewrites_its_municipality_only(store):
    engine, files = store
    before = kept_rows(engine)
    # 1814-BUF's first asset moves to its library: its risks stay in 1814.
    assets = files / "1814-BUF.tillgangar.csv"
    set_cell(assets, "1814-BUF-T001", "Ägande enheter", "1814-BUF-BIBL, 1814-BUF-FSK")
    upload(engine, assets)
    assert_full_build(engine)
    after = kept_rows(engine)
    rewritten = {(k[2], k[3]) for k, i in after.items() if before.get(k) != i}
    assert rewritten == {("municipality", "1814")}
    untouched = [k for k in before if k[3] != "1814"]
    assert untouched and all(after[k] == before[k] for k in untouched)


def test_a_shared_object_file_rewrites_the_object_and_its_participants(store):
    engine, files = store
    before = kept_rows(engine)
    actions = files / "GO-EARK.atgarder.csv"
    header, *rows = csv_rows(actions)
    provider = next(r for r in rows if not r[header.index("Ägande enhet")])
    set_cell(actions, provider[0], "Status", "Pågår")
    set_cell(actions, provider[0], "Klardatum", "")
    assert load_paths(engine, [actions], today=TODAY).ok
    assert_full_build(engine)
    after = kept_rows(engine)
    rewritten = {(k[2], k[3]) for k, i in after.items() if before.get(k) != i}
    assert ("governance_object", "GO-EARK") in rewritten
    assert not {code for _, code in rewritten if code.startswith(("1814", "1860"))}


def test_an_unchanged_file_loaded_again_changes_no_kept_row(store):
    engine, files = store
    before = kept_rows(engine)
    result = load_paths(engine, [files / "1882-SOC.tillgangar.csv"], today=TODAY)
    assert [f.outcome for f in result.files] == ["unchanged"]
    assert kept_rows(engine) == before


def test_a_load_on_a_new_day_counts_its_new_dates_whole_and_drops_the_old_ones(store):
    engine, files = store
    later = TODAY + dt.timedelta(days=1)  # a new load day and quarter-before
    set_cell(files / "1861-KLF.tillgangar.csv", "1861-KLF-T001", "Namn", "Diarium (ny)")
    before = kept_rows(engine)
    upload(engine, files / "1861-KLF.tillgangar.csv", later)
    assert_full_build(engine, later)
    after = kept_rows(engine)
    assert {k[0] for k in after} == set(mart.mart_dates(later))
    kept_dates = set(mart.mart_dates(TODAY)) & set(mart.mart_dates(later))
    rewritten = {
        (k[2], k[3]) for k, i in after.items() if k[0] in kept_dates and before.get(k) != i
    }
    assert rewritten <= {("municipality", "1861")}
