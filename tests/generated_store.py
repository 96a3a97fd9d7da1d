"""A store holding the generated Sydnärke set, loaded as a load does (with its snapshot, so the
load's kept frames are there), on SQLite or in a fresh PostgreSQL schema: the module fixtures of
the kept-rows tests."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from dashboard.queries import _kpi_cache
from etl.db import make_engine, migrate
from etl.generate import generate
from etl.load import load_paths
from tests.conftest import PG_URL, _pg_schema_url

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def loaded_generated_store(
    backend: str, folder: Path, today: dt.date, fmt: str = "csv"
) -> Iterator[tuple[Engine, Path]]:
    """(engine, files folder) of a store on ``backend`` holding the generated set as of
    ``today``; the PostgreSQL schema is dropped afterwards."""
    files = folder / "files"
    generate(files, municipalities=4, seed=1882, fmt=fmt, today=today)
    schema = None
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'store.db'}"
    else:
        if not PG_URL:
            if os.environ.get("CI"):
                pytest.fail("INFOSAK_TEST_PG_URL is empty in CI: PostgreSQL tests must run")
            pytest.skip("PostgreSQL disabled by INFOSAK_TEST_PG_URL=''")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = _pg_schema_url(schema)
    engine = make_engine(url)
    try:
        migrate(engine)
        assert load_paths(engine, [files], today=today).ok
        yield engine, files
    finally:
        engine.dispose()
        _kpi_cache.clear()
        if schema:
            with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
