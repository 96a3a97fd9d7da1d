"""Secondary indexes deferred while a run loads into empty tables, and restored after.

A first national load inserts two million rows into empty tables. Kept up to date row by row,
the action table's eleven indexes turned each file's commit into thousands of scattered page
writes (inserts and commits were half of the run); building an index once from the finished
table is a single sort. So ``DeferredIndexes`` drops, for a run that loads many sources, the
indexes of the owners' tables that were empty when the run started, and ``restore`` builds them
again when the run ends, however it ends.

Kept all along are the indexes the loader itself reads while it runs: every index led by a
column whose foreign key cascades on delete (``source_id``, and the parent ids that deleting a
source's rows looks up), and the follow-up lookup by unit (``load_taken``). Pages read during
such a run get the same numbers, only more slowly; the run's snapshot and ANALYZE come after the
indexes are back.

A run killed in between leaves the store without some indexes; ``restore_missing_indexes``
(called at the start of every run and by ``etl.db.migrate``) builds whatever index the models
declare on those tables and the store lacks, so the next load or server start repairs it.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Index, Table, inspect

from etl import models

log = logging.getLogger(__name__)

# The owners' tables a load fills (children after parents, as models declares them).
OWNER_TABLES = (
    "asset", "asset_owner", "classification", "classification_participant", "risk_analysis",
    "risk", "gap_analysis", "gap_assessment", "action", "follow_up_report",
)  # fmt: skip
# Read by the loader during a run although its key does not cascade (load_taken's follow-ups).
KEPT_FOR_LOADING = {"ix_follow_up_report_unit_id"}
DEFER_MIN_SOURCES = 20  # a run of fewer sources keeps its indexes (a rebuild costs more)


def _table(name: str) -> Table:
    return models.Base.metadata.tables[name]


def _kept(index: Index) -> bool:
    if index.name in KEPT_FOR_LOADING:
        return True
    first = next(iter(index.columns))
    return any((fk.ondelete or "").upper() == "CASCADE" for fk in first.foreign_keys)


def deferrable_indexes(table_name: str) -> list[Index]:
    """The indexes of ``table_name`` a first load may drop and build again afterwards."""
    indexes = sorted(_table(table_name).indexes, key=lambda i: str(i.name))
    return [i for i in indexes if not _kept(i)]


def _existing(connection: Connection, table_name: str) -> dict[str, str | None]:
    """Index name -> its DDL as the store has it (None when the back end does not say)."""
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
            (table_name,),
        )
        return {name: sql for name, sql in rows}
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = %(t)s",
            {"t": table_name},
        )
        return {name: sql for name, sql in rows}
    return {i["name"]: None for i in inspect(connection).get_indexes(table_name)}


def _is_empty(connection: Connection, table_name: str) -> bool:
    return connection.exec_driver_sql(f'SELECT 1 FROM "{table_name}" LIMIT 1').first() is None


class DeferredIndexes:
    """The indexes one run dropped, with the DDL to build each again exactly as it was."""

    def __init__(self) -> None:
        self.dropped: dict[str, str | None] = {}  # name -> DDL (None: from the models)

    def drop(self, connection: Connection) -> list[str]:
        """Drop the deferrable indexes of every owners' table that is empty (caller: the lock)."""
        for table_name in OWNER_TABLES:
            if not _is_empty(connection, table_name):
                continue
            existing = _existing(connection, table_name)
            for index in deferrable_indexes(table_name):
                if index.name in existing:
                    self.dropped[str(index.name)] = existing[index.name]
                    connection.exec_driver_sql(f'DROP INDEX "{index.name}"')
        if self.dropped:
            log.info("deferred %d indexes until the run ends", len(self.dropped))
        return list(self.dropped)

    def restore(self, connection: Connection) -> list[str]:
        """Build every index this run dropped (caller: the lock); their names."""
        built = []
        for name, ddl in self.dropped.items():
            if ddl is None:
                _index_named(name).create(connection, checkfirst=True)
            else:
                connection.exec_driver_sql(ddl)
            built.append(name)
        self.dropped.clear()
        return built


def _index_named(name: str) -> Index:
    for table_name in OWNER_TABLES:
        for index in _table(table_name).indexes:
            if index.name == name:
                return index
    raise KeyError(name)


def missing_indexes(connection: Connection) -> list[Index]:
    """Deferrable indexes the models declare that the store lacks (a run killed midway)."""
    missing = []
    for table_name in OWNER_TABLES:
        existing = _existing(connection, table_name)
        missing.extend(i for i in deferrable_indexes(table_name) if i.name not in existing)
    return missing


def restore_missing_indexes(connection: Connection) -> list[str]:
    """Build the deferrable indexes the store lacks (caller: the lock); their names."""
    built = []
    for index in missing_indexes(connection):
        log.warning("index %s was missing (a load stopped before it ended); building it",
                    index.name)  # fmt: skip
        index.create(connection, checkfirst=True)
        built.append(str(index.name))
    return built
