"""A bounded load test: the app under gunicorn (several workers, 127.0.0.1 only), 50 simulated
users replaying real callback requests, while an ETL load writes to the same store.

Each user logs in through the real login form (session cookie, CSRF header), then visits
``visits`` pages in turn: GET the page, POST the page router callback and every initial callback
of the page as the browser sends them (bodies from benchmarks.page_calls), with a think time
between pages. Bounded in count (users x visits) and in time (``deadline_s``: no request starts
after it). Target (issue 6): p95 < 1 s over all callback requests, no errors.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from benchmarks.common import load_average, percentile
from benchmarks.page_calls import PAGES, build_app, page_calls

log = logging.getLogger(__name__)

HOST = "127.0.0.1"  # loopback only, never another interface
P95_LIMIT_MS = 1000.0
PASSWORD = "Bänk-test-lösenord-2026!"
# (account, role, scope codes, filters the user works with)
ACCOUNTS = (
    ("bench.admin", "admin", (), {"municipality": None, "administration": None}),
    ("bench.ciso", "ciso", ("1882",), {"municipality": "1882", "administration": None}),
    ("bench.officer", "security_officer", ("1882-SOC",),
     {"municipality": "1882", "administration": "1882-SOC"}),
)  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def ensure_accounts(url: str) -> None:
    from sqlalchemy.orm import Session

    from dashboard.auth.users import add_user, get_user
    from etl.db import make_engine

    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        for name, role, codes, _ in ACCOUNTS:
            if get_user(session, name) is None:
                add_user(session, name, role, list(codes), PASSWORD)
    engine.dispose()


def request_plan(url: str, as_of: str) -> dict[str, dict[str, list[dict]]]:
    """account -> page -> the callback bodies of its first load (router first)."""
    from benchmarks.payload_bench import _router_body
    from etl.db import make_engine

    engine = make_engine(url)
    app = build_app(engine)
    plan: dict[str, dict[str, list[dict]]] = {}
    for name, _, _, scope in ACCOUNTS:
        filters = {"as_of": as_of, "lang": "sv", **scope}
        plan[name] = {
            path: [b for b in [_router_body(app, path)] if b]
            + [c.request_body() for c in page_calls(app, path, filters, block_size=100)]
            for path in PAGES
        }
    engine.dispose()
    return plan


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    skipped_after_deadline: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, ms: float, error: str | None) -> None:
        with self.lock:
            self.requests += 1
            self.latencies_ms.append(ms)
            if error:
                self.errors.append(error)


def _login(base: str, account: str) -> tuple[requests.Session, str]:
    from dashboard.auth.security import CSRF_COOKIE, CSRF_FORM_FIELD

    http = requests.Session()
    form = http.get(f"{base}/login", timeout=60)
    token = form.text.split(f'name="{CSRF_FORM_FIELD}" value="', 1)[1].split('"', 1)[0]
    done = http.post(
        f"{base}/login",
        data={"username": account, "password": PASSWORD, CSRF_FORM_FIELD: token},
        timeout=60,
    )
    if done.status_code != 200 or CSRF_COOKIE not in http.cookies:
        raise RuntimeError(f"login of {account} failed: {done.status_code}")
    return http, http.cookies[CSRF_COOKIE]


def simulated_user(base, index, plan, visits, think_s, deadline, tally: Tally) -> None:
    from dashboard.auth.security import CSRF_HEADER

    account = ACCOUNTS[index % len(ACCOUNTS)][0]
    rng = random.Random(index)
    try:
        http, csrf = _login(base, account)
    except Exception as exc:  # a failed login is an error of the run, not a crash of the driver
        tally.record(0.0, f"login {account}: {exc}")
        return
    headers = {CSRF_HEADER: csrf, "Accept-Encoding": "gzip"}
    pages = list(plan[account])
    for visit in range(visits):
        path = pages[(index + visit) % len(pages)]
        bodies = [{"_get": path}] + plan[account][path]
        page_start = time.perf_counter()
        for body in bodies:
            if time.monotonic() > deadline:
                with tally.lock:
                    tally.skipped_after_deadline += 1
                continue
            start = time.perf_counter()
            error = None
            try:
                if "_get" in body:
                    response = http.get(f"{base}{body['_get']}", headers=headers, timeout=120)
                else:
                    response = http.post(
                        f"{base}/_dash-update-component", json=body, headers=headers, timeout=120
                    )
                if response.status_code not in (200, 204):
                    error = f"{response.status_code} {body.get('output', body.get('_get'))[:60]}"
            except requests.RequestException as exc:
                error = f"{type(exc).__name__} {path}"
            tally.record((time.perf_counter() - start) * 1000, error)
        with tally.lock:
            tally.page_ms.append((time.perf_counter() - page_start) * 1000)
        time.sleep(think_s * (0.5 + rng.random()))


def _etl_sets(national_sets: Path, work: Path, count: int) -> Path:
    """``count`` administration sets copied, their cover changed so that they load again."""
    target = work / "load_test_sets"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    folders = [p for p in sorted(national_sets.iterdir())
               if p.is_dir() and p.name[:4].isdigit()][:count]  # fmt: skip
    stamp = secrets.token_hex(4)
    for folder in folders:
        copy = target / folder.name
        shutil.copytree(folder, copy)
        for cover in copy.glob("*.uppgifter.csv"):
            with cover.open("a", encoding="utf-8") as handle:
                handle.write("\n")  # a changed file (new sha), same rows
        (copy / f".{stamp}").touch()
    return target


def start_gunicorn(url: str, port: int, workers: int, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "INFOSAK_DATABASE_URL": url, "INFOSAK_SECRET_KEY": secrets.token_hex(32)}
    env.pop("PYTEST_CURRENT_TEST", None)
    command = [sys.executable, "-m", "gunicorn", "dashboard.app:server",
               "--bind", f"{HOST}:{port}", "--workers", str(workers), "--timeout", "300",
               "--graceful-timeout", "10", "--log-level", "warning"]  # fmt: skip
    handle = log_path.open("w")
    process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT,
                               start_new_session=True)  # fmt: skip
    base = f"http://{HOST}:{port}"
    for _ in range(600):
        try:
            if requests.get(f"{base}/login", timeout=5).status_code == 200:
                return process
        except requests.RequestException:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log_path.read_text()[-2000:]}")
        time.sleep(0.5)
    stop(process)
    raise RuntimeError("gunicorn did not answer within 300 s")


def stop(process: subprocess.Popen) -> None:
    """Stop the process group this module started (gunicorn's master and its workers)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def load_test_section(url: str, national_sets: Path | None, work: Path, *, users: int = 50,
                      visits: int = 4, think_s: float = 1.0, workers: int = 3,
                      deadline_s: float = 600.0, etl_sets: int = 40, as_of: str) -> dict:  # fmt: skip
    load_before = load_average()
    ensure_accounts(url)
    plan = request_plan(url, as_of)
    port = free_port()
    server = start_gunicorn(url, port, workers, work / "gunicorn.log")
    etl = None
    etl_started = etl_seconds = None
    try:
        if national_sets is not None:
            sets = _etl_sets(national_sets, work, etl_sets)
            etl_started = time.perf_counter()
            etl = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.etl_bench", "load", "--url", url,
                 "--src", str(sets), "--no-migrate"],  # fmt: skip
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
        tally = Tally()
        deadline = time.monotonic() + deadline_s
        start = time.perf_counter()
        threads = [
            threading.Thread(
                target=simulated_user,
                args=(f"http://{HOST}:{port}", i, plan, visits, think_s, deadline, tally),
            )
            for i in range(users)
        ]
        for thread in threads:
            thread.start()
            time.sleep(0.05)  # users arrive over a few seconds, not in one instant
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
        etl_figures = None
        if etl is not None:
            etl_running_at_end = etl.poll() is None
            out, err = etl.communicate(timeout=3600)
            etl_seconds = time.perf_counter() - etl_started
            etl_figures = {"running_when_users_finished": etl_running_at_end,
                           "seconds": round(etl_seconds, 1), "returncode": etl.returncode,
                           "result": out.strip().splitlines()[-1] if out.strip() else err[-500:]}  # fmt: skip
    finally:
        if etl is not None and etl.poll() is None:
            etl.terminate()
        stop(server)
    p95 = percentile(tally.latencies_ms, 95)
    return {
        "users": users, "visits_per_user": visits, "think_s": think_s, "workers": workers,
        "requests": tally.requests, "errors": len(tally.errors),
        "error_samples": tally.errors[:10], "skipped_after_deadline": tally.skipped_after_deadline,
        "seconds": round(seconds, 1),
        "p50_ms": round(percentile(tally.latencies_ms, 50), 1), "p95_ms": round(p95, 1),
        "max_ms": round(max(tally.latencies_ms, default=0), 1),
        "page_p95_ms": round(percentile(tally.page_ms, 95), 1),
        "concurrent_etl": etl_figures,
        "target": f"p95 < {P95_LIMIT_MS:.0f} ms, no errors, ETL load running",
        "met": p95 < P95_LIMIT_MS and not tally.errors and tally.skipped_after_deadline == 0,
        "load_average_before": load_before, "load_average_after": load_average(),
    }  # fmt: skip
