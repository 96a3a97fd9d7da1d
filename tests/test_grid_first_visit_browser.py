"""Each grid asks for its rows once on a first visit, and once again after a change of the
global filters or a click on a column header (tests/kpi_data.py's store).

Before, Dash called every rows callback at mount with no request (Täckning's and Inläsningar's
answered it with a first block nobody had asked for), and on Risker the matrix cell's store,
written at mount with the same empty cell, made the grid drop its rows and ask again.
"""

from __future__ import annotations

import flask
import pytest

from dashboard import output_cache, store
from tests.browser_site import wait_settled
from tests.kpi_data import AS_OF, build_store
from tests.pages import build_app

GRID_PAGES = {
    "/tackning": ("tackning-gap-grid", "tackning-owners-grid"),
    "/atgarder": ("atgarder-grid",),
    "/risker": ("risker-grid",),
    "/inlasningar": ("inlasningar-grid",),
}
# The small store has no loads: Inläsningar's grid answers with none.
EMPTY_GRIDS = {"inlasningar-grid"}
# A column each grid sorts on by a click on its header.
SORT_COLUMN = {"/tackning": "asset_code", "/atgarder": "title", "/risker": "description"}


def rows_requests(posted: list[tuple[str, object]], grid: str) -> list[object]:
    """The getRowsRequest values posted to ``grid``'s rows callback."""
    return [request for output, request in posted if output == f"{grid}.getRowsResponse"]


def row_count(duo, grid: str) -> int:
    return duo.driver.execute_script(
        "return window.dash_ag_grid.getApi(arguments[0]).getDisplayedRowCount();", grid
    )


@pytest.fixture
def recorded(dash_duo, sqlite_engine):
    """The app on the small store, and the list of (output, getRowsRequest) it is posted."""
    build_store(sqlite_engine)
    app = build_app(sqlite_engine)
    posted: list[tuple[str, object]] = []

    @app.server.before_request
    def record_callback_request():
        if flask.request.path.endswith("/_dash-update-component"):
            body = flask.request.get_json(silent=True) or {}
            inputs = body.get("inputs") or []
            request = next(
                (i.get("value") for i in inputs if i.get("property") == "getRowsRequest"), None
            )
            posted.append((body.get("output", ""), request))

    output_cache.clear()
    dash_duo.start_server(app)
    yield dash_duo, posted
    output_cache.clear()
    store.configure(None)


def open_page(duo, path: str) -> None:
    duo.wait_for_page(f"{duo.server_url}{path}?datum={AS_OF.isoformat()}")
    duo.wait_for_element(".ag-row", timeout=20)
    wait_settled(duo, timeout=30)


@pytest.mark.browser
@pytest.mark.parametrize("path", list(GRID_PAGES))
def test_a_first_visit_asks_for_each_grids_rows_once(recorded, path):
    duo, posted = recorded
    open_page(duo, path)
    for grid in GRID_PAGES[path]:
        requests = rows_requests(posted, grid)
        assert len(requests) == 1, (grid, requests)
        assert requests[0]["startRow"] == 0, (grid, requests)
        assert (row_count(duo, grid) > 0) is (grid not in EMPTY_GRIDS), grid
    assert duo.get_logs() == []


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/tackning", "/risker", "/atgarder"])
def test_a_filter_or_a_sort_asks_once_more(recorded, path):
    """A new municipality asks each grid once for its new rows; a click on a header once."""
    duo, posted = recorded
    open_page(duo, path)
    first = {grid: row_count(duo, grid) for grid in GRID_PAGES[path]}

    posted.clear()
    duo.select_dcc_dropdown("#app-filter-municipality", value="Askersund (1882)")
    duo.wait_for_contains_text("#app-scope-line", "Askersund", timeout=20)
    wait_settled(duo, timeout=30)
    for grid in GRID_PAGES[path]:
        assert len(rows_requests(posted, grid)) == 1, (grid, rows_requests(posted, grid))
        assert row_count(duo, grid) <= first[grid], grid

    posted.clear()
    grid = GRID_PAGES[path][0]
    header = duo.find_element(
        f"#{grid} .ag-header-cell[col-id='{SORT_COLUMN[path]}'] .ag-header-cell-label"
    )
    duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", header
    )
    header.click()
    wait_settled(duo, timeout=30)
    requests = rows_requests(posted, grid)
    assert len(requests) == 1, requests
    assert requests[0]["sortModel"][0]["colId"] == SORT_COLUMN[path]
    for other in GRID_PAGES[path][1:]:
        assert rows_requests(posted, other) == []
