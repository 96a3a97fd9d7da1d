"""A bounded load test: the app under gunicorn with the production configuration
(gunicorn.conf.py: threaded workers; 127.0.0.1 only), simulated users replaying real callback
requests, while an ETL load writes to the same store. Worker class, workers and threads as gunicorn
applied them are in the results.

Users (the mix is ``personas``; documented in docs/performance.md): a CISO of one municipality,
security officers of administrations across several municipalities, managers of units, a
committee member and one admin with the national view. Each has a real account with that role
and scope, logs in through the real login form (session cookie, CSRF header) and browses the
pages its role uses: GET the page, POST Dash's page router, then every initial callback of the
page at once as the browser does (bodies from benchmarks.page_calls, with the filters that
user's browser sends), then reads the page for a think time drawn uniformly from
``think_s`` (10-30 s at national scale) before the next page.

Users arrive evenly over ``ramp_s``; the test then runs ``steady_s`` with every user active. No
page view starts after the end; requests in flight finish (each at most ``REQUEST_TIMEOUT_S``).
The ETL load of ``etl_sets`` administration sets starts when the ramp is over.

Reported: p50/p95/max per request kind and overall, errors, throughput, the same split into
"while the ETL ran" and "after", and the load average sampled through the test. Target (issue 6):
p95 < 1 s over all requests, no errors.
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
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

from benchmarks.common import load_average, percentile
from benchmarks.page_calls import build_app, page_calls

log = logging.getLogger(__name__)

HOST = "127.0.0.1"  # loopback only, never another interface
ROOT = Path(__file__).resolve().parent.parent
# What is measured is what README.md documents for production: this file, workers settable.
GUNICORN_CONFIG = ROOT / "gunicorn.conf.py"
P95_LIMIT_MS = 1000.0
REQUEST_TIMEOUT_S = 60
PASSWORD = "Bänk-test-lösenord-2026!"
ACCOUNT_PREFIX = "bench."
# A browser sends a page's initial callbacks in parallel (Chromium: 6 connections per host).
BROWSER_PARALLEL = 6

# The pages each role works with; the first is where it starts (dashboard.auth.roles).
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "admin": ("/", "/tackning", "/atgarder", "/risker", "/forvaltningsobjekt", "/inlasningar",
              "/mognad", "/rapport"),
    "ciso": ("/", "/tackning", "/atgarder", "/risker", "/forvaltningsobjekt", "/mognad",
             "/rapport", "/inlasningar"),
    "security_officer": ("/", "/atgarder", "/tackning", "/risker", "/mognad", "/inlasningar"),
    "manager": ("/min-enhet", "/atgarder", "/tackning", "/risker"),
    "committee": ("/", "/rapport", "/mognad"),
}  # fmt: skip


@dataclass(frozen=True)
class Persona:
    """One simulated user: its account, role, scope codes and the filters its browser sends."""

    account: str
    role: str
    scope: tuple[str, ...]
    municipality: str | None
    administration: str | None

    @property
    def pages(self) -> tuple[str, ...]:
        return ROLE_PAGES[self.role]


def personas(url: str, users: int, home: str = "1882") -> list[Persona]:
    """``users`` personas over the store's organisation, deterministic for a given store.

    The first five are one of each kind (CISO and committee member of ``home``, an officer, a
    manager, the admin); the rest alternate between security officers (about 45 %) and managers
    (about 55 %) spread round-robin over the administrations of the first municipalities by
    code, so that many scopes (and cache keys) are in play at once, as on a shared instance.
    """
    from sqlalchemy import text

    from etl.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        units = conn.execute(
            text("""
            SELECT m.code, ad.code, MIN(u.code) FROM unit u
            JOIN administration ad ON ad.id = u.administration_id
            JOIN municipality m ON m.id = ad.municipality_id
            WHERE ad.is_central = :no OR ad.is_central IS NULL
            GROUP BY m.code, ad.code ORDER BY m.code, ad.code"""),
            {"no": False},
        ).all()
        municipalities = sorted({m for m, _, _ in units})
    engine.dispose()
    if not units:
        raise RuntimeError("the store has no units: load data first")
    if home not in municipalities:
        home = municipalities[0]
    committee_home = next((m for m in municipalities if m != home), home)
    # Administrations interleaved across municipalities: officer i and manager i land in
    # different municipalities rather than all in the first one.
    by_municipality: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for row in units:
        by_municipality[row[0]].append(tuple(row))
    spread = [
        rows[i]
        for i in range(max(len(r) for r in by_municipality.values()))
        for rows in by_municipality.values()
        if i < len(rows)
    ]

    def officer(i: int) -> Persona:
        m, adm, _ = spread[i % len(spread)]
        return Persona(f"{ACCOUNT_PREFIX}officer{i}", "security_officer", (adm,), m, adm)

    def manager(i: int) -> Persona:
        _, _, unit = spread[(i * 7 + 3) % len(spread)]  # other administrations than the officers
        return Persona(f"{ACCOUNT_PREFIX}manager{i}", "manager", (unit,), None, None)

    chosen = [
        Persona(f"{ACCOUNT_PREFIX}ciso", "ciso", (home,), home, None),
        officer(0),
        manager(0),
        Persona(f"{ACCOUNT_PREFIX}committee", "committee", (committee_home,), committee_home, None),
        Persona(f"{ACCOUNT_PREFIX}admin", "admin", (), None, None),
    ]
    officers = managers = 1
    while len(chosen) < users:
        if officers * 55 <= managers * 45:
            chosen.append(officer(officers))
            officers += 1
        else:
            chosen.append(manager(managers))
            managers += 1
    return chosen[:users]


def mix(chosen: list[Persona]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for persona in chosen:
        counts[persona.role] += 1
    return dict(counts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def ensure_accounts(url: str, chosen: list[Persona]) -> None:
    """The personas' accounts with exactly their role and scope (earlier runs' are replaced)."""
    from sqlalchemy.orm import Session

    from dashboard.auth.users import add_user, get_user, remove_user
    from etl.db import make_engine

    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        for persona in chosen:
            if get_user(session, persona.account) is not None:
                remove_user(session, persona.account)
                session.flush()
            add_user(session, persona.account, persona.role, list(persona.scope), PASSWORD)
    engine.dispose()


# A request of a page view: (kind, body). kind names what is measured ("GET page",
# "dash.page_router" or a callback's module.function); body {"_get": path} is a GET.
Request = tuple[str, dict]


def request_plan(url: str, chosen: list[Persona], as_of: str) -> dict[str, dict[str, list]]:
    """account -> page -> [GET, router, [initial callbacks sent together]]."""
    from benchmarks.payload_bench import _router_body
    from etl.db import make_engine

    engine = make_engine(url)
    app = build_app(engine)
    by_filters: dict[tuple, list[Request]] = {}
    plan: dict[str, dict[str, list]] = {}
    for persona in chosen:
        filters = {"as_of": as_of, "lang": "sv", "municipality": persona.municipality,
                   "administration": persona.administration}  # fmt: skip
        plan[persona.account] = {}
        for path in persona.pages:
            key = (path, persona.municipality, persona.administration)
            if key not in by_filters:
                by_filters[key] = [
                    (c.name, c.request_body())
                    for c in page_calls(app, path, filters, block_size=100)
                ]
            router = _router_body(app, path)
            plan[persona.account][path] = [
                ("GET page", {"_get": path}),
                *([("dash.page_router", router)] if router else []),
                by_filters[key],
            ]
    engine.dispose()
    return plan


@dataclass
class Sample:
    kind: str
    started: float  # time.monotonic() at the start
    ms: float
    error: str | None


@dataclass
class Tally:
    samples: list[Sample] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def _login(base: str, account: str) -> tuple[requests.Session, str]:
    from dashboard.auth.security import CSRF_COOKIE, CSRF_FORM_FIELD

    http = requests.Session()
    form = http.get(f"{base}/login", timeout=REQUEST_TIMEOUT_S)
    token = form.text.split(f'name="{CSRF_FORM_FIELD}" value="', 1)[1].split('"', 1)[0]
    done = http.post(
        f"{base}/login",
        data={"username": account, "password": PASSWORD, CSRF_FORM_FIELD: token},
        timeout=REQUEST_TIMEOUT_S,
    )
    if done.status_code != 200 or CSRF_COOKIE not in http.cookies:
        raise RuntimeError(f"login of {account} failed: {done.status_code}")
    return http, http.cookies[CSRF_COOKIE]


def _send(http: requests.Session, base: str, headers: dict, kind: str, body: dict) -> Sample:
    started = time.monotonic()
    error = None
    try:
        if "_get" in body:
            response = http.get(f"{base}{body['_get']}", headers=headers,
                                timeout=REQUEST_TIMEOUT_S)  # fmt: skip
        else:
            response = http.post(f"{base}/_dash-update-component", json=body, headers=headers,
                                 timeout=REQUEST_TIMEOUT_S)  # fmt: skip
        if response.status_code not in (200, 204):
            error = f"{response.status_code} {kind}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__} {kind}"
    return Sample(kind, started, (time.monotonic() - started) * 1000, error)


def simulated_user(base: str, persona: Persona, plan: dict, think_s: tuple[float, float],
                   start_at: float, end_at: float, seed: int, tally: Tally) -> None:  # fmt: skip
    """Log in at ``start_at``, then view pages until ``end_at`` (monotonic clock)."""
    from dashboard.auth.security import CSRF_HEADER

    rng = random.Random(seed)
    time.sleep(max(0.0, start_at - time.monotonic()))
    login_start = time.monotonic()
    try:
        http, csrf = _login(base, persona.account)
    except Exception as exc:  # a failed login is an error of the run, not a crash of the driver
        tally.record(Sample("login", login_start, 0.0, f"login {persona.account}: {exc}"))
        return
    tally.record(Sample("login", login_start, (time.monotonic() - login_start) * 1000, None))
    headers = {CSRF_HEADER: csrf, "Accept-Encoding": "gzip"}
    path = persona.pages[0]
    with ThreadPoolExecutor(BROWSER_PARALLEL) as browser:
        while time.monotonic() < end_at:
            page_start = time.monotonic()
            for step in plan[persona.account][path]:
                if isinstance(step, tuple):
                    tally.record(_send(http, base, headers, *step))
                else:  # the page's initial callbacks, in parallel like the browser
                    futures = [browser.submit(_send, http, base, headers, kind, body)
                               for kind, body in step]  # fmt: skip
                    for future in futures:
                        tally.record(future.result())
            with tally.lock:
                tally.page_ms.append((time.monotonic() - page_start) * 1000)
            time.sleep(rng.uniform(*think_s))
            others = [p for p in persona.pages if p != path] or [path]
            path = rng.choice(others)


def _etl_sets(national_sets: Path, work: Path, count: int) -> Path:
    """``count`` administration sets copied, their cover changed so that they load again."""
    target = work / "load_test_sets"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    folders = [p for p in sorted(national_sets.iterdir())
               if p.is_dir() and p.name[:4].isdigit()][:count]  # fmt: skip
    # Blank lines (ignored by the reader) in a number no earlier run is likely to have used: the
    # covers differ from every loaded copy, so each set is loaded again rather than "unchanged".
    blank_lines = 1 + secrets.randbelow(100_000)
    for folder in folders:
        copy = target / folder.name
        shutil.copytree(folder, copy)
        for cover in copy.glob("*.uppgifter.csv"):
            with cover.open("a", encoding="utf-8") as handle:
                handle.write("\n" * blank_lines)  # a changed file (new sha), same rows
    return target


def gunicorn_command(port: int, workers: int | None, threads: int | None) -> list[str]:
    """The production configuration (gunicorn.conf.py) on loopback; workers and threads as given
    (None: the configuration's own)."""
    command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG),
               "--bind", f"{HOST}:{port}", "--log-level", "warning"]  # fmt: skip
    if workers is not None:
        command += ["--workers", str(workers)]
    if threads is not None:
        command += ["--threads", str(threads)]
    return command


