"""Reading never writes (DESIGN §6): serving every page to every role and ``infosak kpi`` leave
every table as the load left it, and a reload of unchanged files changes no table either.

What is kept for the pages (the KPI mart) is built by a load that accepted a file, and only by
it; any other date is computed on demand and not stored. The store
is the generated Sydnärke set, loaded as ``infosak load`` loads it, on SQLite and PostgreSQL.

Tables aside: who logged in and when (app_user's last login, login_attempt, audit_event), and,
for a reload, the load log itself (``load``: every offered file is recorded, "unchanged"
included, and the Inläsningar page lists it).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import dash
import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session

from dashboard import constants as c
from etl import models as m
from etl.generate import generate
from etl.kpi.mart import holds, store_version
from etl.load import load_paths
from tests.generated_store import BACKENDS, codes, loaded_generated_store
from tests.test_auth_support import add_account, auth_app, body_for_key, login, reset_store

LOAD_DAY = dt.date(2026, 11, 28)  # the load's day: what it keeps is as of this day
OTHER_DAY = dt.date(2026, 11, 30)  # a day it does not keep: computed on demand
LOGIN_TABLES = {"app_user", "login_attempt", "audit_event"}
LOAD_LOG = {"load"}
GRID_REQUEST = {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}
INFOSAK = str(Path(sys.executable).with_name("infosak"))


def every_table(engine, aside: set[str]) -> dict[str, list[tuple]]:
    """Every row of every table in the store (as reflected, so tables without a model count
    too), ordered by primary key."""
    metadata = MetaData()
    metadata.reflect(engine)
    rows = {}
    with engine.connect() as conn:
        for name, table in metadata.tables.items():
            if name in aside:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows[name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return rows


def changed_tables(before: dict, after: dict) -> dict[str, tuple[int, int]]:
    """{table: (rows before, rows after)} for every table whose rows differ."""
    return {
        name: (len(before.get(name, [])), len(after.get(name, [])))
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def accounts(engine) -> dict[str, tuple[str, list[str]]]:
    """One account of every role (name: role, scope), in the set's first municipality."""
    municipality = codes(engine, m.Municipality)[0]
    administrations = [a for a in codes(engine, m.Administration) if a.startswith(municipality)]
    unit = next(u for u in codes(engine, m.Unit) if u.startswith(administrations[-1]))
    return {
        "root": ("admin", []),
        "ciso": ("ciso", [municipality]),
        "dpo": ("dpo", [municipality]),
        "skydd": ("protection_officer", [municipality]),
        "namnd": ("committee", [municipality]),
        "so": ("security_officer", [administrations[-1]]),
        "head": ("admin_head", [administrations[0]]),
        "chef": ("manager", [unit]),
    }


def callback_values(path: str, as_of: dt.date) -> dict[str, object]:
    """What the browser sends on a first visit of ``path`` with the date set: no clicks, no
    uploads, no choices made yet (so no export, freeze or upload runs)."""
    return {
        f"{c.FILTERS_STORE}.data": {"as_of": as_of.isoformat(), "municipality": None,
                                    "administration": None, "lang": "sv"},
        "pathname": path,
        "search": f"?datum={as_of.isoformat()}",
        "getRowsRequest": GRID_REQUEST,
    }  # fmt: skip


def serve_every_page(app, client) -> int:
    """GET every page and POST every server-side callback as a first visit would, for both
    dates; returns the number of callback requests. Each must answer 200 or 204."""
    pages = [p["path"] for p in dash.page_registry.values()]
    for path in pages:
        assert client.get(path).status_code == 200
    client.get("/_dash-layout")
    client.get("/_dash-dependencies")
    token = client.get_cookie("_csrf_token").value
    sent = 0
    for key, spec in list(app.callback_map.items()):
        if spec.get("callback") is None:
            continue  # clientside
        on_path = any(i["property"] == "pathname" for i in spec["inputs"])
        for path in pages if on_path else [None]:
            for as_of in (LOAD_DAY, OTHER_DAY):
                shared = callback_values(path, as_of)
                values = {}
                for item in spec["inputs"] + spec["state"]:
                    name = f"{item['id']}.{item['property']}"
                    values[name] = shared.get(name, shared.get(item["property"]))
                response = client.post(
                    "/_dash-update-component",
                    data=json.dumps(body_for_key(key, spec, values)),
                    content_type="application/json",
                    headers={"X-CSRFToken": token},
                )
                assert response.status_code in (200, 204), (key, path, response.status_code)
                sent += 1
    return sent


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_serving_every_page_to_every_role_and_infosak_kpi_write_nothing(
    backend, tmp_path, monkeypatch
):
    with loaded_generated_store(backend, tmp_path, LOAD_DAY) as (engine, _files):
        people = accounts(engine)
        for name, (role, scope) in people.items():
            add_account(engine, name, role, scope)
        before = every_table(engine, LOGIN_TABLES)
        assert before["kpi_mart"], "the load builds the KPI mart the pages read"
        app = auth_app(engine, monkeypatch)
        try:
            for name in people:
                client = app.server.test_client()
                assert login(client, name).status_code == 302
                assert serve_every_page(app, client) > 50
        finally:
            reset_store()
        for as_of in (OTHER_DAY, LOAD_DAY):
            done = subprocess.run(
                [INFOSAK, "kpi", "--format", "json", "--as-of", as_of.isoformat(),
                 "--database-url", engine.url.render_as_string(hide_password=False)],
                capture_output=True, check=False, timeout=600,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        assert changed_tables(before, every_table(engine, LOGIN_TABLES)) == {}


@pytest.mark.parametrize("backend", BACKENDS)
def test_reloading_unchanged_files_changes_no_table(backend, tmp_path):
    with loaded_generated_store(backend, tmp_path, LOAD_DAY) as (engine, files):
        before = every_table(engine, LOGIN_TABLES | LOAD_LOG)
        with Session(engine) as session:
            version = store_version(session)
        result = load_paths(engine, [files], today=LOAD_DAY)
        assert result.ok and {r.outcome for r in result.files} == {"unchanged"}
        assert changed_tables(before, every_table(engine, LOGIN_TABLES | LOAD_LOG)) == {}
        # The mart still answers: the reload did not make it stale.
        with Session(engine) as session:
            assert store_version(session) == version
            assert holds(session, LOAD_DAY)


def test_an_accepted_load_makes_the_mart_stale(tmp_path):
    """The other side: a load that changes data moves the version the mart belongs to."""
    with loaded_generated_store("sqlite", tmp_path, LOAD_DAY) as (engine, files):
        with Session(engine) as session:
            version = store_version(session)
        changed = tmp_path / "changed"
        generate(changed, municipalities=4, seed=1882, fmt="csv", today=LOAD_DAY + dt.timedelta(1))
        one_set = sorted(p for p in changed.iterdir() if p.name.startswith("1814-SOC."))
        assert load_paths(engine, one_set, today=LOAD_DAY, snapshot=False).ok
        with Session(engine) as session:
            assert store_version(session) != version
            assert not holds(session, LOAD_DAY)
