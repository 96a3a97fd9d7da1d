"""A small result cache for the KPI computations, keyed by the store's version.

The store only changes through the ETL, and every load that changes a row is an accepted one: it
writes a ``load`` row with outcome "accepted" and inserts rows with new ids. So (max id and count
of the accepted loads, max id of every table the numbers read) is a version that changes whenever
the numbers can, and only then: a reload of unchanged files keeps it. It
costs one round trip of primary-key lookups, against seconds for the numbers on a national store.
Edits made outside the ETL in place (an UPDATE in a test or by hand) are not seen:
call ``clear()`` after such an edit, and ``etl.kpi.kept.forget(engine)`` for the national
facts kept in the store.

Entries live per engine (a WeakKeyDictionary, so a disposed test engine takes its entries with it),
least recently used first out, bounded by the number of rows they hold. Callers get a copy: pages
may add columns to what they get.
"""

from __future__ import annotations

import contextvars
import dataclasses
import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable

import pandas as pd
from sqlalchemy import Engine, text

log = logging.getLogger(__name__)

MAX_CACHED_ROWS = 400_000  # across a process's entries for one engine: tens of MB at most
MAX_ENTRIES = 64
# The tables behind the numbers (DESIGN §4); their max ids move on any insert by a load.
VERSION_TABLES = (
    "municipality",
    "administration",
    "unit",
    "governance_object",
    "governance_participant",
    "role_assignment",
    "asset",
    "asset_owner",
    "classification",
    "classification_participant",
    "risk_analysis",
    "risk",
    "action",
    "follow_up_report",
    "gap_analysis",
    "gap_assessment",
)
# Only accepted loads change the numbers: an unchanged or rejected file's load row must not
# move the version, or a reload of the same files would make everything kept stale.
_ACCEPTED = "FROM load WHERE outcome = 'accepted'"
_VERSION_SQL = text(
    f"SELECT (SELECT MAX(id) {_ACCEPTED}), (SELECT COUNT(*) {_ACCEPTED}), "
    + ", ".join(f"(SELECT MAX(id) FROM {t})" for t in VERSION_TABLES)
)

_lock = threading.Lock()
_caches: weakref.WeakKeyDictionary[Engine, OrderedDict] = weakref.WeakKeyDictionary()
_clear_hooks: list[Callable[[], None]] = []
enabled = True


def engine_of(session_or_connection) -> Engine:
    if hasattr(session_or_connection, "get_bind"):
        bind = session_or_connection.get_bind()
    else:
        bind = session_or_connection
    return getattr(bind, "engine", bind)


def store_version(session_or_connection) -> tuple:
    """The store's version as seen by this session's transaction (see the module docstring)."""
    return tuple(session_or_connection.execute(_VERSION_SQL).one())


def _rows(value) -> int:
    """What an entry counts against MAX_CACHED_ROWS: a frame's rows, else its ``row_count``
    (kept national columns), else 1."""
    if isinstance(value, pd.DataFrame):
        return len(value)
    return getattr(value, "row_count", 1)


def _copy(value):
    return value.copy() if isinstance(value, pd.DataFrame) else value


# (engine, version) of the cached computation under way in this thread or task: the entries it
# computes on the way (facts, organisation, kept frames) belong to the version its own key names.
_computing: contextvars.ContextVar[tuple[Engine, tuple] | None] = contextvars.ContextVar(
    "kpi_cache_computing", default=None
)


def current_version(session_or_connection) -> tuple:
    """The version of the cached computation under way on this engine, else ``store_version``:
    a page's numbers read it once, not once per cached part (some 40 times for Översikt)."""
    under_way = _computing.get()
    if under_way is not None and under_way[0] is engine_of(session_or_connection):
        return under_way[1]
    return store_version(session_or_connection)


def cached(session_or_connection, key: Hashable, compute: Callable[[], object]):
    """``compute()``'s result for ``key`` at the store's current version (computed at most once
    per version while it stays in the cache)."""
    if not enabled:
        return compute()
    engine = engine_of(session_or_connection)
    version = current_version(session_or_connection)
    full_key = (key, version)
    with _lock:
        entries = _caches.setdefault(engine, OrderedDict())
        if full_key in entries:
            entries.move_to_end(full_key)
            return _copy(entries[full_key])
    token = _computing.set((engine, version))
    try:
        value = compute()
    finally:
        _computing.reset(token)
    size = _rows(value)
    if size > MAX_CACHED_ROWS:
        return value
    with _lock:
        entries = _caches.setdefault(engine, OrderedDict())
        entries[full_key] = _copy(value)
        total = sum(_rows(v) for v in entries.values())
        while entries and (total > MAX_CACHED_ROWS or len(entries) > MAX_ENTRIES):
            _, dropped = entries.popitem(last=False)
            total -= _rows(dropped)
    return value


def scope_of(viewer):
    """The part of a viewer that decides what they may see: role and scope codes, not the name.

    Two users with the same role and scope see the same numbers, so they share cache entries."""
    return dataclasses.replace(viewer, name="")


def on_clear(hook: Callable[[], None]) -> None:
    """Run ``hook`` whenever ``clear()`` runs (caches built on this version, e.g. page outputs)."""
    _clear_hooks.append(hook)


def clear() -> None:
    """Forget every cached result (after editing the store outside the ETL)."""
    with _lock:
        _caches.clear()
    for hook in _clear_hooks:
        hook()
