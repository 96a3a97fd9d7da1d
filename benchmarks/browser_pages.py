"""What a person gets in a real browser: every page's first visit in headless Chromium.

The callback benchmark (query_bench) times the Python functions; it cannot see the waiting in
the browser's queue, the bytes on the wire or the time Chromium spends drawing what it got. This
section measures those, page by page, on a store loaded before it runs:

- the production server (gunicorn with ``gunicorn.conf.py``, as README documents), started fresh
  for each user after the load, so each user's visits are first visits on a cold process;
- one Chromium per user (empty browser cache), logged in with a real account through the login
  form's POST (the login cookies are put into the browser's cookie store before it opens any
  page, so no page is visited before the measured ones, and none can overwrite the cookie);
  users: the admin (the whole country), one municipality's CISO and a committee member of
  another municipality (benchmarks.load_test.personas);
- each page the role may open, in menu order, by navigating to its address (a bookmark or a
  typed address: the page, Dash's bundles, the page router and every callback it triggers).

**Settled** (the figure judged against ``SETTLE_TARGET_S``): the time from the navigation's start
(``performance.timeOrigin``) to the first moment after which, for ``QUIET_S`` without a break,
the document is complete, Dash's renderer has no callback requested, waiting or running (its
redux store, as dash.testing reads it), no component is marked ``data-dash-is-loading`` and every
ag-grid shows rows or its no-rows overlay, and the page container holds the page. Polled every
``POLL_S`` in the page; the time is read from the page's own clock, so the polling's round trips
are not in it, and it is never earlier than the last callback answer or the end of the last
long task (a renderer too busy to answer a poll could otherwise hide its work between two calm
polls).

Also per page: bytes transferred (Resource Timing ``transferSize``: the document, bundles and
every callback response; the callback responses' decoded size on its own), the scripts' decoded
size (from the network or the cache) and which plotly.js file was loaded, the main-thread time
per script file (Long Animation Frames: a bundle's top-level run, and all work entered through
it), callback requests and the slowest one, the browser's main-thread time in long tasks
(PerformanceObserver ``longtask``: time the browser spent computing and drawing rather than
waiting), and DOM nodes once settled. A page that does not settle within ``PAGE_LIMIT_S`` is
recorded as such, its browser ended, and the next page gets a new browser (a frozen renderer
answers no command); so is, at once, a page answered with the login form (``NotLoggedInError``:
the browser is not logged in, and the page asked for will never be there).
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from benchmarks.common import load_average
from benchmarks.load_test import (
    HOST,
    _login,
    ensure_accounts,
    free_port,
    gunicorn_command,
    gunicorn_env,
    personas,
    start_gunicorn,
    stop,
)

log = logging.getLogger(__name__)

SETTLE_TARGET_S = 3.0
PAGE_LIMIT_S = 60.0
QUIET_S = 0.5
POLL_S = 0.1
# One poll of a page whose renderer is busy drawing waits at most this long for an answer.
SCRIPT_LIMIT_S = 30.0
ROLES = ("admin", "ciso", "committee")
LOGIN_PATH = "/login"
# Counted while the page loads; installed before any script of the page runs.
INSTRUMENT_JS = """
performance.setResourceTimingBufferSize(5000);
window.__longTaskMs = 0;
window.__longTasks = 0;
window.__lastLongTaskEnd = 0;
try {
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      window.__longTaskMs += e.duration; window.__longTasks++;
      window.__lastLongTaskEnd = Math.max(window.__lastLongTaskEnd, e.startTime + e.duration);
    }
  }).observe({type: 'longtask', buffered: true});
} catch (e) {}
// Long animation frames name the scripts that ran in them: a script file's top-level run
// (compile and execute, "classic-script") and all work entered through the file's functions.
window.__scriptEvalMs = {};
window.__scriptMs = {};
try {
  new PerformanceObserver(list => {
    for (const frame of list.getEntries()) {
      for (const s of frame.scripts || []) {
        const file = (s.sourceURL || '').split('?')[0].split('/').pop() || '(inline)';
        window.__scriptMs[file] = (window.__scriptMs[file] || 0) + s.duration;
        if (s.invokerType === 'classic-script') {
          window.__scriptEvalMs[file] = (window.__scriptEvalMs[file] || 0) + s.duration;
        }
      }
    }
  }).observe({type: 'long-animation-frame', buffered: true});
} catch (e) {}
"""
# 0 when settled (see the module's docstring), else how many things are still busy.
BUSY_JS = """
if (document.readyState !== 'complete') { return 1; }
// A page served as plain HTML (the accessibility statement) has no Dash renderer to wait for.
if (!window.store) { return document.getElementById('react-entry-point') ? 1 : 0; }
const state = window.store.getState();
let pending = (state.pendingCallbacks || []).length;
const callbacks = state.callbacks || {};
for (const key of Object.keys(callbacks)) {
  if (key !== 'stored' && key !== 'completed') { pending += (callbacks[key] || []).length; }
}
const loading = document.querySelectorAll('[data-dash-is-loading="true"]').length;
const gridsBusy = Array.from(document.querySelectorAll('.ag-root-wrapper')).filter(g =>
  !g.querySelector('.ag-row:not(.ag-row-loading)')
  && !g.querySelector('.ag-overlay-no-rows-wrapper, .ag-overlay-no-rows-center')).length;
