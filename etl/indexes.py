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

On PostgreSQL the same run also drops those tables' foreign keys to the organisation (unit,
object, provider, area, administration: the keys that do not cascade) and adds them again at the
end. Kept per row, they were more than half of the server's work of a COPY (each row looked up
its parents one key at a time); added once, each is checked with one join over the finished
table. The loader checks every such code against the organisation itself before a file goes
in, so the keys only confirm it. The keys that cascade (``source_id`` and the parent ids) stay:
deleting a source's rows depends on them.

A run killed in between leaves the store without some indexes (or keys); ``restore_missing_indexes``
(called at the start of every run and by ``etl.db.migrate``) builds whatever index or key the
models declare on those tables and the store lacks, so the next load or server start repairs it.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, ForeignKeyConstraint, Index, Table, inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.schema import AddConstraint

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


def _cascades(constraint: ForeignKeyConstraint) -> bool:
    return (constraint.ondelete or "").upper() == "CASCADE"


def deferrable_foreign_keys(table_name: str) -> list[ForeignKeyConstraint]:
    """The foreign keys of ``table_name`` a first load on PostgreSQL may drop and add afterwards:
    those to the organisation (every one that does not cascade), by their column."""
    keys = [k for k in _table(table_name).foreign_key_constraints if not _cascades(k)]
    return sorted(keys, key=lambda k: _key_column(k))


def _key_column(constraint: ForeignKeyConstraint) -> str:
    return str(next(iter(constraint.columns)).name)


def _existing_foreign_keys(connection: Connection, table_name: str) -> dict[str, tuple[str, str]]:
    """PostgreSQL: column -> (constraint name, its definition) of the table's foreign keys."""
    rows = connection.exec_driver_sql(
        "SELECT a.attname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND c.conrelid = to_regclass(%(t)s)",
        {"t": f'"{table_name}"'},
    )
    return {column: (name, definition) for column, name, definition in rows}


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
        # PostgreSQL: constraint name -> (its table, its definition as the store had it)
        self.dropped_keys: dict[str, tuple[str, str]] = {}

    @property
    def pending(self) -> bool:
        """Whether anything dropped still waits for ``restore``."""
        return bool(self.dropped or self.dropped_keys)

    def forget(self) -> None:
        """Nothing to restore (the drop was rolled back)."""
        self.dropped.clear()
        self.dropped_keys.clear()

    def drop(self, connection: Connection) -> list[str]:
        """Drop the deferrable indexes (and keys, on PostgreSQL) of every owners' table that is
        empty (caller: the lock); their names."""
        postgresql = connection.dialect.name == "postgresql"
        for table_name in OWNER_TABLES:
            if not _is_empty(connection, table_name):
                continue
            existing = _existing(connection, table_name)
            for index in deferrable_indexes(table_name):
                if index.name in existing:
                    self.dropped[str(index.name)] = existing[index.name]
                    connection.exec_driver_sql(f'DROP INDEX "{index.name}"')
            if postgresql:
                self._drop_keys(connection, table_name)
        if self.dropped or self.dropped_keys:
            log.info("deferred %d indexes and %d foreign keys until the run ends",
                     len(self.dropped), len(self.dropped_keys))  # fmt: skip
        return [*self.dropped, *self.dropped_keys]

    def _drop_keys(self, connection: Connection, table_name: str) -> None:
        existing = _existing_foreign_keys(connection, table_name)
        for key in deferrable_foreign_keys(table_name):
            found = existing.get(_key_column(key))
            if found is not None:
                name, definition = found
                self.dropped_keys[name] = (table_name, definition)
                connection.exec_driver_sql(f'ALTER TABLE "{table_name}" DROP CONSTRAINT "{name}"')

    def restore(self, connection: Connection) -> list[str]:
        """Build every index and add every key this run dropped (caller: the lock); their names.

        Adding a key checks every row once; a row that fails it (which the loader's own checks
        rule out) would stop the whole restore, so that key is added unchecked (``NOT VALID``:
        rows written from now on are checked) and the failure logged.
        """
        built = []
        for name, ddl in self.dropped.items():
            if ddl is None:
                _index_named(name).create(connection, checkfirst=True)
            else:
                connection.exec_driver_sql(ddl)
            built.append(name)
        self.dropped.clear()
        for name, (table_name, definition) in self.dropped_keys.items():
            _add_key(connection, table_name, name, definition)
            built.append(name)
        self.dropped_keys.clear()
        return built


def _add_key(connection: Connection, table_name: str, name: str, definition: str) -> None:
    statement = f'ALTER TABLE "{table_name}" ADD CONSTRAINT "{name}" {definition}'
    try:
        with connection.begin_nested():
            connection.exec_driver_sql(statement)
    except SQLAlchemyError:
        log.error("rows of %s fail its foreign key %s; added for new rows only (NOT VALID)",
                  table_name, name, exc_info=True)  # fmt: skip
        connection.exec_driver_sql(f"{statement} NOT VALID")


def _index_named(name: str) -> Index:
    for table_name in OWNER_TABLES:
        for index in _table(table_name).indexes:
            if index.name == name:
                return index
    raise KeyError(name)


def missing_indexes(connection: Connection) -> list[Index | ForeignKeyConstraint]:
    """Deferrable indexes (and, on PostgreSQL, foreign keys) the models declare that the store
    lacks (a run killed midway)."""
    missing: list[Index | ForeignKeyConstraint] = []
    for table_name in OWNER_TABLES:
        existing = _existing(connection, table_name)
        missing.extend(i for i in deferrable_indexes(table_name) if i.name not in existing)
        if connection.dialect.name == "postgresql":
            keys = _existing_foreign_keys(connection, table_name)
            missing.extend(k for k in deferrable_foreign_keys(table_name)
                           if _key_column(k) not in keys)  # fmt: skip
    return missing


def restore_missing_indexes(connection: Connection) -> list[str]:
    """Build the deferrable indexes and add the keys the store lacks (caller: the lock); their
    names (a key's: its table and column)."""
    built = []
    for item in missing_indexes(connection):
        if isinstance(item, Index):
            log.warning("index %s was missing (a load stopped before it ended); building it",
                        item.name)  # fmt: skip
            item.create(connection, checkfirst=True)
            built.append(str(item.name))
            continue
        table_name, column = item.table.name, _key_column(item)
        log.warning("the foreign key of %s.%s was missing (a load stopped before it ended); "
                    "adding it", table_name, column)  # fmt: skip
        connection.execute(AddConstraint(item))
        built.append(f"{table_name}.{column}")
    return built
