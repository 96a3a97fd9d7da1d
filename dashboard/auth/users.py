"""User accounts: create, change, remove, and turn an account into the ``Viewer`` queries take.

A user's scope is a list of org codes. Each code is looked up in the store at every request, and
scope only ever widens downwards: a municipality code gives its administrations and units, an
administration code its units. Nothing widens upwards, so a mistyped code gives less, never more.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dashboard.auth.passwords import check_policy, hash_password
from dashboard.auth.roles import SCOPED_ROLES, USER_ROLES, role_label
from dashboard.queries.viewer import Viewer
from etl.models import Administration, Municipality, Unit
from etl.models_auth import User

log = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,99}$")
DEMO_PASSWORD = "demo"
ASKERSUND = "1882"
# Nobody: what an unauthenticated request sees if it ever reaches a query (nothing).
NOBODY = Viewer("anonymous", name="")


class UserError(ValueError):
    """A user-facing (Swedish) reason why an account operation was refused."""


@dataclass(frozen=True)
class Scope:
    municipality_codes: frozenset[str]
    administration_codes: frozenset[str]
    unit_codes: frozenset[str]
    unknown: tuple[str, ...]


def normalise_name(name: str) -> str:
    return (name or "").strip().lower()


def new_session_token() -> str:
    return secrets.token_hex(16)


def scope_codes(user: User) -> list[str]:
    try:
        codes = json.loads(user.scope_json or "[]")
    except ValueError:
        return []
    return [str(c) for c in codes] if isinstance(codes, list) else []


def resolve_scope(session: Session, codes: Iterable[str]) -> Scope:
    """Classify ``codes`` as municipality, administration or unit codes and widen downwards."""
    wanted = sorted({c.strip() for c in codes if c and c.strip()})
    if not wanted:
        return Scope(frozenset(), frozenset(), frozenset(), ())
    muns = set(session.scalars(select(Municipality.code).where(Municipality.code.in_(wanted))))
    adms = set(session.scalars(select(Administration.code).where(Administration.code.in_(wanted))))
    units = set(session.scalars(select(Unit.code).where(Unit.code.in_(wanted))))
    unknown = tuple(c for c in wanted if c not in muns | adms | units)
    if muns:
        adms |= set(
            session.scalars(
                select(Administration.code)
                .join(Municipality, Administration.municipality_id == Municipality.id)
                .where(Municipality.code.in_(sorted(muns)))
            )
        )
    if adms:
        units |= set(
            session.scalars(
                select(Unit.code)
                .join(Administration, Unit.administration_id == Administration.id)
                .where(Administration.code.in_(sorted(adms)))
            )
        )
    return Scope(frozenset(muns), frozenset(adms), frozenset(units), unknown)


def viewer_for(session: Session, user: User) -> Viewer:
    scope = resolve_scope(session, scope_codes(user))
    return Viewer(
        role=user.role,
        name=user.name,
        municipality_codes=scope.municipality_codes,
        administration_codes=scope.administration_codes,
        unit_codes=scope.unit_codes,
    )


def get_user(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == normalise_name(name)))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def _validate(session: Session, name: str, role: str, codes: Sequence[str]) -> list[str]:
    if not NAME_PATTERN.match(name):
        raise UserError("Ogiltigt användarnamn: använd a–z, 0–9 och . _ @ - (högst 100 tecken).")
    if role not in USER_ROLES:
        raise UserError(f"Okänd roll ”{role}”. Giltiga roller: {', '.join(USER_ROLES)}.")
    codes = sorted({c.strip() for c in codes if c and c.strip()})
    if role in SCOPED_ROLES and not codes:
        raise UserError(
            f"Rollen {role} ({role_label(role)}) kräver minst en --scope "
            "(kommun-, förvaltnings- eller enhetskod)."
        )
    unknown = resolve_scope(session, codes).unknown
    if unknown:
        raise UserError(
            "Okänd kod: " + ", ".join(unknown) + " (ingen kommun, förvaltning eller enhet i "
            "databasen har den koden; läs in organisationens arbetsbok först)."
        )
    return codes


def add_user(
    session: Session,
    name: str,
    role: str,
    codes: Sequence[str] = (),
    password: str | None = None,
    *,
    is_demo: bool = False,
) -> User:
    """Create an account (``password`` None: OIDC only). Raises UserError with the reason."""
    name = normalise_name(name)
    codes = _validate(session, name, role, codes)
    if get_user(session, name) is not None:
        raise UserError(f"Användaren {name} finns redan.")
    if password is not None and not is_demo:
        check_policy(password)
    password_hash = hash_password(password) if password is not None else None
    user = _insert_user(session, name, role, json.dumps(codes), password_hash, is_demo=is_demo)
    log.info("user %s added with role %s", name, role)
    return user


def _insert_user(
    session: Session,
    name: str,
    role: str,
    scope_json: str,
    password_hash: str | None,
    *,
    is_demo: bool,
) -> User:
    user = User(
        name=name,
        role=role,
        scope_json=scope_json,
        password_hash=password_hash,
        session_token=new_session_token(),
        is_demo=is_demo,
    )
    session.add(user)
    session.flush()
    return user


def is_external(user: User) -> bool:
    """An account that only logs in through OIDC: no password (so the login form never accepts
    it) and not a demo account."""
    return user.password_hash is None and not user.is_demo


def provision_external_user(session: Session, name: str, role: str, codes: Sequence[str]) -> User:
    """Create or update the OIDC user's account with the role and scope its groups give now.

    The identity provider's groups are the truth at every login: role and scope are overwritten.
    A local (password or demo) account with the same name is never taken over: UserError.
    Names are not checked against NAME_PATTERN: identity providers hand out names such as
    "åsa.öberg@kommun.se", and such a name cannot collide with a local one.
    """
    name = normalise_name(name)
    scope = json.dumps(sorted({c for c in codes if c}))
    user = get_user(session, name)
    if user is None:
        user = _insert_user(session, name, role, scope, None, is_demo=False)
        log.info("external (OIDC) user %s created with role %s", name, role)
        return user
    if not is_external(user):
        raise UserError(f"Det finns redan ett lokalt konto med namnet {name}.")
    if user.role != role or user.scope_json != scope:
        log.info("external (OIDC) user %s now has role %s, scope %s", name, role, scope)
    user.role, user.scope_json = role, scope
    return user


def set_password(session: Session, name: str, password: str) -> User:
    """Change the password and end every open session of the account."""
    user = get_user(session, name)
    if user is None:
        raise UserError(f"Användaren {normalise_name(name)} finns inte.")
    check_policy(password)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    return user


def remove_user(session: Session, name: str) -> None:
    user = get_user(session, name)
    if user is None:
        raise UserError(f"Användaren {normalise_name(name)} finns inte.")
    session.delete(user)


# --------------------------------------------------------------------------- demo accounts


@dataclass(frozen=True)
class DemoAccount:
    name: str
    role: str
    scope: tuple[str, ...]


def demo_accounts(session: Session) -> list[DemoAccount]:
    """One account per role, scoped to Askersund codes that exist in the store."""
    mun = session.scalar(select(Municipality).where(Municipality.code == ASKERSUND))
    if mun is None:
        mun = session.scalar(select(Municipality).order_by(Municipality.code))
    if mun is None:
        return [DemoAccount("admin", "admin", ())]
    adm_codes = list(
        session.scalars(
            select(Administration.code)
            .where(Administration.municipality_id == mun.id)
            .order_by(Administration.is_central, Administration.code)
        )
    )
    # Prefer the social administration: it has the most personal data to show.
    adm = next((a for a in adm_codes if a.endswith("-SOC")), adm_codes[0] if adm_codes else None)
    unit = (
        session.scalar(
            select(Unit.code)
            .join(Administration, Unit.administration_id == Administration.id)
            .where(Administration.code == adm)
            .order_by(Unit.code)
        )
        if adm
        else None
    )
    m = (mun.code,)
    return [
        DemoAccount("ciso", "ciso", m),
        DemoAccount("handlaggare", "security_officer", (adm,) if adm else m),
        DemoAccount("forvaltningschef", "admin_head", (adm,) if adm else m),
        DemoAccount("chef", "manager", (unit,) if unit else m),
        DemoAccount("namnd", "committee", m),
        DemoAccount("dataskyddsombud", "dpo", m),
        DemoAccount("sakerhetsskyddschef", "protection_officer", m),
        DemoAccount("admin", "admin", ()),
    ]


def may_authenticate(user: User, *, demo_mode: bool) -> bool:
    """Demo accounts (shared, password "demo") authenticate only while the app runs in demo mode.

    The one rule for every way in: the password form, the session cookie of every request and
    single sign-on (which never takes over a demo account's name).
    """
    return demo_mode or not user.is_demo


def demo_user_names(session: Session) -> list[str]:
    return list(
        session.scalars(select(User.name).where(User.is_demo.is_(True)).order_by(User.name))
    )


def demo_users_in_store(engine: Engine) -> list[str]:
    """The demo accounts left in the store (empty where the store is not migrated yet)."""
    from sqlalchemy import inspect

    if not inspect(engine).has_table(User.__tablename__):
        return []
    with Session(engine) as session:
        return demo_user_names(session)


def demo_users_refusal(names: Sequence[str]) -> str:
    """Why a production app does not start on a store that still holds demo accounts."""
    return (
        "Infosäk startar inte: databasen innehåller demokonton från 'infosak demo' ("
        + ", ".join(names)
        + ') med det kända lösenordet "demo". Demokonton fungerar bara i demoläget. '
        "Ta bort dem med 'infosak users remove-demo' och starta sedan igen "
        "(eller kör demon med 'infosak demo')."
    )


def remove_demo_users(session: Session) -> list[str]:
    """Delete every demo account; returns their names. Their cookies stop working at once."""
    users = list(session.scalars(select(User).where(User.is_demo.is_(True)).order_by(User.name)))
    for user in users:
        session.delete(user)
    return [u.name for u in users]


def ensure_demo_users(engine: Engine) -> list[DemoAccount]:
    """Create (or re-scope) the demo accounts, password ``demo``. Only ever called in demo mode."""
    with Session(engine) as session, session.begin():
        accounts = demo_accounts(session)
        for account in accounts:
            user = get_user(session, account.name)
            if user is None:
                add_user(
                    session,
                    account.name,
                    account.role,
                    account.scope,
                    DEMO_PASSWORD,
                    is_demo=True,
                )
            elif user.is_demo:
                user.role = account.role
                user.scope_json = json.dumps(list(account.scope))
            else:
                log.warning("demo account %s skipped: a real account has that name", account.name)
    return accounts
