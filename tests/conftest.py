"""Shared fixtures: a fresh, migrated store per test on SQLite and (marked) on PostgreSQL.

``store_url`` is parametrised over both back ends; PostgreSQL tests get a schema of their own so
that parallel workers never see each other's rows. Set INFOSAK_TEST_PG_URL to point elsewhere, or
to an empty string to skip the PostgreSQL half locally (CI always runs it: see .ci/run).
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from etl.db import make_engine, migrate, session_factory

PG_URL = os.environ.get(
    "INFOSAK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """URL of an empty, migrated store on each back end."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        yield url
        return
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("INFOSAK_TEST_PG_URL is empty in CI: PostgreSQL tests must run")
        pytest.skip("PostgreSQL disabled by INFOSAK_TEST_PG_URL=''")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(store_url):
    eng = make_engine(store_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    """A migrated SQLite store only, for tests that do not concern the back end."""
    eng = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine):
    return session_factory(engine)
