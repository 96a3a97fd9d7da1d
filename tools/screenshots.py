"""Screenshots of every page for every demo role, in Swedish and English, at two window sizes.

    python -m tools.screenshots [FOLDER] [--roles ciso,chef] [--sizes 1366x768] [--langs sv]

Builds the demo store (the sample workbooks) in a temporary folder, serves the demo app on a
free local port, logs in as each demo account in headless Chromium and saves one full-page PNG
per page, language and window size as ``FOLDER/<size>/<lang>/<account>/<page>.png`` (the login
page and the accessibility statement under ``anonymous``). Default folder: out/screenshots.

For a person to look at before handing a release over: not run in CI.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

DEFAULT_FOLDER = Path("out/screenshots")
SIZES = ((1366, 768), (1920, 1080))
LANGUAGES = ("sv", "en")
# Chromium's own locale per page language: dates and numbers the browser formats (date pickers,
# toLocaleString) then follow the page, as they would for a Swedish or a British reader.
BROWSER_LOCALES = {"sv": "sv-SE", "en": "en-GB"}
PASSWORD = "demo"

# Pending Dash callbacks, grids still waiting for their rows, a document still loading.
SETTLED_JS = """
const busy = document.querySelectorAll('[data-dash-is-loading="true"]').length;
const grids = Array.from(document.querySelectorAll('.ag-root-wrapper'));
const gridsBusy = grids.filter(g => !g.querySelector('.ag-row:not(.ag-row-loading)')
    && !g.querySelector('.ag-overlay-no-rows-wrapper, .ag-overlay-no-rows-center')).length;
return busy + gridsBusy + (document.readyState === 'complete' ? 0 : 1);
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.screenshots", description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--roles", help="comma-separated demo account names (default: all)")
    parser.add_argument(
        "--sizes",
        default=",".join(f"{w}x{h}" for w, h in SIZES),
        help="comma-separated WIDTHxHEIGHT (default: 1366x768,1920x1080)",
    )
    parser.add_argument("--langs", default=",".join(LANGUAGES), help="sv,en (default: both)")
    return parser.parse_args(argv)


def prepare_environment(workdir: Path) -> None:
    """A data folder and store of its own: the checkout's data/ is never touched. Set before
    the app's modules are imported (etl.config reads the folder at import)."""
    os.environ["INFOSAK_DATA_DIR"] = str(workdir)
    os.environ["INFOSAK_DATABASE_URL"] = f"sqlite:///{workdir / 'infosak.db'}"
    os.environ["INFOSAK_SECRET_KEY"] = secrets.token_hex(32)


def start_server(app) -> str:
    """Serve ``app`` in a daemon thread on a free loopback port; returns its base URL."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def browser_flags(lang: str) -> list[str]:
    """Chromium's command line for pages in ``lang`` (its locale: sv-SE or en-GB)."""
    locale = BROWSER_LOCALES.get(lang, BROWSER_LOCALES["sv"])
    return ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--hide-scrollbars", f"--lang={locale}"]  # fmt: skip


