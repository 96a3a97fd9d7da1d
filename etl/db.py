"""Engines, sessions and migrations for the store (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from etl.config import database_url

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Page cache per connection in KiB (negative = KiB in SQLite's PRAGMA): the default 2 MB makes
# every metric query on a national store re-read its pages through the OS; 32 MB holds the hot
# indices while keeping a worker with a full pool well under its memory budget.
SQLITE_CACHE_KIB = 32_768


def _configure_sqlite(dbapi_connection, _record) -> None:
    # Foreign keys are off by default in SQLite; WAL lets pages read while a load writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    # Sorts and GROUP BY of the metric queries in memory rather than in temporary files.
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def _configure_postgresql(dbapi_connection, _record) -> None:
    # PostgreSQL's JIT prices the metric queries (correlated EXISTS, many CASE sums) as huge and
    # spends seconds compiling what runs in well under one; no query of this app gains from it.
    # Set per connection (not via connect_args "options", which would replace a URL's own).
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.commit()


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """An engine for ``url`` (default: INFOSAK_DATABASE_URL or data/infosak.db)."""
    url = url or database_url()
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _configure_sqlite)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
        if engine.dialect.name == "postgresql":
            event.listen(engine, "connect", _configure_postgresql)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the store's schema to ``revision`` (creating it when the store is empty)."""
    command.upgrade(alembic_config(engine), revision)


def is_initialised(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")
