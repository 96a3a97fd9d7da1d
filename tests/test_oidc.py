"""OpenID Connect login against a real OpenID provider on loopback (tests/oidc_provider.py): the
Infosäk app and the provider are both served over HTTP by werkzeug in threads, and a
requests.Session plays the browser, following the redirects between them. No mocks.

Store: tests/kpi_data.py (Askersund 1882 and Hallsberg 1861).
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.app import create_app
from dashboard.auth.session import ConfigurationError
from etl.models_auth import AuditEvent, User
from tests.kpi_data import AS_OF, build_store
from tests.oidc_provider import OpenIdProvider, ServerThread, free_port, new_key
from tests.test_auth_support import (
    SECRET,
    add_account,
    audit_count,
    auth_app,
    csrf_from_form,
    forge_body,
    reset_store,
)

CLIENT_ID = "infosak-test"
CLIENT_SECRET = "client-secret-" + "x" * 20
GROUP_MAP = {
    "grp-isak-ciso": {"role": "ciso", "scope": ["1882"]},
    "grp-chefer-ifo": "manager:1882-SOC-IFO",
}
OUTSIDE_FILTERS = {
    "as_of": AS_OF.isoformat(),
    "municipality": "1861",
    "administration": "1861-BUF",
    "lang": "sv",
}
DENIED = "Ditt organisationskonto har ingen behörighet till Infosäk"
FAILED = "Inloggningen med organisationskonto misslyckades"
UNAVAILABLE = "Inloggningstjänsten för organisationskonton svarar inte"


def oidc_env(monkeypatch, issuer: str, **extra) -> None:
    monkeypatch.setenv("INFOSAK_SECRET_KEY", SECRET)
    monkeypatch.setenv("INFOSAK_OIDC_ISSUER", issuer)
    monkeypatch.setenv("INFOSAK_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("INFOSAK_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("INFOSAK_OIDC_GROUP_ROLE_MAP", json.dumps(GROUP_MAP))
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


class Site:
    """The Infosäk app served over HTTP, and a browser-like session against it."""

    def __init__(self, app):
        self.app = app
        self.server = ServerThread(app.server).start()
        self.url = self.server.url
        self.browser = requests.Session()

    @property
    def callback_uri(self) -> str:
        return f"{self.url}/auth/oidc/callback"

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.browser.get(self.url + path, timeout=30, **kwargs)

    def sso(self, **kwargs) -> requests.Response:
        """Click "Logga in med organisationskonto" and follow every redirect."""
        return self.get("/auth/oidc/login", **kwargs)

    def is_logged_in(self) -> bool:
        response = self.get("/", allow_redirects=False)
        return response.status_code == 200

    def post_callback(self, output_id: str, values: dict) -> requests.Response:
        self.get("/_dash-layout")  # Dash sets its callback map up on the first request
        return self.browser.post(
            f"{self.url}/_dash-update-component",
            json=forge_body(self.app, output_id, values),
            headers={"X-CSRFToken": self.browser.cookies.get("_csrf_token", "")},
            timeout=30,
        )


@pytest.fixture
def provider():
    idp = OpenIdProvider(CLIENT_ID, CLIENT_SECRET).start()
    yield idp
    idp.stop()


def start_site(engine, monkeypatch, provider, **env) -> Site:
    build_store(engine)
    oidc_env(monkeypatch, provider.issuer, **env)
    app = create_app(engine)  # login on: the default
    site = Site(app)
    provider.redirect_uris.add(site.callback_uri)
    return site


@pytest.fixture
def site(engine, monkeypatch, provider):
    site = start_site(engine, monkeypatch, provider)
    yield site
    site.server.stop()
    reset_store()


@pytest.fixture
def lite_site(sqlite_engine, monkeypatch, provider):
    """The refusal cases: they do not depend on the back end."""
    site = start_site(sqlite_engine, monkeypatch, provider)
    site.engine = sqlite_engine
    yield site
    site.server.stop()
    reset_store()


def events(engine, action: str) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def assert_refused(site: Site, response: requests.Response, message: str) -> None:
    assert response.status_code == 200
    assert urlsplit(response.url).path == "/login"
    assert message in response.text
    assert "Traceback" not in response.text
    assert not site.is_logged_in()


# --------------------------------------------------------------------------- logging in


def test_login_page_offers_organisation_account(site):
    page = site.get("/login")
    assert "Logga in med organisationskonto" in page.text
    assert 'href="/auth/oidc/login?sprak=sv"' in page.text
    english = site.get("/login?sprak=en&next=/atgarder")
    assert "Log in with your organisation account" in english.text
    assert "/auth/oidc/login?sprak=en&amp;next=/atgarder" in english.text


def test_ciso_group_logs_in_on_overview_with_its_scope_only(site, provider, engine):
    provider.user = {"sub": "s-eva", "preferred_username": "Eva@Kommun.se", "groups": ["x", "grp-isak-ciso"]}  # fmt: skip
    response = site.sso()
    assert response.status_code == 200
    assert response.url == site.url + "/"  # the CISO's start page
    # The flow was the authorization code flow with PKCE S256, state and nonce.
    authorize = provider.authorize_requests[-1]
    assert authorize["code_challenge_method"] == "S256"
    assert authorize["state"] and authorize["nonce"]
    assert provider.token_requests[-1]["code_verifier"]
    assert site.is_logged_in()
    # A forged callback asking for Hallsberg gets Askersund only.
    answer = site.post_callback("app-label-mun", {"app-filters.data": OUTSIDE_FILTERS})
    assert answer.status_code == 200
    text = json.dumps(answer.json(), ensure_ascii=False)
    assert "Askersund" in text and "Hallsberg" not in text
    with Session(engine) as s:
        user = s.scalar(select(User).where(User.name == "eva@kommun.se"))
        assert (user.role, json.loads(user.scope_json)) == ("ciso", ["1882"])
        assert user.password_hash is None and not user.is_demo
        assert user.last_login_at is not None
    [login] = events(engine, "login")
    assert (login.actor, login.detail, login.address) == (
        "eva@kommun.se",
        "ciso (oidc)",
        "127.0.0.1",
    )


def test_manager_group_lands_on_min_enhet_and_sees_its_unit_only(site, provider, engine):
    provider.user = {"sub": "s-bo", "preferred_username": "bo@kommun.se", "groups": ["grp-chefer-ifo"]}  # fmt: skip
    response = site.sso()
    assert response.url == site.url + "/min-enhet"
    # Every administration asked for: only the unit's own administration comes back.
    every = dict(OUTSIDE_FILTERS, municipality=None, administration=None)
    answer = site.post_callback("app-label-mun", {"app-filters.data": every})
    assert answer.status_code == 200
    text = json.dumps(answer.json(), ensure_ascii=False)
    assert "Socialförvaltningen" in text and "Askersund" in text
    for outside in ("Hallsberg", "Kommunledningsförvaltningen", "Barn- och utbildning"):
        assert outside not in text
    forged = site.post_callback("app-label-mun", {"app-filters.data": OUTSIDE_FILTERS})
    assert "Hallsberg" not in json.dumps(forged.json(), ensure_ascii=False)
    [login] = events(engine, "login")
    assert login.detail == "manager (oidc)"


def test_next_path_survives_the_round_trip(lite_site, provider):
    provider.user["groups"] = ["grp-isak-ciso"]
    response = lite_site.sso(params={"next": "/atgarder?kommun=1882"})
    assert response.url == lite_site.url + "/atgarder?kommun=1882"


def test_groups_decide_the_role_at_every_login(lite_site, provider):
    provider.user = {"sub": "s-1", "preferred_username": "vera@kommun.se", "groups": ["grp-chefer-ifo"]}  # fmt: skip
    assert lite_site.sso().url.endswith("/min-enhet")
    lite_site.browser = requests.Session()
    provider.user["groups"] = ["grp-chefer-ifo", "grp-isak-ciso"]
    assert lite_site.sso().url == lite_site.url + "/"
    with Session(lite_site.engine) as s:
        user = s.scalar(select(User).where(User.name == "vera@kommun.se"))
        assert (user.role, user.scope_json) == ("ciso", '["1882"]')
    # Out of every mapped group: the next login is refused, the account is not used.
    lite_site.browser = requests.Session()
    provider.user["groups"] = []
    assert_refused(lite_site, lite_site.sso(), DENIED)


def test_oidc_account_cannot_log_in_with_the_form(lite_site, provider):
    provider.user["groups"] = ["grp-isak-ciso"]
    assert lite_site.sso().status_code == 200
    browser = requests.Session()
    form = browser.get(lite_site.url + "/login", timeout=30)
    response = browser.post(
        lite_site.url + "/login",
        data={
            "username": "anna@kommun.se",
            "password": "",
            "csrf_token": csrf_from_form(form.text),
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 401


def test_adfs_style_role_claim(sqlite_engine, monkeypatch, provider):
    """ADFS sends groups as "role" (one group: a plain string) and the name as "upn"."""
    site = start_site(sqlite_engine, monkeypatch, provider, INFOSAK_OIDC_GROUPS_CLAIM="role")
    try:
        provider.user = {"sub": "s-2", "upn": "Bo@Kommun.se", "role": "grp-chefer-ifo"}  # fmt: skip
        assert site.sso().url == site.url + "/min-enhet"
        with Session(sqlite_engine) as s:
            assert s.scalar(select(User.role).where(User.name == "bo@kommun.se")) == "manager"
    finally:
        site.server.stop()
        reset_store()


# --------------------------------------------------------------------------- refusals


def test_unmapped_groups_are_denied_without_session(site, provider, engine):
    provider.user = {"sub": "s-3", "preferred_username": "olle@kommun.se", "groups": ["alla-anstallda"]}  # fmt: skip
    response = site.sso()
    assert_refused(site, response, DENIED)
    with Session(engine) as s:
        assert s.scalar(select(User).where(User.name == "olle@kommun.se")) is None
    [event] = events(engine, "oidc_denied")
    assert event.actor == "olle@kommun.se"
    assert "ingen mappad grupp" in event.detail and "alla-anstallda" in event.detail
    assert audit_count(engine, "login") == 0


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        ({"aud": "another-client"}, "aud"),
        # Authlib alone accepts this one (it checks aud only through azp).
        ({"aud": "another-client", "azp": CLIENT_ID}, "aud"),
        ({"iss": "http://127.0.0.1:1/fel"}, "iss"),
        ({"nonce": "a-replayed-nonce"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 900}, "exp"),
    ],
    ids=["wrong-aud", "wrong-aud-right-azp", "wrong-iss", "wrong-nonce", "no-nonce", "expired"],
)
def test_spoiled_id_token_is_denied(lite_site, provider, spoil, reason):
    provider.user["groups"] = ["grp-isak-ciso"]
    provider.spoil = spoil
    assert_refused(lite_site, lite_site.sso(), FAILED)
    [event] = events(lite_site.engine, "oidc_denied")
    assert event.detail.startswith("id_token:") and reason in event.detail
    assert audit_count(lite_site.engine, "login") == 0


def test_id_token_signed_by_another_key_is_denied(lite_site, provider):
    provider.user["groups"] = ["grp-isak-ciso"]
    provider.signing_key = new_key()  # same key id, different key: the signature does not verify
    assert_refused(lite_site, lite_site.sso(), FAILED)
    [event] = events(lite_site.engine, "oidc_denied")
    assert "bad_signature" in event.detail


def _callback_url(site: Site) -> str:
    """Walk to the provider and back by hand; the callback URL the provider sends us to."""
    to_idp = site.get("/auth/oidc/login", allow_redirects=False)
    assert to_idp.status_code == 302
    back = site.browser.get(to_idp.headers["Location"], allow_redirects=False, timeout=30)
    assert back.status_code == 302 and back.headers["Location"].startswith(site.callback_uri)
    return back.headers["Location"]


def _with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_state_mismatch_is_denied(lite_site, provider):
    provider.user["groups"] = ["grp-isak-ciso"]
    callback = _callback_url(lite_site)
    response = lite_site.browser.get(_with_query(callback, state="forged-state"), timeout=30)
    assert_refused(lite_site, response, FAILED)
    [event] = events(lite_site.engine, "oidc_denied")
    assert event.detail.startswith("state")
    assert provider.token_requests == []  # the code was never exchanged


def test_callback_in_another_browser_is_denied(lite_site, provider):
    """Login CSRF: an attacker's code and state pushed into a victim's browser."""
    provider.user["groups"] = ["grp-isak-ciso"]
    callback = _callback_url(lite_site)
    victim = requests.Session()
    response = victim.get(callback, timeout=30)
    assert urlsplit(response.url).path == "/login" and FAILED in response.text
    assert victim.get(lite_site.url + "/", allow_redirects=False, timeout=30).status_code == 302
    assert audit_count(lite_site.engine, "oidc_denied") == 1


def test_provider_error_answer_is_denied(lite_site, provider):
    callback = _callback_url(lite_site)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    response = lite_site.browser.get(
        f"{lite_site.callback_uri}?error=access_denied&state={state}", timeout=30
    )
    assert_refused(lite_site, response, FAILED)
    [event] = events(lite_site.engine, "oidc_denied")
    assert "access_denied" in event.detail


def test_local_account_is_never_taken_over(lite_site, provider):
    add_account(lite_site.engine, "eva", "manager", ["1882-SOC-IFO"])
    provider.user = {"sub": "s-4", "preferred_username": "eva", "groups": ["grp-isak-ciso"]}
    response = lite_site.sso()
    assert_refused(lite_site, response, "Det finns redan ett lokalt konto med samma namn")
    with Session(lite_site.engine) as s:
        assert s.scalar(select(User.role).where(User.name == "eva")) == "manager"
    [event] = events(lite_site.engine, "oidc_denied")
    assert event.actor == "eva" and "lokalt konto" in event.detail


def test_provider_down_at_login_gives_a_swedish_message(sqlite_engine, monkeypatch):
    build_store(sqlite_engine)
    oidc_env(monkeypatch, f"http://127.0.0.1:{free_port()}")
    site = Site(create_app(sqlite_engine))
    try:
        response = site.sso()
        assert_refused(site, response, UNAVAILABLE)
        [event] = events(sqlite_engine, "oidc_denied")
        assert event.detail.startswith("idp_unreachable")
        assert "Logga in med organisationskonto" in response.text  # the page itself still works
    finally:
        site.server.stop()
        reset_store()


def test_provider_down_at_token_exchange_gives_a_swedish_message(lite_site, provider):
    provider.user["groups"] = ["grp-isak-ciso"]
    callback = _callback_url(lite_site)
    provider.stop()
    response = lite_site.browser.get(callback, timeout=30)
    assert_refused(lite_site, response, UNAVAILABLE)
    [event] = events(lite_site.engine, "oidc_denied")
    assert event.detail.startswith("idp_unreachable")


# --------------------------------------------------------------------------- not configured


def test_without_configuration_routes_are_404_and_no_button(sqlite_engine, monkeypatch):
    for name in ("INFOSAK_OIDC_ISSUER", "INFOSAK_OIDC_CLIENT_ID", "INFOSAK_OIDC_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    build_store(sqlite_engine)
    app = auth_app(sqlite_engine, monkeypatch)
    client = app.server.test_client()
    try:
        assert client.get("/auth/oidc/login").status_code == 404
        assert client.get("/auth/oidc/callback?code=x&state=y").status_code == 404
        page = client.get("/login")
        assert page.status_code == 200 and "organisationskonto" not in page.text
        assert audit_count(sqlite_engine, "oidc_denied") == 0
    finally:
        reset_store()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"INFOSAK_OIDC_CLIENT_SECRET": ""}, "saknas"),
        ({"INFOSAK_OIDC_GROUP_ROLE_MAP": ""}, "tom"),
        ({"INFOSAK_OIDC_GROUP_ROLE_MAP": '{"g": "manager"}'}, "kräver minst en kod"),
        ({"INFOSAK_OIDC_ISSUER": "http://idp.kommun.se"}, "https"),
    ],
)
def test_half_configured_oidc_refuses_to_start(sqlite_engine, monkeypatch, env, message):
    oidc_env(monkeypatch, "https://idp.kommun.se", **env)
    with pytest.raises(ConfigurationError, match=message):
        create_app(sqlite_engine)
    reset_store()


# --------------------------------------------------------------------------- in a browser


@pytest.mark.browser
def test_browser_signs_in_with_organisation_account(dash_duo, sqlite_engine, monkeypatch, provider):
    """Chromium, under the real CSP and cookie flags: click the button, pass the provider, land
    on the start page with data; then a user in no mapped group is turned away in Swedish."""
    from tests.test_auth_browser import open_login, real_errors

    build_store(sqlite_engine)
    oidc_env(monkeypatch, provider.issuer)
    app = create_app(sqlite_engine)
    try:
        provider.user = {"sub": "s-eva", "preferred_username": "eva@kommun.se", "groups": ["grp-isak-ciso"]}  # fmt: skip
        dash_duo.start_server(app, navigate=False)
        provider.redirect_uris.add(dash_duo.server.url.rstrip("/") + "/auth/oidc/callback")
        open_login(dash_duo, app)
        dash_duo.find_element("#login-oidc").click()
        dash_duo.wait_for_contains_text("#app-user-name", "eva@kommun.se", timeout=15)
        assert dash_duo.driver.current_url.split("?")[0].rstrip("/") == dash_duo.server_url
        dash_duo.wait_for_element("#oversikt-cards")

        dash_duo.find_element("#app-logout").click()
        dash_duo.wait_for_text_to_equal("#login-notice", "Du är utloggad.")
        provider.user = {"sub": "s-olle", "preferred_username": "olle@kommun.se", "groups": []}
        dash_duo.find_element("#login-oidc").click()
        dash_duo.wait_for_contains_text("#login-error", DENIED, timeout=15)
        assert real_errors(dash_duo.get_logs()) == []
        assert audit_count(sqlite_engine, "oidc_denied", "olle@kommun.se") == 1
    finally:
        reset_store()
