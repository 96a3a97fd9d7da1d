"""Single sign-on through OpenID Connect: configuration and the group → role mapping.

Only the mapping is implemented and tested; the login route (Authlib's Flask client) is not wired
yet (docs/security.md, "OIDC"). The mapping is deliberately strict: a user in no mapped group gets
no access, and a user in groups of several roles gets the first role in ``PRECEDENCE`` only, with
the scopes of that role's groups; scopes of different roles are never mixed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from dashboard.auth.roles import USER_ROLES

ISSUER_ENV = "INFOSAK_OIDC_ISSUER"
CLIENT_ID_ENV = "INFOSAK_OIDC_CLIENT_ID"
CLIENT_SECRET_ENV = "INFOSAK_OIDC_CLIENT_SECRET"
GROUP_ROLE_MAP_ENV = "INFOSAK_OIDC_GROUP_ROLE_MAP"

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
        mapping[str(group)] = Grant(role, tuple(sorted({str(c).strip() for c in scope})))
    return mapping


def grant_for_groups(groups, mapping: dict[str, Grant]) -> Grant | None:
    """The role (and its scope codes) for a user in ``groups``; None means no access."""
    grants = [mapping[g] for g in (groups or []) if g in mapping]
    if not grants:
        return None
    role = min((g.role for g in grants), key=PRECEDENCE.index)
    scope = sorted({code for g in grants if g.role == role for code in g.scope})
    return Grant(role, tuple(scope))


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
    return OidcConfig(
        issuer, client_id, secret, parse_group_role_map(environ.get(GROUP_ROLE_MAP_ENV, ""))
    )
