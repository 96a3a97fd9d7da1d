"""The one cache: whole callback outputs per (callback, arguments, viewer's scope, store version).

Between two loads a read-only page callback called with the same filters by viewers of the same
role and scope returns the same thing. The key carries the role and scope codes (what a callback
returns depends on who asks), the store version (etl.kpi.mart.store_version: a load makes every
entry unreachable in every process) and the day (a missing date means today). Flask-Caching
holds the entries: in Redis with INFOSAK_REDIS_URL (shared by every worker and server), else in
the process (``InProcessCache``), kept as they are, not pickled: unpickling a national page's
tens of thousands of objects on every hit cost 30 ms to over a second.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import weakref
from collections.abc import Callable

import flask
from flask_caching import Cache
from flask_caching.backends.simplecache import SimpleCache

from dashboard import store
from dashboard.viewer_context import current_viewer
from etl.kpi.mart import store_version

log = logging.getLogger(__name__)

REDIS_URL_VARIABLE = "INFOSAK_REDIS_URL"
MAX_ENTRIES = 256  # in-process: a national report's output is a few MB of objects
TIMEOUT_SECONDS = 24 * 3600  # the day is in the key anyway

_cache = Cache()
_apps: weakref.WeakSet[flask.Flask] = weakref.WeakSet()
enabled = True  # off: every call computes (tests comparing two ways of computing)


class _AsIs:
    """cachelib's serializer interface, keeping the object itself."""

    dumps = loads = staticmethod(lambda value: value)


class InProcessCache(SimpleCache):
    """Flask-Caching's SimpleCache without the pickling."""

    serializer = _AsIs()


def config_from_environment() -> dict:
    """Flask-Caching's configuration: Redis when INFOSAK_REDIS_URL names one, else in-process."""
    redis_url = os.environ.get(REDIS_URL_VARIABLE, "").strip()
    common = {"CACHE_DEFAULT_TIMEOUT": TIMEOUT_SECONDS, "CACHE_KEY_PREFIX": "infosak-output:"}
    if redis_url:
        return {**common, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url}
    in_process = f"{__name__}.{InProcessCache.__name__}"
    return {**common, "CACHE_TYPE": in_process, "CACHE_THRESHOLD": MAX_ENTRIES}


def init_app(server: flask.Flask) -> None:
    _cache.init_app(server, config=config_from_environment())
    _apps.add(server)


def clear() -> None:
    """Empty the cache of every app of this process (after editing the store outside the ETL,
    and for the benchmark's cold calls)."""
    for server in list(_apps):
        with server.app_context():
            _cache.clear()


def scope_key(viewer) -> str:
    """The viewer's role and scope as text, the same in every process: a frozenset's order
    follows the string hashes, seeded per process, so the codes are sorted. Without the name."""
    scope = {}
    for field in dataclasses.fields(viewer):
        if field.name != "name":
            value = getattr(viewer, field.name)
            scope[field.name] = sorted(value) if isinstance(value, (set, frozenset)) else value
    return json.dumps(scope, sort_keys=True, ensure_ascii=False)


def _key(function: Callable, args, kwargs) -> str:
    engine = store.get_engine()
    with engine.connect() as connection:
        version = store_version(connection)
    parts = [
        engine.url.render_as_string(hide_password=True),
        function.__module__,
        function.__qualname__,
        # Callback arguments are JSON from the browser (filters, grid requests, dropdowns).
        json.dumps([args, kwargs], sort_keys=True, default=str, ensure_ascii=False),
        scope_key(current_viewer()),
        version,
        dt.date.today().isoformat(),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def cached_output(function: Callable) -> Callable:
    """Decorate a read-only page callback (below ``@callback``) to cache its outputs."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        app = flask.current_app._get_current_object() if flask.has_app_context() else None
        if not enabled or app is None or app not in _apps:
            return function(*args, **kwargs)
        key = _key(function, args, kwargs)
        found = _cache.get(key)
        if found is not None:
            return found
        result = function(*args, **kwargs)
        try:
            _cache.set(key, result)
        except Exception:  # an unpicklable output or an unreachable Redis: serve it uncached
            log.warning("output of %s not cached", function.__qualname__, exc_info=True)
        return result

    return wrapper
