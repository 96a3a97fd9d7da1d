"""Helpers for the access-control tests: an app with login on, logging in with the Flask test
client, and forging the JSON body the Dash renderer sends to /_dash-update-component.

(A module of helpers, named test_* because only test_auth_*/test_security_* files are ours; it
holds no tests itself.)
"""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard import store
from dashboard.app import create_app
from dashboard.auth.users import add_user
from etl.models_auth import AuditEvent

SECRET = "s" * 64
PASSWORD = "rätt-lösenord-1"


def auth_app(engine, monkeypatch, *, demo: bool = False, idle_minutes: float | None = None):
    """create_app with login on (as ``infosak serve`` builds it), the secret key from the env."""
    monkeypatch.setenv("INFOSAK_SECRET_KEY", SECRET)
    if idle_minutes is not None:
        monkeypatch.setenv("INFOSAK_IDLE_TIMEOUT_MINUTES", str(idle_minutes))
    app = create_app(engine, auth=True, demo=demo)
    app.server.config["TESTING"] = True
    return app


def add_account(engine, name: str, role: str, scope=(), password: str = PASSWORD) -> None:
    with Session(engine) as s, s.begin():
        add_user(s, name, role, list(scope), password)


def csrf_from_form(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, name: str, password: str = PASSWORD, **extra):
    """GET the form (for its CSRF token), POST the credentials; returns the POST response."""
    page = client.get("/login")
    data = {"username": name, "password": password, "csrf_token": csrf_from_form(page.text)}
    data.update(extra)
    return client.post("/login", data=data)


def csrf_header(client) -> dict[str, str]:
    cookie = client.get_cookie("_csrf_token")
    return {"X-CSRFToken": cookie.value} if cookie else {}


def callback_spec(app, output_id: str) -> tuple[str, dict]:
    """The callback_map entry whose outputs include ``output_id`` (after the first request)."""
    for key, spec in app.callback_map.items():
        if f"{output_id}." in key:
            return key, spec
    raise KeyError(f"no callback outputs {output_id}; known: {list(app.callback_map)}")


def concrete_id(component_id: str):
    """A callback_map id as the browser sends it: a pattern-matching id (``{"chart":
    ["MATCH"], ...}``) becomes one concrete component's id; a plain id stays as it is."""
    if not component_id.startswith("{"):
        return component_id
    pattern = json.loads(component_id)
    return {k: ("forged" if isinstance(v, list) else v) for k, v in pattern.items()}


def _output_specs(key: str) -> list[dict]:
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    specs = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        specs.append({"id": concrete_id(component), "property": prop})
    return specs


def forge_body(app, output_id: str, values: dict[str, object]) -> dict:
    """The request body of the callback that outputs ``output_id``; ``values`` maps
    "component.property" to what the forger claims the browser holds (others are None)."""
    key, spec = callback_spec(app, output_id)
    return body_for_key(key, spec, values)


def body_for_key(key: str, spec: dict, values: dict[str, object]) -> dict:
    """The request body for the callback_map entry ``key``/``spec``."""
    outputs = _output_specs(key)

    def fill(items):
        return [
            dict(i, id=concrete_id(i["id"]), value=values.get(f"{i['id']}.{i['property']}"))
            for i in items
        ]

    inputs = fill(spec["inputs"])
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": fill(spec["state"]),
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in spec["inputs"]],
    }


def post_callback(client, app, output_id: str, values: dict[str, object], headers=None):
    client.get("/_dash-layout")  # makes sure Dash has set up its callback map
    body = forge_body(app, output_id, values)
    return client.post(
        "/_dash-update-component",
        data=json.dumps(body),
        content_type="application/json",
        headers=csrf_header(client) if headers is None else headers,
    )


def audit_count(engine, action: str, actor: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    if actor is not None:
        query = query.where(AuditEvent.actor == actor)
    with Session(engine) as s:
        return s.scalar(query)


def reset_store() -> None:
    store.configure(None)


def readable_text(response) -> str:
    """A response's text with JSON \\u escapes decoded, so that a name such as "Laxå" is found
    whichever JSON encoder the installed Dash uses (ensure_ascii or not)."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.text
