"""Every way of serving the app freezes the built app out of the garbage collector's generations.

A full collection in a serving process otherwise walks every object of pandas, SQLAlchemy, Dash
and plotly (dashboard/garbage_collection.py). Checked on what each way of serving runs: the
gunicorn hooks as gunicorn reads them from gunicorn.conf.py, and the ``infosak serve`` command up
to the point where Dash's server would start.
"""

from __future__ import annotations

import gc
import secrets
import weakref
from pathlib import Path
from types import SimpleNamespace

import dash
import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "gunicorn.conf.py"


@pytest.fixture
def unfrozen():
    """Start with nothing frozen and give the test process its collector back afterwards."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_settle_heap_freezes_live_objects_and_collects_garbage_first(unfrozen):
    from dashboard.garbage_collection import settle_heap

    class Node:
        pass

    cycle = Node()
    cycle.self = cycle
    garbage = weakref.ref(cycle)
    del cycle
    frozen = settle_heap()
    assert frozen == gc.get_freeze_count() > 10_000
    # The cycle was garbage when the heap settled: collected, not frozen for the process's life.
    assert garbage() is None
    assert gc.get_count()[0] < 100  # the generations start empty again


def _gunicorn_config():
    """The settings and hooks as gunicorn itself loads them from gunicorn.conf.py."""
    from gunicorn.app.wsgiapp import WSGIApplication
    from gunicorn.config import Config

    application = WSGIApplication.__new__(WSGIApplication)
    application.cfg = Config()
    application.load_config_from_file(str(CONFIG))
    return application.cfg


def test_gunicorn_master_freezes_the_preloaded_app_before_forking(unfrozen):
    cfg = _gunicorn_config()
    # when_ready runs in the master after preload_app built the app, before the first fork.
    assert cfg.preload_app
    cfg.when_ready(SimpleNamespace())
    assert gc.get_freeze_count() > 10_000  # the imported libraries, not a handful of objects


def test_gunicorn_worker_freezes_after_its_warm_up_request(unfrozen, sqlite_engine):
    from dashboard.app import create_app

    cfg = _gunicorn_config()
    app = create_app(sqlite_engine, auth=False)
    gc.unfreeze()
    cfg.post_worker_init(SimpleNamespace(wsgi=app.server))
    assert gc.get_freeze_count() > 10_000


def test_serve_command_freezes_the_app_before_serving(unfrozen, tmp_path, monkeypatch):
    from infosak_cli import serve_cmd

    monkeypatch.setenv("INFOSAK_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("INFOSAK_SECRET_KEY", secrets.token_hex(32))
    frozen_when_served = []
    monkeypatch.setattr(dash.Dash, "run",
                        lambda self, **kw: frozen_when_served.append(gc.get_freeze_count()))  # fmt: skip
    serve_cmd._run_server("127.0.0.1", 8050, debug=False, demo=False)
    assert frozen_when_served and frozen_when_served[0] > 10_000
