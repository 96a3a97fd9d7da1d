"""Whole callback outputs cached per (callback, arguments, viewer's scope, store version).

Between two loads a page callback called with the same filters by viewers with the same role and
scope returns the same thing, so the second call can skip the queries and the figure building.
The key carries the viewer's role and scope codes (never only the filters): what a callback
returns depends on who asks. The store version is the KPI cache's (etl.kpi.cache):
any load changes it, and ``_kpi_cache.clear()`` empties this cache too.

Only for callbacks that read the store and nothing else (no writes, no downloads, no audit).
Entries are bounded (least recently used first out); outputs are Dash components and figures,
which Dash only serialises, so the cached objects are handed out as they are.

An entry's size is the length of the response Dash sent for it, read after the request
(``init_app``): serialising the output a second time only to weigh it cost as much as Dash's own
serialisation (the national Rapport: about 0.28 s of a 1.1 s callback). Outside a request
(scripts, the benchmark's direct calls) the output is weighed by serialising it, as before.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import flask
from plotly.utils import PlotlyJSONEncoder

from dashboard import store
from dashboard.viewer_context import current_viewer
from etl.kpi import cache as _kpi_cache

MAX_ENTRIES = 256
# Bound on the outputs' size as JSON, summed over the entries. The Python objects behind them
# (components, figures) take several times that: a national report is ~0.5 MB of JSON and a few
# MB of objects, so 8 MB keeps a worker's cache in the tens of MB (memory target 500 MB).
MAX_JSON_BYTES = 8_000_000

_lock = threading.Lock()
_entries: OrderedDict = OrderedDict()


def clear() -> None:
    with _lock:
        _entries.clear()


def _json_size(result) -> int | None:
    """The output's size as Dash would send it; None when it cannot say (not cached then)."""
    try:
        return len(json.dumps(result, cls=PlotlyJSONEncoder))
    except (TypeError, ValueError):
        return None


_kpi_cache.on_clear(clear)

# flask.g: keys of the entries this request stored, weighed by its response.
_UNWEIGHED = "infosak_unweighed_outputs"
_EXTENSION = "infosak_output_cache"


def _store(key: Hashable, result, size: int) -> None:
    with _lock:
        _entries[key] = (result, size)
        _evict()


def _evict() -> None:
    total = sum(entry_size for _, entry_size in _entries.values())
    while _entries and (len(_entries) > MAX_ENTRIES or total > MAX_JSON_BYTES):
        _, (_, dropped) = _entries.popitem(last=False)
        total -= dropped


def weigh_after_response(response: flask.Response) -> flask.Response:
    """Give the entries stored during this request the length of its (uncompressed) response."""
    keys = flask.g.pop(_UNWEIGHED, None)
    if not keys:
        return response
    size = None
    if not response.direct_passthrough and "Content-Encoding" not in response.headers:
        size = len(response.get_data())
    with _lock:
        for key in keys:
            entry = _entries.get(key)
            if entry is None:
                continue
            if size is None or size > MAX_JSON_BYTES:
                del _entries[key]  # not weighable, or too big to keep
            else:
                _entries[key] = (entry[0], size)
        _evict()
    return response


def init_app(server: flask.Flask) -> None:
    """Weigh cached outputs by the responses that carried them. Registered after Dash's
    compression, so it runs before it and sees the JSON as Dash wrote it."""
    server.after_request(weigh_after_response)
    server.extensions[_EXTENSION] = True


def _arguments_key(args, kwargs) -> str:
    # Callback arguments are JSON from the browser (filters, grid requests, dropdown values).
    return json.dumps([args, kwargs], sort_keys=True, default=str, ensure_ascii=False)


def cached_output(function: Callable) -> Callable:
    """Decorate a read-only page callback (below ``@callback``) to cache its outputs."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if not _kpi_cache.enabled:
            return function(*args, **kwargs)
        engine = store.get_engine()
        with engine.connect() as connection:
            version = _kpi_cache.store_version(connection)
        key = (
            engine,  # the identity: tests run apps on several stores in one process
            function.__module__,
            function.__qualname__,
            _arguments_key(args, kwargs),
            _kpi_cache.scope_of(current_viewer()),
            version,
            # A missing date in the filters means today: an output must not outlive its day.
            dt.date.today(),
        )
        with _lock:
            if key in _entries:
                _entries.move_to_end(key)
                return _entries[key][0]
        result = function(*args, **kwargs)
        if flask.has_request_context() and _EXTENSION in flask.current_app.extensions:
            # Weighed when the response is written (0 until then).
            flask.g.setdefault(_UNWEIGHED, []).append(key)
            _store(key, result, 0)
            return result
        size = _json_size(result)
        if size is not None and size <= MAX_JSON_BYTES:
            _store(key, result, size)
        return result

    return wrapper
