"""The Risker and Åtgärder grids answer every role the same with and without the counts kept with
the KPI mart, and take the risk list's row count from the kept counts where they stand for the
viewer.

Hand-counted store of tests/test_page_aggregates.py: 11 risks as of 2026-11-28, three of them of
säkerhetsskydd assets (R6, R11, R12), so the admin's country list shows 8 and the protection
officer's (both municipalities, all of the store) 11; the committee sees no rows. The action
list's counts are given by hand below.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from dashboard.queries.actions import ActionFilters, actions_block
from dashboard.queries.risks import risks_block
from dashboard.queries.viewer import Viewer
from etl import models as m
from etl.kpi import page_aggregates
from tests.test_page_aggregates import AS_OF, BOTH, store  # noqa: F401  (fixture)

VIEWERS = [
    Viewer("admin", "a"),
    Viewer("ciso", "c", municipality_codes=frozenset({"1882"})),
    Viewer("ciso", "c2", municipality_codes=BOTH),
    Viewer("committee", "k", municipality_codes=BOTH),
    Viewer("protection_officer", "p", municipality_codes=BOTH),
]
FILTERS = [(None, None), ("1882", None), ("1861", None), ("1882", "1882-KLF")]
BLOCKS = [{"startRow": 0, "endRow": 3}, {"startRow": 3, "endRow": 6}, {"startRow": 9, "endRow": 20}]
CELLS = [None, (4, 4), (3, 4), (1, 1)]


def _grids(session, viewer, as_of, municipality, administration) -> dict:
    where = {"municipality": municipality, "administration": administration}
    found = {}
    for i, block in enumerate(BLOCKS):
        for cell in CELLS:
            found[("risks", i, cell)] = risks_block(
                session, viewer, dict(block), as_of, cell=cell, **where
            )
        found[("actions", i)] = actions_block(session, viewer, dict(block), as_of, **where)
    return found


def _without_mart(session, viewer, as_of, municipality, administration) -> dict:
    with session.begin_nested():
        session.execute(delete(m.KpiMartDate))
        found = _grids(session, viewer, as_of, municipality, administration)
        session.rollback()
    return found


@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2026, 6, 30)])
def test_list_grids_equal_with_and_without_the_kept_counts_for_each_role(store, as_of):  # noqa: F811
    with Session(store) as s:
        for viewer in VIEWERS:
            for municipality, administration in FILTERS:
                kept = _grids(s, viewer, as_of, municipality, administration)
                computed = _without_mart(s, viewer, as_of, municipality, administration)
                label = (viewer.role, viewer.municipality_codes, municipality, administration)
                assert kept.keys() == computed.keys()
                for key in kept:
                    assert kept[key] == computed[key], (label, key)


def test_risk_list_row_counts_by_hand(store):  # noqa: F811
    first = {"startRow": 0, "endRow": 100}
    expected = [
        (Viewer("admin", "a"), None, 8),
        (Viewer("admin", "a"), (3, 4), 1),  # R12 (3 × 4) is protected
        (Viewer("protection_officer", "p", municipality_codes=BOTH), None, 11),
        (Viewer("protection_officer", "p", municipality_codes=BOTH), (3, 4), 2),
        (Viewer("committee", "k", municipality_codes=BOTH), None, 0),
    ]
    with Session(store) as s:
        for viewer, cell, count in expected:
            response = risks_block(s, viewer, first, AS_OF, cell=cell)
            assert response["rowCount"] == count, (viewer.role, cell)
            assert len(response["rowData"]) == count, (viewer.role, cell)


def test_risk_list_row_count_is_read_from_the_kept_counts(store):  # noqa: F811
    """With the mart holding the date the country's row count is the kept counts' sum (here
    changed on purpose inside a rolled-back transaction); the rows themselves are read."""
    admin = Viewer("admin", "a")
    first = {"startRow": 0, "endRow": 100}
    with Session(store) as s:
        assert sum(page_aggregates.risk_cells(s, AS_OF, protected=False).values()) == 8
        assert sum(page_aggregates.risk_cells(s, AS_OF, protected=True).values()) == 11
        assert sum(page_aggregates.risk_cells(s, AS_OF, protected=True, cell=(3, 4)).values()) == 2
        with s.begin_nested():
            s.execute(
                update(m.PageAggregate)
                .where(m.PageAggregate.aggregate == "risks")
                .values(count=m.PageAggregate.count + 1)
            )
            response = risks_block(s, admin, first, AS_OF)
            s.rollback()
        kept_rows = response["rowCount"] - 8
        assert kept_rows > 0
        assert len(response["rowData"]) == 8
        # An administration's view is counted on demand.
        with s.begin_nested():
            s.execute(update(m.PageAggregate).values(count=m.PageAggregate.count + 1))
            klf = risks_block(
                s, admin, first, AS_OF, municipality="1882", administration="1882-KLF"
            )
            s.rollback()
        assert klf["rowCount"] == len(klf["rowData"])


def test_risk_list_blocks_walked_by_score_follow_the_default_order(store):  # noqa: F811
    """The country's list read in blocks of two (each picked per score from the kept counts)
    is the whole list in its order: score highest first, then code. Admin, as of 2026-11-28:
    R3 (16), R4 (12), R1 and R8 (9), R5 and R7 (4), R2 (2), R9 (1); R6, R11 and R12 are of
    säkerhetsskydd assets."""
    admin = Viewer("admin", "a")
    with Session(store) as s:
        whole = risks_block(s, admin, {"startRow": 0, "endRow": 100, "sortModel": []}, AS_OF)
        sorted_whole = risks_block(
            s,
            admin,
            {
                "startRow": 0,
                "endRow": 100,
                "sortModel": [{"colId": "score", "sort": "desc"}, {"colId": "code", "sort": "asc"}],
            },
            AS_OF,
        )
        walked = []
        for start in range(0, 10, 2):
            walked += risks_block(s, admin, {"startRow": start, "endRow": start + 2}, AS_OF)[
                "rowData"
            ]
    codes = [row["code"] for row in whole["rowData"]]
    assert [row["code"] for row in walked] == codes
    assert [row["code"] for row in sorted_whole["rowData"]] == codes
    assert codes == ["R3", "R4", "R1", "R8", "R5", "R7", "R2", "R9"]


# The Åtgärder list as of 2026-11-28: Askersund's units own AC1, AC2, AC3, AC7, AC10 and AC11,
# AC12 (on R11 of the säkerhetsskydd asset X11); Hallsberg's own AC8, AC9 and AC4 (on R6 of the
# säkerhetsskydd asset X7); GO-EK's provider actions AC5 and AC6 (no owner unit) count once.
ACTION_ROW_COUNTS = [
    (Viewer("admin", "a"), None, 9),
    (Viewer("admin", "a"), "1882", 7),  # AC1, AC2, AC3, AC7, AC10 and GO-EK's AC5, AC6
    (Viewer("admin", "a"), "1861", 4),  # AC8, AC9 and GO-EK's AC5, AC6
    (Viewer("ciso", "c", municipality_codes=frozenset({"1882"})), None, 7),
    (Viewer("ciso", "c2", municipality_codes=BOTH), None, 9),
    (Viewer("protection_officer", "p", municipality_codes=BOTH), None, 12),
    (Viewer("protection_officer", "p", municipality_codes=BOTH), "1861", 5),
    (Viewer("committee", "k", municipality_codes=BOTH), None, 0),
]


def test_action_list_row_counts_by_hand(store):  # noqa: F811
    first = {"startRow": 0, "endRow": 100}
    with Session(store) as s:
        for viewer, municipality, count in ACTION_ROW_COUNTS:
            response = actions_block(s, viewer, first, AS_OF, municipality=municipality)
            label = (viewer.role, viewer.municipality_codes, municipality)
            assert response["rowCount"] == count, label
            assert len(response["rowData"]) == count, label


def test_action_list_kept_totals_by_hand(store):  # noqa: F811
    """The kept counts per part: Askersund 7 (2 protected), Hallsberg 3 (1 protected), GO-EK 2."""
    with Session(store) as s:
        total = page_aggregates.action_list_total
        assert total(s, AS_OF, protected=False) == 9
        assert total(s, AS_OF, protected=True) == 12
        codes = select(m.Municipality.code).where(m.Municipality.code == "1882")
        none = select(m.GovernanceObject.code).where(m.GovernanceObject.code == "none")
        assert total(s, AS_OF, codes, none, protected=False) == 5
        assert total(s, AS_OF, codes, none, protected=True) == 7


def _bump_action_list(s) -> None:
    s.execute(
        update(m.PageAggregate)
        .where(m.PageAggregate.aggregate == "action_list")
        .values(count=m.PageAggregate.count + 1)
    )


def test_action_list_row_count_is_read_from_the_kept_counts(store):  # noqa: F811
    """With the mart holding the date the unfiltered list's row count of the country, of
    several municipalities and of one is the kept counts' sum (here changed on purpose inside a
    rolled-back transaction); the rows themselves are read. An administration, a page filter
    and the committee are counted on demand."""
    first = {"startRow": 0, "endRow": 100}
    admin = Viewer("admin", "a")
    ciso = Viewer("ciso", "c2", municipality_codes=BOTH)
    officer = Viewer("protection_officer", "p", municipality_codes=BOTH)
    committee = Viewer("committee", "k", municipality_codes=BOTH)
    with Session(store) as s, s.begin_nested():
        _bump_action_list(s)
        country = actions_block(s, admin, first, AS_OF)
        several = actions_block(s, ciso, first, AS_OF)
        one = actions_block(s, admin, first, AS_OF, municipality="1882")
        protected = actions_block(s, officer, first, AS_OF)
        klf = actions_block(s, admin, first, AS_OF, municipality="1882", administration="1882-KLF")
        open_only = actions_block(
            s, admin, first, AS_OF, filters=ActionFilters(statuses=("not_started",))
        )
        none = actions_block(s, committee, first, AS_OF)
        s.rollback()
    # Each part with a shown row has one more: Askersund, Hallsberg and GO-EK.
    assert (country["rowCount"], len(country["rowData"])) == (12, 9)
    assert (several["rowCount"], len(several["rowData"])) == (12, 9)
    assert (one["rowCount"], len(one["rowData"])) == (9, 7)  # Askersund and GO-EK
    # The protection officer also sums the protected rows (Askersund's and Hallsberg's).
    assert (protected["rowCount"], len(protected["rowData"])) == (17, 12)
    assert klf["rowCount"] == len(klf["rowData"])
    assert open_only["rowCount"] == len(open_only["rowData"]) == 3  # AC3, AC6, AC7
    assert none == {"rowData": [], "rowCount": 0}


def test_action_list_of_a_date_built_before_its_counts_were_kept_is_counted(store):  # noqa: F811
    """Rows kept by a build that did not count the action list (no marker for the date): the
    list is counted on demand rather than summed from the missing rows."""
    first = {"startRow": 0, "endRow": 100}
    with Session(store) as s, s.begin_nested():
        s.execute(
            delete(m.PageAggregate).where(
                m.PageAggregate.aggregate.in_(("action_list", "action_list_built"))
            )
        )
        assert page_aggregates.action_list_total(s, AS_OF, protected=False) is None
        response = actions_block(s, Viewer("admin", "a"), first, AS_OF)
        s.rollback()
    assert response["rowCount"] == len(response["rowData"]) == 9


def test_a_per_part_write_keeps_the_action_list_marker(store):  # noqa: F811
    with store.begin() as conn:
        page_aggregates.write(conn, [AS_OF], municipalities={"1882"}, objects=set())
        assert page_aggregates.action_list_total(conn, AS_OF, protected=True) == 12
        conn.rollback()
