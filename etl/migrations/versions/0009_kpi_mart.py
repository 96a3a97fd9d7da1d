"""the KPI mart replaces the kept fact frames

Revision ID: 0009_kpi_mart
Revises: 0008_source_current_load_fk
Create Date: 2026-12-06 20:00:00

- kpi_fact_frame (compressed national fact frames, one blob per kind and date) is dropped: what
  the load keeps is now plain rows.
- kpi_mart: compute_kpis's rows for the whole country, (as_of, scope_type, scope_id, metric) ->
  value, numerator, denominator, built by the load (etl/kpi/mart.py).
- kpi_mart_date: the dates the mart holds and the store version they were computed on.
The next accepted load builds the mart; until then the pages compute on demand.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_kpi_mart"
down_revision = "0008_source_current_load_fk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("kpi_fact_frame")
    op.create_table(
        "kpi_mart",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("scope_type", sa.String(length=30), nullable=False),
        sa.Column("scope_id", sa.String(length=60), nullable=False),
        sa.Column("metric", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("as_of", "scope_type", "scope_id", "metric", name="uq_kpi_mart_row"),
    )
    op.create_table(
        "kpi_mart_date",
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("store_version", sa.String(length=400), nullable=False),
        sa.PrimaryKeyConstraint("as_of"),
    )


def downgrade() -> None:
    op.drop_table("kpi_mart_date")
    op.drop_table("kpi_mart")
    op.create_table(
        "kpi_fact_frame",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_version", sa.String(length=400), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("store_version", "as_of", "kind", name="uq_kpi_fact_frame_key"),
    )
