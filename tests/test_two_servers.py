"""The production stack scaled out: two gunicorn servers (the project's gunicorn.conf.py) on two
ports sharing one PostgreSQL database, as behind a load balancer; run twice, with the output
cache in each process and shared in Redis (INFOSAK_REDIS_URL).

- A login on one server carries over to the other (one INFOSAK_SECRET_KEY, sessions in the
  signed cookie, accounts in the shared database).
- A load through the CLI while both serve: every request during it is answered.
- Afterwards both show the new numbers. The output cache is keyed by the store's version, so a
  load by another process is seen without telling anyone: per process, and in Redis, where the
  entry computed before the load stays (marked by the test, so that serving it would show) and
  must not be served after it.
- With Redis, the two servers share one entry: one key for the same request, and a value put
  there is what both answer.

The database is created for the test (``infosak_deploy_<random>``) and dropped afterwards. The
Redis run uses its own database number (INFOSAK_TEST_REDIS_URL, by default
redis://127.0.0.1:6379/13), emptied before and after; an unreachable Redis fails the run (set
INFOSAK_TEST_REDIS_URL to an empty string to leave the Redis run out locally; never in CI).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from dash.development.base_component import Component
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.load_test import HOST, PASSWORD, _login, free_port, stop
from dashboard.auth.security import CSRF_HEADER
from etl.db import make_engine
from tests.conftest import PG_URL

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "gunicorn.conf.py"
INFOSAK = Path(sys.executable).parent / "infosak"  # the command the package installs
TODAY = "2026-11-28"
ACCOUNT = "drift.ciso"
FIRST_LOAD = ("organisation.xlsx", "1882-KLF.xlsx")
# The social administration and the shared objects arrive while both servers serve.
SECOND_LOAD = ("1882-SOC.xlsx", "1882-BUF.xlsx", "GO-SOC.xlsx", "GO-EKO.xlsx")
# Shown as a card on the overview: the count of overdue actions of the municipality.
METRIC = "actions_overdue"
REDIS_URL = os.environ.get("INFOSAK_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
# Written into the shared entry: no card of the generated set shows it.
MARKED = 987654


@pytest.fixture(params=["per-process", "redis"])
def shared_cache(request):
    """None (each process keeps its own cache), or a client of the test's own Redis database,
    emptied before and after (only that database)."""
    if request.param == "per-process":
        yield None
        return
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("INFOSAK_TEST_REDIS_URL is empty in CI: the shared-cache run must run")
        pytest.skip("Redis disabled by INFOSAK_TEST_REDIS_URL=''")
    try:
        import redis
    except ImportError:
        pytest.fail("the redis package is missing: pip install -e '.[test]' (the redis extra)")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is not reachable ({exc}): start it, or set "
                    "INFOSAK_TEST_REDIS_URL='' to leave the shared-cache run out locally")  # fmt: skip
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def database_url():
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("INFOSAK_TEST_PG_URL is empty in CI: PostgreSQL tests must run")
        pytest.skip("PostgreSQL disabled by INFOSAK_TEST_PG_URL=''")
    name = f"infosak_deploy_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _env(url: str, data_dir: Path, secret: str, redis_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("INFOSAK_", "PYTEST_", "WEB_CONCURRENCY"))}  # fmt: skip
    shared = {"INFOSAK_REDIS_URL": redis_url} if redis_url else {}
    return {**env, "INFOSAK_DATABASE_URL": url, "INFOSAK_DATA_DIR": str(data_dir),
            "INFOSAK_SECRET_KEY": secret, **shared}  # fmt: skip


def _infosak(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([str(INFOSAK), *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=600,
                          check=False)  # fmt: skip
    assert done.returncode == 0, f"infosak {args}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout


def _start(env: dict, log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(CONFIG), "--bind", f"{HOST}:{port}",
             "--workers", "1", "--threads", "4"],  # fmt: skip
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    return server, f"http://{HOST}:{port}"


def _wait(server: subprocess.Popen, base: str, log_path: Path) -> None:
    for _ in range(240):
        try:
            if requests.get(f"{base}/login", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    pytest.fail(f"gunicorn at {base} did not answer: " + log_path.read_text()[-3000:])


def _overview_body(url: str) -> dict:
    from benchmarks.page_calls import build_app, page_calls

    engine = make_engine(url)
    try:
        calls = page_calls(build_app(engine), "/", {"as_of": TODAY, "lang": "sv",
                           "municipality": "1882", "administration": None}, block_size=100)  # fmt: skip
    finally:
        engine.dispose()
    return next(c for c in calls if c.name == "overview.update_overview").request_body()


def _municipality_number(env: dict) -> int:
    """What the command line says the overview's card must show (``infosak kpi``)."""
    rows = json.loads(_infosak(env, "kpi", "--as-of", TODAY, "--format", "json"))["rows"]
    (value,) = [r["value"] for r in rows
                if r["scope_type"] == "municipality" and r["scope_id"] == "1882"
                and r["metric"] == METRIC]  # fmt: skip
    return int(value)


def _card(number: int) -> str:
    return f'"children":"{number}"'


def _replace_text(value, old: str, new: str):
    """``value`` (a callback's outputs: components, lists, dicts) with every text ``old`` made
    ``new``; figures and other objects as they are."""
    if isinstance(value, str):
        return new if value == old else value
    if isinstance(value, (list, tuple)):
        return type(value)(_replace_text(v, old, new) for v in value)
    if isinstance(value, dict):
        return {k: _replace_text(v, old, new) for k, v in value.items()}
    if isinstance(value, Component):
        for name in value._prop_names:
            if getattr(value, name, None) is not None:
                setattr(value, name, _replace_text(getattr(value, name), old, new))
    return value


