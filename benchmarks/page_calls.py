"""Every page's initial callbacks, with the arguments a browser would send on first load.

Built from the app itself rather than a hand-kept list, so a new callback is measured without
anyone remembering to add it: for each page, the callbacks whose inputs and states all live in the
page's layout (or the shell's) and that fire on load (not a click, an upload, a matrix click or a
row selection). Input values come from the layout, the global filters from the benchmark's filter
set, and a grid's ``getRowsRequest`` is its first block.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import dash
import flask

# Inputs that only a user action sets: callbacks on them do not run on first load.
USER_ACTION_PROPS = {"n_clicks", "contents", "clickData", "selectedRows"}
# Pages measured (the upload form and the audit log have no data callbacks on load).
PAGES = ("/", "/tackning", "/atgarder", "/risker", "/forvaltningsobjekt", "/min-enhet",
         "/inlasningar", "/mognad", "/rapport")  # fmt: skip
FILTERS_ID = "app-filters"
CALLBACK_PATH = "/_dash-update-component"
URL_ID = "app-url"


def grid_request(block_size: int) -> dict:
    return {"startRow": 0, "endRow": block_size, "sortModel": [], "filterModel": {}}


@dataclass
class PageCall:
    """One callback of one page, ready to call directly or to POST to /_dash-update-component."""

    page: str
    name: str  # module.function
    function: Callable
    inputs: list[tuple[str, str]]
    states: list[tuple[str, str]]
    outputs: list[tuple[str, str]]
    output_key: str
    values: dict[tuple[str, str], object] = field(default_factory=dict)
    server: flask.Flask | None = None

    def args(self) -> list:
        return [self.values.get(k) for k in self.inputs + self.states]

    def call(self):
        """The callback function, inside a callback request of the app as Dash runs it (so the
        output cache weighs its output by the response afterwards, not by serialising it)."""
        if self.server is None:
            return self.function(*self.args())
        with self.server.test_request_context(CALLBACK_PATH, method="POST"):
            return self.function(*self.args())

    def request_body(self) -> dict:
        def spec(pairs):
            return [{"id": i, "property": p, "value": self.values.get((i, p))} for i, p in pairs]

        outputs = [{"id": i, "property": p} for i, p in self.outputs]
        return {
            "output": self.output_key,
            "outputs": outputs if self.output_key.startswith("..") else outputs[0],
            "inputs": spec(self.inputs),
            "state": spec(self.states),
            "changedPropIds": [],
        }


def _walk(component, found: dict) -> None:
    if component is None or isinstance(component, str | int | float | bool):
        return
    if isinstance(component, list | tuple):
        for child in component:
            _walk(child, found)
        return
    component_id = getattr(component, "id", None)
    if isinstance(component_id, str):
        found[component_id] = component
    _walk(getattr(component, "children", None), found)
    for name in ("content", "label"):  # tabs, cards and the like keep components here too
        value = getattr(component, name, None)
        if not isinstance(value, str):
            _walk(value, found)


def components_by_id(layout) -> dict:
    found: dict = {}
    _walk(layout, found)
    return found


def parse_output_key(key: str) -> list[tuple[str, str]]:
    """Dash's output key ("id.prop" or "..id.prop...id2.prop2..") as (id, prop) pairs."""
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    pairs = []
    for part in parts:
        component_id, _, prop = part.rpartition(".")
        pairs.append((component_id, prop.split("@")[0]))
    return pairs


def page_module(path: str):
    for page in dash.page_registry.values():
        if page["path"] == path:
            return sys.modules[page["module"]]
    raise LookupError(path)


def page_calls(app: dash.Dash, path: str, filters: dict, block_size: int) -> list[PageCall]:
    """The initial callbacks of page ``path`` for ``filters`` (a FILTERS_STORE dict)."""
    from dashboard.app import create_layout

    query = {"sprak": filters.get("lang", "sv")}
    page_layout = page_module(path).layout(**query)
    known = components_by_id([create_layout(), page_layout])
    module_name = page_module(path).__name__
    # Not called when the page is drawn, only when a person changes an input (Mognad's profile
    # choice: the first answer draws the profile). A grid's rows callback skips Dash's call at
    # mount too, but the grid itself asks for its first block on every first visit: it counts.
    not_initial = {
        c["output"]
        for c in app._callback_list
        if c.get("prevent_initial_call")
        and not any(i["property"] == "getRowsRequest" for i in c["inputs"])
    }
    calls = []
    for key, entry in app.callback_map.items():
        function = getattr(entry.get("callback"), "__wrapped__", None)
        if function is None or function.__module__ == "dash.dash":
            continue  # clientside callbacks and Dash's own page router
        if key in not_initial:
            continue
        inputs = [(i["id"], i["property"]) for i in entry["inputs"]]
        states = [(s["id"], s["property"]) for s in entry.get("state", [])]
        if any(i.startswith("{") for i, _ in inputs + states):
            continue  # pattern-matching callbacks answer clicks on generated items
        if any(p in USER_ACTION_PROPS for _, p in inputs):
            continue
        if not all(i in known or i in (FILTERS_ID, URL_ID) for i, _ in inputs + states):
            continue
        if function.__module__ == "dashboard.app":
            if function.__name__ != "update_frame":
                continue  # the shell's URL sync and navbar toggle touch no data
        elif function.__module__ != module_name:
            continue  # another page's callback (its inputs may be global, e.g. the filters)
        values: dict[tuple[str, str], object] = {}
        for component_id, prop in inputs + states:
            if component_id == FILTERS_ID:
                values[(component_id, prop)] = filters
            elif prop == "getRowsRequest":
                values[(component_id, prop)] = grid_request(block_size)
            elif component_id == URL_ID:
                values[(component_id, prop)] = ""
            else:
                values[(component_id, prop)] = getattr(known[component_id], prop, None)
        calls.append(
            PageCall(
                page=path,
                name=f"{function.__module__.rsplit('.', 1)[-1]}.{function.__name__}",
                function=function,
                inputs=inputs,
                states=states,
                outputs=parse_output_key(key),
                output_key=key,
                values=values,
                server=app.server,
            )
        )
    return calls


def build_app(engine) -> dash.Dash:
    """create_app on ``engine`` (login off: the SYSTEM viewer sees everything) with every page's
    callbacks attached (Dash moves them onto the app at its first request)."""
    import dash._callback as dash_callback

    from dashboard.app import create_app

    # Each create_app runs the page modules again; start from an empty global registry so a
    # second app in one process does not carry duplicate callbacks.
    dash_callback.GLOBAL_CALLBACK_LIST.clear()
    dash_callback.GLOBAL_CALLBACK_MAP.clear()
    dash_callback.GLOBAL_INLINE_SCRIPTS.clear()
    app = create_app(engine, auth=False)
    app.server.test_client().get("/_dash-layout")
    return app


def describe(call: PageCall) -> str:
    return json.dumps({"page": call.page, "callback": call.name}, ensure_ascii=False)
