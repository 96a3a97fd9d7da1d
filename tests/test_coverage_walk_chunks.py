"""The country's asset-gap list walked a few assets at a time (the walk asks for a group's
gaps in chunks of its assets in list order) gives the blocks of the full sort, for every gap,
also when a block needs several chunks of one group and chunks of several groups."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dashboard.queries import coverage
from dashboard.queries.coverage import asset_gap_block
from etl.kpi.coverage_gaps import GAPS
from tests.test_grid_walk import TODAY, WIDE_VIEWERS, _gaps_before, _requests, store  # noqa: F401


@pytest.mark.parametrize("chunk", [1, 3])
def test_blocks_walked_in_small_chunks_are_the_full_querys(store, chunk, monkeypatch):  # noqa: F811
    monkeypatch.setattr(coverage, "WALK_CHUNK", chunk)
    viewer = WIDE_VIEWERS[0]
    with Session(store) as s:
        for gap in GAPS:
            total = _gaps_before(s, viewer, {"startRow": 0, "endRow": 0}, gap)["rowCount"]
            assert total > 0
            for request in _requests(total, [1, 2, 5, 11]):
                expected = _gaps_before(s, viewer, request, gap)
                assert asset_gap_block(s, TODAY, viewer, request, gap=gap) == expected, request
