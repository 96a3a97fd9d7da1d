"""The production serving configuration (gunicorn.conf.py), as gunicorn itself applies it.

The server test starts the real gunicorn with that file on a temporary SQLite store and talks to it
over HTTP on 127.0.0.1: the login form, then page callbacks of a logged-in user, several at once
so that both workers and their threads serve some.
"""

from __future__ import annotations

import os
import runpy
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import text

from etl.db import make_engine
from tests.kpi_data import AS_OF, build_store

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "gunicorn.conf.py"


def _gunicorn(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gunicorn", "-c", str(CONFIG), *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False,
                          **kwargs)  # fmt: skip


def _printed_config(env: dict) -> dict[str, str]:
    done = _gunicorn("--print-config", env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    settings = {}
    for line in done.stdout.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            settings[name.strip()] = value.strip()
    return settings


def test_gunicorn_applies_threaded_workers_preload_and_loopback(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("WEB_CONCURRENCY", "INFOSAK_GUNICORN_THREADS", "INFOSAK_BIND")}  # fmt: skip
    # With preload_app even --print-config builds the app: it needs a key and a store.
    env.update(INFOSAK_SECRET_KEY=secrets.token_hex(32),
               INFOSAK_DATABASE_URL=f"sqlite:///{tmp_path / 'unused.db'}")  # fmt: skip
    settings = _printed_config(env)
    assert settings["worker_class"] == "gthread"
    assert settings["workers"] == str(min(2 * (os.cpu_count() or 1), 8))
    assert settings["threads"] == "4"
    assert settings["preload_app"] == "True"
    assert settings["bind"] == "['127.0.0.1:8050']"  # never every interface unless told
    assert settings["control_socket_disable"] == "True"
    assert int(settings["graceful_timeout"]) <= int(settings["timeout"])

    tuned = _printed_config({**env, "WEB_CONCURRENCY": "3", "INFOSAK_GUNICORN_THREADS": "6"})
    assert (tuned["workers"], tuned["threads"]) == ("3", "6")


def test_post_fork_gives_the_worker_its_own_connections(tmp_path):
    """A connection the master holds in its pool is never handed to a forked worker."""
    from dashboard import store

    hooks = runpy.run_path(str(CONFIG))
    engine = make_engine(f"sqlite:///{tmp_path / 'fork.db'}")
    store.configure(engine)
    try:
        with engine.connect() as conn:  # back into the pool afterwards: the master's connection
            parent_dbapi = conn.connection.dbapi_connection
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.commit()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                os.close(read)
                hooks["post_fork"](None, None)
                with store.get_engine().connect() as conn:
                    fresh = conn.connection.dbapi_connection is not parent_dbapi
                    conn.execute(text("INSERT INTO t VALUES (1)"))
                    conn.commit()
                os.write(write, b"fresh" if fresh else b"inherited")
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            answer = pipe.read()
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert answer == b"fresh"
        # The master's own connection was neither closed nor disturbed by the worker.
        with engine.connect() as conn:
            assert conn.connection.dbapi_connection is parent_dbapi
            assert conn.execute(text("SELECT COUNT(*) FROM t")).scalar() == 1
    finally:
        store.configure(None)
        engine.dispose()


@pytest.fixture
def served_store(sqlite_engine):
    """The tiny store of tests/kpi_data and a CISO of 1882 (account bench.ciso)."""
    from benchmarks.load_test import Persona, ensure_accounts

    build_store(sqlite_engine)
    ensure_accounts(str(sqlite_engine.url), [Persona("bench.ciso", "ciso", ("1882",), "1882",
                                                     None)])  # fmt: skip
    return sqlite_engine


def _serve(engine, tmp_path, *extra: str) -> tuple[subprocess.Popen, str, Path]:
    """gunicorn with gunicorn.conf.py (plus ``extra`` options) on ``engine``'s store, answering."""
    from benchmarks.load_test import HOST, free_port, stop

    url = engine.url.render_as_string(hide_password=False)
    port = free_port()
    env = {**os.environ, "INFOSAK_DATABASE_URL": url, "INFOSAK_SECRET_KEY": secrets.token_hex(32)}
    env.pop("PYTEST_CURRENT_TEST", None)
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(CONFIG), "--bind", f"{HOST}:{port}",
             *extra],  # fmt: skip
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base = f"http://{HOST}:{port}"
    for _ in range(240):
        try:
            if requests.get(f"{base}/login", timeout=5).status_code == 200:
                return server, base, log_path
        except requests.RequestException:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    stop(server)
    pytest.fail("gunicorn did not answer: " + log_path.read_text()[-3000:])