// Until the layout is drawn and the page router has answered, the page container is missing
// or empty: nothing is pending yet, but nothing is there either.
const content = document.querySelector('#_pages_content');
const empty = content && content.children.length ? 0 : 1;
return pending + loading + gridsBusy + empty;
"""
NOW_JS = "return performance.now();"
FIGURES_JS = """
const entries = performance.getEntriesByType('resource');
const nav = performance.getEntriesByType('navigation')[0];
let bytes = nav ? nav.transferSize : 0, callbacks = 0, callbackBytes = 0, slowest = 0;
let lastCallbackEnd = 0, jsBytes = 0;
const plotly = [];
for (const e of entries) {
  bytes += e.transferSize;
  const path = e.name.split('?')[0];
  if (path.endsWith('.js')) {
    jsBytes += e.decodedBodySize;
    if (/plotly/i.test(path)) { plotly.push(path.split('/').slice(-2).join('/')); }
  }
  if (e.name.indexOf('/_dash-update-component') >= 0) {
    callbacks++; callbackBytes += e.decodedBodySize;
    slowest = Math.max(slowest, e.responseEnd - e.startTime);
    lastCallbackEnd = Math.max(lastCallbackEnd, e.responseEnd);
  }
}
return {bytes: bytes, callbacks: callbacks, callback_bytes: callbackBytes,
        slowest_callback_ms: slowest, dom_nodes: document.getElementsByTagName('*').length,
        long_task_ms: window.__longTaskMs || 0, long_tasks: window.__longTasks || 0,
        last_long_task_end: window.__lastLongTaskEnd || 0, last_callback_end: lastCallbackEnd,
        resources: entries.length, js_bytes: jsBytes, plotly: plotly,
        script_eval_ms: window.__scriptEvalMs || {}, script_ms: window.__scriptMs || {}};
