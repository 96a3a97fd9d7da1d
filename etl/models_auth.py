"""Accounts, login attempts and the audit log (issue 4: access control).

Kept out of ``etl.models`` so that the domain store and the access layer can evolve apart; the
tables share ``etl.models.Base`` and are created by migration 0002. Times are naive UTC.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from etl.models import Base


def utcnow() -> dt.datetime:
    """Naive UTC, the way every timestamp in the store is kept."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class User(Base):
    """A local (or OIDC-provisioned) account. ``user`` is reserved in PostgreSQL: hence app_user."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(30))  # see dashboard.auth.roles.USER_ROLES
    # Org codes (municipality, administration or unit) as a JSON list; resolved at each request.
    scope_json: Mapped[str] = mapped_column(Text, default="[]")
    # None for accounts that only log in through OIDC.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Part of the login cookie: rotating it ends every session of the account (logout, passwd).
    session_token: Mapped[str] = mapped_column(String(64))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class LoginAttempt(Base):
    """Every password check, kept for throttling (growing delays: dashboard/auth/security.py)."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
        Index("ix_login_attempt_at", "at"),  # pruning old attempts (migration 0006)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    username: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)


class AuditEvent(Base):
    """Who did what, when: logins, failed logins, uploads, exports, account changes."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str | None] = mapped_column(String(64))