def _mark_the_only_entry(client, number: int) -> bytes:
    """The one output the servers keep in Redis, its card ``number`` changed to MARKED (through
    cachelib's own serializer, as Flask-Caching stores it); returns its key."""
    from cachelib.serializers import RedisSerializer

    keys = list(client.scan_iter(match="infosak-output:*"))
    assert len(keys) == 1, f"the two servers keep {len(keys)} entries for one request"
    (key,) = keys
    serializer = RedisSerializer()
    output = serializer.loads(client.get(key))
    client.set(key, serializer.dumps(_replace_text(output, str(number), str(MARKED))),
               keepttl=True)  # fmt: skip
    return key


def test_two_servers_share_sessions_and_see_a_load_made_while_they_serve(
    database_url, shared_cache, tmp_path
):
    started = time.monotonic()
    samples = tmp_path / "samples"
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    redis_url = REDIS_URL if shared_cache is not None else None
    env = _env(database_url, data_dir, secrets.token_hex(32), redis_url)
    _infosak(env, "generate", "--out", str(samples), "--municipalities", "1", "--today", TODAY)
    _infosak(env, "load", *(str(samples / name) for name in FIRST_LOAD))
    _infosak(env, "users", "add", ACCOUNT, "--role", "ciso", "--scope", "1882",
             "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    body = _overview_body(database_url)
    number_before = _municipality_number(env)

    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    servers = [_start(env, log) for log in logs]
    try:
        for (server, base), log in zip(servers, logs, strict=True):
            _wait(server, base, log)
        (_, first), (_, second) = servers

        # Logged in on the first server only; the same cookie is a session on the second.
        http, csrf = _login(first, ACCOUNT)
        headers = {CSRF_HEADER: csrf}
        anonymous = requests.post(f"{second}/_dash-update-component", json=body, timeout=60)
        assert anonymous.status_code in (401, 403)

        def overview(base: str) -> str:
            answer = http.post(f"{base}/_dash-update-component", json=body, headers=headers,
                               timeout=60)  # fmt: skip
            assert answer.status_code == 200, (base, answer.status_code, answer.text[:500])
            return answer.text

        assert http.get(f"{second}/", headers=headers, timeout=60).status_code == 200
        before = [overview(first), overview(second)]
        assert before[0] == before[1]
        assert _card(number_before) in before[0]
        stale_key = None
        if shared_cache is not None:
            # One entry for both; a value put there is what each server answers.
            stale_key = _mark_the_only_entry(shared_cache, number_before)
            for base in (second, first):
                assert _card(MARKED) in overview(base), f"{base} did not answer from Redis"

        # A load through the CLI while both serve; both keep answering during it.
        statuses: list[int] = []
        loading = threading.Event()
        loading.set()

        def keep_asking() -> None:
            for turn in range(200):  # bounded: at most 200 requests, stopped by the load's end
                if not loading.is_set():
                    return
                base = (first, second)[turn % 2]
                statuses.append(http.post(f"{base}/_dash-update-component", json=body,
                                          headers=headers, timeout=60).status_code)  # fmt: skip

        asker = threading.Thread(target=keep_asking)
        asker.start()
        load_started = time.monotonic()
        try:
            _infosak(env, "load", *(str(samples / name) for name in SECOND_LOAD))
        finally:
            loading.clear()
            asker.join(timeout=120)
        load_seconds = time.monotonic() - load_started
        assert statuses and set(statuses) == {200}, statuses

        number_after = _municipality_number(env)
        assert number_after != number_before
        after = [overview(first), overview(second)]
        assert after[0] == after[1], "the two servers show different numbers after the load"
        assert _card(number_after) in after[0] and _card(number_before) not in after[0]
        if shared_cache is not None:
            # The entry from before the load is still in Redis, and was not served.
            assert _card(MARKED) not in after[0]
            assert str(MARKED).encode() in shared_cache.get(stale_key)
    finally:
        for server, _ in servers:
            stop(server)
    for log in logs:
        text_ = log.read_text()
        assert "Traceback" not in text_ and "[ERROR]" not in text_, text_[-3000:]
    print(f"two servers ({'redis' if shared_cache is not None else 'per-process'} cache): "
          f"{len(statuses)} requests during a {load_seconds:.1f} s load; "
          f"whole test {time.monotonic() - started:.1f} s")  # fmt: skip


SCOPE_OF_A_VIEWER = """
from dashboard.output_cache import scope_key
from etl.kpi.viewer import Viewer
codes = [f"1882-{name}" for name in ("KLF", "SOC", "BUF", "SBF", "KFF", "MHF", "TKF", "VOF")]
viewer = Viewer("ciso", "a person", municipality_codes=frozenset({"1882", "1861", "1814"}),
                administration_codes=frozenset(codes))
print(scope_key(viewer))
"""


def test_the_output_cache_keys_a_scope_alike_in_every_process():
    """Processes seed their string hashes differently, and a frozenset's order follows them:
    the cache key must not, or servers sharing Redis never meet each other's entries."""
    keys = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", SCOPE_OF_A_VIEWER], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300, check=True)  # fmt: skip
        keys.add(done.stdout)
    assert len(keys) == 1, keys
    assert "a person" not in keys.pop()  # the scope, not the person