def open_browser(lang: str = "sv"):
    """A headless Chromium whose locale is that of ``lang`` (the locale is fixed when Chromium
    starts, so each page language gets a browser of its own)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        options.binary_location = chromium
    for flag in browser_flags(lang):
        options.add_argument(flag)
    locale = BROWSER_LOCALES.get(lang, BROWSER_LOCALES["sv"])
    options.add_experimental_option("prefs", {"intl.accept_languages": locale})
    driver_path = shutil.which("chromedriver")
    service = Service(driver_path) if driver_path else Service()
    driver = webdriver.Chrome(options=options, service=service)
    # Headless Chromium keeps JavaScript's default locale (Intl, toLocaleString) at en-US
    # whatever --lang says; the DevTools override sets it for the browser's tab.
    driver.execute_cdp_cmd("Emulation.setLocaleOverride", {"locale": locale})
    return driver


def wait_settled(driver, timeout: float = 30.0, quiet: float = 0.6) -> None:
    deadline = time.monotonic() + timeout
    calm_since = None
    while time.monotonic() < deadline:
        if driver.execute_script(SETTLED_JS) == 0:
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= quiet:
                return
        else:
            calm_since = None
        time.sleep(0.1)
    print(f"  (not settled after {timeout:.0f} s: {driver.current_url})", file=sys.stderr)


def scroll_through(driver, height: int) -> None:
    """Scroll the page a window at a time and back: a grid below the fold fetches its rows only
    once it has been on screen, and a capture beyond the viewport does not scroll."""
    total = driver.execute_script("return document.documentElement.scrollHeight")
    for top in range(0, total, height):
        driver.execute_script("window.scrollTo(0, arguments[0])", top)
        wait_settled(driver, timeout=10, quiet=0.3)
    driver.execute_script("window.scrollTo(0, 0)")


def save_full_page(driver, path: Path, width: int, height: int) -> None:
    """The whole page at the window's width (the viewport stays width×height for the layout)."""
    scroll_through(driver, height)
    full_height = driver.execute_script(
        "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {
                "x": 0,
                "y": 0,
                "width": width,
                "height": max(height, full_height),
                "scale": 1,
            },
        },
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


def set_viewport(driver, width: int, height: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def log_in(driver, base: str, name: str, lang: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver.delete_all_cookies()
    driver.get(f"{base}/login?sprak={lang}")
    driver.find_element(By.ID, "login-username").send_keys(name)
    driver.find_element(By.ID, "login-password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.ID, "app-user-name")))


def page_slug(path: str) -> str:
    return path.strip("/").replace("/", "-") or "oversikt"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.folder.resolve()
    sizes = [tuple(int(n) for n in s.split("x")) for s in args.sizes.split(",") if s]
    langs = [lang for lang in args.langs.split(",") if lang]
    workdir = Path(tempfile.mkdtemp(prefix="infosak-screens-"))
    prepare_environment(workdir)

    import dash

    from dashboard.app import create_app
    from dashboard.auth.page_access import page_visible_to
    from dashboard.auth.users import demo_accounts
    from dashboard.queries.viewer import Viewer
    from etl.db import make_engine
    from infosak_cli.serve_cmd import prepare_demo_store

    print(prepare_demo_store(workdir / "sample"))
    engine = make_engine()
    app = create_app(engine, demo=True, auth=True)
    base = start_server(app)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        accounts = demo_accounts(session)
    if args.roles:
        wanted = set(args.roles.split(","))
        accounts = [a for a in accounts if a.name in wanted or a.role in wanted]
    pages = [p for p in dash.page_registry.values() if p["path"] != "/404"]
    pages.sort(key=lambda p: (p.get("order") is None, p.get("order") or 0, p["path"]))

    driver = None
    saved = 0
    try:
        for lang in langs:
            if driver is not None:
                driver.quit()
            driver = open_browser(lang)
            for width, height in sizes:
                set_viewport(driver, width, height)
                folder = out / f"{width}x{height}" / lang
                driver.delete_all_cookies()
                for path, name in (("/login", "login"), ("/tillganglighet", "tillganglighet")):
                    driver.get(f"{base}{path}?sprak={lang}")
                    time.sleep(0.5)
                    save_full_page(driver, folder / "anonymous" / f"{name}.png", width, height)
                    saved += 1
                for account in accounts:
                    log_in(driver, base, account.name, lang)
                    viewer = Viewer(role=account.role, name=account.name)
                    for page in pages:
                        if not page_visible_to(page, viewer):
                            continue
                        driver.get(f"{base}{page['path']}?sprak={lang}")
                        wait_settled(driver)
                        target = folder / account.name / f"{page_slug(page['path'])}.png"
                        save_full_page(driver, target, width, height)
                        saved += 1
                    print(f"{width}x{height} {lang} {account.name}: done")
    finally:
        if driver is not None:
            driver.quit()
        engine.dispose()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{saved} screenshots in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
