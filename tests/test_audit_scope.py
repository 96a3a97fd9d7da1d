"""The audit log is scoped like everything else: a CISO reads the events of the accounts in their
municipalities, an admin every event, every other role nothing (dashboard.auth.audit).

Events are made the real way (logins through Flask's test client, each account from its own
address; uploads through the function the upload page calls). The rule is checked where it is
enforced, in the query with the viewer as a parameter, and over HTTP by a forged request for the
log page.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from dashboard.auth import audit
from dashboard.auth.users import get_user, viewer_for
from dashboard.queries.viewer import SYSTEM, Viewer
from tests.kpi_data import build_store
from tests.test_auth_support import (
    PASSWORD,
    add_account,
    auth_app,
    callback_spec,
    csrf_from_form,
    readable_text,
    reset_store,
)

# name: (role, scope, address it logs in from)
ACCOUNTS = {
    "eva": ("ciso", ["1882"], "192.0.2.10"),
    "olle": ("security_officer", ["1882-SOC"], "192.0.2.11"),
    "bo": ("manager", ["1882-SOC-IFO"], "192.0.2.12"),
    "fia": ("ciso", ["1861"], "192.0.2.61"),
    "hugo": ("security_officer", ["1861-BUF"], "192.0.2.62"),
    "cia": ("manager", ["1861-BUF-GR"], "192.0.2.63"),
    "dora": ("dpo", ["1882", "1861"], "192.0.2.90"),  # both municipalities
    "namnd": ("committee", ["1882"], "192.0.2.13"),
    "skydd": ("protection_officer", ["1882"], "192.0.2.14"),
    "root": ("admin", [], "192.0.2.99"),
}
ASKERSUND = {"eva", "olle", "bo", "dora", "namnd", "skydd"}
HALLSBERG = {"fia", "hugo", "cia", "dora"}
# Failed logins: at a Hallsberg account, and under a name no account has.
HALLSBERG_ATTACKER = "198.51.100.61"
NOBODY_ATTACKER = "198.51.100.77"


def _login(app, name: str, password: str, address: str) -> int:
    client = app.server.test_client()
    environ = {"REMOTE_ADDR": address}
    page = client.get("/login", environ_base=environ)
    form = {"username": name, "password": password, "csrf_token": csrf_from_form(page.text)}
    response = client.post("/login", data=form, environ_base=environ)
    return response.status_code, client


@pytest.fixture
def app(engine, monkeypatch):
    build_store(engine)
    for name, (role, scope, _) in ACCOUNTS.items():
        add_account(engine, name, role, scope)
    application = auth_app(engine, monkeypatch)
    for name, (_, _, address) in ACCOUNTS.items():
        assert _login(application, name, PASSWORD, address)[0] == 302
    assert _login(application, "fia", "fel-lösenord", HALLSBERG_ATTACKER)[0] == 401
    assert _login(application, "nisse", "fel-lösenord", NOBODY_ATTACKER)[0] == 401
    # Uploads, as the upload page records them; one by an admin, of a Hallsberg file.
    audit.record(engine, "upload", "hugo", "1861-BUF.xlsx: accepted, 40 rader, 0 fel", "192.0.2.62")
    audit.record(engine, "upload", "olle", "1882-SOC.xlsx: accepted, 12 rader, 0 fel", "192.0.2.11")
    audit.record(engine, "upload", "root", "1861-BUF.xlsx: accepted, 40 rader, 0 fel", "192.0.2.99")
    audit.record(engine, "user_add", "cli:drift", "cia (manager; 1861-BUF-GR)")
    yield application
    reset_store()


def _viewer(engine, name: str) -> Viewer:
    with Session(engine) as s:
        return viewer_for(s, get_user(s, name))


def _actors(engine, viewer: Viewer) -> set[str]:
    with Session(engine) as s:
        return {e.actor for e in audit.recent_events(s, viewer)}


def test_each_ciso_reads_the_events_of_their_own_municipality(app, engine):
    assert _actors(engine, _viewer(engine, "eva")) == ASKERSUND | {"eva"}
    assert _actors(engine, _viewer(engine, "fia")) == HALLSBERG
    with Session(engine) as s:
        seen_by_eva = audit.recent_events(s, _viewer(engine, "eva"))
        seen_by_fia = audit.recent_events(s, _viewer(engine, "fia"))
    # Hallsberg's addresses, its failed login and its uploads are not Askersund's business.
    eva_addresses = {e.address for e in seen_by_eva}
    assert not eva_addresses & {"192.0.2.61", "192.0.2.62", "192.0.2.63", HALLSBERG_ATTACKER}
    assert not any("1861" in e.detail for e in seen_by_eva)
    # Hallsberg's CISO sees the failed login at her own account, with the attacker's address.
    failed = [e for e in seen_by_fia if e.action == "login_failed"]
    assert [(e.actor, e.address) for e in failed] == [("fia", HALLSBERG_ATTACKER)]
    assert {e.detail for e in seen_by_fia if e.action == "upload"} == {
        "1861-BUF.xlsx: accepted, 40 rader, 0 fel"
    }


def test_admin_and_system_read_every_event(app, engine):
    everyone = set(ACCOUNTS) | {"nisse", "cli:drift"}
    assert _actors(engine, _viewer(engine, "root")) == everyone
    assert _actors(engine, SYSTEM) == everyone


@pytest.mark.parametrize("name", ["olle", "bo", "hugo", "cia", "dora", "namnd", "skydd"])
def test_roles_that_may_not_read_the_log_get_nothing_from_the_query(app, engine, name):
    assert _actors(engine, _viewer(engine, name)) == set()


def test_a_ciso_without_a_known_scope_gets_nothing(app, engine):
    assert _actors(engine, Viewer("ciso", name="x")) == set()
    assert (
        _actors(engine, Viewer("ciso", name="x", municipality_codes=frozenset({"9999"}))) == set()
    )


def _log_page(app, client) -> str:
    """Forge the page router's request for /logg (what the browser sends on navigation)."""
    client.get("/_dash-layout")
    key, spec = callback_spec(app, "_pages_content")

    def value(item):
        return {"pathname": "/logg", "search": "?kommun=1861"}.get(item["property"])

    body = {
        "output": key,
        "outputs": [
            {"id": part.rpartition(".")[0], "property": part.rpartition(".")[2]}
            for part in key.strip(".").split("...")
        ],
        "inputs": [dict(i, value=value(i)) for i in spec["inputs"]],
        "state": [dict(i, value=value(i)) for i in spec["state"]],
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in spec["inputs"]],
    }
    response = client.post(
        "/_dash-update-component",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": client.get_cookie("_csrf_token").value},
    )
    assert response.status_code == 200
    return readable_text(response)


def test_the_log_page_shows_askersunds_ciso_only_askersund(app, engine):
    status, client = _login(app, "eva", PASSWORD, "192.0.2.10")
    assert status == 302
    text = _log_page(app, client)
    assert "logg-login" in text and "olle" in text and "192.0.2.11" in text
    for leak in ("fia", "hugo", "cia", "nisse", "cli:drift", "192.0.2.61", "192.0.2.62",
                 HALLSBERG_ATTACKER, NOBODY_ATTACKER, "1861-BUF.xlsx"):  # fmt: skip
        assert leak not in text, leak


def test_the_log_page_shows_an_admin_everything(app, engine):
    status, client = _login(app, "root", PASSWORD, "192.0.2.99")
    assert status == 302
    text = _log_page(app, client)
    for seen in ("fia", "eva", "nisse", "cli:drift", HALLSBERG_ATTACKER, NOBODY_ATTACKER):
        assert seen in text, seen
