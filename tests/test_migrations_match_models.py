"""The Alembic migrations, applied to an empty store, produce exactly the models' schema: tables,
columns and their types, nullability, indexes, unique constraints and foreign keys, as Alembic's
autogenerate compares them (an empty list = nothing a new migration would have to add). On
SQLite and PostgreSQL (the ``engine`` fixture is a store migrated to head)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import etl.models_auth  # noqa: F401  their tables are part of the schema
import etl.models_report  # noqa: F401
from etl.models import Base

# Known, not yet migrated: on PostgreSQL the first migration's source.current_load_id -> load.id
# key (use_alter, as the two tables refer to each other) was never created: op.create_table
# leaves use_alter keys to a later ALTER that no migration runs (SQLite writes it inline). A
# migration adding it on PostgreSQL removes this entry (and the test then insists on nothing).
KNOWN_POSTGRESQL = {("add_fk", "source", "fk_source_current_load")}


def _described(difference) -> tuple:
    kind, *rest = difference if isinstance(difference, tuple) else difference[0]
    if kind == "add_fk":
        constraint = rest[0]
        return kind, constraint.parent.name, constraint.name
    return (kind, *map(str, rest))


def test_the_migrations_produce_the_models_schema(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = {_described(d) for d in compare_metadata(context, Base.metadata)}
    expected = KNOWN_POSTGRESQL if engine.dialect.name == "postgresql" else set()
    assert differences == expected
