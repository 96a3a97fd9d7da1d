"""Demo accounts (shared, password "demo") outside demo mode.

A store once used by the demo keeps its accounts. An app that is not in demo mode must refuse them
at the login form and with a cookie from a demo session, and a production start (``create_app``,
gunicorn's ``dashboard.app:server``, ``infosak serve``) must refuse such a store with a message
that names the fix, ``infosak users remove-demo``. Real store (SQLite and PostgreSQL), real HTTP
through Flask's test client, the real CLI in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth.session import ConfigurationError
from dashboard.auth.users import DEMO_PASSWORD
from etl.models_auth import User
from tests.kpi_data import build_store
from tests.test_auth_support import (
    PASSWORD,
    SECRET,
    add_account,
    audit_count,
    auth_app,
    login,
    reset_store,
)

INFOSAK = Path(sys.executable).with_name("infosak")
ROOT = Path(__file__).resolve().parent.parent
REFUSAL = "infosak users remove-demo"


def _cli(*args: str, url: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, INFOSAK_DATABASE_URL=url, INFOSAK_SECRET_KEY=SECRET, COLUMNS="200")
    return subprocess.run([str(INFOSAK), *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip


def _demo_names(engine) -> list[str]:
    with Session(engine) as s:
        return list(s.scalars(select(User.name).where(User.is_demo).order_by(User.name)))


@pytest.fixture
def demo_store(engine, monkeypatch):
    """The store after a demo ran on it: sample org, the demo accounts and one real account."""
    build_store(engine)
    add_account(engine, "eva", "ciso", ["1882"])
    demo = auth_app(engine, monkeypatch, demo=True)  # what `infosak demo` serves
    yield engine, demo
    reset_store()


def test_demo_works_in_demo_mode(demo_store):
    engine, demo = demo_store
    names = _demo_names(engine)
    assert len(names) == 8 and "admin" in names and "ciso" in names
    for name in names:
        client = demo.server.test_client()
        assert login(client, name, DEMO_PASSWORD).status_code == 302, name
        assert client.get("/_dash-layout").status_code == 200


def test_production_app_refuses_every_demo_account(engine, monkeypatch):
    """A production app already serving when someone runs the demo against its store: the start-up
    check cannot see that, so the authentication path itself must refuse the accounts."""
    build_store(engine)
    add_account(engine, "eva", "ciso", ["1882"])
    production = auth_app(engine, monkeypatch)
    assert production.server.test_client().get("/login").status_code == 200
    demo = auth_app(engine, monkeypatch, demo=True)
    names = _demo_names(engine)
    assert len(names) == 8
    for name in names:
        # A demo session's cookie (same secret key) is worth nothing to the production app.
        demo_client = demo.server.test_client()
        assert login(demo_client, name, DEMO_PASSWORD).status_code == 302
        stolen = demo_client.get_cookie("infosak_session").value
        client = production.server.test_client()
        response = login(client, name, DEMO_PASSWORD)
        assert response.status_code == 401, name
        assert "Fel användarnamn eller lösenord." in response.text
        assert client.get("/logg").status_code == 302  # to the login page
        client.set_cookie("infosak_session", stolen)
        assert client.get("/_dash-layout").status_code == 401, name
        assert client.get("/logg").status_code == 302
    assert audit_count(engine, "login_failed") == len(names)
    assert audit_count(engine, "login", "admin") == 1  # only the login on the demo app
    # A real account still logs in on the production app.
    assert login(production.server.test_client(), "eva", PASSWORD).status_code == 302
    reset_store()


def test_production_start_refuses_a_store_with_demo_accounts(demo_store, monkeypatch, store_url):
    engine, _ = demo_store
    from dashboard.app import create_app

    with pytest.raises(ConfigurationError, match=REFUSAL) as refused:
        create_app(engine, auth=True)
    assert "demokonton" in str(refused.value) and "admin" in str(refused.value)

    # gunicorn's production entry, dashboard.app:server, builds its app the same way.
    import dashboard.app as app_module

    monkeypatch.setenv("INFOSAK_DATABASE_URL", store_url)
    for name in ("server", "app"):  # hasattr() would build the app: look in the module's dict
        if name in vars(app_module):
            monkeypatch.delitem(vars(app_module), name)
    with pytest.raises(ConfigurationError, match=REFUSAL):
        _ = app_module.server


def test_gunicorn_refuses_a_store_with_demo_accounts(demo_store, store_url):
    """The production server itself (gunicorn.conf.py preloads dashboard.app:server)."""
    env = dict(os.environ, INFOSAK_DATABASE_URL=store_url, INFOSAK_SECRET_KEY=SECRET)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
         "--bind", "127.0.0.1:18733"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert REFUSAL in done.stderr and "demokonton" in done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started < 60


def test_serve_exits_with_the_fix_then_remove_demo_clears_the_store(demo_store, store_url):
    engine, _ = demo_store
    started = time.monotonic()
    served = _cli("serve", "--port", "18731", url=store_url, timeout=60)
    elapsed = time.monotonic() - started
    assert served.returncode == 1, (served.stdout, served.stderr)
    assert REFUSAL in served.stderr and "demokonton" in served.stderr
    assert "Traceback" not in served.stderr + served.stdout
    assert "körs på" not in served.stdout  # it never started serving
    assert elapsed < 30

    removed = _cli("users", "remove-demo", url=store_url)
    assert removed.returncode == 0, removed.stderr
    assert "8 demokonton är borttagna" in removed.stdout
    assert _demo_names(engine) == []
    assert audit_count(engine, "user_remove") == 1
    again = _cli("users", "remove-demo", url=store_url)
    assert again.returncode == 0 and "inga demokonton" in again.stdout

    # The real account is kept, and a production app now starts on the store.
    from dashboard.app import create_app

    app = create_app(engine, auth=True)
    assert login(app.server.test_client(), "eva", PASSWORD).status_code == 302
    assert login(app.server.test_client(), "admin", DEMO_PASSWORD).status_code == 401
