"""The national grids' first looks without sorting every row: the actions grid walks each status'
due dates, the risk list reads only the cells of the scores a block spans (counted from the risk
counts kept at load time). Every block must be the one the full query gives, sorted and sliced
in SQL, for the viewers that take these paths and for those that do not. On SQLite and
PostgreSQL, on the generated Sydnärke set loaded as a load does.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.grid import fetch_block
from dashboard.queries import _risk_counts_kept as kept_counts
from dashboard.queries.actions import (
    WIDE_WALK_MAX_START,
    ActionFilters,
    _wide_block_keys,
    action_grid_columns,
    action_grid_select,
    action_scope_condition,
    actions_block,
    default_order,
    kept_open_rows,
    open_actions_by_month,
)
from dashboard.queries.coverage import (
    ASSET_GAP_FIELDS,
    GAPS,
    asset_gap_block,
    asset_gap_select,
    gap_counts,
    grid_columns,
    kept_gap_units,
    shared_owner_count,
)
from dashboard.queries.risks import risk_grid_columns, risk_list_select, risks_block
from dashboard.queries.viewer import SYSTEM, Viewer
from etl import models as m
from etl.kpi import cache as _kpi_cache
from tests.generated_store import BACKENDS, loaded_generated_store

TODAY = dt.date(2026, 11, 28)
WIDE_VIEWERS = [SYSTEM, Viewer("admin", "a")]  # admin: säkerhetsskydd rows left out


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("grid_walk")
    with loaded_generated_store(request.param, folder, TODAY) as (engine, files):
        yield engine


def _requests(total: int, boundaries: list[int] = ()) -> list[dict]:
    blocks = [(0, 100), (0, 1), (1, 7), (99, 100), (100, 200), (150, 155), (1000, 1100)]
    blocks += [(total - 3, total + 97), (total, total + 100), (total + 5, total + 10), (3, 3)]
    blocks += [(max(b - 5, 0), b + 5) for b in boundaries]  # blocks across two scores
    return [{"startRow": s, "endRow": e, "sortModel": [], "filterModel": {}} for s, e in blocks]


# --------------------------------------------------------------------------- risks


def _risks_before(session, viewer, request, **where):
    """The full list query counted, sorted and sliced in SQL (no shortcut)."""
    from etl.models import Risk

    return fetch_block(
        session,
        risk_list_select(TODAY, viewer, lang="sv", **where),
        risk_grid_columns("sv"),
        request,
        default_order=((Risk.likelihood * Risk.consequence).desc(), Risk.code.asc()),
        tiebreaker=Risk.id,
    )


def _score_boundaries(listed: dict[tuple[int, int], int]) -> list[int]:
    by_score: dict[int, int] = {}
    for (likelihood, consequence), n in listed.items():
        by_score[likelihood * consequence] = by_score.get(likelihood * consequence, 0) + n
    boundaries, rows = [], 0
    for score in sorted(by_score, reverse=True):
        rows += by_score[score]
        boundaries.append(rows)
    return boundaries


@pytest.mark.parametrize("viewer", WIDE_VIEWERS, ids=lambda v: v.role)
def test_national_risk_blocks_are_the_full_querys(store, viewer):
    with Session(store) as s:
        _kpi_cache.clear()
        kept = kept_counts.kept_risks(s, TODAY, viewer)
        assert kept is not None  # the walk is taken
        listed = kept_counts.listed_by_cell(kept, viewer)
        for cell in (None, (4, 4), (3, 4), (1, 1), (9, 9)):
            total = sum(listed.values()) if cell is None else listed.get(cell, 0)
            boundaries = _score_boundaries(listed) if cell is None else []
            for request in _requests(total, boundaries):
                expected = _risks_before(s, viewer, request, cell=cell)
                assert risks_block(s, viewer, request, TODAY, cell=cell) == expected, request
        assert sum(listed.values()) > 1000  # the store has enough risks for deep blocks
    _kpi_cache.clear()


def test_a_narrow_selection_and_a_store_without_kept_counts_give_the_same_blocks(store):
    ciso = Viewer("ciso", "c", municipality_codes=frozenset({"1882"}))
    with Session(store) as s:
        for viewer, where in [(ciso, {}), (SYSTEM, {"municipality": "1882"})]:
            for request in _requests(500):
                assert risks_block(s, viewer, request, TODAY, **where) == _risks_before(
                    s, viewer, request, **where
                )
        s.execute(m.KpiFactFrame.__table__.delete())
        _kpi_cache.clear()
        assert kept_counts.kept_risks(s, TODAY, SYSTEM) is None
        for request in _requests(3000)[:4]:
            assert risks_block(s, SYSTEM, request, TODAY) == _risks_before(s, SYSTEM, request)
        s.rollback()
    _kpi_cache.clear()


# --------------------------------------------------------------------------- actions


def _actions_before(session, viewer, request, filters):
    """The full grid query counted, sorted and sliced in SQL (no shortcut)."""
    from etl.models import Action

    return fetch_block(
        session,
        action_grid_select(TODAY, viewer, lang="sv", filters=filters),
        action_grid_columns(TODAY, "sv"),
        request,
        default_order=default_order(TODAY),
        tiebreaker=Action.id,
    )


ACTION_FILTERS = [
    ActionFilters(),
    ActionFilters(statuses=("done",)),
    ActionFilters(statuses=("not_started", "cancelled")),
    ActionFilters(overdue_only=True),
    ActionFilters(statuses=("in_progress",), overdue_only=True),
    ActionFilters(responsible="a"),  # not walked: a text search
    ActionFilters(administration="1882-SOC"),  # not walked: narrow
]


@pytest.mark.parametrize("viewer", WIDE_VIEWERS, ids=lambda v: v.role)
def test_national_action_blocks_are_the_full_querys(store, viewer):
    with Session(store) as s:
        for filters in ACTION_FILTERS:
            total = _actions_before(s, viewer, {"startRow": 0, "endRow": 0}, filters)["rowCount"]
            for request in _requests(total):
                expected = _actions_before(s, viewer, request, filters)
                assert actions_block(s, viewer, request, TODAY, filters=filters) == expected
        # The walk itself (not only its fallback) answered the first block.
        scope = action_scope_condition(viewer)
        assert _wide_block_keys(s, TODAY, scope, ActionFilters(), 0, 100)
        assert (
            _wide_block_keys(s, TODAY, scope, ActionFilters(), WIDE_WALK_MAX_START + 1, 9) is None
        )


def test_an_action_status_outside_the_vocabulary_is_not_missed(store):
    with Session(store) as s:
        s.execute(
            m.Action.__table__.update()
            .where(m.Action.id == s.scalar(select(func.min(m.Action.id))))
            .values(status="paused", due_on=dt.date(2000, 1, 1))
        )
        scope = action_scope_condition(SYSTEM)
        assert _wide_block_keys(s, TODAY, scope, ActionFilters(), 0, 100) is None
        for request in _requests(5000)[:6]:
            assert actions_block(s, SYSTEM, request, TODAY) == _actions_before(
                s, SYSTEM, request, ActionFilters()
            )
        s.rollback()


# --------------------------------------------------------------------------- coverage


def _gaps_before(session, viewer, request, gap, **where):
    """The full asset list counted, sorted and sliced in SQL (no shortcut)."""
    from etl.models import Administration, Asset, Unit

    query = asset_gap_select(TODAY, viewer, gap=gap, **where)
    return fetch_block(
        session,
        query,
        grid_columns(query, ASSET_GAP_FIELDS),
        request,
        default_order=(Administration.name, Unit.name, Asset.code),
        tiebreaker=Asset.id,
    )


@pytest.mark.parametrize("viewer", WIDE_VIEWERS, ids=lambda v: v.role)
def test_national_asset_gap_blocks_are_the_full_querys(store, viewer):
    with Session(store) as s:
        _kpi_cache.clear()
        assert kept_gap_units(s, TODAY, viewer) is not None  # the kept counts are read
        for gap in (*GAPS, "bogus"):
            total = _gaps_before(s, viewer, {"startRow": 0, "endRow": 0}, gap)["rowCount"]
            assert total > 0
            for request in _requests(total, [1, 2, 3, 17, 40]):
                expected = _gaps_before(s, viewer, request, gap)
                assert asset_gap_block(s, TODAY, viewer, request, gap=gap) == expected, request
    _kpi_cache.clear()


def test_gap_and_owner_counts_from_the_kept_counts_are_the_live_ones(store):
    with Session(store) as s:
        municipalities = list(s.scalars(select(m.Municipality.code).order_by("code")))[:2]
        administration = s.scalar(
            select(m.Administration.code)
            .where(m.Administration.code.startswith(municipalities[0]))
            .order_by(m.Administration.code.desc())
        )
        unit = s.scalar(
            select(m.Unit.code).where(m.Unit.code.startswith(administration)).order_by(m.Unit.code)
        )
    viewers = [
        SYSTEM,
        Viewer("admin", "a"),
        Viewer("ciso", "c", municipality_codes=frozenset(municipalities)),
        Viewer("security_officer", "s", administration_codes=frozenset({administration})),
        Viewer("manager", "m", unit_codes=frozenset({unit})),
        Viewer("committee", "k", municipality_codes=frozenset(municipalities)),
        Viewer("protection_officer", "p", municipality_codes=frozenset(municipalities)),
    ]
    filters = [{}, {"municipality": municipalities[0]}, {"administration": administration}]
    seen = 0
    with Session(store) as s:
        kept = {}
        for viewer in viewers:
            for where in filters:
                _kpi_cache.clear()
                assert kept_gap_units(s, TODAY, viewer, **where) is not None
                kept[viewer, str(where)] = {
                    **gap_counts(s, TODAY, viewer, **where),
                    "owners": shared_owner_count(s, TODAY, viewer, **where),
                }
        s.execute(m.KpiFactFrame.__table__.delete())
        for viewer in viewers:
            for where in filters:
                _kpi_cache.clear()
                assert kept_gap_units(s, TODAY, viewer, **where) is None
                live = {
                    **gap_counts(s, TODAY, viewer, **where),
                    "owners": shared_owner_count(s, TODAY, viewer, **where),
                }
                assert kept[viewer, str(where)] == live, (viewer, where)
                seen += int(live["any"] > 0) + int(live["owners"] > 0)
        s.rollback()
    _kpi_cache.clear()
    assert seen >= 20
    # Säkerhetsskydd assets are left out of the lists of all but the protection officer.
    admin, officer = kept[Viewer("admin", "a"), "{}"], kept[SYSTEM, "{}"]
    assert admin["any"] < officer["any"] and officer["owners"] > 0


# --------------------------------------------------------------------------- open by month


def test_open_actions_by_month_from_the_kept_rows_are_the_live_ones(store):
    """(The Åtgärder page's trend, kept at load time beside the grids' counts.)"""
    with Session(store) as s:
        municipality = s.scalar(select(m.Municipality.code).order_by("code"))
        administration = s.scalar(
            select(m.Administration.code)
            .where(m.Administration.code.startswith(municipality))
            .order_by(m.Administration.code)
        )
    viewers = [
        SYSTEM,
        Viewer("admin", "a"),
        Viewer("ciso", "c", municipality_codes=frozenset({municipality})),
        Viewer("security_officer", "s", administration_codes=frozenset({administration})),
        Viewer("committee", "k", municipality_codes=frozenset({municipality})),
    ]
    filters = [{}, {"municipality": municipality}, {"administration": administration}]
    dates = [TODAY, TODAY + dt.timedelta(days=1)]  # the second is not kept: counted in SQL
    with Session(store) as s:
        _kpi_cache.clear()
        assert kept_open_rows(s, TODAY, SYSTEM) is not None
        kept = {}
        direct = {}
        for viewer in viewers:
            for where in filters:
                for day in dates:
                    _kpi_cache.clear()
                    kept[viewer, str(where), day] = open_actions_by_month(s, day, viewer, **where)
                # The kept rows themselves, for every selection (the page reads them for the
                # whole store only).
                rows = kept_open_rows(s, TODAY, viewer, **where)
                done = [int(rows[f"b{i}"].sum()) for i in range(12)]
                direct[viewer, str(where)] = [
                    int(rows["open"].sum()) + sum(done[i:]) for i in range(12)
                ]
        s.execute(m.KpiFactFrame.__table__.delete())
        for viewer in viewers:
            for where in filters:
                for day in dates:
                    _kpi_cache.clear()
                    live = open_actions_by_month(s, day, viewer, **where)
                    assert kept[viewer, str(where), day].equals(live), (viewer, where, day)
                _kpi_cache.clear()
                today = open_actions_by_month(s, TODAY, viewer, **where)
                assert direct[viewer, str(where)] == today["value"].tolist(), (viewer, where)
        s.rollback()
    _kpi_cache.clear()
    assert max(direct[SYSTEM, "{}"]) > 0
