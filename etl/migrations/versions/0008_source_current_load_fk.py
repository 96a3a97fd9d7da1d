"""the source -> current load foreign key on PostgreSQL

Revision ID: 0008_source_current_load_fk
Revises: 0007_report_snapshot_scope
Create Date: 2026-12-06 17:45:00

- fk_source_current_load: source and load refer to each other, so the initial schema declared
  this key with use_alter. op.create_table leaves such keys to a later ALTER that no migration
  ran: SQLite stores have the key (written inline), PostgreSQL stores lacked it. A reference to a
  load that no longer exists would make the ALTER fail, so such references are cleared first
  (none can arise through the loader, which never deletes loads).
"""

from alembic import op

revision = "0008_source_current_load_fk"
down_revision = "0007_report_snapshot_scope"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "UPDATE source SET current_load_id = NULL WHERE current_load_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM load WHERE load.id = source.current_load_id)"
    )
    op.create_foreign_key("fk_source_current_load", "source", "load", ["current_load_id"], ["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_constraint("fk_source_current_load", "source", type_="foreignkey")
