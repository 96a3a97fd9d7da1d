"""Production serving configuration: ``gunicorn -c python:dashboard.gunicorn_config``.

It lies in the package so that an installed wheel carries it (docs/deployment.md); in a
checkout ``gunicorn.conf.py`` imports it, and gunicorn reads that file by itself when started
there. Command-line options override what is set here (``--workers 8``, ``--bind ...``).

Why these settings (measured in docs/performance.md, load test):

- ``gthread`` workers, several threads each. With sync workers one slow callback (a national
  page computed cold takes seconds) holds its worker, and cheap requests (the page itself, the
  page router) queue behind it: the load test saw GET page at p95 44 s. Threads let a worker
  answer those while another thread waits on the database; the GIL is released during SQLite
  and PostgreSQL calls. Idle keep-alive connections do not hold a thread.
- ``workers``: two per core, at most 8 (the output and KPI caches are per process: more
  processes, more memory and more cold computations). ``WEB_CONCURRENCY`` overrides it;
  ``INFOSAK_GUNICORN_THREADS`` sets the threads per worker (default 4).
- ``preload_app``: the app is built once in the master (a missing INFOSAK_SECRET_KEY stops the
  server at once rather than in every worker) and the workers share its imported code. The
  master never queries the store, but ``post_fork`` still gives every worker a fresh connection
  pool: a database connection must never be used by two processes (SQLite and psycopg both say
  so), and the engine is created lazily the first time anything asks for it.
- ``post_worker_init``: one request through the app before the worker takes connections, so
  that Dash's first-request set-up never runs while other threads already serve callbacks.
- ``when_ready`` (master, after preload, before the first fork) and ``post_worker_init``: the
  built app's objects frozen out of the garbage collector (dashboard/garbage_collection.py), so a
  full collection in a worker walks only what requests created, and the workers keep sharing the
  master's memory pages.
- ``timeout``: with gthread it is how long a worker may go without its main loop running (a
  hung process), not how long a request may take; a cold national report may take tens of
  seconds on a small machine. ``graceful_timeout``: requests in flight get that long to finish
  on a restart.
- ``bind``: loopback by default; put a TLS-terminating reverse proxy in front
  (docs/security.md), or bind another address with ``--bind`` / ``INFOSAK_BIND``.
"""

from __future__ import annotations

import os

MAX_WORKERS = 8
DEFAULT_THREADS = 4


def _workers() -> int:
    configured = os.environ.get("WEB_CONCURRENCY")
    if configured:
        return int(configured)
    return max(1, min(2 * (os.cpu_count() or 1), MAX_WORKERS))


wsgi_app = "dashboard.app:server"
bind = os.environ.get("INFOSAK_BIND", "127.0.0.1:8050")
worker_class = "gthread"
workers = _workers()
# Each thread holds at most one database connection at a time; SQLAlchemy's default pool (5 + 10
# overflow per worker) covers up to 15 threads without a request waiting for a connection.
threads = int(os.environ.get("INFOSAK_GUNICORN_THREADS") or DEFAULT_THREADS)
preload_app = True
timeout = 120
graceful_timeout = 30
keepalive = 5
# Request headers a hostile client can inflate; Dash's callback bodies are not limited here
# (the app's MAX_CONTENT_LENGTH bounds uploads).
limit_request_line = 8190
limit_request_fields = 100
# gunicorn >= 25 opens a control socket (worker count, reload, shutdown) in the home directory by
# default; two servers of one user would share its path. Off: restarts go through signals.
control_socket_disable = True


def post_fork(server, worker) -> None:
    """Give the new worker its own connection pool (the master's connections stay the master's).

    ``dispose(close=False)`` replaces the engine's pool without closing connections inherited
    from the master, which would close them under the master's feet (SQLAlchemy's documented
    way of using an engine across ``fork``). The engine object stays the same, so caches keyed
    by it stay valid. Caches themselves are empty at fork time: the master computes nothing.
    """
    from dashboard import store

    # Creating an engine opens no connection: in a worker that inherited none this is a no-op.
    store.get_engine().dispose(close=False)


def post_worker_init(worker) -> None:
    """Let Dash set the app up in this worker before any request of a user arrives.

    Dash does its set-up on an app's first request (callbacks copied into the app's map, the page
    router registered) and marks it done before doing it: with threads, a second request arriving
    meanwhile found no callback and got 500 ("Callback function not found for output"). One
    request through the app here, before the worker accepts connections, does that set-up alone.
    """
    with worker.wsgi.test_client() as client:
        status = client.get("/login").status_code
    if status >= 500:  # a redirect (e.g. single sign-on only) still ran the set-up
        raise RuntimeError(f"the app's warm-up request got {status}")
    # What Dash's set-up created in this worker lives as long as the worker: frozen too
    # (dashboard/garbage_collection.py; the master froze the app before the fork).
    from dashboard.garbage_collection import settle_heap

    settle_heap()


def when_ready(server) -> None:
    """In the master, once ``preload_app`` built the app and before any worker is forked: the
    app's objects out of the collector's generations (dashboard/garbage_collection.py).

    A full collection then no longer walks them in any worker (150-200 ms, every few cold
    national requests: docs/performance.md "Omgång 8" and "Omgång 11"), and no worker's collector
    writes into the memory pages it shares with the master.
    """
    from dashboard.garbage_collection import settle_heap

    settle_heap()


# What gunicorn reads (settings and hooks); ``gunicorn.conf.py`` imports exactly these.
__all__ = [
    "wsgi_app", "bind", "worker_class", "workers", "threads", "preload_app", "timeout",
    "graceful_timeout", "keepalive", "limit_request_line", "limit_request_fields",
    "control_socket_disable", "post_fork", "post_worker_init", "when_ready",
]  # fmt: skip
