"""Single sign-on through OpenID Connect: configuration, the group → role mapping and reading
the claims of a validated id_token. The routes are in ``dashboard.auth.oidc_login``.

The mapping is deliberately strict: a user in no mapped group gets no access, and a user in groups
of several roles gets the first role in ``PRECEDENCE`` only, with the scopes of that role's groups;
scopes of different roles are never mixed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from dashboard.auth.roles import SCOPED_ROLES, USER_ROLES

ISSUER_ENV = "INFOSAK_OIDC_ISSUER"
CLIENT_ID_ENV = "INFOSAK_OIDC_CLIENT_ID"
CLIENT_SECRET_ENV = "INFOSAK_OIDC_CLIENT_SECRET"
GROUP_ROLE_MAP_ENV = "INFOSAK_OIDC_GROUP_ROLE_MAP"
GROUPS_CLAIM_ENV = "INFOSAK_OIDC_GROUPS_CLAIM"
USERNAME_CLAIM_ENV = "INFOSAK_OIDC_USERNAME_CLAIM"
SCOPES_ENV = "INFOSAK_OIDC_SCOPES"
REDIRECT_URI_ENV = "INFOSAK_OIDC_REDIRECT_URI"

# Entra ID puts group object ids in "groups"; ADFS sends groups as "role" claims.
DEFAULT_GROUPS_CLAIM = "groups"
DEFAULT_SCOPES = "openid profile email"
# Tried in order when INFOSAK_OIDC_USERNAME_CLAIM is not set: Entra ID, ADFS, then the rest.
USERNAME_CLAIMS = ("preferred_username", "upn", "email", "unique_name", "sub")
USERNAME_MAX = 100  # app_user.name

# Most privileged first: a CISO who is also a manager is treated as the CISO.
PRECEDENCE = (
    "admin", "ciso", "protection_officer", "dpo", "security_officer", "admin_head", "manager",
    "committee",
)  # fmt: skip


class OidcConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Grant:
    role: str
    scope: tuple[str, ...]


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    group_map: dict[str, Grant]
    groups_claim: str = DEFAULT_GROUPS_CLAIM
    # None: try USERNAME_CLAIMS in order.
    username_claim: str | None = None
    scopes: str = DEFAULT_SCOPES
    # None: built from the request (https behind TLS); set it when a proxy rewrites the host.
    redirect_uri: str | None = None

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def parse_group_role_map(text: str) -> dict[str, Grant]:
    """JSON ``{"group": {"role": "ciso", "scope": ["1882"]}, ...}`` or the short form
    ``{"group": "manager:1882-SOC-IFO,1882-SOC-AO"}``."""
    try:
        raw = json.loads(text or "{}")
    except ValueError as exc:
        raise OidcConfigError(f"{GROUP_ROLE_MAP_ENV} är inte giltig JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise OidcConfigError(f"{GROUP_ROLE_MAP_ENV} ska vara ett JSON-objekt.")
    mapping = {}
    for group, value in raw.items():
        if isinstance(value, str):
            role, _, codes = value.partition(":")
            scope = [c for c in codes.split(",") if c.strip()]
        elif isinstance(value, dict):
            role, scope = value.get("role", ""), value.get("scope", [])
        else:
            raise OidcConfigError(f"Gruppen {group}: oväntat värde {value!r}.")
        role = str(role).strip()
        if role not in USER_ROLES:
            raise OidcConfigError(f"Gruppen {group}: okänd roll {role!r}.")
        if not isinstance(scope, list | tuple):
            raise OidcConfigError(f"Gruppen {group}: scope ska vara en lista med koder.")
        codes = tuple(sorted({str(c).strip() for c in scope if str(c).strip()}))
        # Same rule as `infosak users add`: a scoped role without codes would see nothing.
        if role in SCOPED_ROLES and not codes:
            raise OidcConfigError(
                f"Gruppen {group}: rollen {role} kräver minst en kod (kommun, förvaltning eller "
                "enhet)."
            )
        mapping[str(group)] = Grant(role, codes)
    return mapping


def grant_for_groups(groups, mapping: dict[str, Grant]) -> Grant | None:
    """The role (and its scope codes) for a user in ``groups``; None means no access."""
    grants = [mapping[g] for g in (groups or []) if g in mapping]
    if not grants:
        return None
    role = min((g.role for g in grants), key=PRECEDENCE.index)
    scope = sorted({code for g in grants if g.role == role for code in g.scope})
    return Grant(role, tuple(scope))


def is_acceptable_issuer(issuer: str) -> bool:
    """https, or plain http to this machine only: the client secret and the tokens cross it."""
    parts = urlsplit(issuer)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


def oidc_config(environ: dict | None = None) -> OidcConfig | None:
    """None when OIDC is not configured (issuer unset)."""
    environ = os.environ if environ is None else environ
    issuer = environ.get(ISSUER_ENV, "").strip()
    if not issuer:
        return None
    client_id = environ.get(CLIENT_ID_ENV, "").strip()
    secret = environ.get(CLIENT_SECRET_ENV, "").strip()
    if not client_id or not secret:
        raise OidcConfigError(
            f"{ISSUER_ENV} är satt men {CLIENT_ID_ENV}/{CLIENT_SECRET_ENV} saknas."
        )
    if not is_acceptable_issuer(issuer):
        raise OidcConfigError(
            f"{ISSUER_ENV} ska vara en https-adress (http bara mot 127.0.0.1/localhost), "
            f"inte {issuer!r}."
        )
    group_map = parse_group_role_map(environ.get(GROUP_ROLE_MAP_ENV, ""))
    if not group_map:
        raise OidcConfigError(
            f"{GROUP_ROLE_MAP_ENV} saknas eller är tom: utan mappade grupper får ingen logga in."
        )
    return OidcConfig(
        issuer=issuer,
        client_id=client_id,
        client_secret=secret,
        group_map=group_map,
        groups_claim=environ.get(GROUPS_CLAIM_ENV, "").strip() or DEFAULT_GROUPS_CLAIM,
        username_claim=environ.get(USERNAME_CLAIM_ENV, "").strip() or None,
        scopes=environ.get(SCOPES_ENV, "").strip() or DEFAULT_SCOPES,
        redirect_uri=environ.get(REDIRECT_URI_ENV, "").strip() or None,
    )


# --------------------------------------------------------------------------- reading claims


def groups_from_claims(claims: dict, claim_name: str) -> list[str]:
    """The user's groups: a list, or a single string (ADFS sends one "role" as a plain value)."""
    value = claims.get(claim_name)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int)]
    return []


def username_from_claims(claims: dict, claim_name: str | None) -> str | None:
    """The account name for the audit log and the navbar (lower case), or None when the token
    has no usable one: empty, too long for app_user.name, or with control characters."""
    names = (claim_name,) if claim_name else USERNAME_CLAIMS
    for name in names:
        value = claims.get(name)
        if not isinstance(value, str):
            continue
        value = value.strip().lower()
        if value and len(value) <= USERNAME_MAX and value.isprintable():
            return value
        return None
    return None
