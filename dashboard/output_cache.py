"""Whole callback outputs cached per (callback, arguments, viewer's scope, store version).

Between two loads a page callback called with the same filters by viewers with the same role and
scope returns the same thing, so the second call can skip the queries and the figure building.
The key carries the viewer's role and scope codes (never only the filters): what a callback
returns depends on who asks. The store version is the KPI cache's (dashboard.queries._kpi_cache):
any load changes it, and ``_kpi_cache.clear()`` empties this cache too.

Only for callbacks that read the store and nothing else (no writes, no downloads, no audit).
Entries are bounded (least recently used first out); outputs are Dash components and figures,
which Dash only serialises, so the cached objects are handed out as they are.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable

from plotly.utils import PlotlyJSONEncoder

from dashboard import store
from dashboard.queries import _kpi_cache
from dashboard.viewer_context import current_viewer

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
        size = _json_size(result)
        if size is None or size > MAX_JSON_BYTES:
            return result
        with _lock:
            _entries[key] = (result, size)
            total = sum(entry_size for _, entry_size in _entries.values())
            while _entries and (len(_entries) > MAX_ENTRIES or total > MAX_JSON_BYTES):
                _, (_, dropped) = _entries.popitem(last=False)
                total -= dropped
        return result

    return wrapper
