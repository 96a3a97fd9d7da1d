"""Hostile login input over real HTTP (Flask's test client, real store on SQLite and PostgreSQL):
CR/LF and other control characters, foreign and protocol-relative URLs in ``next=`` and in every
other login parameter. The answer is a redirect to a path on this site, the login form, or 400;
never a 500, never a header a parameter wrote, never a redirect off the site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.kpi_data import build_store
from tests.test_auth_support import PASSWORD, add_account, auth_app, csrf_from_form, reset_store

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CONTROL = st.characters(codec="utf-8", categories=["Cc"])
# Pieces an attacker puts into next=: schemes, hosts, slashes and backslashes, and controls.
PIECES = st.sampled_from(
    ["/", "//", "\\", "/\\", "https:", "http://evil.example", "evil.example", "javascript:",
     "\r\n", "\r\nSet-Cookie: x=1", "\n", "\t", "\x00", "\x0b", "\x7f", "\x85", "%0d%0a", "@",
     "?", "#", "..", "/atgarder", "/login", "å", "\u2028", " "]
)  # fmt: skip
HOSTILE_TAIL = st.lists(st.one_of(PIECES, st.text(alphabet=CONTROL, max_size=3)), max_size=8)
NEXT = st.one_of(
    st.text(max_size=60),
    HOSTILE_TAIL.map("".join),
    # Starting like a path of ours, so that only what follows can make it unsafe.
    st.tuples(st.sampled_from(["/", "/atgarder", "/atgarder?x=", "/x/"]), HOSTILE_TAIL).map(
        lambda parts: parts[0] + "".join(parts[1])
    ),
)
USERNAME = st.one_of(
    st.text(max_size=120),
    st.tuples(
        st.sampled_from(["eva", "", "admin"]),
        st.text(alphabet=CONTROL, min_size=1, max_size=3),
        st.text(max_size=5),
    ).map("".join),
)


@pytest.fixture
def app(engine, monkeypatch):
    build_store(engine)
    add_account(engine, "eva", "ciso", ["1882"])
    application = auth_app(engine, monkeypatch)
    yield application
    reset_store()


def assert_on_this_site(response) -> None:
    """A redirect whose Location is a path on this site, in one header line."""
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert "\r" not in location and "\n" not in location
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert not urlsplit(location).netloc and not urlsplit(location).scheme
    # Nothing a parameter carried became a header of its own.
    assert "x" not in {c.split("=")[0] for c in response.headers.getlist("Set-Cookie")}


def post_login(app, *, address="192.0.2.1", **fields):
    client = app.server.test_client()
    environ = {"REMOTE_ADDR": address}
    form = {"username": "eva", "password": PASSWORD}
    form["csrf_token"] = csrf_from_form(client.get("/login", environ_base=environ).text)
    form.update(fields)
    return client, client.post("/login", data=form, environ_base=environ)


@pytest.mark.parametrize(
    "evil",
    ["/atgarder\r\nSet-Cookie: x=1", "/atgarder\nLocation: https://evil.example/",
     "/\t/evil.example", "/\x0b/evil.example", "/x\x00", "https://evil.example/", "//evil.example",
     "/\\evil.example", "/x/\\/evil.example", "\r\n//evil.example"],
)  # fmt: skip
def test_hostile_next_after_login_lands_on_the_start_page(app, evil):
    _, response = post_login(app, next=evil)
    assert_on_this_site(response)
    assert response.headers["Location"] == "/"


def test_hostile_next_when_already_logged_in(app):
    client, response = post_login(app)
    assert response.status_code == 302
    response = client.get("/login", query_string={"next": "/atgarder\r\nSet-Cookie: x=1"})
    assert_on_this_site(response)
    assert response.headers["Location"] == "/"


def test_a_good_next_is_still_followed(app):
    _, response = post_login(app, next="/atgarder?kommun=1882")
    assert response.headers["Location"] == "/atgarder?kommun=1882"


@pytest.mark.parametrize("name", ["ev\x00a", "\x00" * 5, "eva\x1b[31m", "e\x85va"])
def test_control_characters_in_the_user_name_are_bad_input(app, engine, name):
    _, response = post_login(app, username=name)
    assert response.status_code == 400
    assert "otillåtna tecken" in response.text
    assert "\x00" not in response.text and "\x1b" not in response.text


@FUZZ
@given(next_path=NEXT)
def test_fuzzed_next_with_the_right_password(app, next_path):
    _, response = post_login(app, next=next_path)
    assert_on_this_site(response)


@settings(FUZZ, max_examples=150)
@given(next_path=NEXT)
def test_fuzzed_next_on_the_login_form(app, next_path):
    client = app.server.test_client()
    response = client.get("/login", query_string={"next": next_path, "sprak": next_path})
    assert response.status_code == 200
    assert "\r" not in "".join(f"{k}{v}" for k, v in response.headers.items())
    # The form carries next= only when it is a safe path (autoescaped).
    hidden = response.text.split('name="next" value="', 1)[1].split('"', 1)[0]
    assert hidden == "" or (hidden.startswith("/") and not hidden.startswith("//"))


@FUZZ
@given(
    username=USERNAME,
    password=st.text(max_size=60),
    csrf=st.one_of(st.none(), st.text(max_size=60)),
    next_path=NEXT,
    lang=st.one_of(st.sampled_from(["sv", "en"]), st.text(max_size=10)),
    address=st.sampled_from(["192.0.2.7", "192.0.2.8"]),
)
def test_fuzzed_login_form_is_never_a_server_error(
    app, username, password, csrf, next_path, lang, address
):
    fields = {"username": username, "password": password, "next": next_path, "sprak": lang}
    if csrf is not None:
        fields["csrf_token"] = csrf
    _, response = post_login(app, address=address, **fields)
    assert response.status_code in (302, 400, 401, 429), response.status_code
    if response.status_code == 302:
        assert_on_this_site(response)
