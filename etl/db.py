"""Engines, sessions and migrations for the store (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import ast
import logging
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from etl.config import database_url
from etl.indexes import missing_indexes, restore_missing_indexes

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Page cache per connection in KiB (negative = KiB in SQLite's PRAGMA): the default 2 MB makes
# every metric query on a national store re-read its pages through the OS; 32 MB holds the hot
# indices while keeping a worker with a full pool well under its memory budget.
SQLITE_CACHE_KIB = 32_768
MIGRATION_LOCK_KEY = 0x1AF05A5  # PostgreSQL advisory lock of schema upgrades (not the loaders')
MIGRATION_WAIT_SECONDS = 600  # an upgrade of a national store (new indexes) takes minutes
PG_LOCK_KEY = 0x1AF05A4  # any constant shared by every Infosäk loader
LOCK_WAIT_SECONDS = 600.0  # how long a load waits for another one to finish
LOCK_WAIT_ENV = "INFOSAK_LOAD_WAIT_SECONDS"  # operators may shorten or lengthen the wait
SQLITE_WRITE_CACHE_KIB = 131_072  # page cache while loading: the indexes' hot pages
SQLITE_WRITE_CHECKPOINT_PAGES = 16_384  # WAL pages (64 MB) before a checkpoint while loading
SQLITE_CHECKPOINT_PAGES = 1000  # SQLite's default
LOCK_POLL_SECONDS = 0.2  # PostgreSQL: how often a waiting load asks for the lock again


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


def alembic_config(engine: Engine | None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the store's schema to ``revision`` (creating it when the store is empty).

    Two commands started at once on a new store (two loads, a load and the server) used to both
    create the tables, and one failed ("table already exists"). The upgrade now runs under a
    lock: SQLite ``BEGIN IMMEDIATE`` around the whole upgrade (its DDL is transactional),
    PostgreSQL an advisory lock. Whoever waited finds the schema current and does nothing.
    """
    if revision == "head" and at_head(engine):
        _restore_indexes(engine)  # the usual case: no lock, no write, no alembic
        return
    from alembic import command

    config = alembic_config(engine)
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        locked = _sqlite_migration_engine(engine)
        try:
            command.upgrade(alembic_config(locked), revision)
        finally:
            locked.dispose()
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")
            try:
                command.upgrade(config, revision)
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")
    else:
        command.upgrade(config, revision)
    if revision == "head":
        _restore_indexes(engine)


def _restore_indexes(engine: Engine) -> None:
    """Indexes a load killed midway left dropped (etl.indexes), so a server start repairs them."""
    repair_indexes(engine)


_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


@cache
def _head_revisions() -> frozenset[str]:
    """The latest migrations: the revisions no migration names as its ``down_revision``, read
    from the files' own assignments. Not through alembic's script directory: importing alembic
    (with mako and pygments) took 0.2 s of every ``infosak load``'s start, on a store that is
    nearly always at the latest migration already (tests/test_migrations_head.py holds the two
    equal)."""
    revisions: set[str] = set()
    named_below: set[str] = set()
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        below = ast.literal_eval(found.get("down_revision", "None"))
        named_below.update([below] if isinstance(below, str) else below or ())
    return frozenset(revisions - named_below)