def gunicorn_env(url: str) -> dict:
    env = {**os.environ, "INFOSAK_DATABASE_URL": url, "INFOSAK_SECRET_KEY": secrets.token_hex(32)}
    env.pop("PYTEST_CURRENT_TEST", None)
    return env


def applied_settings(command: list[str], env: dict) -> dict:
    """Worker class, workers, threads and timeout as gunicorn applies them to ``command``
    (configuration file, GUNICORN_CMD_ARGS and the command line together)."""
    done = subprocess.run([*command, "--print-config"], env=env, capture_output=True, text=True,
                          timeout=300, check=True, cwd=ROOT)  # fmt: skip
    printed = {}
    for line in done.stdout.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            printed[name.strip()] = value.strip()
    threads = int(printed["threads"])
    worker_class = printed["worker_class"]
    if worker_class == "sync" and threads > 1:
        worker_class = "gthread"  # what gunicorn does with sync and several threads
    return {"worker_class": worker_class, "workers": int(printed["workers"]),
            "threads": threads if worker_class == "gthread" else 1,
            "timeout_s": int(printed["timeout"]), "preload_app": printed["preload_app"] == "True",
            "config": GUNICORN_CONFIG.name,
            "cmd_args_env": os.environ.get("GUNICORN_CMD_ARGS") or None}  # fmt: skip


