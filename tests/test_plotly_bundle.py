"""The app's plotly.js bundle (assets/plotly-infosak.min.js, built by plotly_bundle/) holds only
the trace types listed in plotly_bundle/traces.json. A chart of a type left out would draw
nothing in the browser, silently: every trace type the pages' callbacks send must be listed.
Every page loads the bundle, under an address the browser may keep for a year, and not Dash's.

The figures come from the app itself: every page's callbacks that run on a first visit
(benchmarks.page_calls, the same list the benchmarks time), for the whole store, one
municipality and one administration, in both languages, on tests/kpi_data.py's store.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import plotly.graph_objects as go
import pytest
from dash._no_update import NoUpdate
from dash.development.base_component import Component

from tests.kpi_data import AS_OF, build_store

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "plotly_bundle"
BUNDLE = ROOT / "assets" / "plotly-infosak.min.js"
SCOPES = ((None, None), ("1882", None), ("1882", "1882-SOC"))


def bundle_traces() -> set[str]:
    return set(json.loads((RECIPE / "traces.json").read_text("utf-8")))


def _figure_traces(value, found: set[str]) -> None:
    """Every trace type in a callback's output (figures, or components holding figures)."""
    if isinstance(value, go.Figure):
        found.update(trace.type for trace in value.data)
    elif isinstance(value, Component):
        for prop in value._prop_names:
            _figure_traces(getattr(value, prop, None), found)
    elif isinstance(value, dict):
        data = value.get("data")
        if isinstance(data, list | tuple) and "layout" in value:
            # plotly.js draws a trace without a type as a scatter.
            found.update(t.get("type", "scatter") for t in data if isinstance(t, dict))
        for item in value.values():
            _figure_traces(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _figure_traces(item, found)


def _run_page(calls, found: set[str]) -> None:
    """Each callback once, then those whose inputs another one set (Mognad's profile chart
    waits for the choice of profile that the page's first answer gives), as the browser would."""
    given: dict[tuple[str, str], object] = {}
    for call in calls:
        result = call.call()
        _figure_traces(result, found)
        results = result if len(call.outputs) > 1 else [result]
        for output, value in zip(call.outputs, results, strict=True):
            if not isinstance(value, NoUpdate):
                given[output] = value
    for call in calls:
        chained = {key: given[key] for key in call.inputs if key in given}
        if chained:
            call.values.update(chained)
            _figure_traces(call.call(), found)


@pytest.fixture(scope="module")
def page_trace_types(tmp_path_factory) -> dict[str, set[str]]:
    from benchmarks.page_calls import PAGES, build_app, page_calls
    from dashboard import store
    from etl.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('traces') / 'store.db'}")
    migrate(engine)
    build_store(engine)
    app = build_app(engine)
    per_page: dict[str, set[str]] = {}
    try:
        for path in PAGES:
            found = per_page.setdefault(path, set())
            for municipality, administration in SCOPES:
                for lang in ("sv", "en"):
                    filters = {"as_of": AS_OF.isoformat(), "lang": lang,
                               "municipality": municipality,
                               "administration": administration}  # fmt: skip
                    _run_page(page_calls(app, path, filters, block_size=100), found)
    finally:
        store.configure(None)
        engine.dispose()
    return per_page


def test_every_trace_type_the_pages_draw_is_in_the_bundle(page_trace_types):
    listed = bundle_traces()
    for path, types in page_trace_types.items():
        assert types <= listed, (
            f"{path} draws {sorted(types - listed)}, which plotly_bundle/traces.json leaves out: "
            "add it there and rebuild the bundle (plotly_bundle/README.md)"
        )


def test_the_bundle_lists_only_what_the_pages_draw(page_trace_types):
    """Each listed type is drawn by some page: the walk above sees the charts (an empty walk
    would pass the test before), and a type no chart uses any more leaves the bundle."""
    drawn = set().union(*page_trace_types.values())
    assert drawn == bundle_traces()
    # The pages with charts each send some.
    for path in ("/", "/tackning", "/atgarder", "/risker", "/forvaltningsobjekt", "/mognad",
                 "/rapport"):  # fmt: skip
        assert page_trace_types[path], path


def test_the_built_bundle_registers_exactly_the_listed_types():
    """The committed file was built from the committed list (its banner names the types) and
    from the plotly.js version that plotly.py, which writes the figures' JSON, was made for."""
    from plotly.offline import get_plotlyjs_version

    head = BUNDLE.read_text("utf-8")[:400]
    banner = re.match(r"/\* plotly\.js v([\d.]+) .*?traces: ([a-z, ]+);", head)
    assert banner, head[:200]
    assert banner.group(1) == get_plotlyjs_version()
    assert set(banner.group(2).split(", ")) == bundle_traces()
    built = json.loads((RECIPE / "built.json").read_text("utf-8"))
    assert built["plotly.js"] == get_plotlyjs_version()
    assert set(built["traces"]) == bundle_traces()
    assert built["bytes"] == BUNDLE.stat().st_size
    package = json.loads((RECIPE / "package.json").read_text("utf-8"))
    assert package["devDependencies"]["plotly.js"] == get_plotlyjs_version()


def test_pages_load_the_bundle_under_a_fingerprint_and_not_dashs_plotly(sqlite_engine):
    from tests.pages import build_app

    client = build_app(sqlite_engine).server.test_client()
    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    ours = [s for s in scripts if "plotly" in s]
    # Dash's fingerprint: version and file time in the name, kept by the browser for a year.
    assert len(ours) == 1 and re.search(r"/dashboard/assets/plotly-infosak\.v[\w]+\.min\.js$",
                                        ours[0]), scripts  # fmt: skip
    # Before Dash's renderer, which draws the first chart.
    assert scripts.index(ours[0]) < next(i for i, s in enumerate(scripts) if "dash_renderer" in s)
    served = client.get(ours[0])
    assert served.status_code == 200
    assert served.headers["Cache-Control"] == "max-age=31536000"
    assert served.get_data() == BUNDLE.read_bytes()
    # Not also as an asset (it would be loaded twice).
    assert '"/assets/plotly-infosak' not in page
