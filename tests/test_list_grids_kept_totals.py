"""The Risker and Åtgärder grids answer every role the same with and without the counts kept with
the KPI mart, and take the risk list's row count from the kept counts where they stand for the
viewer.

Hand-counted store of tests/test_page_aggregates.py: 11 risks as of 2026-11-28, three of them of
säkerhetsskydd assets (R6, R11, R12), so the admin's country list shows 8 and the protection
officer's (both municipalities, all of the store) 11; the committee sees no rows.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from dashboard.queries.actions import actions_block
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
        assert page_aggregates.risk_total(s, AS_OF, protected=False) == 8
        assert page_aggregates.risk_total(s, AS_OF, protected=True) == 11
        assert page_aggregates.risk_total(s, AS_OF, protected=True, cell=(3, 4)) == 2
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
