"""The store's schema revisions, applied in order by Alembic."""
