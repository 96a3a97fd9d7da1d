"""Whole callback outputs are cached per viewer scope and store version (dashboard.output_cache):
a viewer never gets another scope's output, and a load shows at once in every process (the
version is in the key). Redis is used when INFOSAK_REDIS_URL names one."""

from __future__ import annotations

import datetime as dt

import flask
import pytest
from flask import g
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard import output_cache, store
from dashboard.output_cache import cached_output
from dashboard.queries.actions import visible_units
from dashboard.queries.viewer import Viewer
from etl import models
from tests.kpi_data import build_store

calls: list[tuple] = []


@cached_output
def units_seen(filters: dict) -> int:
    """A read-only 'callback': how many units the current viewer may see."""
    from dashboard.viewer_context import current_viewer

    viewer = current_viewer()
    calls.append((viewer.role, filters["lang"]))
    with store.read_session() as session:
        ids = visible_units(viewer, filters.get("municipality"), None)
        return int(session.scalar(select(func.count()).select_from(ids.subquery())))


@pytest.fixture
def app_store(sqlite_engine):
    build_store(sqlite_engine)
    store.configure(sqlite_engine)
    calls.clear()
    app = flask.Flask(__name__)
    app.config["INFOSAK_AUTH"] = True
    output_cache.init_app(app)
    yield app, sqlite_engine
    output_cache.clear()
    store.configure(None)


def as_viewer(app, viewer: Viewer, filters: dict) -> int:
    with app.test_request_context("/"):
        g.infosak_viewer = viewer
        return units_seen(filters)


def test_same_scope_is_served_from_the_cache_other_scopes_are_not(app_store):
    app, _ = app_store
    filters = {"lang": "sv", "municipality": None}
    admin = Viewer("admin", name="anna")
    manager = Viewer("manager", name="bo", unit_codes=frozenset({"1882-SOC-IFO"}))
    everything = as_viewer(app, admin, filters)
    assert as_viewer(app, admin, filters) == everything
    assert len(calls) == 1
    # Another user with the same role and scope shares the entry; a narrower scope never does.
    assert as_viewer(app, Viewer("admin", name="cecilia"), filters) == everything
    assert len(calls) == 1
    assert as_viewer(app, manager, filters) == 1 < everything
    assert len(calls) == 2
    # Other arguments are another entry.
    as_viewer(app, admin, {"lang": "en", "municipality": None})
    assert len(calls) == 3


def test_a_load_or_clear_makes_it_compute_again(app_store):
    app, engine = app_store
    admin = Viewer("admin", name="anna")
    filters = {"lang": "sv", "municipality": "1882"}
    before = as_viewer(app, admin, filters)
    with Session(engine) as s, s.begin():
        source = models.Source(key="administration:1882-SOC", kind="administration")
        s.add(source)
        s.flush()
        s.add(models.Load(run_id="t", source_id=source.id, file_name="x", sha256="0" * 64,
                          started_at=dt.datetime(2026, 11, 28), outcome="accepted"))  # fmt: skip
        admin_id = s.query(models.Unit).filter_by(code="1882-SOC-IFO").one().administration_id
        s.add(models.Unit(code="1882-SOC-NY", name="Ny", administration_id=admin_id))
    assert as_viewer(app, admin, filters) == before + 1
    assert len(calls) == 2
    output_cache.clear()
    as_viewer(app, admin, filters)
    assert len(calls) == 3


def test_outside_an_app_with_the_cache_every_call_computes(app_store):
    other = flask.Flask("other")  # an app the cache was not set up on
    other.config["INFOSAK_AUTH"] = True
    admin = Viewer("admin", name="anna")
    with other.test_request_context("/"):
        g.infosak_viewer = admin
        units_seen({"lang": "sv"})
        units_seen({"lang": "sv"})
    assert len(calls) == 2


def test_redis_is_chosen_when_configured_else_the_process_holds_the_cache(monkeypatch):
    monkeypatch.delenv(output_cache.REDIS_URL_VARIABLE, raising=False)
    in_process = output_cache.config_from_environment()["CACHE_TYPE"]
    assert in_process == "dashboard.output_cache.InProcessCache"
    monkeypatch.setenv(output_cache.REDIS_URL_VARIABLE, "redis://cache.example:6379/2")
    config = output_cache.config_from_environment()
    assert config["CACHE_TYPE"] == "RedisCache"
    assert config["CACHE_REDIS_URL"] == "redis://cache.example:6379/2"
