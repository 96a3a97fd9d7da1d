"""In Chromium, the pages draw their charts with the app's own plotly.js bundle
(assets/plotly-infosak.min.js), and Dash's full plotly.js is never requested.

dcc.Graph loads plotly.js itself only when ``window.Plotly`` is missing (dash/dcc's Graph: it
takes ``window.Plotly`` if set, else adds a script for Dash's bundle); the app's bundle, a
script of every page, sets it before Dash's renderer starts. A chart whose trace type the bundle lacks would be drawn empty: every
trace drawn must have found its plotly.js module.
"""

from __future__ import annotations

import json

import pytest

from tests.browser_site import log_in_as, site_fixture, wait_settled
from tests.test_plotly_bundle import bundle_traces

# Pages with charts, and who sees them (tests/browser_site.py's accounts).
PAGES = {"/": "root", "/mognad": "eva", "/risker": "eva", "/atgarder": "root",
         "/tackning": "root", "/forvaltningsobjekt": "root", "/rapport": "namnd"}  # fmt: skip

CHARTS_JS = """
const graphs = Array.from(document.querySelectorAll('.js-plotly-plot'));
return {
  plotly: window.Plotly ? window.Plotly.version : null,
  registered: window.Plotly ? Object.keys(window.Plotly.PlotSchema.get().traces) : [],
  graphs: graphs.length,
  drawn: graphs.filter(g => g._fullLayout && g.querySelector('svg.main-svg')).length,
  traces: graphs.reduce((n, g) => n + (g._fullData || []).length, 0),
  unknown: graphs.flatMap(g => (g._fullData || []).filter(t => !t._module)
                                                  .map(t => t.type)),
  scripts: performance.getEntriesByType('resource').map(e => e.name)
      .filter(n => /plotly/i.test(n)),
};
"""


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    yield from site_fixture(request, tmp_path_factory)


@pytest.mark.browser
def test_charts_are_drawn_with_the_small_bundle_and_the_full_one_is_not_fetched(site):
    from plotly.offline import get_plotlyjs_version

    user = None
    fetched: list[str] = []
    for path, name in PAGES.items():
        if name != user:
            log_in_as(site, name)
            user = name
        site.driver.get(f"{site.server_url}{path}")
        site.wait_for_element(".js-plotly-plot .main-svg", timeout=30)
        wait_settled(site, timeout=30)
        seen = site.driver.execute_script(CHARTS_JS)
        where = f"{path} as {name}: {json.dumps(seen)}"
        assert seen["plotly"] == get_plotlyjs_version(), where
        assert set(seen["registered"]) == bundle_traces(), where
        assert seen["graphs"] and seen["drawn"] == seen["graphs"], where
        assert seen["traces"] and not seen["unknown"], where
        # The navigation of this page fetched only the app's bundle (or took it from the
        # cache): never Dash's plotly.min.js nor a CDN copy.
        assert all("/dashboard/assets/plotly-infosak." in url for url in seen["scripts"]), where
        fetched.extend(seen["scripts"])
    assert fetched, "the app's bundle was requested"
