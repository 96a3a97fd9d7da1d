"""Every row of the store's data tables, to show that a rejected file changed nothing."""

from __future__ import annotations

from sqlalchemy import select

from etl import models, models_auth

# The load history records every attempt, rejected ones too; accounts, logins and the audit log
# change with the person uploading. Everything else must stay as it was.
SKIPPED = {"load", "load_error"} | {
    model.__tablename__
    for model in (models_auth.User, models_auth.LoginAttempt, models_auth.AuditEvent)
}


def store_dump(engine) -> dict[str, list[tuple]]:
    """table -> its rows (as tuples, sorted), for every data table of the store."""
    tables = [t for t in models.Base.metadata.sorted_tables if t.name not in SKIPPED]
    with engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(select(table)).all()), key=repr)
            for table in tables
        }
