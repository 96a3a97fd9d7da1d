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

import functools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable

from dashboard import store
from dashboard.queries import _kpi_cache
from dashboard.viewer_context import current_viewer

MAX_ENTRIES = 128  # a national page's outputs are at most a few hundred kB each

_lock = threading.Lock()
_entries: OrderedDict = OrderedDict()


def clear() -> None:
    with _lock:
        _entries.clear()


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
        )
        with _lock:
            if key in _entries:
                _entries.move_to_end(key)
                return _entries[key]
        result = function(*args, **kwargs)
        with _lock:
            _entries[key] = result
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
        return result

    return wrapper