"""


def chromium_options():
    from selenium.webdriver.chrome.options import Options

    options = Options()
    # driver.get returns at once: the whole wait, load event included, is timed in the page.
    options.page_load_strategy = "none"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--window-size=1400,1000"):  # fmt: skip
        options.add_argument(flag)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        options.binary_location = chromium
    return options


class Browser:
    """One Chromium with the instrumentation installed and the user's session cookies."""

    def __init__(self, base: str, cookies: dict[str, str]) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.remote.remote_connection import RemoteConnection

        driver_path = shutil.which("chromedriver")
        service = Service(driver_path) if driver_path else Service()
        # A frozen renderer answers no command: no call may wait longer than the page's budget.
        RemoteConnection.set_timeout(PAGE_LIMIT_S + 30)
        self.driver = webdriver.Chrome(options=chromium_options(), service=service)
        self.driver.set_page_load_timeout(PAGE_LIMIT_S)
        self.driver.set_script_timeout(SCRIPT_LIMIT_S)
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                    {"source": INSTRUMENT_JS})  # fmt: skip
        # Into the browser's cookie store directly, before it has opened any page of the server.
        # Through a page of the origin (WebDriver's add_cookie) the cookie raced that page's own
        # requests: with page_load_strategy "none" the cookie was set while the login page was
        # still loading, and its favicon request (sent before the cookie) came back as a
        # redirect to the login page whose Set-Cookie replaced the login cookie with an anonymous
        # one. The first measured page was then the login form: "not settled within 60 s".
        for name, value in cookies.items():
            self.driver.execute_cdp_cmd(
                "Network.setCookie", {"name": name, "value": value, "url": f"{base}/"}
            )

    def close(self) -> None:
        try:
            self.driver.quit()
        except Exception:  # a hung browser: end its driver process (which ends Chromium)
            process = getattr(self.driver.service, "process", None)
            if process is not None:
                process.kill()


class NotLoggedInError(RuntimeError):
    """A measured page answered with the login form instead of the page."""


def _poll(driver, script: str):
    """``script``'s answer; None while the new document is not there yet or while the renderer
    is too busy to answer within SCRIPT_LIMIT_S (a page drawing for that long is not settled)."""
    from selenium.common.exceptions import JavascriptException, TimeoutException

    try:
        return driver.execute_script(script)
    except (JavascriptException, TimeoutException):
        return None


def visit(browser: Browser, url: str) -> dict:
    """Navigate to ``url`` and wait until the page settles; the figures of that first visit."""
    driver = browser.driver
    started = time.monotonic()
    driver.get("about:blank")
    driver.get(url)  # page_load_strategy "none": returns once the navigation has started
    calm_since = None
    while True:
        here = _poll(driver, "return location.origin + location.pathname")
        if here is not None and here.endswith(LOGIN_PATH) and not url.endswith(LOGIN_PATH):
            # Sent to the login form: the browser is not logged in. Nothing will settle.
            raise NotLoggedInError(f"{url} answered with the login page: the browser's login "
                                   "cookie is missing or not valid")  # fmt: skip
        busy = _poll(driver, BUSY_JS) if here == url else None
        now = _poll(driver, NOW_JS)
        if busy == 0 and now is not None:
            calm_since = now if calm_since is None else calm_since
            if now - calm_since >= QUIET_S * 1000:
                break
        else:
            calm_since = None
        if time.monotonic() - started > PAGE_LIMIT_S:
            figures = _poll(driver, FIGURES_JS) or {}
            raise TimeoutError(f"not settled within {PAGE_LIMIT_S:.0f} s; so far: {figures}")
        time.sleep(POLL_S)
    figures = driver.execute_script(FIGURES_JS)
    # A renderer busy for longer than a poll can hide the work between two calm polls: the page
    # is settled no earlier than its last callback answer and its last long task (drawing).
    settled = max(calm_since, figures["last_callback_end"], figures["last_long_task_end"])
    return {
        "settled_s": round(settled / 1000, 2),
        "kb": round(figures["bytes"] / 1024, 1),
        "callback_kb": round(figures["callback_bytes"] / 1024, 1),
        "callbacks": figures["callbacks"],
        "slowest_callback_ms": round(figures["slowest_callback_ms"]),
        "long_task_ms": round(figures["long_task_ms"]),
        "dom_nodes": figures["dom_nodes"],
        # Scripts as the browser has to parse them (uncompressed), and which plotly.js it got.
        "js_kb": round(figures["js_bytes"] / 1024, 1),
        "plotly_js": figures["plotly"],
        # Main-thread time per script file in long animation frames (Chromium), largest first:
        # its top-level run, and everything entered through its functions.
        "script_eval_ms": _by_file(figures["script_eval_ms"]),
        "script_ms": _by_file(figures["script_ms"]),
    }


