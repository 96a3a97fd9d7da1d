"""The dashboard's read access to the store: one engine per process, short read sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, exists, select
from sqlalchemy.orm import Session

from etl.db import make_engine
from etl.kpi import mart
from etl.models import Municipality

_engine: Engine | None = None


def configure(engine: Engine | None) -> None:
    """Use ``engine`` for every page (the app factory calls this; tests pass their own)."""
    global _engine
    _engine = engine


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = make_engine()
    return _engine


@contextmanager
def read_session() -> Iterator[Session]:
    """A session for one callback's reads; the dashboard never writes (uploads go via the ETL)."""
    with Session(get_engine(), info={mart.READ_ONLY_SESSION: True}) as session:
        yield session


def store_is_empty(session: Session) -> bool:
    return not session.scalar(select(exists().where(Municipality.id.is_not(None))))
