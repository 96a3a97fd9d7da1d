"""The Risker page's risk counts kept at load time give every role exactly the live numbers.

Store: the generated Sydnärke set (4 municipalities, object-level analyses, säkerhetsskydd
assets), loaded as a load does (its snapshot keeps the counts as of the load's day). Each role's
matrix, treatments, hidden säkerhetsskydd count and list of high risks without action are
computed twice, once from the kept rows and once with them removed (inside a transaction that is
rolled back), and must be equal. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from dashboard.queries import _risk_counts_kept as kept_counts
from dashboard.queries.risks import (
    hidden_protected_count,
    high_risks_without_action,
    risk_counts,
    risk_matrix,
    risks_by_treatment,
)
from dashboard.queries.viewer import SYSTEM, Viewer
from etl import models as m
from etl.kpi import cache as _kpi_cache
from tests.generated_store import BACKENDS, codes, loaded_generated_store, role_viewers

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    """An engine on a store holding the generated set, loaded with its snapshot."""
    folder = tmp_path_factory.mktemp("kept_risks")
    with loaded_generated_store(request.param, folder, TODAY) as (engine, files):
        yield engine


def _viewers(engine) -> list[Viewer]:
    """Every role, a CISO of two other municipalities and a manager without units."""
    municipalities = codes(engine, m.Municipality)
    return [
        *role_viewers(engine),
        Viewer("ciso", "c2", municipality_codes=frozenset(municipalities[1:3])),
        Viewer("manager", "none"),  # a role without codes sees nothing
    ]


def _filters(engine) -> list[tuple[str | None, str | None]]:
    municipalities = codes(engine, m.Municipality)
    administration = next(
        c for c in codes(engine, m.Administration) if c.startswith(municipalities[0])
    )
    return [
        (None, None),
        (municipalities[0], None),
        (municipalities[1], None),
        (municipalities[0], administration),
        (None, administration),
    ]


def _page_numbers(session, as_of, viewer, municipality, administration) -> dict:
    _kpi_cache.clear()
    where = {"municipality": municipality, "administration": administration}
    counts = risk_counts(session, as_of, viewer, **where)
    return {
        "counts": counts.sort_values(["likelihood", "consequence", "treatment"]).reset_index(
            drop=True
        ),
        "matrix": risk_matrix(session, as_of, viewer, **where),
        "treatments": risks_by_treatment(session, as_of, viewer, lang="en", **where),
        "hidden": hidden_protected_count(session, as_of, viewer, **where),
        "high": high_risks_without_action(session, as_of, viewer, **where),
        "high_2": high_risks_without_action(session, as_of, viewer, limit=2, **where),
        "high_all": high_risks_without_action(session, as_of, viewer, limit=100_000, **where),
    }


def _kept_numbers(session, as_of, viewer, municipality, administration) -> dict:
    """The same numbers straight from the kept rows, for any selection (the page reads them
    for a selection of the whole store; narrower ones are counted in SQL)."""
    _kpi_cache.clear()
    kept = kept_counts.kept_risks(session, as_of, viewer, municipality, administration)
    where = {"municipality": municipality, "administration": administration}
    counts = kept_counts.counts(kept)
    numbers = {
        "counts": counts.sort_values(["likelihood", "consequence", "treatment"]).reset_index(
            drop=True
        ),
        "hidden": kept_counts.hidden_protected(kept, viewer),
    }
    # The high-risk lists: the kept ids in order, read as the page reads them.
    for key, limit in (("high", 50), ("high_2", 2), ("high_all", 100_000)):
        ids, total = kept_counts.high_open_ids(kept, viewer, limit)
        frame, _ = high_risks_without_action(session, as_of, viewer, limit=100_000, **where)
        frame = frame.set_index("id").loc[ids].reset_index() if ids else frame.iloc[:0]
        numbers[key] = (frame, total)
    return numbers


def _assert_same(kept: dict, live: dict) -> None:
    for key, value in live.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(kept[key], value, check_dtype=False, obj=key)
        elif isinstance(value, tuple):
            frame, total = value
            assert kept[key][1] == total, key
            pd.testing.assert_frame_equal(kept[key][0], frame, check_dtype=False, obj=key)
        else:
            assert kept[key] == value, key


def test_the_load_keeps_the_risk_counts_of_its_day(store):
    with Session(store) as s:
        kinds = set(
            s.execute(
                select(m.KpiFactFrame.as_of, m.KpiFactFrame.kind).where(
                    m.KpiFactFrame.kind.in_([kept_counts.CELLS_KIND, kept_counts.HIGH_OPEN_KIND])
                )
            ).all()
        )
        assert kinds == {(TODAY, kept_counts.CELLS_KIND), (TODAY, kept_counts.HIGH_OPEN_KIND)}
        assert kept_counts.kept_risks(s, TODAY, SYSTEM) is not None
        # Another day is not kept: the page counts from the tables.
        assert kept_counts.kept_risks(s, TODAY + dt.timedelta(days=1), SYSTEM) is None


def test_every_role_and_filter_gets_the_live_numbers_from_the_kept_rows(store):
    """The page's numbers with rows kept equal those without, and so do the kept rows'
    own numbers for every selection (the page reads them for the whole store only)."""
    compared = hidden_seen = listed = 0
    with Session(store) as s:
        for viewer in _viewers(store):
            for municipality, administration in _filters(store):
                assert kept_counts.kept_risks(s, TODAY, viewer, municipality, administration)
                kept = _page_numbers(s, TODAY, viewer, municipality, administration)
                with s.begin_nested():
                    s.execute(delete(m.KpiFactFrame))
                    _kpi_cache.clear()
                    assert kept_counts.kept_risks(s, TODAY, viewer) is None
                    live = _page_numbers(s, TODAY, viewer, municipality, administration)
                    s.rollback()
                _assert_same(kept, live)
                # And the kept rows themselves, for this selection whatever its width.
                direct = _kept_numbers(s, TODAY, viewer, municipality, administration)
                _assert_same(direct, {k: live[k] for k in direct})
                compared += int(not live["counts"].empty)
                hidden_seen += int(live["hidden"] > 0)
                listed += int(live["high"][1] > 0)
    _kpi_cache.clear()
    # The comparison is not empty: numbers, hidden säkerhetsskydd risks and listed risks occur.
    assert compared >= 30 and hidden_seen >= 5 and listed >= 20


def test_protected_risks_are_counted_but_listed_only_for_the_protection_officer(store):
    one = frozenset(codes(store, m.Municipality))
    ciso = Viewer("ciso", "c", municipality_codes=one)
    officer = Viewer("protection_officer", "p", municipality_codes=one)
    with Session(store) as s:  # every change here is rolled back at the end
        # Put a listed risk's asset under säkerhetsskydd, and keep the counts again.
        _kpi_cache.clear()
        listed, _ = kept_counts.high_open_ids(kept_counts.kept_risks(s, TODAY, ciso), ciso, 1)
        asset_id = s.scalar(
            select(m.RiskAnalysis.asset_id)
            .join(m.Risk, m.Risk.risk_analysis_id == m.RiskAnalysis.id)
            .where(m.Risk.id == listed[0])
        )
        s.execute(update(m.Asset).where(m.Asset.id == asset_id).values(security_protection=True))
        assert kept_counts.keep(s, TODAY) == 2
        _kpi_cache.clear()
        seen_by_ciso = kept_counts.kept_risks(s, TODAY, ciso)
        seen_by_officer = kept_counts.kept_risks(s, TODAY, officer)
        assert kept_counts.counts(seen_by_ciso).equals(kept_counts.counts(seen_by_officer))
        assert kept_counts.hidden_protected(seen_by_ciso, ciso) > 0
        assert kept_counts.hidden_protected(seen_by_officer, officer) == 0
        ids_ciso, total_ciso = kept_counts.high_open_ids(seen_by_ciso, ciso, 100_000)
        ids_officer, total_officer = kept_counts.high_open_ids(seen_by_officer, officer, 100_000)
        assert listed[0] in ids_officer and listed[0] not in ids_ciso
        assert set(ids_ciso) < set(ids_officer) and total_ciso < total_officer
        committee = Viewer("committee", "k", municipality_codes=one)
        assert kept_counts.high_open_ids(seen_by_ciso, committee, 50) == ([], 0)
        # And the page's numbers are still the live ones for both.
        kept = [_page_numbers(s, TODAY, viewer, None, None) for viewer in (ciso, officer)]
        s.execute(delete(m.KpiFactFrame))
        live = [_page_numbers(s, TODAY, viewer, None, None) for viewer in (ciso, officer)]
        for kept_numbers, live_numbers in zip(kept, live, strict=True):
            _assert_same(kept_numbers, live_numbers)
        assert kept[0]["hidden"] > 0 and kept[0]["high"][1] < kept[1]["high"][1]
        s.rollback()
    _kpi_cache.clear()


def test_a_later_load_is_not_answered_from_older_counts(store):
    with Session(store) as s:
        before = kept_counts.kept_risks(s, TODAY, SYSTEM)
        assert before is not None
        # A rejected file changes no row: the kept rows still answer.
        probe = {"run_id": "probe", "file_name": "probe.csv", "sha256": "0" * 64,
                 "started_at": dt.datetime(2026, 11, 28, 12)}  # fmt: skip
        s.add(m.Load(**probe, outcome="rejected"))
        s.flush()
        assert kept_counts.kept_risks(s, TODAY, SYSTEM) is not None
        # Any change the store version sees (here an accepted load's row) retires them.
        s.add(m.Load(**probe, outcome="accepted"))
        s.flush()
        assert kept_counts.kept_risks(s, TODAY, SYSTEM) is None
        s.rollback()
    _kpi_cache.clear()


def test_cell_columns_name_any_treatment():
    name = kept_counts.cell_column(3, 4, "reduce|odd")
    assert kept_counts.parse_cell_column(name) == (3, 4, "reduce|odd")