def _by_file(times: dict) -> dict[str, int]:
    return {name: round(ms) for name, ms in sorted(times.items(), key=lambda kv: -kv[1]) if ms >= 1}


def role_pages(url: str, role: str) -> list[str]:
    """The pages ``role`` may open, in menu order (the not-found page aside)."""
    import dash

    from benchmarks.page_calls import build_app
    from dashboard.auth.page_access import page_visible_to
    from dashboard.queries.viewer import Viewer
    from etl.db import make_engine

    if not dash.page_registry:
        engine = make_engine(url)
        build_app(engine)
        engine.dispose()
    viewer = Viewer(role=role, name=role)
    pages = sorted(
        (p for p in dash.page_registry.values()
         if p["path"] != "/404" and page_visible_to(p, viewer)),
        key=lambda p: (p.get("order") is None, p.get("order") or 0, p["path"]),
    )  # fmt: skip
    return [p["path"] for p in pages]


def measure_user(url: str, persona, work: Path, workers: int | None,
                 pages: tuple[str, ...] | None = None) -> list[dict]:  # fmt: skip
    """A fresh server, one browser, every page of the persona's role on first visit (only
    those of ``pages`` when given)."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    log_path = work / f"browser_gunicorn_{persona.role}_{port}.log"
    server = start_gunicorn(gunicorn_command(port, workers, None), gunicorn_env(url), base,
                            log_path)  # fmt: skip
    rows: list[dict] = []
    browser = None
    try:
        for path in role_pages(url, persona.role):
            if pages is not None and path not in pages:
                continue
            row = {"role": persona.role, "scope": ",".join(persona.scope) or "hela landet",
                   "page": path}  # fmt: skip
            try:
                if browser is None:  # a fresh login for each browser: its own session
                    browser = Browser(base, dict(_login(base, persona.account)[0].cookies))
                row.update(visit(browser, f"{base}{path}"))
                row["met"] = row["settled_s"] <= SETTLE_TARGET_S
            except Exception as exc:  # a page that never settles: recorded, the next one goes on
                log.warning("%s %s: %s", persona.role, path, exc)
                row.update({"error": f"{type(exc).__name__}: {exc}"[:300], "met": False})
                if browser is not None:
                    browser.close()
                browser = None  # a new browser (same session) for the next page
            log.warning("browser %s %s: %s", persona.role, path, row)
            rows.append(row)
    finally:
        if browser is not None:
            browser.close()
        stop(server)
    log_text = log_path.read_text("utf-8", errors="replace")
    for row in rows:
        row["server_tracebacks"] = log_text.count("Traceback (most recent call last)")
    return rows


def browser_section(url: str, work: Path, roles: tuple[str, ...] = ROLES,
                    workers: int | None = None,
                    pages: tuple[str, ...] | None = None) -> dict:  # fmt: skip
    """Every page's first visit in Chromium for each of ``roles`` on the store at ``url`` (only
    the paths in ``pages`` when given, e.g. ``("/mognad",)``)."""
    load_before = load_average()
    chosen = [p for p in personas(url, 5) if p.role in roles]
    ensure_accounts(url, chosen)
    work.mkdir(parents=True, exist_ok=True)
    visits: list[dict] = []
    for persona in sorted(chosen, key=lambda p: roles.index(p.role)):
        visits.extend(measure_user(url, persona, work, workers, pages))
    return {
        "method": "first visit per page by address in headless Chromium, fresh gunicorn per "
        "user; settled = document complete, no Dash callback pending, nothing loading, every "
        f"grid with rows, held {QUIET_S} s (page clock from navigation start)",
        "target": f"every page settles within {SETTLE_TARGET_S:.0f} s",
        "users": {p.role: ",".join(p.scope) or "hela landet" for p in chosen},
        "pages": visits,
        "met": bool(visits) and all(p["met"] for p in visits),
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }
