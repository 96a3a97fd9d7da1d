"""Callback requests no browser of this app sends are answered 400, before Dash reads them.

Dash trusts the body of ``/_dash-update-component``: a body nested a hundred thousand levels
deep stops Python's JSON decoder with RecursionError, an unknown output or a missing input list
fails inside Dash, and a filter store or grid request holding lists, 400-digit integers or year
9999 fails inside a callback. Each of these was a plain 500 or the page's generic error. Here the
body is parsed once (Flask keeps the result for Dash), its shape is checked against the app's
callback map, and the values with rules of their own are read by the same parsers the callbacks
use (:func:`dashboard.filters.store_problems`, :func:`dashboard.grid.request_problems`).
"""

from __future__ import annotations

import logging

import dash
from flask import jsonify, request
from werkzeug.exceptions import BadRequest

from dashboard import constants as c
from dashboard.filters import store_problems
from dashboard.grid import request_problems

log = logging.getLogger(__name__)

CALLBACK_PATH = "/_dash-update-component"
# Dash's own callback bodies are a few levels deep (inputs → value → a grid's filter model →
# its conditions); component trees sent back as State stay well within this.
MAX_JSON_DEPTH = 64
MAX_PROBLEMS_SHOWN = 5
_CONTAINERS = (dict, list)  # what json.loads builds for objects and arrays

MESSAGE_SV = "Ogiltig begäran: uppgifterna i anropet kan inte användas."
MESSAGE_EN = "Bad request: the values sent cannot be used."


def json_depth_exceeds(data: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``data`` nests lists or objects more than ``limit`` levels deep (no recursion)."""
    if not isinstance(data, dict | list):
        return False
    # Containers only: a 12 MB list of numbers (an upload-sized body) is one level, walked in
    # C by the comprehension's type test rather than pushed element by element.
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend([(child, depth + 1) for child in children if type(child) in _CONTAINERS])
    return False


def _item_problems(item: object, spec: dict, where: str) -> list[str]:
    """An input or state entry: a dict (or, for a wildcard id, a list of dicts) for the spec's
    component and property, whose value passes the rules of that property."""
    wildcard = isinstance(spec.get("id"), str) and spec["id"].startswith("{")
    entries = item if wildcard and isinstance(item, list) else [item]
    problems = []
    for entry in entries:
        if not isinstance(entry, dict) or "id" not in entry or "property" not in entry:
            return [f"{where} is not an input entry"]
        if not wildcard and (entry["id"], entry["property"]) != (spec["id"], spec["property"]):
            return [f"{where} is not {spec['id']}.{spec['property']}"]
        value = entry.get("value")
        if entry["property"] == "getRowsRequest":
            problems += [f"{where}: {p}" for p in request_problems(value)]
        elif entry["id"] == c.FILTERS_STORE and entry["property"] == "data":
            problems += [f"{where}: {p}" for p in store_problems(value)]
    return problems


def callback_problems(body: object, callback_map: dict) -> list[str]:
    """What makes ``body`` a callback request no browser of this app sends (empty: none)."""
    if not isinstance(body, dict):
        return ["the body is not a JSON object"]
    if json_depth_exceeds(body):
        return [f"the body nests deeper than {MAX_JSON_DEPTH} levels"]
    output = body.get("output")
    spec = callback_map.get(output) if isinstance(output, str) else None
    if spec is None or spec.get("callback") is None:
        return ["no such callback"]
    outputs = body.get("outputs")
    if not isinstance(outputs, dict | list):
        return ["outputs are missing"]
    for entry in outputs if isinstance(outputs, list) else [outputs]:
        if not isinstance(entry, dict) or not isinstance(entry.get("property"), str):
            return ["outputs are not output entries"]
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(x, str) for x in changed):
        return ["changedPropIds is not a list of names"]
    problems = []
    for part, key in (("inputs", "inputs"), ("state", "state")):
        items = body.get(part, [])
        specs = spec.get(key, [])
        if not isinstance(items, list) or len(items) != len(specs):
            return [f"{part} do not match the callback"]
        for i, (item, item_spec) in enumerate(zip(items, specs, strict=True)):
            problems += _item_problems(item, item_spec, f"{part}[{i}]")
    return problems


def bad_request(problems: list[str]):
    shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
    return jsonify(error=f"{MESSAGE_SV} {MESSAGE_EN} ({shown})"), 400


def install_request_guard(app: dash.Dash) -> None:
    """Answer malformed callback requests with 400 and a message, before Dash reads them.

    Installed after the login gate, so that an anonymous request is refused (401) without its
    body being read at all."""

    @app.server.before_request
    def _refuse_malformed_callbacks():
        if request.method != "POST" or not request.path.endswith(CALLBACK_PATH):
            return None
        try:
            body = request.get_json()  # cached: Dash reads the same parsed body
        except (BadRequest, RecursionError, ValueError) as exc:
            # RecursionError: nesting beyond the decoder's stack; ValueError: not JSON, or an
            # integer beyond Python's digit limit.
            log.warning("callback body refused: %s", type(exc).__name__)
            return bad_request(["the body is not JSON that can be read"])
        problems = callback_problems(body, app.callback_map)
        if problems:
            log.warning("callback request refused: %s", "; ".join(problems[:MAX_PROBLEMS_SHOWN]))
            return bad_request(problems)
        return None
