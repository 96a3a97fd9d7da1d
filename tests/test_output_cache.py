"""Whole callback outputs are cached per viewer scope and store version (dashboard.output_cache)."""

from __future__ import annotations

import datetime as dt
import json

import flask
import pytest
from flask import g
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard import output_cache, store
from dashboard.output_cache import cached_output
from dashboard.queries.actions import visible_units
from dashboard.queries.viewer import Viewer
from etl import models
from etl.kpi import cache as _kpi_cache
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
    _kpi_cache.clear()
    build_store(sqlite_engine)
    store.configure(sqlite_engine)
    calls.clear()
    app = flask.Flask(__name__)
    app.config["INFOSAK_AUTH"] = True
    yield app, sqlite_engine
    store.configure(None)
    _kpi_cache.clear()


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
    _kpi_cache.clear()
    as_viewer(app, admin, filters)
    assert len(calls) == 3


@cached_output
def padded_units(filters: dict) -> dict:
    """A read-only 'callback' whose output is as long as the filters ask."""
    calls.append(("padded", filters["pad"]))
    with store.read_session() as session:
        units = int(session.scalar(select(func.count()).select_from(models.Unit)))
    return {"units": units, "pad": "x" * filters["pad"]}


@pytest.fixture
def served(app_store):
    """A Flask app whose route answers like Dash: the cached output, written as JSON."""
    app, _ = app_store
    app.config["INFOSAK_AUTH"] = False  # the system viewer: who asks is not this test's point
    output_cache.init_app(app)

    @app.post("/callback")
    def callback():
        return flask.jsonify(padded_units(flask.request.get_json()))

    return app.test_client()


def entry_sizes() -> list[int]:
    return [size for _, size in output_cache._entries.values()]


def test_an_output_is_weighed_by_the_response_that_carried_it(served):
    response = served.post("/callback", json={"pad": 1000})
    assert response.status_code == 200
    assert entry_sizes() == [len(response.get_data())]
    assert served.post("/callback", json={"pad": 1000}).get_data() == response.get_data()
    assert calls == [("padded", 1000)]


def test_outputs_beyond_the_byte_bound_are_dropped_oldest_first(served, monkeypatch):
    monkeypatch.setattr(output_cache, "MAX_JSON_BYTES", 2500)
    served.post("/callback", json={"pad": 1000})
    served.post("/callback", json={"pad": 1001})
    assert len(entry_sizes()) == 2
    served.post("/callback", json={"pad": 1002})  # three of ~1 kB exceed 2.5 kB: the first goes
    assert len(entry_sizes()) == 2
    served.post("/callback", json={"pad": 1000})
    assert calls.count(("padded", 1000)) == 2
    served.post("/callback", json={"pad": 3000})  # larger than the bound: served, never kept
    served.post("/callback", json={"pad": 3000})
    assert calls.count(("padded", 3000)) == 2
    assert all(size <= 2500 for size in entry_sizes())


def test_outside_a_request_an_output_is_weighed_by_serialising_it(app_store):
    result = padded_units({"pad": 10})
    assert entry_sizes() == [len(json.dumps(result, cls=PlotlyJSONEncoder))]
