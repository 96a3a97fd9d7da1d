"""A store holding the generated Sydnärke set, loaded as a load does (with its snapshot, so the
KPI mart is built), on SQLite or in a fresh PostgreSQL schema: the module fixtures of the tests
that compare the mart with the numbers computed on demand."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, delete, select, text
from sqlalchemy.orm import Session

from dashboard.queries.viewer import SYSTEM, Viewer
from etl import models as m
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
        if schema:
            with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def codes(engine, model) -> list[str]:
    """The codes of ``model``'s rows, sorted."""
    with Session(engine) as s:
        return list(s.scalars(select(model.code).order_by(model.code)))


def role_viewers(engine) -> list[Viewer]:
    """One viewer of every role, scoped to the first municipality, its last administration
    (a security officer), its first (an administration head) and a unit of the last (a manager)."""
    municipality = codes(engine, m.Municipality)[0]
    administrations = [c for c in codes(engine, m.Administration) if c.startswith(municipality)]
    unit = next(c for c in codes(engine, m.Unit) if c.startswith(administrations[-1]))
    one = frozenset({municipality})
    return [
        SYSTEM,
        Viewer("admin", "a"),
        Viewer("ciso", "c", municipality_codes=one),
        Viewer("security_officer", "s", administration_codes=frozenset({administrations[-1]})),
        Viewer("admin_head", "h", administration_codes=frozenset({administrations[0]})),
        Viewer("manager", "m", unit_codes=frozenset({unit})),
        Viewer("committee", "k", municipality_codes=one),
        Viewer("dpo", "d", municipality_codes=one),
        Viewer("protection_officer", "p", municipality_codes=one),
    ]


def from_mart_and_computed(session, compute, *args, **kwargs):
    """(``compute(*args, **kwargs)`` with the KPI mart the load built, and without it): the
    second inside a transaction that empties the mart and is rolled back."""
    from_mart = compute(*args, **kwargs)
    with session.begin_nested():
        session.execute(delete(m.KpiMartDate))
        session.execute(delete(m.KpiMart))
        computed = compute(*args, **kwargs)
        session.rollback()
    return from_mart, computed
