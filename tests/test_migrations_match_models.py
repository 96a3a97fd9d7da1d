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
    assert differences == set()
