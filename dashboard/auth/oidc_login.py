"""Single sign-on routes through Authlib's Flask client: ``/auth/oidc/login`` sends the browser to
the identity provider (authorization code flow with state, nonce and PKCE S256, endpoints from
``{issuer}/.well-known/openid-configuration``); ``/auth/oidc/callback`` exchanges the code, lets
Authlib check the id_token (signature against the provider's JWKS, exp, nonce) with our own
``iss`` and ``aud`` rules, maps the groups claim to a role and starts the same session as a local
login. Without OIDC configuration both routes answer 404.

Every refusal is written to the audit log as ``oidc_denied`` with the reason, and the user lands
on the login page with a Swedish sentence, never a traceback.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, abort, current_app, redirect, request, session, url_for
from flask_login import current_user
from joserfc.errors import JoseError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dashboard import store
from dashboard.auth import audit
from dashboard.auth.login import (
    LOGIN_ERROR_KEY,
    client_address,
    is_safe_next,
    landing_page,
    start_session,
)
from dashboard.auth.login_page import TEXT
from dashboard.auth.oidc import (
    OidcConfig,
    grant_for_groups,
    groups_from_claims,
    username_from_claims,
)
from dashboard.auth.users import UserError, provision_external_user
from etl.models_auth import utcnow

log = logging.getLogger(__name__)

bp = Blueprint("oidc", __name__)

LOGIN_PATH = "/auth/oidc/login"
CALLBACK_PATH = "/auth/oidc/callback"
EXTENSION = "infosak_oidc"
CLIENT_NAME = "infosak_idp"
NEXT_KEY = "oidc_next"
LANG_KEY = "oidc_lang"
# A provider that does not answer must not tie up a worker for long.
HTTP_TIMEOUT_SECONDS = 10
# Clock skew allowed on exp/iat/nbf (Authlib's default is 120 s).
ID_TOKEN_LEEWAY_SECONDS = 60
AUDIT_GROUPS_SHOWN = 20


@dataclass(frozen=True)
class OidcClient:
    config: OidcConfig
    client: object  # authlib's FlaskOAuth2App


def install_oidc(server: Flask, config: OidcConfig | None) -> None:
    """Register the routes (always: they answer 404 until configured) and, when ``config`` is
    given, the Authlib client. Discovery happens at the first login, not here, so the app starts
    even while the provider is down."""
    server.register_blueprint(bp)
    server.config["INFOSAK_OIDC"] = config is not None
    if config is None:
        return
    oauth = OAuth(server)
    client = oauth.register(
        name=CLIENT_NAME,
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=config.metadata_url,
        client_kwargs={
            "scope": config.scopes,
            "code_challenge_method": "S256",
            "default_timeout": HTTP_TIMEOUT_SECONDS,
        },
    )
    server.extensions[EXTENSION] = OidcClient(config, client)


def _configured() -> OidcClient:
    oidc = current_app.extensions.get(EXTENSION)
    if oidc is None:
        abort(404)
    return oidc


def redirect_uri(config: OidcConfig) -> str:
    """The callback address registered at the provider; https behind TLS."""
    if config.redirect_uri:
        return config.redirect_uri
    scheme = "https" if current_app.config.get("INFOSAK_BEHIND_TLS") else request.scheme
    return url_for("oidc.callback", _external=True, _scheme=scheme)


def claims_options(config: OidcConfig) -> dict:
    """``iss`` must be the configured issuer and ``aud`` must contain our client id.

    Authlib on its own only checks ``aud`` through ``azp`` (a token for another client with
    ``azp`` set to ours would pass), so both are pinned here.
    """
    issuer = config.issuer.rstrip("/")
    return {
        "iss": {"essential": True, "values": [issuer, issuer + "/"]},
        "aud": {"essential": True, "value": config.client_id},
    }


def _lang() -> str:
    lang = request.args.get("sprak") or session.get(LANG_KEY) or "sv"
    return lang if lang in TEXT else "sv"


def _refuse(error_key: str, reason: str, actor: str | None = None):
    """Audit ``oidc_denied`` and show ``error_key`` on the login page (after a redirect, so a
    reload does not replay the used code)."""
    audit.record(store.get_engine(), "oidc_denied", actor, reason, client_address())
    lang = _lang()
    session.pop(NEXT_KEY, None)
    session.pop(LANG_KEY, None)
    session[LOGIN_ERROR_KEY] = error_key
    return redirect("/login" + ("?sprak=en" if lang == "en" else ""))


@bp.get(LOGIN_PATH)
def login():
    oidc = _configured()
    next_path = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(landing_page(current_user.role, next_path))
    session[NEXT_KEY] = next_path if is_safe_next(next_path) else ""
    session[LANG_KEY] = _lang()
    try:
        # Fetches discovery on first use; stores state, nonce and the PKCE verifier in the
        # (signed) session cookie, so any worker can take the callback.
        return oidc.client.authorize_redirect(redirect_uri(oidc.config))
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        log.warning("OIDC provider %s unreachable: %s", oidc.config.issuer, exc)
        return _refuse("oidc_unavailable", f"idp_unreachable: {type(exc).__name__}")


def _validated_claims(oidc: OidcClient):
    """(claims, None) or (None, refusal response)."""
    try:
        token = oidc.client.authorize_access_token(
            claims_options=claims_options(oidc.config), leeway=ID_TOKEN_LEEWAY_SECONDS
        )
    except MismatchingStateError:
        return None, _refuse("oidc_failed", "state: saknas eller matchar inte")
    except OAuthError as exc:
        # The provider said no (user cancelled, code reused, client secret wrong, ...).
        return None, _refuse("oidc_failed", f"idp_error: {exc.error}: {exc.description or ''}")
    except JoseError as exc:
        return None, _refuse("oidc_failed", f"id_token: {exc.error}: {exc.description}")
    except requests.RequestException as exc:
        log.warning("OIDC provider %s unreachable: %s", oidc.config.issuer, exc)
        return None, _refuse("oidc_unavailable", f"idp_unreachable: {type(exc).__name__}")
    except Exception as exc:  # noqa: BLE001 - anything else: logged, and a sentence for the user
        log.exception("OIDC callback failed")
        return None, _refuse("oidc_failed", f"error: {type(exc).__name__}")
    claims = token.get("userinfo")
    if not claims:
        return None, _refuse("oidc_failed", "id_token: saknas i svaret")
    return dict(claims), None


def _groups_detail(claims: dict, claim_name: str, groups: list[str]) -> str:
    """What the audit log says about a user in no mapped group (helps setting up the map)."""
    if "_claim_names" in claims and claim_name in (claims.get("_claim_names") or {}):
        # Entra ID leaves out a long group list ("overage"); see docs/security.md.
        return f"ingen mappad grupp: {claim_name} utelämnat av IdP (för många grupper)"
    shown = ", ".join(groups[:AUDIT_GROUPS_SHOWN])
    more = f" (+{len(groups) - AUDIT_GROUPS_SHOWN})" if len(groups) > AUDIT_GROUPS_SHOWN else ""
    return f"ingen mappad grupp i {claim_name}: [{shown}]{more}"


@bp.get(CALLBACK_PATH)
def callback():
    oidc = _configured()
    config = oidc.config
    claims, refusal = _validated_claims(oidc)
    if refusal is not None:
        return refusal
    name = username_from_claims(claims, config.username_claim)
    if name is None:
        return _refuse("oidc_failed", "id_token: inget användbart användarnamn")
    groups = groups_from_claims(claims, config.groups_claim)
    grant = grant_for_groups(groups, config.group_map)
    if grant is None:
        return _refuse("oidc_denied", _groups_detail(claims, config.groups_claim, groups), name)
    address = client_address()
    try:
        with Session(store.get_engine()) as s, s.begin():
            user = provision_external_user(s, name, grant.role, grant.scope)
            user.last_login_at = utcnow()
            audit.record_event(s, "login", user.name, f"{user.role} (oidc)", address)
            login_id = f"{user.id}:{user.session_token}"
    except UserError:
        return _refuse("oidc_conflict", "lokalt konto med samma namn", name)
    except IntegrityError:
        # The same new user's first login twice at once: the other one created the row.
        return _refuse("oidc_failed", "kontot skapades samtidigt av en annan inloggning", name)
    next_path, lang = session.pop(NEXT_KEY, None), _lang()
    return start_session(login_id, grant.role, next_path, lang)