def _current_revisions(conn) -> set[str]:
    """The revisions the store is at (alembic's version table); none for a new store."""
    if not inspect(conn).has_table("alembic_version"):
        return set()
    return set(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


def at_head(engine: Engine) -> bool:
    """Whether the store's schema is the models' (the latest migration); heads read once."""
    with engine.connect() as conn:
        return _current_revisions(conn) == _head_revisions()


def _sqlite_migration_engine(engine: Engine) -> Engine:
    """An engine on the same file whose transactions start with BEGIN IMMEDIATE.

    pysqlite runs DDL outside any transaction by default; with its own transaction handling off
    and BEGIN IMMEDIATE on begin, the whole upgrade is one transaction holding the write lock.
    """
    locked = make_engine(
        engine.url.render_as_string(hide_password=False),
        connect_args={"timeout": MIGRATION_WAIT_SECONDS},
    )

    @event.listens_for(locked, "connect")
    def _no_driver_transactions(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(locked, "begin")
    def _begin_immediate(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return locked


def is_initialised(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")


class StoreBusyError(Exception):
    """Another load held the store longer than LOCK_WAIT_SECONDS."""


# --------------------------------------------------------------------------- the single writer


def _is_locked(exc: OperationalError) -> bool:
    return "locked" in str(exc.orig).casefold() or "busy" in str(exc.orig).casefold()


def lock_wait_seconds() -> float:
    """LOCK_WAIT_SECONDS, or the number of seconds in INFOSAK_LOAD_WAIT_SECONDS."""
    text_value = os.environ.get(LOCK_WAIT_ENV, "").strip()
    try:
        return max(0.0, float(text_value)) if text_value else LOCK_WAIT_SECONDS
    except ValueError:
        log.warning("%s=%r is not a number of seconds; using %s", LOCK_WAIT_ENV, text_value,
                    LOCK_WAIT_SECONDS)  # fmt: skip
        return LOCK_WAIT_SECONDS


def _lock_sqlite(connection, deadline: float) -> None:
    """BEGIN IMMEDIATE: take SQLite's single write lock, waiting at most until ``deadline``."""
    while True:
        remaining_ms = max(1, int((deadline - time.monotonic()) * 1000))
        # Wait no longer than the deadline allows (the engine's busy_timeout may be longer).
        connection.exec_driver_sql(f"PRAGMA busy_timeout={min(remaining_ms, 30_000)}")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if not _is_locked(exc) or time.monotonic() >= deadline:
                raise StoreBusyError(str(exc)) from exc
            log.info("store busy, waiting for another load")
        finally:  # the pooled connection goes back to readers with the usual timeout
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def _lock_postgresql(connection, deadline: float) -> None:
    """A transaction-scoped advisory lock every Infosäk loader takes; polled until ``deadline``."""
    while not connection.execute(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY}
    ).scalar():
        if time.monotonic() >= deadline:
            raise StoreBusyError("another load holds the Infosäk advisory lock")
        time.sleep(LOCK_POLL_SECONDS)


@contextmanager
def write_session(engine: Engine, wait_seconds: float | None = None) -> Iterator[Session]:
    """A session whose transaction holds the store's single writer lock; commits on success.

    Raises StoreBusyError when another load keeps the lock longer than ``wait_seconds``
    (default: ``lock_wait_seconds()``).
    """
    wait = lock_wait_seconds() if wait_seconds is None else wait_seconds
    deadline = time.monotonic() + wait
    sqlite = engine.dialect.name == "sqlite"
    with Session(engine, expire_on_commit=False) as session:
        connection = session.connection()
        if sqlite:
            _tune_sqlite_for_writing(connection, True)
            _lock_sqlite(connection, deadline)
        elif engine.dialect.name == "postgresql":
            _lock_postgresql(connection, deadline)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            if sqlite:
                _tune_sqlite_for_writing(session.connection(), False)


def _tune_sqlite_for_writing(connection, writing: bool) -> None:
    """A bigger page cache and rarer WAL checkpoints while a load writes; defaults after.

    Each checkpoint copies the WAL into the database file and syncs it; at the default (every
    1000 pages) a national load spent about as long checkpointing as inserting, rewriting the
    same index pages over and over. Readers keep working meanwhile (WAL).
    """
    cache_kib = SQLITE_WRITE_CACHE_KIB if writing else SQLITE_CACHE_KIB
    checkpoint = SQLITE_WRITE_CHECKPOINT_PAGES if writing else SQLITE_CHECKPOINT_PAGES
    connection.exec_driver_sql(f"PRAGMA cache_size=-{cache_kib}")
    connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint={checkpoint}")


def repair_indexes(engine: Engine) -> None:
    """Indexes a killed run left dropped (etl.indexes); read-only unless one is missing.

    Only on a store at the latest migration: an older one lacks indexes its upgrade will add.
    """
    try:
        if not at_head(engine):
            return
        with engine.connect() as connection:
            if not missing_indexes(connection):
                return
        with write_session(engine) as session:
            restore_missing_indexes(session.connection())
    except (StoreBusyError, SQLAlchemyError):
        log.error("could not build missing indexes", exc_info=True)
