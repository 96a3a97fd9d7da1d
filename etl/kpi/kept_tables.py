"""Tables kept beside the KPI mart per mart date (page_aggregate, coverage_gap): written in the
mart's transaction, so valid while the mart holds the date at the store's current version. A
store without such a table (before its migration) counts on demand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, inspect


def connection_of(conn):
    """The Connection of a Session (or the Connection itself)."""
    return conn.connection() if hasattr(conn, "get_bind") else conn


def present(conn, model) -> bool:
    """Whether the store has ``model``'s table. Asked each time, not remembered, since a
    downgrade can take a table away under a running engine."""
    return inspect(connection_of(conn)).has_table(model.__tablename__)


def forget(connection, *models, keep: Iterable[dt.date] | None = None) -> None:
    """Delete the rows of ``models`` of every date (``keep``: but those)."""
    for model in models:
        if present(connection, model):
            statement = delete(model)
            if keep is not None:
                statement = statement.where(model.as_of.notin_(sorted(keep)))
            connection.execute(statement)


def bind_date(connection, model, day: dt.date):
    """``day`` as SQLAlchemy binds it to ``model.as_of`` (SQLite keeps dates as text of its own
    format), for rows inserted through the driver."""
    date_type = model.__table__.c.as_of.type.dialect_impl(connection.dialect)
    process = date_type.bind_processor(connection.dialect)
    return day if process is None or day is None else process(day)
