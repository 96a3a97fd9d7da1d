"""Every row of the store's data tables, to show that a rejected file changed nothing."""

from __future__ import annotations

from sqlalchemy import select

from etl import models

# The load history records every attempt, rejected ones too: everything else must stay as it was.
HISTORY = {"load", "load_error"}
TABLES = [t for t in models.Base.metadata.sorted_tables if t.name not in HISTORY]


def store_dump(engine) -> dict[str, list[tuple]]:
    """table -> its rows (as tuples, sorted), for every data table of the store."""
    with engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(select(table)).all()), key=repr)
            for table in TABLES
        }