def _overview_body(engine) -> dict:
    from benchmarks.page_calls import build_app, page_calls

    calls = page_calls(build_app(engine), "/", {"as_of": AS_OF.isoformat(), "lang": "sv",
                       "municipality": "1882", "administration": None}, block_size=100)  # fmt: skip
    return next(c for c in calls if c.name == "overview.update_overview").request_body()


def _assert_clean_log(log_text: str) -> None:
    assert "[ERROR]" not in log_text and "Traceback" not in log_text, log_text[-3000:]


def test_gunicorn_with_the_config_serves_login_and_callbacks(served_store, tmp_path):
    from benchmarks.load_test import _login, stop
    from dashboard.auth.security import CSRF_HEADER

    body = _overview_body(served_store)
    server, base, log_path = _serve(served_store, tmp_path, "--workers", "2", "--threads", "2")
    try:
        # Not logged in: no numbers.
        anonymous = requests.post(f"{base}/_dash-update-component", json=body, timeout=60)
        assert anonymous.status_code in (401, 403)

        http, csrf = _login(base, "bench.ciso")
        headers = {CSRF_HEADER: csrf}

        def send(_):
            return http.post(f"{base}/_dash-update-component", json=body, headers=headers,
                             timeout=60)  # fmt: skip

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(send, range(16)))
        assert [a.status_code for a in answers] == [200] * 16
        # Every answer is the same output, and it carries the home municipality's numbers.
        assert len({a.text for a in answers}) == 1
        assert "Askersund" in answers[0].text
        assert http.get(f"{base}/", headers=headers, timeout=60).status_code == 200
    finally:
        stop(server)
    log_text = log_path.read_text()
    assert "Using worker: gthread" in log_text
    assert log_text.count("Booting worker") >= 2
    _assert_clean_log(log_text)


def test_a_fresh_workers_first_requests_at_once_all_find_their_callback(served_store, tmp_path):
    """Dash sets an app up on its first request and marks it done before it is: without the
    warm-up in post_worker_init, callbacks arriving together at a new worker got 500 ("Callback
    function not found"). The worker here restarts after the login (max_requests), so the
    callbacks are the first requests of the new one."""
    from benchmarks.load_test import _login, stop
    from dashboard.auth.security import CSRF_HEADER

    body = _overview_body(served_store)
    server, base, log_path = _serve(served_store, tmp_path, "--workers", "1", "--threads", "8",
                                    "--max-requests", "4")  # fmt: skip
    try:
        statuses = []
        for _ in range(3):
            http, csrf = _login(
                base, "bench.ciso"
            )  # with the probe (or the last GET) and the redirect: 4
            headers = {CSRF_HEADER: csrf}
            time.sleep(1.0)  # the worker restarts; the next requests wait in the listen queue

            def send(_, http=http, headers=headers):
                return http.post(f"{base}/_dash-update-component", json=body, headers=headers,
                                 timeout=60).status_code  # fmt: skip

            with ThreadPoolExecutor(8) as pool:
                statuses += list(pool.map(send, range(8)))
            requests.get(f"{base}/login", timeout=60)  # up to the next restart
    finally:
        stop(server)
    assert statuses == [200] * len(statuses), statuses
    _assert_clean_log(log_path.read_text())
