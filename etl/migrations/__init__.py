"""Alembic migrations of the store (a package so that the import contracts see them)."""
