"""The national grids' first looks without sorting every row: the actions grid walks each status'
due dates, the risk and asset lists count and pick their keys apart from their rows. Every block
must be the one the full query gives, sorted and sliced in SQL, for the viewers that take these
paths and for those that do not. On SQLite and PostgreSQL, on the generated Sydnärke set loaded
as a load does.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.grid import fetch_block
from dashboard.queries.actions import (
    WIDE_WALK_MAX_START,
    ActionFilters,
    _wide_block_keys,
    action_grid_columns,
    action_grid_select,
    action_scope_condition,
    actions_block,
    default_order,
)
from dashboard.queries.coverage import (
    ASSET_GAP_FIELDS,
    GAPS,
    asset_gap_block,
    asset_gap_select,
    summary_counts,
)
from dashboard.queries.list_walk import grid_columns
from dashboard.queries.risks import risk_counts, risk_grid_columns, risk_list_select, risks_block
from dashboard.queries.viewer import SYSTEM, Viewer
from etl import models as m
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


@pytest.mark.parametrize("viewer", WIDE_VIEWERS, ids=lambda v: v.role)
def test_national_risk_blocks_are_the_full_querys(store, viewer):
    with Session(store) as s:
        counts = risk_counts(s, TODAY, viewer)
        for cell in (None, (4, 4), (3, 4), (1, 1), (9, 9)):
            total = _risks_before(s, viewer, {"startRow": 0, "endRow": 0}, cell=cell)["rowCount"]
            for request in _requests(total):
                expected = _risks_before(s, viewer, request, cell=cell)
                assert risks_block(s, viewer, request, TODAY, cell=cell) == expected, request
        assert int(counts["count"].sum()) > 1000  # the store has enough risks for deep blocks


def test_a_narrow_selection_gives_the_full_querys_blocks(store):
    ciso = Viewer("ciso", "c", municipality_codes=frozenset({"1882"}))
    with Session(store) as s:
        for viewer, where in [(ciso, {}), (SYSTEM, {"municipality": "1882"})]:
            for request in _requests(500):
                assert risks_block(s, viewer, request, TODAY, **where) == _risks_before(
                    s, viewer, request, **where
                )


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
        for gap in (*GAPS, "bogus"):
            total = _gaps_before(s, viewer, {"startRow": 0, "endRow": 0}, gap)["rowCount"]
            assert total > 0
            for request in _requests(total, [1, 2, 3, 17, 40]):
                expected = _gaps_before(s, viewer, request, gap)
                assert asset_gap_block(s, TODAY, viewer, request, gap=gap) == expected, request


def test_protected_assets_are_left_out_of_every_list_but_the_protection_officers(store):
    """Säkerhetsskydd assets are counted in the gap counts of the system and the protection
    officer only (etl.visibility), and the owners' list is not empty."""
    with Session(store) as s:
        admin_gaps, admin_owners = summary_counts(s, TODAY, Viewer("admin", "a"))
        system_gaps, system_owners = summary_counts(s, TODAY, SYSTEM)
        admin = {**admin_gaps, "owners": admin_owners}
        system = {**system_gaps, "owners": system_owners}
    assert admin["any"] < system["any"] and system["owners"] > 0