def start_gunicorn(command: list[str], env: dict, base: str, log_path: Path) -> subprocess.Popen:
    handle = log_path.open("w")
    process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT,
                               start_new_session=True)  # fmt: skip
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


class LoadSampler(threading.Thread):
    """The 1-minute load average every ``every_s`` seconds while the test runs."""

    def __init__(self, every_s: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.every_s = every_s
        self.values: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.values.append(os.getloadavg()[0])
            self.done.wait(self.every_s)

    def summary(self) -> dict:
        v = self.values or [float("nan")]
        return {"samples": len(self.values), "min": round(min(v), 2),
                "mean": round(sum(v) / len(v), 2), "max": round(max(v), 2)}  # fmt: skip


def etl_loaded_rows(stdout: str) -> int:
    """Rows the concurrent ETL accepted (0 when every set was unchanged: no load ran at all)."""
    import json

    lines = stdout.strip().splitlines()
    return int(json.loads(lines[-1]).get("rows") or 0) if lines else 0


def stats(samples: list[Sample]) -> dict:
    ms = [s.ms for s in samples]
    return {
        "requests": len(samples),
        "errors": sum(1 for s in samples if s.error),
        "p50_ms": round(percentile(ms, 50), 1) if ms else None,
        "p95_ms": round(percentile(ms, 95), 1) if ms else None,
        "max_ms": round(max(ms), 1) if ms else None,
    }


def load_test_section(url: str, national_sets: Path | None, work: Path, *, users: int = 50,
                      think_s: tuple[float, float] = (10.0, 30.0), ramp_s: float = 60.0,
                      steady_s: float = 300.0, workers: int | None = None,
                      threads: int | None = None, etl_sets: int = 120,
                      as_of: str) -> dict:  # fmt: skip
    """``workers``/``threads``: gunicorn's (None: gunicorn.conf.py's; GUNICORN_CMD_ARGS applies
    too, e.g. ``--worker-class sync --threads 1`` to measure sync workers)."""
    load_before = load_average()
    chosen = personas(url, users)
    ensure_accounts(url, chosen)
    plan = request_plan(url, chosen, as_of)
    port = free_port()
    command = gunicorn_command(port, workers, threads)
    env = gunicorn_env(url)
    serving = applied_settings(command, env)
    base = f"http://{HOST}:{port}"
    server = start_gunicorn(command, env, base, work / "gunicorn.log")
    sampler = LoadSampler()
    etl = None
    etl_window: list[float] = []
    tally = Tally()
    try:
        sampler.start()
        begin = time.monotonic()
        end_at = begin + ramp_s + steady_s
        threads = [
            threading.Thread(
                target=simulated_user,
                args=(
                    base,
                    persona,
                    plan,
                    think_s,
                    begin + ramp_s * i / max(len(chosen), 1),
                    end_at,
                    i,
                    tally,
                ),
            )  # fmt: skip
            for i, persona in enumerate(chosen)
        ]
        for thread in threads:
            thread.start()
        if national_sets is not None:
            sets = _etl_sets(national_sets, work, etl_sets)
            time.sleep(max(0.0, begin + ramp_s - time.monotonic()))
            etl_window.append(time.monotonic())
            etl = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.etl_bench", "load", "--url", url,
                 "--src", str(sets), "--no-migrate"],  # fmt: skip
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            out, err = etl.communicate(timeout=ramp_s + steady_s + 3600)
            etl_window.append(time.monotonic())
        for thread in threads:
            thread.join()
        finished = time.monotonic()
    finally:
        sampler.done.set()
        if etl is not None and etl.poll() is None:
            etl.terminate()
        stop(server)
    log_text = (work / "gunicorn.log").read_text("utf-8", errors="replace")
    requests_only = [s for s in tally.samples if s.kind != "login"]
    overall = stats(requests_only)
    by_kind = {kind: stats([s for s in requests_only if s.kind == kind])
               for kind in sorted({s.kind for s in requests_only})}  # fmt: skip
    etl_figures = None
    if etl is not None:
        during = [s for s in requests_only if etl_window[0] <= s.started <= etl_window[1]]
        etl_figures = {
            "sets": etl_sets, "seconds": round(etl_window[1] - etl_window[0], 1),
            "started_after_s": round(etl_window[0] - begin, 1), "returncode": etl.returncode,
            "finished_before_users": etl_window[1] <= end_at,
            "result": out.strip().splitlines()[-1] if out.strip() else err[-500:],
            "requests_while_running": stats(during),
            "requests_after": stats([s for s in requests_only if s.started > etl_window[1]]),
        }  # fmt: skip
    logins = [s for s in tally.samples if s.kind == "login"]
    errors = [s.error for s in tally.samples if s.error]
    seconds = finished - begin
    p95 = overall["p95_ms"]
    return {
        "users": users, "mix": mix(chosen), **serving,
        "think_s": list(think_s), "ramp_s": ramp_s, "steady_s": steady_s,
        "seconds": round(seconds, 1),
        **overall, "errors": len(errors), "error_samples": errors[:10],
        "error_kinds": dict(Counter(e.split(" ", 1)[0] for e in errors)),
        # Server-side failures the client cannot see (a worker killed mid-request, a traceback).
        "gunicorn_worker_timeouts": log_text.count("WORKER TIMEOUT"),
        "gunicorn_log_errors": sum(1 for line in log_text.splitlines() if "[ERROR]" in line),
        # Flask logs an exception of a request as "... ERROR in app: ..." with its traceback.
        "app_tracebacks": log_text.count("Traceback (most recent call last)"),
        "logins": stats(logins),
        "page_views": len(tally.page_ms),
        "page_view_p50_ms": round(percentile(tally.page_ms, 50), 1) if tally.page_ms else None,
        "page_view_p95_ms": round(percentile(tally.page_ms, 95), 1) if tally.page_ms else None,
        "throughput_rps": round(len(requests_only) / seconds, 2) if seconds else None,
        "page_views_per_s": round(len(tally.page_ms) / seconds, 3) if seconds else None,
        "by_kind": by_kind,
        "concurrent_etl": etl_figures,
        "load_average_during": sampler.summary(),
        "target": f"p95 < {P95_LIMIT_MS:.0f} ms over all requests, no errors, ETL load running",
        "met": p95 is not None and p95 < P95_LIMIT_MS and not errors
        and (etl is None or (etl.returncode == 0 and etl_loaded_rows(out) > 0))
        and "WORKER TIMEOUT" not in log_text and "Traceback" not in log_text,
        "load_average_before": load_before, "load_average_after": load_average(),
    }  # fmt: skip
