"""plotly.js is fetched with the page's first requests (assets/plotly_early.js), once, and the
charts draw with it.

The script relies on two things of the installed Dash: dash-renderer gives dcc.Graph the
address below when the app serves its files itself, and dcc.Graph takes ``window.Plotly`` when
it is there through ``Promise.resolve`` (so a promise of plotly.js is waited for, and no second
copy is fetched). The first tests read that in the installed bundles, so a Dash upgrade that
changes either fails here, not silently in the browser; the browser test shows the result.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from pathlib import Path

import dash
import pytest

from dashboard.app import ASSETS_DIR
from tests.browser_site import log_in_as, site_fixture, wait_settled

PLOTLY_PATH = "_dash-component-suites/plotly/package_data/plotly.min.js"
DASH_DIR = Path(dash.__file__).resolve().parent


def test_the_script_asks_for_the_address_dash_renderer_gives_the_graph():
    script = (ASSETS_DIR / "plotly_early.js").read_text("utf-8")
    assert f'"{PLOTLY_PATH}"' in script
    renderer = (DASH_DIR / "dash-renderer" / "build" / "dash_renderer.min.js").read_text("utf-8")
    assert '_dash-component-suites/plotly/package_data/plotly.min.js"' in renderer
    assert "window._dashPlotlyJSURL" in renderer


def test_the_graph_waits_for_a_promise_in_window_plotly():
    core = (DASH_DIR / "dcc" / "dash_core_components.js").read_text("utf-8")
    assert "Promise.resolve(window.Plotly||" in core


def test_the_pages_without_charts_are_those_without_a_graph(sqlite_engine):
    """The script's list of pages that do not fetch plotly.js early is exactly the pages whose
    module has no dcc.Graph."""
    from dashboard import store
    from tests.pages import build_app

    script = (ASSETS_DIR / "plotly_early.js").read_text("utf-8")
    listed = json.loads(re.search(r"PAGES_WITHOUT_CHARTS = (\[[^\]]*\])", script).group(1))
    build_app(sqlite_engine)
    try:
        without = {
            page["path"]
            for page in dash.page_registry.values()
            if page["path"] != "/404"
            and "dcc.Graph(" not in inspect.getsource(sys.modules[page["module"]])
        }
    finally:
        store.configure(None)
    assert sorted(listed) == sorted(without)
    assert "/" not in without and "/mognad" not in without


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    yield from site_fixture(request, tmp_path_factory)


FETCHES_JS = """
return {
  fetched: performance.getEntriesByType('resource')
      .filter(e => e.name.indexOf(arguments[0]) >= 0).length,
  scripts: document.querySelectorAll('script[src*="plotly.min.js"]').length,
  real: typeof (window.Plotly && window.Plotly.react) === 'function',
  drawn: document.querySelectorAll('.js-plotly-plot .main-svg').length,
};
"""


@pytest.mark.browser
def test_plotly_is_fetched_once_and_the_charts_draw(site):
    log_in_as(site, "eva")
    site.driver.get(f"{site.server_url}/mognad")
    wait_settled(site, timeout=60)
    site.wait_for_element(".js-plotly-plot .main-svg", timeout=30)
    found = site.driver.execute_script(FETCHES_JS, PLOTLY_PATH)
    assert found["fetched"] == 1 and found["scripts"] == 1, found
    assert found["real"] and found["drawn"] >= 4, found
    assert site.get_logs() == []


@pytest.mark.browser
def test_a_page_without_charts_does_not_fetch_plotly(site):
    log_in_as(site, "eva")
    site.driver.get(f"{site.server_url}/inlasningar")
    wait_settled(site, timeout=60)
    found = site.driver.execute_script(FETCHES_JS, PLOTLY_PATH)
    assert found["fetched"] == 0 and found["scripts"] == 0, found
