"""Shared fixtures: a fresh, migrated store per test on SQLite and (marked) on PostgreSQL.

``store_url`` is parametrised over both back ends; PostgreSQL tests get a schema of their own so
that parallel workers never see each other's rows. Set INFOSAK_TEST_PG_URL to point elsewhere, or
to an empty string to skip the PostgreSQL half locally (CI always runs it: see .ci/run).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text

from etl.db import make_engine, migrate, session_factory

PG_URL = os.environ.get("INFOSAK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def empty_store_url(backend: str, folder):
    """A generator: the URL of an empty store on ``backend`` ("sqlite" in ``folder``, or a
    PostgreSQL schema of its own), dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'store.db'}"
        return
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("INFOSAK_TEST_PG_URL is empty in CI: PostgreSQL tests must run")
        pytest.skip("PostgreSQL disabled by INFOSAK_TEST_PG_URL=''")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """URL of an empty, migrated store on each back end."""
    yield from empty_store_url(request.param, tmp_path)


@pytest.fixture
def engine(store_url):
    eng = make_engine(store_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    """A migrated SQLite store only, for tests that do not concern the back end."""
    eng = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


# --------------------------------------------------------------------------- browser tests
# Page tests run in Debian's headless Chromium via dash[testing]'s dash_duo. Locally they skip
# when no browser is installed; in CI (CI or INFOSAK_REQUIRE_BROWSER set) that is a failure.

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if CHROMIUM:
    os.environ.setdefault("DASH_TEST_CHROMEPATH", CHROMIUM)


def pytest_setup_options():
    """Extra Chromium flags for dash_duo: this machine has no network beyond loopback."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    return options


def browser_required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("INFOSAK_REQUIRE_BROWSER"))


def pytest_collection_modifyitems(config, items):
    if CHROMIUM and CHROMEDRIVER:
        return
    for item in items:
        if "dash_duo" in getattr(item, "fixturenames", ()) and not browser_required():
            item.add_marker(pytest.mark.skip(reason="Chromium/chromedriver not installed"))


# Limits a test must not leave on the test process: a soft CPU limit left behind stops the
# worker with SIGXCPU tests later, and the run reports only that a worker crashed.
_PROCESS_LIMITS = ("RLIMIT_CPU", "RLIMIT_AS")


@pytest.fixture(autouse=True)
def _process_limits_unchanged():
    """Fail the test that changed this process's resource limits (and put them back), so the
    failure names its cause instead of killing a later test's worker."""
    try:
        import resource
    except ImportError:  # not POSIX: nothing to guard
        yield
        return
    before = {name: resource.getrlimit(getattr(resource, name)) for name in _PROCESS_LIMITS}
    yield
    changed = {}
    for name, limits in before.items():
        now = resource.getrlimit(getattr(resource, name))
        if now != limits:
            changed[name] = (limits, now)
            # A lowered hard limit may stay (not privileged): the failure below says so.
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(getattr(resource, name), limits)
    if changed:
        pytest.fail(f"the test changed this process's resource limits (before, after): {changed}")


@pytest.fixture(autouse=True)
def _browser_must_exist_in_ci(request):
    if (
        "dash_duo" in request.fixturenames
        and browser_required()
        and not (CHROMIUM and CHROMEDRIVER)
    ):
        pytest.fail(
            "Chromium and chromedriver are required in CI (apt-get install chromium "
            "chromium-driver)"
        )
